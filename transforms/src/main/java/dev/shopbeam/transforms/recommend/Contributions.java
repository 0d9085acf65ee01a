package dev.shopbeam.transforms.recommend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;

/**
 * One user's candidate items, each with the contributions (strength x similarity) its user's recent
 * items made to it.
 *
 * <p>One record per user and recent item carries all of that item's neighbours, instead of one record
 * per user, item and neighbour: a twentieth of the records through the shuffle and the sorts (see
 * {@link CoOccurrences} for why that matters). The contributions are kept, not summed, because a
 * candidate's score is their sum smallest first ({@link Score}): floating-point addition depends on
 * order, and runners deliver a combiner's inputs in any order.
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
    this(new HashMap<>());
  }

  private Contributions(HashMap<String, Values> candidates) {
    this.candidates = candidates;
  }

  public Contributions add(String candidate, double contribution) {
    candidates.computeIfAbsent(candidate, c -> new Values(new double[2], 0)).add(contribution);
    return this;
  }

  public Contributions addAll(Contributions other) {
    other.candidates.forEach((candidate, values) -> {
      Values mine = candidates.computeIfAbsent(candidate, c -> new Values(new double[values.n], 0));
      for (int i = 0; i < values.n; i++) {
        mine.add(values.v[i]);
      }
    });
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

  /** Candidate count, then per candidate: id, contribution count, contributions (8 bytes each). */
  public static final class ContributionsCoder extends AtomicCoder<Contributions> {
    public static final ContributionsCoder INSTANCE = new ContributionsCoder();
    private static final StringUtf8Coder IDS = StringUtf8Coder.of();

    private ContributionsCoder() {}

    @Override
    public void encode(Contributions c, OutputStream out) throws IOException {
      VarInt.encode(c.candidates.size(), out);
      byte[] bits = new byte[8];
      for (Map.Entry<String, Values> e : c.candidates.entrySet()) {
        IDS.encode(e.getKey(), out);
        int n = e.getValue().n;
        VarInt.encode(n, out);
        double[] v = e.getValue().v;
        for (int i = 0; i < n; i++) {
          KeyedRows.writeDouble(out, v[i], bits);
        }
      }
    }

    @Override
    public Contributions decode(InputStream in) throws IOException {
      int size = VarInt.decodeInt(in);
      int capacity = Math.max(4, size * 4 / 3 + 1);
      HashMap<String, Values> candidates = new HashMap<>(capacity);
      byte[] bits = new byte[8];
      for (int k = 0; k < size; k++) {
        String candidate = IDS.decode(in);
        int n = VarInt.decodeInt(in);
        double[] v = new double[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
          v[i] = KeyedRows.readDouble(in, bits);
        }
        candidates.put(candidate, new Values(v, n));
      }
      return new Contributions(candidates);
    }
  }

  /**
   * A user's contributions gathered, then each candidate's score: the sum smallest first. Only
   * accumulators are mutated.
   */
  public static final class Score extends Combine.CombineFn<Contributions, Contributions, List<KV<String, Double>>> {
    @Override
    public Contributions createAccumulator() {
      return new Contributions();
    }

    @Override
    public Contributions addInput(Contributions acc, Contributions input) {
      return acc.addAll(input);
    }

    @Override
    public Contributions mergeAccumulators(Iterable<Contributions> accs) {
      return KeyedRows.mergeIntoLargest(accs, Contributions::size, Contributions::addAll, Contributions::new);
    }

    @Override
    public List<KV<String, Double>> extractOutput(Contributions acc) {
      return acc.scores();
    }

    @Override
    public Coder<Contributions> getAccumulatorCoder(CoderRegistry registry, Coder<Contributions> inputCoder) {
      return ContributionsCoder.INSTANCE;
    }

    @Override
    public Coder<List<KV<String, Double>>> getDefaultOutputCoder(CoderRegistry registry,
        Coder<Contributions> inputCoder) {
      return ListCoder.of(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()));
    }
  }
}
