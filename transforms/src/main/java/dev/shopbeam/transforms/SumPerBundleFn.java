package dev.shopbeam.transforms;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Adds up a bounded input into one partial sum per key and window per bundle, in memory, and hands on
 * only the partial sums (to a {@code Combine.perKey} or {@link #mergedPerKey} that merges them): the combining starts
 * where the elements are made, as Dataflow's combiner lifting does with a hash table. On Flink's batch
 * runtime a combine pre-aggregates by sorting every input element, serialized, by key; here each
 * element is added to its key's sum in place and never serialized.
 *
 * <p>Memory stays bounded whatever the input: when the sums held weigh {@code maxHeld} (in the unit
 * {@link #add} reports: entries of a row, one per key, ...) the sums of the element's window are handed
 * on and that window starts again. A DoFn can output into another window than its element's only when
 * its bundle ends, so the sums of other windows stay until then; input whose windows are all held at
 * the cap falls back to handing on about a sum per element, never to holding more.
 *
 * <p>For the global window ({@link #applies}), and for bounded input in windows that do not merge and
 * fire once each, whose results are stamped at the end of the window ({@link #appliesPerWindow}): there
 * a partial sum stands for its elements in any grouping of its window. Sums handed on when the bundle
 * ends carry their window's end as their timestamp.
 *
 * @param <InputT> the elements
 * @param <K> the key
 * @param <SumT> a key's partial sum, of the type the downstream combine merges
 */
public abstract class SumPerBundleFn<InputT, K, SumT> extends DoFn<InputT, KV<K, SumT>> {
  private final long maxHeld;
  /** The sums of each window of the bundle. */
  private transient Map<BoundedWindow, WindowSums<K, SumT>> windows;
  /** Those of the window of the element being added. */
  private transient WindowSums<K, SumT> current;
  /** The weight of all windows' sums. */
  private transient long held;

  protected SumPerBundleFn(long maxHeld) {
    if (maxHeld < 1) {
      throw new IllegalArgumentException("maxHeld must be at least 1, was " + maxHeld);
    }
    this.maxHeld = maxHeld;
  }

  /** Whether a collection so windowed can be summed per bundle: bounded, in the global window. */
  public static boolean applies(PCollection<?> input) {
    WindowingStrategy<?, ?> w = input.getWindowingStrategy();
    return input.isBounded() == PCollection.IsBounded.BOUNDED
        && w.getWindowFn() instanceof org.apache.beam.sdk.transforms.windowing.GlobalWindows;
  }

  /**
   * Whether a collection so windowed can be summed per bundle and window: bounded, in windows that do
   * not merge (a partial sum of a session would span sessions not yet merged), each fired once (an
   * element-count or early trigger would count partial sums, not elements), with results stamped at the
   * end of the window (an earliest-timestamp result would take the sums' stamps, not the elements').
   */
  public static boolean appliesPerWindow(PCollection<?> input) {
    WindowingStrategy<?, ?> w = input.getWindowingStrategy();
    return firesOncePerWindow(input) && w.getWindowFn().isNonMerging()
        && w.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }

  /** Bounded input (no late data) under a trigger without early firings: one pane per window. */
  public static boolean firesOncePerWindow(PCollection<?> c) {
    if (c.isBounded() != PCollection.IsBounded.BOUNDED) {
      return false;
    }
    Trigger t = c.getWindowingStrategy().getTrigger();
    return t instanceof DefaultTrigger
        || t instanceof AfterWatermark.FromEndOfWindow
        || (t instanceof AfterWatermark.AfterWatermarkEarlyAndLate el && el.getEarlyTrigger() instanceof Never.NeverTrigger);
  }

  /** An empty sum. */
  protected abstract SumT empty();

  /**
   * Adds {@code input} to the sums ({@link #sumOf} gives a key's, created empty when absent; {@link
   * #merge} merges an immutable one) and returns how much heavier the sums held became besides.
   */
  protected abstract long add(InputT input);

  /** The sum held for {@code key} in the element's window, created empty (weighing 1) when none is held. */
  protected final SumT sumOf(K key) {
    SumT sum = current.sums.get(key);
    if (sum == null) {
      sum = empty();
      current.sums.put(key, sum);
      current.weight++;
    }
    return sum;
  }

  /** Merges {@code value} into the sum held for {@code key} in the element's window with {@code fn} (weighing 1 when new). */
  protected final void merge(K key, SumT value, java.util.function.BinaryOperator<SumT> fn) {
    SumT sum = current.sums.get(key);
    if (sum == null) {
      current.weight++;
    }
    current.sums.put(key, sum == null ? value : fn.apply(sum, value));
  }

  @StartBundle
  public void startBundle() {
    windows = new HashMap<>();
    current = null;
    held = 0;
  }

  @ProcessElement
  public void process(@Element InputT input, BoundedWindow window, OutputReceiver<KV<K, SumT>> out) {
    if (current == null || !current.window.equals(window)) {
      current = windows.computeIfAbsent(window, WindowSums::new);
    }
    long before = current.weight;
    long besides = add(input); // (which adds to current.weight as it creates sums)
    current.weight += besides;
    held += current.weight - before;
    if (held >= maxHeld) {
      current.sums.forEach((k, s) -> out.output(KV.of(k, s)));
      held -= current.weight;
      current.sums = new HashMap<>();
      current.weight = 0;
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    windows.forEach((window, w) -> w.sums.forEach((k, s) -> c.output(KV.of(k, s), window.maxTimestamp(), window)));
    windows = null;
    current = null;
    held = 0;
  }

  /** The sums of one window and their weight. */
  private static final class WindowSums<K, SumT> {
    final BoundedWindow window;
    Map<K, SumT> sums = new HashMap<>();
    long weight;

    WindowSums(BoundedWindow window) {
      this.window = window;
    }
  }

  /**
   * Merges each key's partial sums, each added by {@code fn} as an input, after a grouping by key: what
   * follows a {@code SumPerBundleFn} whose partial sums are large (rows of many entries), in place of a
   * {@code Combine.perKey}.
   *
   * <p>Why: the partial sums of one bundle have distinct keys (but after a hand-on at {@code maxHeld}),
   * so a combine's merging before the shuffle merges next to nothing, and it still costs. Beam's Spark
   * runner merges there in a map of the partial sums as objects, whose size Spark estimates again and
   * again as the map grows by walking the object graphs of a sample of them: for rows of thousands of
   * entries that was the largest part of their step (the Online Retail year's co-occurrence rows). A
   * grouping moves them as their bytes. (Beam's Flink batch runtime pre-groups a grouping before its
   * shuffle as it pre-combines a combine, by sorting: the same cost there either way.)
   */
  public static <K, SumT, AccT, OutT> PTransform<PCollection<KV<K, SumT>>, PCollection<KV<K, OutT>>> mergedPerKey(
      Combine.CombineFn<SumT, AccT, OutT> fn, Coder<OutT> outputCoder) {
    return new PTransform<>() {
      @Override
      public PCollection<KV<K, OutT>> expand(PCollection<KV<K, SumT>> partials) {
        Coder<K> keyCoder = ((KvCoder<K, SumT>) partials.getCoder()).getKeyCoder();
        return partials
            .apply("Group partial sums", GroupByKey.create())
            .apply("Merge partial sums", ParDo.of(new MergeFn<K, SumT, AccT, OutT>(fn)))
            .setCoder(KvCoder.of(keyCoder, outputCoder));
      }
    };
  }

  /** Adds each partial sum to an empty accumulator: a grouping's values are inputs, which a DoFn must not modify. */
  private static final class MergeFn<K, SumT, AccT, OutT> extends DoFn<KV<K, Iterable<SumT>>, KV<K, OutT>> {
    private final Combine.CombineFn<SumT, AccT, OutT> fn;

    MergeFn(Combine.CombineFn<SumT, AccT, OutT> fn) {
      this.fn = fn;
    }

    @ProcessElement
    public void process(@Element KV<K, Iterable<SumT>> partials, OutputReceiver<KV<K, OutT>> out) {
      AccT sum = fn.createAccumulator();
      for (SumT partial : partials.getValue()) {
        sum = fn.addInput(sum, partial);
      }
      out.output(KV.of(partials.getKey(), fn.extractOutput(sum)));
    }
  }
}
