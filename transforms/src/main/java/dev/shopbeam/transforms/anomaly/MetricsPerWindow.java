package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.SumPerBundleFn;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Clean events and dead letters in; one {@link SeriesPoint} per metric, dimension and fixed event-time
 * window out (the metrics are defined in {@link WindowTally}). Dimensions: 'all', and 'category=ID' for
 * events with a category. A window in which a dimension has any event gets every metric of that
 * dimension, zeros included, so a drop to zero of one metric is a point and not a gap.
 *
 * <p>A window with no record at all yields no point: a total outage is not seen by these metrics.
 * Dead letters count in the window of their element timestamp; those without one (batch files stamp
 * raw records at the minimum timestamp) are left out, so dead_letter_rate is only informative in
 * streaming, where records carry their event or Kafka time.
 *
 * <p>Panes: the watermark fires each window once; data up to {@code allowedLateness} late fires it
 * again with the accumulated tally, and {@link DetectAnomalies} then updates the point's history.
 */
public final class MetricsPerWindow extends PTransform<PCollectionTuple, PCollection<SeriesPoint>> {
  public static final TupleTag<CommerceEvent> EVENTS = new TupleTag<>("events") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  public static final String ALL = "all";
  public static final String CATEGORY_PREFIX = "category=";
  public static final String REVENUE = "revenue";
  public static final String ORDERS = "orders";
  public static final String CONVERSION_RATE = "conversion_rate";
  public static final String DEAD_LETTER_RATE = "dead_letter_rate";

  /** Partial tallies held per bundle at most, in dimensions and orders (see {@link TallyPerBundleFn}). */
  static final int MAX_HELD = 1 << 16;

  private final Duration windowSize;
  private final Duration allowedLateness;
  private final int maxHeld;

  private MetricsPerWindow(Duration windowSize, Duration allowedLateness, int maxHeld) {
    if (windowSize.getMillis() <= 0) {
      throw new IllegalArgumentException("metrics window must be positive, got " + windowSize);
    }
    if (allowedLateness.getMillis() < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0, got " + allowedLateness);
    }
    this.windowSize = windowSize;
    this.allowedLateness = allowedLateness;
    this.maxHeld = maxHeld;
  }

  public static MetricsPerWindow of(Duration windowSize, Duration allowedLateness) {
    return new MetricsPerWindow(windowSize, allowedLateness, MAX_HELD);
  }

  /** With a cap of its own on the partial tallies held per bundle: for tests that hand them on early. */
  MetricsPerWindow withMaxHeld(int maxHeld) {
    return new MetricsPerWindow(windowSize, allowedLateness, maxHeld);
  }

  int maxHeld() {
    return maxHeld;
  }

  public Duration windowSize() {
    return windowSize;
  }

  /** The input this transform expects: clean events, and the dead letters of the same records. */
  public static PCollectionTuple inputs(PCollection<CommerceEvent> events, PCollection<DeadLetter> deadLetters) {
    return PCollectionTuple.of(EVENTS, events).and(DEAD_LETTERS, deadLetters);
  }

  private <T> Window<T> fixedWindows() {
    return Window.<T>into(FixedWindows.of(windowSize))
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(allowedLateness)
        .accumulatingFiredPanes();
  }

  @Override
  public PCollection<SeriesPoint> expand(PCollectionTuple input) {
    KvCoder<String, WindowTally> tallyCoder = KvCoder.of(StringUtf8Coder.of(), WindowTally.TallyCoder.INSTANCE);
    PCollection<CommerceEvent> events = input.get(EVENTS).apply("Metrics window", fixedWindows());
    // Bounded events are tallied per bundle, window and dimension first: one partial tally per
    // dimension and window of a bundle instead of one or two per event, each of which a combine on
    // Flink's batch runtime sorts.
    PCollection<KV<String, WindowTally>> fromEvents = events
        .apply("Tally per dimension", ParDo.of(SumPerBundleFn.appliesPerWindow(events)
            ? new TallyPerBundleFn(maxHeld) : new EventTallyFn()))
        .setCoder(tallyCoder);
    PCollection<KV<String, WindowTally>> fromDeadLetters = input.get(DEAD_LETTERS)
        .apply("Tally dead letters with a time", ParDo.of(new DeadLetterTallyFn()))
        .setCoder(tallyCoder)
        .apply("Dead letters' metrics window", fixedWindows());
    return PCollectionList.of(fromEvents).and(fromDeadLetters)
        .apply("Events and dead letters", Flatten.pCollections())
        .apply("Tally per window", Combine.perKey(new WindowTally.CombineFn()))
        .apply("To series points", ParDo.of(new ToPointsFn()))
        .setCoder(SeriesPoint.PointCoder.INSTANCE);
  }

  private static final class EventTallyFn extends DoFn<CommerceEvent, KV<String, WindowTally>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, WindowTally>> out) {
      out.output(KV.of(ALL, WindowTally.of(e)));
      if (e.getCategoryId() != null) {
        out.output(KV.of(CATEGORY_PREFIX + e.getCategoryId(), WindowTally.of(e)));
      }
    }
  }

  /** Each dimension's tally per window and bundle (see {@link SumPerBundleFn}). */
  static final class TallyPerBundleFn extends SumPerBundleFn<CommerceEvent, String, WindowTally> {
    TallyPerBundleFn(long maxHeld) {
      super(maxHeld);
    }

    @Override
    protected WindowTally empty() {
      return new WindowTally();
    }

    @Override
    protected long add(CommerceEvent e) {
      // A tally weighs one, and one more per order it holds.
      long orders = 0;
      WindowTally all = sumOf(ALL);
      orders -= all.orders.size();
      all.add(e);
      orders += all.orders.size();
      if (e.getCategoryId() != null) {
        WindowTally category = sumOf(CATEGORY_PREFIX + e.getCategoryId());
        orders -= category.orders.size();
        category.add(e);
        orders += category.orders.size();
      }
      return orders;
    }
  }

  private static final class DeadLetterTallyFn extends DoFn<DeadLetter, KV<String, WindowTally>> {
    @ProcessElement
    public void process(@Timestamp Instant at, OutputReceiver<KV<String, WindowTally>> out) {
      if (at.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE)) {
        out.output(KV.of(ALL, WindowTally.ofDeadLetter()));
      }
    }
  }

  private static final class ToPointsFn extends DoFn<KV<String, WindowTally>, SeriesPoint> {
    @ProcessElement
    public void process(@Element KV<String, WindowTally> kv, BoundedWindow w, OutputReceiver<SeriesPoint> out) {
      IntervalWindow iw = (IntervalWindow) w;
      for (SeriesPoint p : kv.getValue().points(kv.getKey(), iw.start().getMillis(), iw.end().getMillis())) {
        out.output(p);
      }
    }
  }
}
