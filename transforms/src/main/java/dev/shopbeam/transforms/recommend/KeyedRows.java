package dev.shopbeam.transforms.recommend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/** What the map-backed combiner rows ({@link CoOccurrences}) need: merging into the largest, doubles as bytes. */
final class KeyedRows {
  private KeyedRows() {}

  /**
   * Merges accumulators into the largest of them (fewer map insertions, no re-hashing of the biggest
   * map); Beam lets {@code mergeAccumulators} modify and return one of its arguments.
   */
  static <T> T mergeIntoLargest(Iterable<T> accs, ToIntFunction<T> size, BiConsumer<T, T> addAllInto,
      Supplier<T> empty) {
    List<T> all = new ArrayList<>();
    accs.forEach(all::add);
    T largest = null;
    for (T a : all) {
      if (largest == null || size.applyAsInt(a) > size.applyAsInt(largest)) {
        largest = a;
      }
    }
    if (largest == null) {
      return empty.get();
    }
    for (T a : all) {
      if (a != largest) {
        addAllInto.accept(largest, a);
      }
    }
    return largest;
  }

  /** A double as 8 big-endian bytes ({@code buffer}: 8 bytes of scratch, reused per record). */
  static void writeDouble(OutputStream out, double value, byte[] buffer) throws IOException {
    long bits = Double.doubleToRawLongBits(value);
    for (int i = 7; i >= 0; i--) {
      buffer[i] = (byte) bits;
      bits >>>= 8;
    }
    out.write(buffer, 0, 8);
  }

  static double readDouble(InputStream in, byte[] buffer) throws IOException {
    if (in.readNBytes(buffer, 0, 8) != 8) {
      throw new EOFException("a combiner row was cut short");
    }
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (buffer[i] & 0xff);
    }
    return Double.longBitsToDouble(bits);
  }
}
