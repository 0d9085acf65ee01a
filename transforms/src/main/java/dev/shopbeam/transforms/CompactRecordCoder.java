package dev.shopbeam.transforms;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Base of the hand-written coders of the records that cross every shuffle of a run (raw records and
 * clean events). A record is written as its length and then its fields, into a per-thread buffer that
 * goes to the stream in one call, and read back by one bulk read: Flink's stream wrappers cost a
 * virtual call per byte, and Avro's generic writer walked the schema per field. Same bytes for the
 * same record (deterministic), self-delimiting in nested contexts.
 *
 * <p>A coder may name the fields its {@link #write} reads ({@link #fields}); its thread then hands the
 * same bytes again while the record it encoded last has all of them unchanged: Flink's batch runtime
 * encodes an element once for each consumer of its step, and the clean events have a dozen. Object
 * fields are compared by reference, and each is an immutable value (strings, instants, decimals);
 * primitive fields by value (see {@link Fields}). So a record that was changed in between (even the same
 * object, which Beam forbids but some user code does) is encoded afresh.
 *
 * <p>Only for in-flight elements and state: files and Kafka topics keep Avro and JSON.
 */
public abstract class CompactRecordCoder<T> extends CustomCoder<T> {
  private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);
  private static final ThreadLocal<Reader> READERS = ThreadLocal.withInitial(Reader::new);

  protected abstract void write(T value, Writer w);

  protected abstract T read(Reader r) throws IOException;

  /**
   * Puts into {@code into} every field {@link #write} reads, objects as the objects it reads and
   * primitives as numbers, and returns whether it named them; by default it does not, and every record
   * is encoded afresh.
   */
  protected boolean fields(T value, Fields into) {
    return false;
  }

  /**
   * The fields of one record as {@link #write} reads them: objects, compared by reference, and numbers
   * (primitive fields), compared by value. Numbers apart: boxing a primitive field to compare it, a dozen
   * times per event, was 1.8% of a Flink whole-batch profile (Integer.valueOf).
   */
  public static final class Fields {
    private final Object[] objects = new Object[16];
    private final long[] numbers = new long[8];
    private int objectCount;
    private int numberCount;

    public Fields object(Object o) {
      objects[objectCount++] = o;
      return this;
    }

    public Fields number(long n) {
      numbers[numberCount++] = n;
      return this;
    }

    void clear() {
      objectCount = 0;
      numberCount = 0;
    }

    /** Whether these are the same values as {@code o}'s as far as the bytes go. */
    boolean same(Fields o) {
      if (objectCount != o.objectCount || numberCount != o.numberCount) {
        return false;
      }
      for (int i = 0; i < objectCount; i++) {
        if (objects[i] != o.objects[i]) {
          return false;
        }
      }
      for (int i = 0; i < numberCount; i++) {
        if (numbers[i] != o.numbers[i]) {
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public final void encode(T value, OutputStream out) throws IOException {
    if (value == null) {
      throw new IOException(getClass().getSimpleName() + " cannot encode null");
    }
    Writer body = WRITERS.get();
    body.fields.clear();
    boolean named = fields(value, body.fields);
    if (!named || body.heldBy != this || !body.held.same(body.fields)) {
      body.reset();
      write(value, body);
      if (named) {
        Fields held = body.held;
        body.held = body.fields;
        body.fields = held;
        body.heldBy = this;
      }
    }
    Writer.writeVarLongTo(out, body.size);
    out.write(body.buf, 0, body.size);
  }

  @Override
  public final T decode(InputStream in) throws IOException {
    long length = Reader.readVarLongFrom(in);
    if (length < 0 || length > Integer.MAX_VALUE - 16) {
      throw new IOException("corrupt record length " + length);
    }
    Reader body = READERS.get();
    body.fill(in, (int) length);
    T value = read(body);
    if (body.pos != body.limit) {
      throw new IOException(getClass().getSimpleName() + ": " + (body.limit - body.pos) + " bytes left after a record");
    }
    return value;
  }

  @Override
  public void verifyDeterministic() {
    // Fields in a fixed order, no maps: the same record always has the same bytes.
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }

  /** A growable byte buffer with the primitive writes the records need. */
  public static final class Writer {
    private byte[] buf = new byte[256];
    private int size;
    // The coder whose record the buffer holds, and that record's fields (see fields); null: none.
    private CompactRecordCoder<?> heldBy;
    private Fields held = new Fields();
    // Where the fields of the record being encoded are put, to compare with held.
    private Fields fields = new Fields();

    public void reset() {
      size = 0;
      heldBy = null;
    }

    /** What was written since the last {@link #reset}, to {@code out} in one call. */
    public void writeTo(OutputStream out) throws IOException {
      out.write(buf, 0, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    public void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    /** Unsigned LEB128, like Beam's VarLong; negative values take ten bytes. */
    public void writeVarLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    /** Zig-zag, so small negative numbers stay short. */
    public void writeZigZag(long v) {
      writeVarLong((v << 1) ^ (v >> 63));
    }

    public void writeBytes(byte[] b, int off, int len) {
      writeVarLong(len);
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    public void writeString(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      writeBytes(b, 0, b.length);
    }

    public void writeBuffer(ByteBuffer b) {
      ByteBuffer view = b.duplicate();
      int len = view.remaining();
      writeVarLong(len);
      ensure(len);
      view.get(buf, size, len);
      size += len;
    }

    public void writeInstant(Instant t) {
      writeZigZag(t.toEpochMilli());
    }

    /** The double's bits, eight bytes, big-endian: every value, NaN's bits and -0.0 included, comes back as it was. */
    public void writeDouble(double d) {
      ensure(8);
      long bits = Double.doubleToRawLongBits(d);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (bits >>> shift);
      }
    }

    public void writeDecimal(BigDecimal d) {
      writeZigZag(d.scale());
      byte[] unscaled = d.unscaledValue().toByteArray();
      writeBytes(unscaled, 0, unscaled.length);
    }

    static void writeVarLongTo(OutputStream out, long v) throws IOException {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }

  /** Reads back what {@link Writer} wrote, from one record's bytes. */
  public static final class Reader {
    private byte[] buf = new byte[256];
    private int pos;
    private int limit;

    void fill(InputStream in, int length) throws IOException {
      if (length > buf.length) {
        buf = new byte[Math.max(length, buf.length * 2)];
      }
      int read = 0;
      while (read < length) {
        int n = in.read(buf, read, length - read);
        if (n < 0) {
          throw new EOFException("record cut short: " + read + " of " + length + " bytes");
        }
        read += n;
      }
      pos = 0;
      limit = length;
    }

    private void need(int n) throws IOException {
      if (n < 0 || pos + n > limit) {
        throw new IOException("corrupt record: field runs past its end");
      }
    }

    public int readByte() throws IOException {
      need(1);
      return buf[pos++] & 0xFF;
    }

    public long readVarLong() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("corrupt record: varint longer than ten bytes");
    }

    public long readZigZag() throws IOException {
      long v = readVarLong();
      return (v >>> 1) ^ -(v & 1);
    }

    private int readLength() throws IOException {
      long len = readVarLong();
      if (len < 0 || len > limit - pos) {
        throw new IOException("corrupt record: length " + len + " with " + (limit - pos) + " bytes left");
      }
      return (int) len;
    }

    public String readString() throws IOException {
      int len = readLength();
      String s = new String(buf, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    public byte[] readBytes() throws IOException {
      int len = readLength();
      byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
      pos += len;
      return b;
    }

    public Instant readInstant() throws IOException {
      return Instant.ofEpochMilli(readZigZag());
    }

    public double readDouble() throws IOException {
      need(8);
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (buf[pos++] & 0xFF);
      }
      return Double.longBitsToDouble(bits);
    }

    public BigDecimal readDecimal() throws IOException {
      int scale = (int) readZigZag();
      int len = readLength();
      if (len == 0) {
        throw new IOException("corrupt record: a decimal without digits");
      }
      if (len <= 8) {
        // Every price fits a long: no BigInteger to build (Flink decodes each event once per step that
        // reads it). The first byte carries the sign.
        long unscaled = buf[pos];
        for (int i = 1; i < len; i++) {
          unscaled = (unscaled << 8) | (buf[pos + i] & 0xFF);
        }
        pos += len;
        return BigDecimal.valueOf(unscaled, scale);
      }
      BigInteger unscaled = new BigInteger(buf, pos, len);
      pos += len;
      return new BigDecimal(unscaled, scale);
    }

    static long readVarLongFrom(InputStream in) throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("no record length");
        }
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("corrupt record length: varint longer than ten bytes");
    }
  }
}
