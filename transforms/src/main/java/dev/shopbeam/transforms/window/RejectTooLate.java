package dev.shopbeam.transforms.window;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.DeadLetters;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Sends records that arrive too late for every window they belong to to the dead-letter output (reason
 * {@code too_late}) instead of letting the windows drop them without a trace.
 *
 * <p>Beam drops an element for a window once the watermark has passed the window's end plus its
 * allowed lateness, and tells no one but a runner metric. A {@code DoFn} cannot read the watermark, so
 * this gate learns it from event-time timers: records are spread over {@link #shards()} keys, and each
 * key keeps a timer ticking along a grid of deadlines, one every {@link #grid()} of event time. A
 * record's deadline is the end of its grid cell plus {@link #allowedLateness()}; when the timer for a
 * deadline has fired, the watermark has passed it and any later record with that deadline is rejected.
 * While records flow, the next tick is at most one grid step ahead, so the gate knows the watermark to
 * within one step, and a record it passes has a deadline the watermark has not reached: the windows
 * downstream will take it (on time or as a late firing).
 *
 * <p>The grid must divide every window size and period downstream (and be no longer than a session
 * gap): then a record's deadline is never after the end-plus-lateness of the earliest window it falls
 * in, and a record is either counted in all its windows or dead-lettered, never counted in some.
 * {@link #gridFor} computes it.
 *
 * <p>Limits, by construction: a key learns the watermark from its first tick, so in the first moments
 * of a fresh job (before each key has seen one record) and after a key has been idle for longer than
 * {@link #idleHorizon()} of event time (when its ticking stops, so that a finished bounded input does
 * not tick to the end of time) a record is passed on unchecked. State is three longs per key and is
 * kept in checkpoints, so a job restored from one keeps its place.
 */
@AutoValue
public abstract class RejectTooLate extends PTransform<PCollection<RawRecord>, PCollectionTuple> {
  public static final String REASON = "too_late";
  public static final TupleTag<RawRecord> ON_TIME = new TupleTag<>("onTime") {};
  public static final TupleTag<DeadLetter> TOO_LATE = new TupleTag<>("tooLate") {};

  public abstract Duration grid();

  public abstract Duration allowedLateness();

  public abstract int shards();

  public abstract Duration idleHorizon();

  /** The input layout's name, for the dead letters' {@code source} column. */
  public abstract String source();

  public static RejectTooLate of(Duration grid, Duration allowedLateness, String source) {
    return new AutoValue_RejectTooLate(grid, allowedLateness, 8, Duration.standardDays(1), source);
  }

  public RejectTooLate withShards(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, was " + shards);
    }
    return new AutoValue_RejectTooLate(grid(), allowedLateness(), shards, idleHorizon(), source());
  }

  /**
   * The longest grid that divides every given window size and period (milliseconds' greatest common
   * divisor). Pass a session gap as one of them: the result is then no longer than the gap.
   */
  public static Duration gridFor(Duration first, Duration... more) {
    long g = first.getMillis();
    for (Duration d : more) {
      g = gcd(g, d.getMillis());
    }
    if (g <= 0) {
      throw new IllegalArgumentException("window sizes and periods must be positive");
    }
    return Duration.millis(g);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** The last instant at which the watermark may stand for a record stamped {@code t} to be on time. */
  static long deadline(long t, long grid, long lateness) {
    return Math.floorDiv(t, grid) * grid + grid - 1 + lateness;
  }

  @Override
  public PCollectionTuple expand(PCollection<RawRecord> records) {
    int n = shards();
    PCollectionTuple out = records
        .apply("Global window", Window.<RawRecord>into(new GlobalWindows()))
        .apply("Spread over keys", WithKeys.of((RawRecord r) -> Math.floorMod(r.getSourceLocation().hashCode(), n))
            .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), Coders.rawRecords()))
        .apply("Check against the watermark", ParDo.of(new GateFn(grid().getMillis(), allowedLateness().getMillis(),
                idleHorizon().getMillis(), source()))
            .withOutputTags(ON_TIME, TupleTagList.of(TOO_LATE)));
    out.get(ON_TIME).setCoder(Coders.rawRecords());
    out.get(TOO_LATE).setCoder(Coders.deadLetters());
    return out;
  }

  static final class GateFn extends DoFn<KV<Integer, RawRecord>, RawRecord> {
    private final long grid;
    private final long lateness;
    private final long idleHorizon;
    private final String source;
    private final Counter tooLate = Metrics.counter(RejectTooLate.class, REASON);

    /** The greatest deadline whose tick has fired: the watermark is at or past it. */
    @StateId("passed")
    private final StateSpec<ValueState<Long>> passedSpec = StateSpecs.value(VarLongCoder.of());

    /** The pending tick, or null when this key is not ticking. */
    @StateId("next")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    /** The greatest deadline of any record this key has seen: ticking stops an idle horizon past it. */
    @StateId("latest")
    private final StateSpec<ValueState<Long>> latestSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("tick")
    private final TimerSpec tickSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    GateFn(long grid, long lateness, long idleHorizon, String source) {
      this.grid = grid;
      this.lateness = lateness;
      this.idleHorizon = idleHorizon;
      this.source = source;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, RawRecord> element,
        @Timestamp Instant timestamp,
        @StateId("passed") ValueState<Long> passed,
        @StateId("next") ValueState<Long> next,
        @StateId("latest") ValueState<Long> latest,
        @TimerId("tick") Timer tick,
        MultiOutputReceiver out) {
      long deadline = deadline(timestamp.getMillis(), grid, lateness);
      Long passedDeadline = passed.read();
      if (passedDeadline != null && deadline <= passedDeadline) {
        tooLate.inc();
        RawRecord r = element.getValue();
        out.get(TOO_LATE).output(DeadLetters.ofBytes(bytes(r.getPayload()), r.getSourceLocation(), REASON,
            "event time " + timestamp + " is later than the allowed lateness of " + Durations.format(Duration.millis(lateness))
                + ": the watermark has passed " + new Instant(deadline), DeadLetters.STAGE_WINDOW, source));
        return;
      }
      Long latestDeadline = latest.read();
      if (latestDeadline == null || deadline > latestDeadline) {
        latest.write(deadline);
      }
      Long pending = next.read();
      if (passedDeadline == null) {
        // A fresh key: tick first at the earliest deadline it has seen, then step along the grid.
        if (pending == null || deadline < pending) {
          setTick(tick, next, deadline);
        }
      } else if (pending == null) {
        // Idle past the horizon: start again one step past what we know.
        setTick(tick, next, passedDeadline + grid);
      }
      out.get(ON_TIME).output(element.getValue());
    }

    @OnTimer("tick")
    public void onTick(
        OnTimerContext context,
        @StateId("passed") ValueState<Long> passed,
        @StateId("next") ValueState<Long> next,
        @StateId("latest") ValueState<Long> latest,
        @TimerId("tick") Timer tick) {
      long fired = context.fireTimestamp().getMillis();
      passed.write(fired);
      Long latestDeadline = latest.read();
      long following = fired + grid;
      if (latestDeadline != null && following <= latestDeadline + idleHorizon
          && following < BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()) {
        // Set from a timer callback, the tick fires in this same watermark advance if the watermark is
        // already past it, so while a key ticks, the watermark is always short of its pending tick.
        setTick(tick, next, following);
      } else {
        next.clear();
      }
    }

    private static void setTick(Timer tick, ValueState<Long> next, long at) {
      // Its output timestamp (the tick's own time) is never behind the watermark while it is pending,
      // so the tick holds no record back.
      tick.set(new Instant(at));
      next.write(at);
    }

    private static byte[] bytes(ByteBuffer buffer) {
      ByteBuffer b = buffer.duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    }
  }
}
