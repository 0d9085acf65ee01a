package dev.shopbeam.transforms.bench;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.ParseEvents;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The parse stage per record, one format at a time: exactly what {@link ParseEvents} runs for each
 * {@link RawRecord} (payload checks, strict UTF-8 decoding, the format's parser with its event id, the
 * outputs), outside Beam. One op is one record, cycling through a sample file's records; one thread, so
 * ops/s is records per second per core.
 *
 * <p>Run with {@code bash ci/jmh.sh ParseBenchmark}. Not a unit test (Surefire runs *Test classes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class ParseBenchmark {
  @Param({"online-retail", "userbehavior", "json", "interactions"})
  public String format;

  private RawRecord[] records;
  private int next;
  private ParseEvents.ParseFn fn;
  private final Outputs.Sink sink = new Outputs.Sink();

  @Setup
  public void setup() {
    InputFormat f = InputFormat.fromName(format);
    records = BenchData.records(f);
    fn = new ParseEvents.ParseFn(f, null); // ParseEvents.of(format)
    fn.setup();
    Outputs.Tally tally = new Outputs.Tally();
    for (RawRecord r : records) {
      fn.process(r, tally);
    }
    System.out.println();
    System.out.println("[parse " + format + "] " + records.length + " records of "
        + BenchData.file(f) + " -> " + tally);
  }

  @Benchmark
  public void parse(Blackhole bh) {
    sink.bh = bh;
    RawRecord r = records[next];
    if (++next == records.length) {
      next = 0;
    }
    fn.process(r, sink);
  }
}
