package dev.shopbeam.transforms;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * All values of a key as one list, in no particular order. Used in front of a {@code CoGroupByKey} whose
 * side can have many values under one key (an item's users, a user's items): joined as one list, a key
 * brings one value per side, where thousands of values would make Beam's join iterate the group twice
 * (more than 10,000 values), which a runner then has to keep in memory (Flink's batch runtime only
 * can with {@code --reIterableGroupByKeyResult}, and then keeps every group of the job in memory).
 * The list of one key is in memory either way; no other key's is.
 */
public final class ToList<T> extends Combine.CombineFn<T, List<T>, List<T>> {
  public static <T> ToList<T> create() {
    return new ToList<>();
  }

  private ToList() {}

  @Override
  public List<T> createAccumulator() {
    return new ArrayList<>();
  }

  @Override
  public List<T> addInput(List<T> acc, T value) {
    acc.add(value);
    return acc;
  }

  @Override
  public List<T> mergeAccumulators(Iterable<List<T>> accs) {
    List<T> merged = null;
    for (List<T> a : accs) {
      if (merged == null) {
        merged = a;
      } else if (a.size() > merged.size()) {
        a.addAll(merged);
        merged = a;
      } else {
        merged.addAll(a);
      }
    }
    return merged == null ? createAccumulator() : merged;
  }

  @Override
  public List<T> extractOutput(List<T> acc) {
    return acc;
  }

  @Override
  public Coder<List<T>> getAccumulatorCoder(CoderRegistry registry, Coder<T> input) {
    return ListCoder.of(input);
  }

  @Override
  public Coder<List<T>> getDefaultOutputCoder(CoderRegistry registry, Coder<T> input) {
    return ListCoder.of(input);
  }
}
