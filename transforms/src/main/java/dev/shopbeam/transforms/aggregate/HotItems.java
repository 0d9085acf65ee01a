package dev.shopbeam.transforms.aggregate;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.transforms.Coders;
import java.io.Serializable;
import dev.shopbeam.transforms.window.WindowConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The top N items per behavior in each sliding event-time window, ranked by event count descending and
 * then item id ascending, so ties come out the same on every runner.
 *
 * <p>Sliding windows overlap (a 1 h window every 5 min puts each event in 12 windows), so instead of
 * assigning every event to every window we count each (behavior, item) once per 5-minute pane (the
 * greatest common divisor of size and period) and then add up the 12 pane counts of each window. The
 * pane counts are stamped at the end of their pane, which lies in exactly the sliding windows that
 * contain the whole pane, so the sums equal counting the events directly.
 *
 * <p>Late data (within {@link #allowedLateness()}) updates the windows it falls in: a pane's late firing
 * carries only its new count, and each sliding window keeps all its items' totals, so the late firing
 * of a window ranks the whole window again. Sinks keep the last pane per (window, behavior, rank).
 */
@AutoValue
public abstract class HotItems extends PTransform<PCollection<CommerceEvent>, PCollection<HotItem>> {

  public abstract Duration windowSize();

  public abstract Duration windowPeriod();

  public abstract int topN();

  /** How late an event may be and still update its windows' top lists (a late firing per event). */
  public abstract Duration allowedLateness();

  /** Processing-time interval of speculative firings before the watermark; null for none. */
  public abstract @Nullable Duration earlyFiringInterval();

  /** One hour every five minutes, top 10. */
  public static HotItems defaults() {
    return of(Duration.standardHours(1), Duration.standardMinutes(5), 10);
  }

  public static HotItems of(Duration size, Duration period, int topN) {
    if (size.getMillis() <= 0 || period.getMillis() <= 0 || period.isLongerThan(size)) {
      throw new IllegalArgumentException(
          "hot items need 0 < period <= size, got size " + size + " period " + period);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("hot items need N >= 1, got " + topN);
    }
    return new AutoValue_HotItems(size, period, topN, Duration.ZERO, null);
  }

  /** The same windows and N, firing late (and early) like the given windowing. */
  public HotItems firingLike(WindowConfig timing) {
    return new AutoValue_HotItems(windowSize(), windowPeriod(), topN(), timing.allowedLateness(),
        timing.earlyFiringInterval());
  }

  /** The pane that both the window size and the period are whole multiples of. */
  public Duration pane() {
    return Duration.millis(gcd(windowSize().getMillis(), windowPeriod().getMillis()));
  }

  private Trigger trigger() {
    AfterWatermark.AfterWatermarkEarlyAndLate onTimeAndLate =
        AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1));
    return earlyFiringInterval() == null
        ? onTimeAndLate
        : onTimeAndLate.withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringInterval()));
  }

  @Override
  public PCollection<HotItem> expand(PCollection<CommerceEvent> events) {
    return events
        // Each firing of a pane passes on only what is new since its last firing (discarding), so a
        // late event adds its count once to every window the pane lies in.
        .apply("Pane", Window.<CommerceEvent>into(FixedWindows.of(pane()))
            .triggering(trigger())
            .withAllowedLateness(allowedLateness())
            .withTimestampCombiner(TimestampCombiner.END_OF_WINDOW)
            .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY) // see WindowConfig#window
            .discardingFiredPanes())
        .apply(
            "Key by behavior and item",
            MapElements.into(TypeDescriptors.kvs(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()),
                    TypeDescriptors.longs()))
                .via((CommerceEvent e) -> KV.of(KV.of(e.getBehavior().name(), e.getItemId()), 1L)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), VarLongCoder.of()))
        .apply("Count per pane", Sum.longsPerKey())
        .apply(
            "Key by behavior",
            MapElements.into(TypeDescriptors.kvs(
                    TypeDescriptors.strings(),
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs())))
                .via((KV<KV<String, String>, Long> kv) ->
                    KV.of(kv.getKey().getKey(), KV.of(kv.getKey().getValue(), kv.getValue()))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        // The window keeps every item's total (accumulating), so each firing ranks the whole window,
        // and an item updated by a late firing is ranked once, with its new total.
        .apply("Sliding window", Window.<KV<String, KV<String, Long>>>into(
                SlidingWindows.of(windowSize()).every(windowPeriod()))
            .triggering(trigger())
            .withAllowedLateness(allowedLateness())
            .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
            .accumulatingFiredPanes())
        // Each pane count lies in windowSize/period windows; adding them up per window here, in memory,
        // hands the combine one partial total per window and behavior instead of one element per pane
        // count and window (12 per pane count at 1 h every 5 min), which a sorting runner sorts.
        .apply("Add up per window", ParDo.of(new PartialTotalsFn(MAX_PARTIAL_ENTRIES)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("Top " + topN(), Combine.perKey(new TopOfTotals(topN())))
        .apply("Rank", ParDo.of(new RankFn()))
        .setCoder(Coders.avro(HotItem.class));
  }

  /** Most (item -> partial total) entries {@link PartialTotalsFn} holds before it hands some on. */
  static final int MAX_PARTIAL_ENTRIES = 200_000;

  /**
   * Adds up the pane counts of each (behavior, window) within a bundle and hands on one partial total
   * per item and (behavior, window): at the end of the bundle, or, when more than {@code maxEntries}
   * are held, the partial totals of the window just added to (it is the only window a DoFn may output
   * to from an element), so memory stays bounded. Partial totals of one window from several bundles or
   * hand-ons are added up by {@link TopOfTotals}, so the sums do not depend on how the input was cut.
   */
  static final class PartialTotalsFn extends DoFn<KV<String, KV<String, Long>>, KV<String, Map<String, Long>>> {
    private final int maxEntries;
    private transient Map<KV<String, BoundedWindow>, Partial> partials;
    private transient int entries;

    PartialTotalsFn(int maxEntries) {
      this.maxEntries = maxEntries;
    }

    private static final class Partial {
      final Map<String, Long> totals = new HashMap<>();
      org.joda.time.Instant earliest;
    }

    @StartBundle
    public void startBundle() {
      partials = new HashMap<>();
      entries = 0;
    }

    @ProcessElement
    public void process(@Element KV<String, KV<String, Long>> paneCount, @Timestamp org.joda.time.Instant timestamp,
        BoundedWindow window, OutputReceiver<KV<String, Map<String, Long>>> out) {
      KV<String, BoundedWindow> key = KV.of(paneCount.getKey(), window);
      Partial partial = partials.computeIfAbsent(key, k -> new Partial());
      Long before = partial.totals.put(paneCount.getValue().getKey(),
          paneCount.getValue().getValue());
      if (before != null) {
        partial.totals.put(paneCount.getValue().getKey(), before + paneCount.getValue().getValue());
      } else {
        entries++;
      }
      if (partial.earliest == null || timestamp.isBefore(partial.earliest)) {
        partial.earliest = timestamp;
      }
      if (entries > maxEntries) {
        partials.remove(key);
        entries -= partial.totals.size();
        out.output(KV.of(paneCount.getKey(), partial.totals));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<KV<String, BoundedWindow>, Partial> e : partials.entrySet()) {
        context.output(KV.of(e.getKey().getKey(), e.getValue().totals), e.getValue().earliest, e.getKey().getValue());
      }
      partials = null;
    }
  }

  /** Adds up partial totals per item, then ranks: the top N items of one window and behavior. */
  // Accumulators are HashMaps: made here, or decoded by MapCoder, which builds a HashMap. Inputs are
  // read only (they may be shared with the runner).
  static final class TopOfTotals extends Combine.CombineFn<Map<String, Long>, Map<String, Long>, List<KV<String, Long>>> {
    private final int n;

    TopOfTotals(int n) {
      this.n = n;
    }

    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> totals, Map<String, Long> partialTotals) {
      partialTotals.forEach((item, count) -> totals.merge(item, count, Long::sum));
      return totals;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> accumulators) {
      Map<String, Long> merged = null;
      for (Map<String, Long> a : accumulators) {
        if (merged == null) {
          merged = a;
        } else {
          for (Map.Entry<String, Long> e : a.entrySet()) {
            merged.merge(e.getKey(), e.getValue(), Long::sum);
          }
        }
      }
      return merged == null ? new HashMap<>() : merged;
    }

    @Override
    public List<KV<String, Long>> extractOutput(Map<String, Long> totals) {
      PriorityQueue<KV<String, Long>> top = new PriorityQueue<>(n + 1, new ByCountThenItem());
      totals.forEach((item, count) -> {
        top.add(KV.of(item, count));
        if (top.size() > n) {
          top.poll();
        }
      });
      List<KV<String, Long>> ranked = new ArrayList<>(top);
      ranked.sort(new ByCountThenItem().reversed());
      return ranked;
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Map<String, Long>> input) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<List<KV<String, Long>>> getDefaultOutputCoder(CoderRegistry registry, Coder<Map<String, Long>> input) {
      return ListCoder.of(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    }
  }

  /** Larger is hotter: higher count, then (on a tie) the smaller item id. */
  public static final class ByCountThenItem implements Comparator<KV<String, Long>>, Serializable {
    @Override
    public int compare(KV<String, Long> a, KV<String, Long> b) {
      int byCount = Long.compare(a.getValue(), b.getValue());
      return byCount != 0 ? byCount : b.getKey().compareTo(a.getKey());
    }
  }

  private static final class RankFn extends DoFn<KV<String, List<KV<String, Long>>>, HotItem> {
    @ProcessElement
    public void process(@Element KV<String, List<KV<String, Long>>> top, BoundedWindow w, OutputReceiver<HotItem> out) {
      int rank = 0;
      for (KV<String, Long> item : top.getValue()) {
        out.output(
            HotItem.newBuilder()
                .setWindowStart(StatsPerWindow.start(w))
                .setWindowEnd(StatsPerWindow.end(w))
                .setBehavior(Behavior.valueOf(top.getKey()))
                .setRank(++rank)
                .setItemId(item.getKey())
                .setEventCount(item.getValue())
                .build());
      }
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
