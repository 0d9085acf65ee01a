package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.transforms.Coders;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Series points in, anomalies out: each point is scored against its own series' earlier points
 * ({@link Baseline}) by a stateful DoFn keyed by series, so the same transform runs over a history in
 * batch and window by window in streaming.
 *
 * <p>Per series, state holds the points waiting for their window's end (pending) and a bounded
 * history: the last {@code recentWindows} points and every point of the last {@code seasonalDays}
 * days. An event-time timer at the earliest pending window's end scores the pending points whose
 * window has ended, oldest first, each against the history before it, then adds them to it. So points
 * that arrive out of order before the watermark passes are scored in window order, exactly as in a
 * batch run over the whole history.
 *
 * <p>A point that arrives for a window at or before the newest one already scored (a late pane, or data
 * behind the watermark) is not scored: it replaces (or joins) that window in the history, so later
 * baselines use the corrected value, and it is counted in the {@code latePoints} metric.
 */
public final class DetectAnomalies extends PTransform<PCollection<SeriesPoint>, PCollection<Anomaly>> {
  private final AnomalyConfig config;

  private DetectAnomalies(AnomalyConfig config) {
    this.config = config;
  }

  public static DetectAnomalies of(AnomalyConfig config) {
    return new DetectAnomalies(config);
  }

