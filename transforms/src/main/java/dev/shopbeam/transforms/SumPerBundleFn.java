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
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Adds up a bounded input in the global window into one partial sum per key per bundle, in memory, and
 * hands on only the partial sums (to a {@code Combine.perKey} or {@link #mergedPerKey} that merges them): the combining starts
 * where the elements are made, as Dataflow's combiner lifting does with a hash table. On Flink's batch
 * runtime a combine pre-aggregates by sorting every input element, serialized, by key; here each
 * element is added to its key's sum in place and never serialized.
 *
 * <p>Memory stays bounded whatever the input: when the sums held weigh {@code maxHeld} (in the unit
 * {@link #add} reports: entries of a row, one per key, ...) they are handed on and the bundle starts
 * again. Only for the global window, where every element of a bundle is in the same window (see
 * {@link #applies}).
 *
 * @param <InputT> the elements
 * @param <K> the key
 * @param <SumT> a key's partial sum, of the type the downstream combine merges
 */
public abstract class SumPerBundleFn<InputT, K, SumT> extends DoFn<InputT, KV<K, SumT>> {
  private final long maxHeld;
  private transient Map<K, SumT> sums;
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

  /** An empty sum. */
  protected abstract SumT empty();

  /**
   * Adds {@code input} to the sums ({@link #sumOf} gives a key's, created empty when absent) and returns
   * how much heavier the sums held became.
   */
  protected abstract long add(InputT input);

  /** The sum held for {@code key}, created empty (weighing 1) when the bundle holds none. */
  protected final SumT sumOf(K key) {
    SumT sum = sums.get(key);
    if (sum == null) {
      sum = empty();
      sums.put(key, sum);
      held++;
    }
    return sum;
  }

  @StartBundle
  public void startBundle() {
    sums = new HashMap<>();
    held = 0;
  }

  @ProcessElement
  public void process(@Element InputT input, OutputReceiver<KV<K, SumT>> out) {
    held += add(input);
    if (held >= maxHeld) {
      sums.forEach((k, s) -> out.output(KV.of(k, s)));
      sums = new HashMap<>();
      held = 0;
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    sums.forEach((k, s) -> c.output(KV.of(k, s), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    sums = null;
    held = 0;
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
