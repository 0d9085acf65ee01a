package dev.shopbeam.transforms.recommend;

import dev.shopbeam.transforms.DoubleArrayCoder;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Top-K ranking metrics of one user's list against the items they went on to take (binary relevance),
 * and their mean over users. Definitions, for a list cut to K and the user's relevant set R:
 * Precision@K = hits / K; Recall@K = hits / |R|; HitRate@K = 1 if any hit; NDCG@K = DCG / ideal DCG
 * with gain 1 / log2(rank + 1); MAP@K = mean over the hits of the precision at their rank, divided by
 * min(|R|, K).
 */
public final class RankingMetrics {
  public static final String[] NAMES = {"precision", "recall", "ndcg", "hit_rate", "map"};

  private RankingMetrics() {}

  /** The five metrics of one user, in {@link #NAMES} order. {@code relevant} must not be empty. */
  public static double[] of(List<String> ranked, Set<String> relevant, int k) {
    if (relevant.isEmpty()) {
      throw new IllegalArgumentException("a user without relevant items has no metrics");
    }
    int hits = 0;
    double dcg = 0;
    double precisionSum = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (relevant.contains(ranked.get(i))) {
        hits++;
        dcg += 1 / log2(i + 2);
        precisionSum += (double) hits / (i + 1);
      }
    }
    double ideal = 0;
    for (int i = 0; i < Math.min(k, relevant.size()); i++) {
      ideal += 1 / log2(i + 2);
    }
    return new double[] {
      (double) hits / k,
      (double) hits / relevant.size(),
      dcg / ideal,
      hits > 0 ? 1 : 0,
      precisionSum / Math.min(k, relevant.size())
    };
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** Means of the per-user metrics: the output is the five means followed by the number of users. */
  public static final class Mean extends Combine.CombineFn<double[], double[], double[]> {
    @Override
    public double[] createAccumulator() {
      return new double[NAMES.length + 1];
    }

    @Override
    public double[] addInput(double[] acc, double[] user) {
      for (int i = 0; i < NAMES.length; i++) {
        acc[i] += user[i];
      }
      acc[NAMES.length] += 1;
      return acc;
    }

    @Override
    public double[] mergeAccumulators(Iterable<double[]> accs) {
      double[] sum = createAccumulator();
      for (double[] a : accs) {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += a[i];
        }
      }
      return sum;
    }

    @Override
    public double[] extractOutput(double[] acc) {
      double[] mean = new double[NAMES.length + 1];
      double users = acc[NAMES.length];
      for (int i = 0; i < NAMES.length; i++) {
        mean[i] = users == 0 ? 0 : acc[i] / users;
      }
      mean[NAMES.length] = users;
      return mean;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<double[]> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r, org.apache.beam.sdk.coders.Coder<double[]> in) {
      return DoubleArrayCoder.INSTANCE;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<double[]> getDefaultOutputCoder(
        org.apache.beam.sdk.coders.CoderRegistry r, org.apache.beam.sdk.coders.Coder<double[]> in) {
      return DoubleArrayCoder.INSTANCE;
    }
  }

}