  @Override
  public PCollection<Anomaly> expand(PCollection<SeriesPoint> points) {
    return points
        // One history per series across windows; anomalies are passed on as they are found.
        .apply("Into the series' history", Window.<SeriesPoint>into(new GlobalWindows())
            .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply("Key by series", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(SeriesPoint.class)))
            .via((SeriesPoint p) -> KV.of(p.seriesKey(), p)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SeriesPoint.PointCoder.INSTANCE))
        .apply("Score against history", ParDo.of(new ScoreFn(config)))
        .setCoder(Coders.avro(Anomaly.class));
  }

  static final class ScoreFn extends DoFn<KV<String, SeriesPoint>, Anomaly> {
    private static final Counter SCORED = Metrics.counter(DetectAnomalies.class, "scoredPoints");
    private static final Counter LATE = Metrics.counter(DetectAnomalies.class, "latePoints");
    private static final Counter FOUND = Metrics.counter(DetectAnomalies.class, "anomalies");

    private final AnomalyConfig config;

    /**
     * Points whose window has not yet been scored, in window-end order (stable: a window's panes in
     * arrival order). A bag, as before, had to be read whole and written back at every firing, which
     * bounded input (a whole series pending when its first timer fires) made quadratic in the series'
     * length: on Flink's batch runtime that was a thirtieth of the whole batch. The ordered list gives
     * each firing its due points as a prefix.
     */
    @StateId("pendingByEnd")
    private final StateSpec<ValueState<List<SeriesPoint>>> pendingByEndSpec =
        StateSpecs.value(ListCoder.of(SeriesPoint.PointCoder.INSTANCE));

    /** The earlier, unordered form of pending points: still read, so state saved by it is not lost. */
    @StateId("pending")
    private final StateSpec<BagState<SeriesPoint>> pendingSpec = StateSpecs.bag(SeriesPoint.PointCoder.INSTANCE);

    @StateId("history")
    private final StateSpec<ValueState<List<SeriesPoint>>> historySpec =
        StateSpecs.value(ListCoder.of(SeriesPoint.PointCoder.INSTANCE));

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("windowEnded")
    private final TimerSpec windowEndedSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    ScoreFn(AnomalyConfig config) {
      this.config = config;
    }

    @ProcessElement
    public void process(@Element KV<String, SeriesPoint> kv,
        @StateId("pendingByEnd") ValueState<List<SeriesPoint>> pendingByEnd,
        @StateId("history") ValueState<List<SeriesPoint>> history,
        @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("windowEnded") Timer windowEnded) {
      SeriesPoint p = kv.getValue();
      List<SeriesPoint> h = history.read();
      if (h != null && !h.isEmpty() && p.windowStart() <= h.get(h.size() - 1).windowStart()) {
        LATE.inc();
        history.write(trim(putInOrder(new ArrayList<>(h), p)));
        return;
      }
      List<SeriesPoint> pending = pendingOf(pendingByEnd);
      insertByEnd(pending, p);
      pendingByEnd.write(pending);
      long due = p.windowEnd() - 1; // the window's last instant: its on-time pane has arrived once the watermark passes it
      Long at = timerAt.read();
      if (at == null || due < at) {
        windowEnded.set(new Instant(due));
        timerAt.write(due);
      }
    }

    @OnTimer("windowEnded")
    public void onWindowEnded(@Timestamp Instant firedAt,
        @StateId("pendingByEnd") ValueState<List<SeriesPoint>> pendingByEnd,
        @StateId("pending") BagState<SeriesPoint> unordered,
        @StateId("history") ValueState<List<SeriesPoint>> history,
        @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("windowEnded") Timer windowEnded,
        OutputReceiver<Anomaly> out) {
      List<SeriesPoint> pending = pendingOf(pendingByEnd);
      if (!unordered.isEmpty().read()) {
        unordered.read().forEach(p -> insertByEnd(pending, p));
        unordered.clear();
      }
      // Due points by window (a window's later pane replaces its earlier one: panes accumulate).
      int dueCount = 0;
      while (dueCount < pending.size() && pending.get(dueCount).windowEnd() - 1 <= firedAt.getMillis()) {
        dueCount++;
      }
      Map<Long, SeriesPoint> due = new LinkedHashMap<>();
      for (SeriesPoint p : pending.subList(0, dueCount)) {
        due.merge(p.windowStart(), p, (a, b) -> b.volume() >= a.volume() ? b : a);
      }
      List<SeriesPoint> ordered = new ArrayList<>(due.values());
      pending.subList(0, dueCount).clear();
      ordered.sort(Comparator.comparingLong(SeriesPoint::windowStart));
      List<SeriesPoint> h = history.read() == null ? new ArrayList<>() : new ArrayList<>(history.read());
      for (SeriesPoint p : ordered) {
        if (!h.isEmpty() && p.windowStart() <= h.get(h.size() - 1).windowStart()) {
          LATE.inc();
          putInOrder(h, p);
          continue;
        }
        SCORED.inc();
        Anomaly a = Baseline.score(h, p, config);
        if (a != null) {
          FOUND.inc();
          out.output(a);
        }
        h.add(p);
        h = trim(h);
      }
      history.write(h);
      if (pending.isEmpty()) {
        pendingByEnd.clear();
        timerAt.clear();
      } else {
        long next = pending.get(0).windowEnd() - 1;
        pendingByEnd.write(pending);
        windowEnded.set(new Instant(next));
        timerAt.write(next);
      }
    }

    /**
     * The pending points, to be changed and written back (an ArrayList: a runner's state may hand back
     * another kind of list).
     */
    private static List<SeriesPoint> pendingOf(ValueState<List<SeriesPoint>> pendingByEnd) {
      List<SeriesPoint> pending = pendingByEnd.read();
      return pending instanceof ArrayList ? pending : pending == null ? new ArrayList<>() : new ArrayList<>(pending);
    }

    /** Inserts p after every pending point whose window ends no later than p's (binary search). */
    private static void insertByEnd(List<SeriesPoint> pending, SeriesPoint p) {
      int lo = 0;
      int hi = pending.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (pending.get(mid).windowEnd() <= p.windowEnd()) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      pending.add(lo, p);
    }

    /** Inserts p by window start, replacing a point of the same window. */
    private static List<SeriesPoint> putInOrder(List<SeriesPoint> h, SeriesPoint p) {
      int i = h.size();
      while (i > 0 && h.get(i - 1).windowStart() > p.windowStart()) {
        i--;
      }
      if (i > 0 && h.get(i - 1).windowStart() == p.windowStart()) {
        h.set(i - 1, p);
      } else {
        h.add(i, p);
      }
      return h;
    }

    /**
     * Keeps what any later point's baseline can use: the last recentWindows points, and the points of
     * the seasonalDays days before the newest one (a later point's time-of-day baseline lies within them).
     */
    private List<SeriesPoint> trim(List<SeriesPoint> h) {
      if (h.isEmpty()) {
        return h;
      }
      long cutoff = h.get(h.size() - 1).windowStart() - config.seasonalDays() * Baseline.DAY_MILLIS;
      int keepFrom = h.size();
      while (keepFrom > 0
          && (h.size() - (keepFrom - 1) <= config.recentWindows() || h.get(keepFrom - 1).windowStart() >= cutoff)) {
        keepFrom--;
      }
      return keepFrom == 0 ? h : new ArrayList<>(h.subList(keepFrom, h.size()));
    }
  }
}
