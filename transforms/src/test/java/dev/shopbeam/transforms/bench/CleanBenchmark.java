package dev.shopbeam.transforms.bench;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.clean.EventValidator;
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
 * The clean stage's per-record work (everything {@link CleanEvents} does per record except dedupe,
 * which needs keyed state), one format at a time, one thread:
 *
 * <ul>
 *   <li>{@code validate}: {@link EventValidator#check} with {@link CleanConfig#defaults()} on the
 *       events the format's sample parses into (validate, normalise, non-product and zero-price filters);
 *   <li>{@code parseAndValidate}: the step CleanEvents applies to each raw record, i.e.
 *       {@code ParseEvents.of(format).withValidation(defaults)}: parse, then validate, with its outputs.
 * </ul>
 *
 * One op is one record. Run with {@code bash ci/jmh.sh CleanBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class CleanBenchmark {
  @Param({"online-retail", "userbehavior", "json", "interactions"})
  public String format;

  private CommerceEvent[] events;
  private int nextEvent;
  private EventValidator validator;

  private RawRecord[] records;
  private int nextRecord;
  private ParseEvents.ParseFn fn;
  private final Outputs.Sink sink = new Outputs.Sink();

  @Setup
  public void setup() {
    InputFormat f = InputFormat.fromName(format);
    CleanConfig config = CleanConfig.defaults();
    records = BenchData.records(f);
    fn = new ParseEvents.ParseFn(f, config); // what CleanEvents.of(format, config) applies per record
    fn.setup();
    Outputs.Tally tally = new Outputs.Tally();
    for (RawRecord r : records) {
      fn.process(r, tally);
    }

    validator = new EventValidator(config);
    events = BenchData.events(f, records);
    System.out.println();
    System.out.println("[clean " + format + "] " + records.length + " records of "
        + BenchData.file(f) + " -> " + tally + "; validate cycles through " + events.length
        + " parsed events");
  }

  @Benchmark
  public void validate(Blackhole bh) {
    CommerceEvent e = events[nextEvent];
    if (++nextEvent == events.length) {
      nextEvent = 0;
    }
    bh.consume(validator.check(e));
  }

  @Benchmark
  public void parseAndValidate(Blackhole bh) {
    sink.bh = bh;
    RawRecord r = records[nextRecord];
    if (++nextRecord == records.length) {
      nextRecord = 0;
    }
    fn.process(r, sink);
  }
}
