package dev.shopbeam.transforms.aggregate;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.transforms.Coders;
import java.io.Serializable;
import dev.shopbeam.transforms.window.WindowConfig;
import dev.shopbeam.transforms.window.InGlobalWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
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
 * <p>Bounded input is added up in memory instead (see {@link PaneTotalsFn} and {@link RankBlockFn}):
 * with no late data, each window fires once, and a runner that groups by sorting is spared sorting
 * every event and every pane count. Both paths give the same rows ({@code CommerceAnalyticsTest}, the runner parity tests).
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
    return events.isBounded() == PCollection.IsBounded.BOUNDED ? addUpInMemory(events) : addUpInWindows(events);
  }

  /**
   * Bounded input: every event is on time and each window fires once, so the pane counts and the
   * window totals are added up in memory, in the global window, with each window's start in the key.
   * A runner that groups by sorting (Flink's batch runtime sorts serialized keys for every combine,
   * twice) then sorts one partial total per window and behavior instead of every event (the
   * per-pane combine of the streaming path), which was most of a hot-items run on Flink.
   */
  private PCollection<HotItem> addUpInMemory(PCollection<CommerceEvent> events) {
    return events.apply(new RankInMemory(windowSize().getMillis(), windowPeriod().getMillis(), topN(), MAX_PARTIAL_ENTRIES));
  }

  /**
   * The bounded path: pane totals per bundle ({@link PaneTotalsFn}), grouped by (behavior, block of
   * window starts), and each block's windows added up from their panes and ranked ({@link RankBlockFn}).
   * A pane's totals cross the shuffle once per block its windows start in (at most two), not once per
   * window that holds it (twelve at 1 h every 5 min): each window's total is the previous window's plus
   * the panes that enter it minus those that leave. The partials are grouped, not combined: a combine's
   * pre-aggregation step (on Flink, a sort chained after the adder) would only decode, merge and encode
   * them once more.
   */
  static final class RankInMemory extends PTransform<PCollection<CommerceEvent>, PCollection<HotItem>> {
    private final long pane;
    private final long size;
    private final long period;
    private final int topN;
    private final int maxEntries;

    RankInMemory(long size, long period, int topN, int maxEntries) {
      this.pane = gcd(size, period);
      this.size = size;
      this.period = period;
      this.topN = topN;
      this.maxEntries = maxEntries;
    }

    @Override
    public PCollection<HotItem> expand(PCollection<CommerceEvent> events) {
      // The default trigger, whatever the input's windowing was: one firing, after all input, so no
      // early firing can hand the grouping a window's totals before they are complete.
      long block = blockLength(size, period);
      return InGlobalWindow.firedOnce(events, "One window")
          .apply("Count per pane", ParDo.of(new PaneTotalsFn(pane, size, period, block, maxEntries)))
          .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), BigEndianLongCoder.of()), PaneTotalsCoder.INSTANCE))
          .apply("Pane totals per block of windows", GroupByKey.create())
          .apply("Top " + topN, ParDo.of(new RankBlockFn(topN, pane, size, period, block)))
          .setCoder(Coders.avro(HotItem.class));
    }
  }

  /**
   * Window starts are grouped in blocks of this length (a whole number of periods, at least the window
   * size), so that the windows holding a pane, whose starts span less than a window's size, start in at
   * most two blocks.
   */
  static long blockLength(long size, long period) {
    return period * ((size + period - 1) / period);
  }

  /** The item counts of one pane and behavior from one bundle, as two parallel arrays (no boxing). */
  record PaneTotals(long start, String[] items, long[] counts) {
    PaneTotals {
      if (items.length != counts.length) {
        throw new IllegalArgumentException(items.length + " items with " + counts.length + " counts");
      }
    }

    /** The counts held per item, as arrays. */
    static PaneTotals of(long start, Map<String, long[]> counts) {
      String[] items = new String[counts.size()];
      long[] values = new long[counts.size()];
      int i = 0;
      for (Map.Entry<String, long[]> count : counts.entrySet()) {
        items[i] = count.getKey();
        values[i++] = count.getValue()[0];
      }
      return new PaneTotals(start, items, values);
    }

    int size() {
      return items.length;
    }
  }

  /** The pane's start, the count, then each item and its count in the order of the arrays. */
  static final class PaneTotalsCoder extends dev.shopbeam.transforms.CompactRecordCoder<PaneTotals> {
    static final PaneTotalsCoder INSTANCE = new PaneTotalsCoder();

    @Override
    protected void write(PaneTotals totals, Writer w) {
      w.writeZigZag(totals.start());
      w.writeVarLong(totals.size());
      for (int i = 0; i < totals.size(); i++) {
        w.writeString(totals.items()[i]);
        w.writeVarLong(totals.counts()[i]);
      }
    }

    @Override
    protected PaneTotals read(Reader r) throws java.io.IOException {
      long start = r.readZigZag();
      long n = r.readVarLong();
      if (n < 0 || n > Integer.MAX_VALUE - 16) {
        throw new java.io.IOException("corrupt pane totals: " + n + " items");
      }
      // Grown as read, so that a corrupt count cannot allocate more than the record holds.
      int capacity = (int) Math.min(n, 1 << 16);
      String[] items = new String[capacity];
      long[] counts = new long[capacity];
      for (int i = 0; i < n; i++) {
        if (i == items.length) {
          capacity = (int) Math.min(n, 2L * capacity);
          items = java.util.Arrays.copyOf(items, capacity);
          counts = java.util.Arrays.copyOf(counts, capacity);
        }
        items[i] = r.readString();
        counts[i] = r.readVarLong();
      }
      return new PaneTotals(start, items, counts);
    }
  }

  /**
   * The windows starting in one block, for one behavior: adds up the pane totals from every bundle,
   * then walks the block's window starts in order, keeping the running total of the window (the panes
   * that enter it added, those that leave it taken off, an item at zero dropped), and emits each
   * non-empty window's ranked top N.
   */
  static final class RankBlockFn extends DoFn<KV<KV<String, Long>, Iterable<PaneTotals>>, HotItem> {
    private final int n;
    private final long pane;
    private final long size;
    private final long period;
    private final long block;

    RankBlockFn(int n, long pane, long size, long period, long block) {
      this.n = n;
      this.pane = pane;
      this.size = size;
      this.period = period;
      this.block = block;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, Long>, Iterable<PaneTotals>> partials, OutputReceiver<HotItem> out) {
      Map<Long, Map<String, long[]>> panes = new HashMap<>();
      for (PaneTotals partial : partials.getValue()) {
        Map<String, long[]> counts = panes.computeIfAbsent(partial.start(), s -> new HashMap<>(partial.size() * 2));
        for (int i = 0; i < partial.size(); i++) {
          addCount(counts, partial.items()[i], partial.counts()[i]);
        }
      }
      String behavior = partials.getKey().getKey();
      long blockStart = partials.getKey().getValue();
      Map<String, long[]> window = new HashMap<>();
      long previous = 0;
      for (long start = blockStart; start < blockStart + block; start += period) {
        if (start == blockStart) {
          addPanes(panes, window, start, start + size, 1);
        } else {
          addPanes(panes, window, previous + size, start + size, 1);
          addPanes(panes, window, previous, start, -1);
        }
        previous = start;
        if (!window.isEmpty()) {
          TopList top = new TopList(n);
          window.forEach((item, total) -> top.offer(item, total[0]));
          rank(java.time.Instant.ofEpochMilli(start), java.time.Instant.ofEpochMilli(start + size),
              behavior, top.ranked(), out);
        }
      }
    }

    /** Adds (sign 1) or takes off (sign -1) the panes starting in [from, to); an item at zero leaves. */
    private void addPanes(Map<Long, Map<String, long[]>> panes, Map<String, long[]> window, long from, long to, int sign) {
      for (long p = from; p < to; p += pane) {
        Map<String, long[]> counts = panes.get(p);
        if (counts == null) {
          continue;
        }
        if (sign > 0) {
          counts.forEach((item, count) -> addCount(window, item, count[0]));
        } else {
          counts.forEach((item, count) -> {
            long[] total = window.get(item);
            total[0] -= count[0];
            if (total[0] == 0) {
              window.remove(item);
            }
          });
        }
      }
    }
  }

  /**
   * Adds a count to an item's total, a one-element array added to in place (a boxed Long would cost
   * two hash look-ups and an allocation per add); true when the item was new.
   */
  static boolean addCount(Map<String, long[]> totals, String item, long count) {
    long[] total = totals.get(item);
    if (total == null) {
      totals.put(item, new long[] {count});
      return true;
    }
    total[0] += count;
    return false;
  }

  /** The N hottest of the items offered ({@link ByCountThenItem}); makes no pair for an item below the Nth. */
  static final class TopList {
    private final int n;
    private final PriorityQueue<KV<String, Long>> top;

    TopList(int n) {
      this.n = n;
      this.top = new PriorityQueue<>(n + 1, new ByCountThenItem());
    }

    void offer(String item, long count) {
      if (top.size() == n && !hotterThan(item, count, top.peek())) {
        return; // most items of a window
      }
      top.add(KV.of(item, count));
      if (top.size() > n) {
        top.poll();
      }
    }

    /** Hottest first. */
    List<KV<String, Long>> ranked() {
      List<KV<String, Long>> ranked = new ArrayList<>(top);
      ranked.sort(new ByCountThenItem().reversed());
      return ranked;
    }

    /** The order of {@link ByCountThenItem}, without a pair for the candidate. */
    private static boolean hotterThan(String item, long count, KV<String, Long> other) {
      int byCount = Long.compare(count, other.getValue());
      return byCount != 0 ? byCount > 0 : item.compareTo(other.getKey()) < 0;
    }
  }

  /** Unbounded input: panes and sliding windows as Beam windows, so late data updates them. */
  private PCollection<HotItem> addUpInWindows(PCollection<CommerceEvent> events) {
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

  /**
   * Bounded input, in the global window: counts events per (behavior, pane, item) and hands each pane's
   * counts on to the blocks of window starts ({@link #blockLength}) whose windows hold the pane, keyed
   * by (behavior, block start). Memory is bounded: when more than {@code maxEntries} counts are held,
   * the oldest panes are handed on, which for input in about event-time order (files, partitions of
   * them) hands on each pane about once. Out-of-order input only makes more partial counts of a pane,
   * which {@link RankBlockFn} adds up, so the sums do not depend on the order or on how the input was
   * cut into bundles.
   */
  static final class PaneTotalsFn extends DoFn<CommerceEvent, KV<KV<String, Long>, PaneTotals>> {
    private final long pane;
    private final long size;
    private final long period;
    private final long block;
    private final int maxEntries;
    private transient HeldTotals panes;

    PaneTotalsFn(long pane, long size, long period, long block, int maxEntries) {
      this.pane = pane;
      this.size = size;
      this.period = period;
      this.block = block;
      this.maxEntries = maxEntries;
    }

    @StartBundle
    public void startBundle() {
      panes = new HeldTotals();
    }

    @ProcessElement
    public void process(@Element CommerceEvent event, @Timestamp org.joda.time.Instant timestamp,
        OutputReceiver<KV<KV<String, Long>, PaneTotals>> out) {
      long t = timestamp.getMillis();
      panes.add(t - Math.floorMod(t, pane), event.getBehavior().name(), event.getItemId(), 1L);
      while (panes.entries() > maxEntries) {
        handOn(panes.pollOldest(), out::output);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      while (!panes.isEmpty()) {
        handOn(panes.pollOldest(), totals ->
            context.output(totals, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
      }
      panes = null;
    }

    /**
     * A pane [p, p + pane) lies whole in the windows starting at multiples of the period in
     * (p - size, p]: its counts go to each block those starts fall in.
     */
    private void handOn(HeldTotals.Start paneCounts, java.util.function.Consumer<KV<KV<String, Long>, PaneTotals>> out) {
      long paneStart = paneCounts.start();
      long lastWindow = paneStart - Math.floorMod(paneStart, period);
      long firstWindow = lastWindow;
      while (firstWindow - period > paneStart - size) {
        firstWindow -= period;
      }
      long firstBlock = firstWindow - Math.floorMod(firstWindow, block);
      long lastBlock = lastWindow - Math.floorMod(lastWindow, block);
      paneCounts.byBehavior().forEach((behavior, counts) -> {
        PaneTotals totals = PaneTotals.of(paneStart, counts);
        for (long b = firstBlock; b <= lastBlock; b += block) {
          out.accept(KV.of(KV.of(behavior, b), totals));
        }
      });
    }
  }

  /**
   * Item counts per (pane start, behavior), held in memory ({@link #addCount}); the oldest start is
   * handed on first.
   */
  static final class HeldTotals {
    private final java.util.TreeMap<Long, Map<String, Map<String, long[]>>> byStart = new java.util.TreeMap<>();
    private int entries;

    /** The totals of one start, taken out of the held ones. */
    record Start(long start, Map<String, Map<String, long[]>> byBehavior) {}

    void add(long start, String behavior, String item, long count) {
      if (addCount(totalsOf(start, behavior), item, count)) {
        entries++;
      }
    }

    private Map<String, long[]> totalsOf(long start, String behavior) {
      return byStart.computeIfAbsent(start, s -> new HashMap<>()).computeIfAbsent(behavior, b -> new HashMap<>());
    }

    int entries() {
      return entries;
    }

    boolean isEmpty() {
      return byStart.isEmpty();
    }

    Start pollOldest() {
      Map.Entry<Long, Map<String, Map<String, long[]>>> oldest = byStart.pollFirstEntry();
      for (Map<String, long[]> totals : oldest.getValue().values()) {
        entries -= totals.size();
      }
      return new Start(oldest.getKey(), oldest.getValue());
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
      TopList top = new TopList(n);
      totals.forEach(top::offer);
      return top.ranked();
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
      rank(StatsPerWindow.start(w), StatsPerWindow.end(w), top.getKey(), top.getValue(), out);
    }
  }

  private static void rank(java.time.Instant start, java.time.Instant end, String behavior, List<KV<String, Long>> top,
      DoFn.OutputReceiver<HotItem> out) {
    int rank = 0;
    for (KV<String, Long> item : top) {
      out.output(
          HotItem.newBuilder()
              .setWindowStart(start)
              .setWindowEnd(end)
              .setBehavior(Behavior.valueOf(behavior))
              .setRank(++rank)
              .setItemId(item.getKey())
              .setEventCount(item.getValue())
              .build());
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
