package dev.shopbeam.transforms;

import org.apache.beam.sdk.transforms.Combine;

/**
 * Combines partial sums into one of the same type: each part is merged into a sum that starts empty,
 * never into a part, since a combine's inputs may be the runner's (on the DirectRunner, checked).
 *
 * @param <T> a partial sum, its accumulator and its output
 */
public abstract class MergePartsFn<T> extends Combine.CombineFn<T, T, T> {
  /** An empty sum. */
  protected abstract T empty();

  /** Adds {@code part} to {@code sum}, leaving {@code part} as it was. */
  protected abstract void mergeInto(T sum, T part);

  @Override
  public final T createAccumulator() {
    return empty();
  }

  @Override
  public final T addInput(T sum, T part) {
    mergeInto(sum, part);
    return sum;
  }

  @Override
  public final T mergeAccumulators(Iterable<T> sums) {
    T merged = empty();
    for (T sum : sums) {
      mergeInto(merged, sum);
    }
    return merged;
  }

  @Override
  public final T extractOutput(T sum) {
    return sum;
  }
}
