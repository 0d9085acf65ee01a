package dev.shopbeam.transforms.recommend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.beam.sdk.values.KV;

/**
 * One user's candidate items, each with the contributions (strength x similarity) its user's recent
 * items made to it. The contributions are kept, not summed as they come, because a candidate's score is
 * their sum smallest first ({@link #scores}): floating-point addition depends on order, and the order of
 * a user's items is not the same on every path (batch, streaming, the plain-Java model).
 */
public final class Contributions {
  /** One candidate's contributions: {@code v[0, n)}, the array growing by doubling. */
  private static final class Values {
    double[] v;
    int n;

    Values(double[] v, int n) {
      this.v = v;
      this.n = n;
    }

    void add(double x) {
      if (n == v.length) {
        v = Arrays.copyOf(v, Math.max(2, v.length * 2));
      }
      v[n++] = x;
    }
  }

  private final HashMap<String, Values> candidates;

  public Contributions() {
    this.candidates = new HashMap<>();
  }

  public Contributions add(String candidate, double contribution) {
    candidates.computeIfAbsent(candidate, c -> new Values(new double[2], 0)).add(contribution);
    return this;
  }

  public int size() {
    return candidates.size();
  }

  /** A candidate's contributions, in no particular order (a copy). */
  public double[] of(String candidate) {
    Values values = candidates.get(candidate);
    return values == null ? new double[0] : Arrays.copyOf(values.v, values.n);
  }

  /** Each candidate with the sum of its contributions, added smallest first (as the model sums them). */
  public List<KV<String, Double>> scores() {
    List<KV<String, Double>> scores = new ArrayList<>(candidates.size());
    candidates.forEach((candidate, values) -> {
      double[] sorted = Arrays.copyOf(values.v, values.n);
      Arrays.sort(sorted);
      double sum = 0;
      for (double x : sorted) {
        sum += x;
      }
      scores.add(KV.of(candidate, sum));
    });
    return scores;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Contributions) || ((Contributions) o).size() != size()) {
      return false;
    }
    Contributions other = (Contributions) o;
    for (String candidate : candidates.keySet()) {
      double[] mine = of(candidate);
      double[] theirs = other.of(candidate);
      Arrays.sort(mine);
      Arrays.sort(theirs);
      if (!Arrays.equals(mine, theirs)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return candidates.keySet().hashCode();
  }
}
