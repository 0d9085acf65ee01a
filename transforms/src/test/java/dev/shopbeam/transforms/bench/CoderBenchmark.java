package dev.shopbeam.transforms.bench;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.CommerceEventCoder;
import dev.shopbeam.transforms.RawRecordCoder;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The coders of what crosses every shuffle, one element at a time, one thread: on Flink's batch
 * runtime every reader of a collection gets its own encoded copy, so a clean event is encoded and
 * decoded several times per run (see the README's profile of a hot-items run).
 *
 * <ul>
 *   <li>{@code encodeEvent} / {@code decodeEvent}: {@link CommerceEventCoder} on the events the
 *       format's sample parses into;
 *   <li>{@code encodeRecord} / {@code decodeRecord}: {@link RawRecordCoder} on the sample's records.
 * </ul>
 *
 * One op is one element. Run with {@code bash ci/jmh.sh CoderBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class CoderBenchmark {
  @Param({"online-retail", "userbehavior", "json", "interactions"})
  public String format;

  private final CommerceEventCoder eventCoder = CommerceEventCoder.of();
  private final RawRecordCoder recordCoder = RawRecordCoder.of();
  private CommerceEvent[] events;
  private byte[][] encodedEvents;
  private int nextEvent;
  private RawRecord[] records;
  private byte[][] encodedRecords;
  private int nextRecord;
  private final Buffer out = new Buffer();
  private final Input in = new Input();

  @Setup
  public void setup() throws IOException {
    InputFormat f = InputFormat.fromName(format);
    records = BenchData.records(f);
    events = BenchData.events(f, records);
    encodedEvents = new byte[events.length][];
    long eventBytes = 0;
    for (int i = 0; i < events.length; i++) {
      out.reset();
      eventCoder.encode(events[i], out);
      encodedEvents[i] = out.toByteArray();
      eventBytes += encodedEvents[i].length;
    }
    encodedRecords = new byte[records.length][];
    for (int i = 0; i < records.length; i++) {
      out.reset();
      recordCoder.encode(records[i], out);
      encodedRecords[i] = out.toByteArray();
    }
    System.out.println();
    System.out.println("[coders " + format + "] " + events.length + " events of " + BenchData.file(f)
        + ", " + (eventBytes / Math.max(1, events.length)) + " bytes each on average; "
        + records.length + " records");
  }

  @Benchmark
  public int encodeEvent() throws IOException {
    CommerceEvent e = events[nextEvent];
    if (++nextEvent == events.length) {
      nextEvent = 0;
    }
    out.reset();
    eventCoder.encode(e, out);
    return out.size();
  }

  @Benchmark
  public CommerceEvent decodeEvent() throws IOException {
    byte[] b = encodedEvents[nextEvent];
    if (++nextEvent == encodedEvents.length) {
      nextEvent = 0;
    }
    in.reset(b);
    return eventCoder.decode(in);
  }

  @Benchmark
  public int encodeRecord() throws IOException {
    RawRecord r = records[nextRecord];
    if (++nextRecord == records.length) {
      nextRecord = 0;
    }
    out.reset();
    recordCoder.encode(r, out);
    return out.size();
  }

  @Benchmark
  public RawRecord decodeRecord() throws IOException {
    byte[] b = encodedRecords[nextRecord];
    if (++nextRecord == encodedRecords.length) {
      nextRecord = 0;
    }
    in.reset(b);
    return recordCoder.decode(in);
  }

  /** A reusable byte source (ByteArrayInputStream's reads are synchronized). */
  private static final class Input extends InputStream {
    private byte[] bytes;
    private int pos;

    void reset(byte[] b) {
      bytes = b;
      pos = 0;
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= bytes.length) {
        return -1;
      }
      int n = Math.min(len, bytes.length - pos);
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** A reusable byte sink (ByteArrayOutputStream's methods are synchronized). */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(1024);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensureCapacityFor(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    @Override
    public void write(int b) {
      ensureCapacityFor(1);
      buf[count++] = (byte) b;
    }

    private void ensureCapacityFor(int len) {
      if (count + len > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
      }
    }
  }
}
