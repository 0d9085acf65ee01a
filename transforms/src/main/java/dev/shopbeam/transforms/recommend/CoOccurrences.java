package dev.shopbeam.transforms.recommend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.util.VarInt;

/**
 * One item's co-occurrence row: for each partner item, the sum of the products of users' strengths on
 * both (the dot product of the two items' user vectors) and the number of users who have both; and the
 * sum of the squares of users' strengths on the item itself (its squared norm).
 *
 * <p>Why a row and not one record per pair: a user with n items yields n rows instead of n(n-1)/2 pair
 * records, and every record that crosses a shuffle is encoded, sorted (Flink's batch runtime groups by
 * sorting serialized keys) and decoded. The rows of one item are summed by {@link Sum}, a combiner, so
 * most of the summing happens before the shuffle. (The "stripes" form of pair counting.) The squared
 * norm travels in the same row so that the cosine's first norm needs no join of its own.
 */
public final class CoOccurrences {
  /** Partner item -> {dot product, co-users}. Co-users are counted in a double: exact up to 2^53. */
  private final HashMap<String, double[]> partners;
  private double normSquared;

  public CoOccurrences() {
    this(new HashMap<>(), 0);
  }

  private CoOccurrences(HashMap<String, double[]> partners, double normSquared) {
    this.partners = partners;
    this.normSquared = normSquared;
  }

  /** Adds a user's squared strength on the item itself. */
  public CoOccurrences addNormSquared(double square) {
    normSquared += square;
    return this;
  }

  /** The sum of the squares of users' strengths on the item (0 when none were added). */
  public double normSquared() {
    return normSquared;
  }

  /** Adds {@code coUsers} users whose strengths on the two items multiply to {@code dot} in sum. */
  public CoOccurrences add(String partner, double dot, long coUsers) {
    double[] sums = partners.get(partner);
    if (sums == null) {
      partners.put(partner, new double[] {dot, coUsers});
    } else {
      sums[0] += dot;
      sums[1] += coUsers;
    }
    return this;
  }

  public CoOccurrences addAll(CoOccurrences other) {
    normSquared += other.normSquared;
    other.partners.forEach((partner, sums) -> add(partner, sums[0], (long) sums[1]));
    return this;
  }

  public int size() {
    return partners.size();
  }

  /** Partner -> {dot product, co-users}; read only. */
  public Map<String, double[]> partners() {
    return Collections.unmodifiableMap(partners);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CoOccurrences)) {
      return false;
    }
    Map<String, double[]> other = ((CoOccurrences) o).partners;
    if (Double.compare(normSquared, ((CoOccurrences) o).normSquared) != 0 || other.size() != partners.size()) {
      return false;
    }
    for (Map.Entry<String, double[]> e : partners.entrySet()) {
      double[] o2 = other.get(e.getKey());
      if (o2 == null || !java.util.Arrays.equals(e.getValue(), o2)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return partners.keySet().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{|x|^2=").append(normSquared);
    partners.forEach((p, v) -> s.append(", ").append(p).append('=')
        .append(v[0]).append('/').append((long) v[1]));
    return s.append('}').toString();
  }

  /** Squared norm (8 bytes), entry count, then per entry: partner id, dot product (8 bytes), co-users (varint). */
  public static final class RowCoder extends AtomicCoder<CoOccurrences> {
    public static final RowCoder INSTANCE = new RowCoder();
    private static final StringUtf8Coder IDS = StringUtf8Coder.of();

    private RowCoder() {}

    @Override
    public void encode(CoOccurrences row, OutputStream out) throws IOException {
      byte[] bits = new byte[8];
      KeyedRows.writeDouble(out, row.normSquared, bits);
      VarInt.encode(row.partners.size(), out);
      for (Map.Entry<String, double[]> e : row.partners.entrySet()) {
        IDS.encode(e.getKey(), out);
        KeyedRows.writeDouble(out, e.getValue()[0], bits);
        VarInt.encode((long) e.getValue()[1], out);
      }
    }

    @Override
    public CoOccurrences decode(InputStream in) throws IOException {
      byte[] bits = new byte[8];
      double normSquared = KeyedRows.readDouble(in, bits);
      int n = VarInt.decodeInt(in);
      HashMap<String, double[]> partners = new HashMap<>(Math.max(4, n * 4 / 3 + 1));
      for (int k = 0; k < n; k++) {
        String partner = IDS.decode(in);
        double dot = KeyedRows.readDouble(in, bits);
        partners.put(partner, new double[] {dot, VarInt.decodeLong(in)});
      }
      return new CoOccurrences(partners, normSquared);
    }
  }

  /** Sums the rows of one item (the accumulator is a row too; only accumulators are mutated). */
  public static final class Sum extends Combine.CombineFn<CoOccurrences, CoOccurrences, CoOccurrences> {
    @Override
    public CoOccurrences createAccumulator() {
      return new CoOccurrences();
    }

    @Override
    public CoOccurrences addInput(CoOccurrences acc, CoOccurrences row) {
      return acc.addAll(row);
    }

    @Override
    public CoOccurrences mergeAccumulators(Iterable<CoOccurrences> accs) {
      return KeyedRows.mergeIntoLargest(accs, CoOccurrences::size, CoOccurrences::addAll, CoOccurrences::new);
    }

    @Override
    public CoOccurrences extractOutput(CoOccurrences acc) {
      return acc;
    }

    @Override
    public Coder<CoOccurrences> getAccumulatorCoder(CoderRegistry registry, Coder<CoOccurrences> inputCoder) {
      return RowCoder.INSTANCE;
    }

    @Override
    public Coder<CoOccurrences> getDefaultOutputCoder(CoderRegistry registry, Coder<CoOccurrences> inputCoder) {
      return RowCoder.INSTANCE;
    }
  }
}
