package dev.shopbeam.transforms;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * A length-prefixed array of longs, for combiner accumulators (one coder, not one per combiner) and
 * the bit planes of id tallies: the length as a big-endian int, then each long big-endian (the layout
 * of {@code DataOutputStream.writeInt} and {@code writeLong}).
 *
 * <p>The longs are copied through a buffer of {@value #CHUNK_LONGS} at a time: one stream call per chunk,
 * not one per long. A dense id tally is two planes of a million longs, handed from step to step on
 * Flink's batch runtime, where every stream call goes through Beam's and Flink's wrappers; one call per
 * long made their coding a twelfth of a hot-items run on the Online Retail year.
 */
public final class LongArrayCoder extends AtomicCoder<long[]> {
  public static final LongArrayCoder INSTANCE = new LongArrayCoder();

  /** Longs per buffered chunk: 64 KiB. */
  static final int CHUNK_LONGS = 8192;

  private LongArrayCoder() {}

  @Override
  public void encode(long[] v, OutputStream out) throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(v.length).array());
    if (v.length == 0) {
      return;
    }
    byte[] chunk = new byte[Math.min(v.length, CHUNK_LONGS) * 8];
    for (int i = 0; i < v.length; i += CHUNK_LONGS) {
      int n = Math.min(CHUNK_LONGS, v.length - i);
      ByteBuffer.wrap(chunk).asLongBuffer().put(v, i, n);
      out.write(chunk, 0, n * 8);
    }
  }

  @Override
  public long[] decode(InputStream in) throws IOException {
    byte[] length = new byte[4];
    readFully(in, length, 4);
    int size = ByteBuffer.wrap(length).getInt();
    if (size < 0) {
      throw new CoderException("negative long array length " + size);
    }
    long[] v = new long[size];
    byte[] chunk = new byte[Math.min(size, CHUNK_LONGS) * 8];
    for (int i = 0; i < size; i += CHUNK_LONGS) {
      int n = Math.min(CHUNK_LONGS, size - i);
      readFully(in, chunk, n * 8);
      ByteBuffer.wrap(chunk, 0, n * 8).asLongBuffer().get(v, i, n);
    }
    return v;
  }

  private static void readFully(InputStream in, byte[] b, int len) throws IOException {
    int read = in.readNBytes(b, 0, len);
    if (read != len) {
      throw new EOFException("long array cut short: " + read + " of " + len + " bytes");
    }
  }
}
