package dev.shopbeam.transforms.recommend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import dev.shopbeam.transforms.CompactRecordCoder;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
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
  /**
   * Partner item -> {dot product, co-users}. Co-users are counted in a double: exact up to 2^53. Null
   * while the row is packed: a row made whole at once ({@link #packed}) keeps its partners in arrays
   * until something adds to it or reads it as a map, because most such rows are only encoded.
   */
  private HashMap<String, double[]> partners;
  private double normSquared;
  /**
   * A packed row's partner ids: their UTF-8 bytes one after another, partner k's ending at
   * {@code packedIdEnds[k]}. One array rather than a string per partner: see {@link #packed()}.
   */
  private byte[] packedIdBytes;
  private int[] packedIdEnds;
  /**
   * Or, for a row packed from strings at hand ({@link #packed(double, String[], double[], long[], int)}:
   * a bundle's table, whose rows go straight to the combine), the strings themselves: turning them into
   * bytes there only for the combine to turn them back, in the same process on Spark, cost more than
   * it saved.
   */
  private String[] packedIds;
  private double[] packedDots;
  private long[] packedCoUsers;
  private int packedSize;

  public CoOccurrences() {
    this(new HashMap<>(), 0);
  }

  private CoOccurrences(HashMap<String, double[]> partners, double normSquared) {
    this.partners = partners;
    this.normSquared = normSquared;
  }

  /** A row of {@code n} distinct partners with their sums, as given (the number arrays are kept, not copied). */
  static CoOccurrences packed(double normSquared, String[] ids, double[] dots, long[] coUsers, int n) {
    CoOccurrences row = new CoOccurrences(null, normSquared);
    row.packedIds = ids;
    row.packedDots = dots;
    row.packedCoUsers = coUsers;
    row.packedSize = n;
    return row;
  }

  private static CoOccurrences packed(double normSquared, PackedIds ids, double[] dots, long[] coUsers, int n) {
    CoOccurrences row = new CoOccurrences(null, normSquared);
    row.packedIdBytes = ids.bytes;
    row.packedIdEnds = ids.ends;
    row.packedDots = dots;
    row.packedCoUsers = coUsers;
    row.packedSize = n;
    return row;
  }

  /** Partner ids appended as UTF-8 bytes into one growing array. */
  private static final class PackedIds {
    byte[] bytes;
    final int[] ends;
    int size;
    int count;

    PackedIds(int n) {
      this.bytes = new byte[Math.max(16, n * 8)];
      this.ends = new int[n];
    }

    void add(String id) {
      byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, size, utf8.length);
      size += utf8.length;
      ends[count++] = size;
    }

    void read(InputStream in, int length) throws IOException {
      ensure(length);
      if (in.readNBytes(bytes, size, length) != length) {
        throw new EOFException("a co-occurrence row was cut short");
      }
      size += length;
      ends[count++] = size;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
      }
    }
  }

  private int idStart(int k) {
    return k == 0 ? 0 : packedIdEnds[k - 1];
  }

  private String packedId(int k) {
    if (packedIds != null) {
      return packedIds[k];
    }
    int start = idStart(k);
    return new String(packedIdBytes, start, packedIdEnds[k] - start, StandardCharsets.UTF_8);
  }

  private HashMap<String, double[]> map() {
    if (partners == null) {
      // In the packed order: the row encodes as it did (a runner's check that inputs are not changed
      // compares encodings, and reading a packed row as a map changes nothing but its form).
      partners = new java.util.LinkedHashMap<>(Math.max(4, packedSize * 4 / 3 + 1));
      for (int k = 0; k < packedSize; k++) {
        partners.put(packedId(k), new double[] {packedDots[k], packedCoUsers[k]});
      }
      packedIdBytes = null;
      packedIdEnds = null;
      packedIds = null;
      packedDots = null;
      packedCoUsers = null;
      packedSize = 0;
    }
    return partners;
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
    HashMap<String, double[]> map = map();
    double[] sums = map.get(partner);
    if (sums == null) {
      map.put(partner, new double[] {dot, coUsers});
    } else {
      sums[0] += dot;
      sums[1] += coUsers;
    }
    return this;
  }

  public CoOccurrences addAll(CoOccurrences other) {
    normSquared += other.normSquared;
    if (other.partners == null) {
      for (int k = 0; k < other.packedSize; k++) {
        add(other.packedId(k), other.packedDots[k], other.packedCoUsers[k]);
      }
    } else {
      other.partners.forEach((partner, sums) -> add(partner, sums[0], (long) sums[1]));
    }
    return this;
  }

  public int size() {
    return partners == null ? packedSize : partners.size();
  }

  /** Partner -> {dot product, co-users}; read only. */
  public Map<String, double[]> partners() {
    return Collections.unmodifiableMap(map());
  }

  /** What {@link #forEachPartner} hands over: one partner and its sums. */
  @FunctionalInterface
  public interface PartnerSums {
    void accept(String partner, double dot, long coUsers);
  }

  /** Each partner with its sums, in no particular order; a packed row is read as it is, not made a map. */
  public void forEachPartner(PartnerSums action) {
    if (partners == null) {
      for (int k = 0; k < packedSize; k++) {
        action.accept(packedId(k), packedDots[k], packedCoUsers[k]);
      }
    } else {
      partners.forEach((partner, sums) -> action.accept(partner, sums[0], (long) sums[1]));
    }
  }

  /**
   * This row with its partners in arrays, for a row that is only read from now on: five objects
   * however many partners it has, where a partner in the map is four (entry, id, its bytes, the sums).
   * Beam's Spark runner keeps a collection that several steps read in memory as objects, and Spark
   * estimates its size by walking sampled elements' object graphs, over and over as a partition grows:
   * the summed rows (thousands of partners each, read by the norms and the cosines) were 42% of those
   * walks in the whole batch on the Online Retail year.
   */
  CoOccurrences packed() {
    if (partners == null && packedIds == null) {
      return this;
    }
    if (partners == null) {
      PackedIds ids = new PackedIds(packedSize);
      for (int k = 0; k < packedSize; k++) {
        ids.add(packedIds[k]);
      }
      return packed(normSquared, ids, packedDots, packedCoUsers, packedSize);
    }
    int n = partners.size();
    PackedIds ids = new PackedIds(n);
    double[] dots = new double[n];
    long[] coUsers = new long[n];
    int k = 0;
    for (Map.Entry<String, double[]> e : partners.entrySet()) {
      ids.add(e.getKey());
      dots[k] = e.getValue()[0];
      coUsers[k] = (long) e.getValue()[1];
      k++;
    }
    return packed(normSquared, ids, dots, coUsers, n);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CoOccurrences)) {
      return false;
    }
    Map<String, double[]> other = ((CoOccurrences) o).map();
    if (Double.compare(normSquared, ((CoOccurrences) o).normSquared) != 0 || other.size() != map().size()) {
      return false;
    }
    for (Map.Entry<String, double[]> e : map().entrySet()) {
      double[] o2 = other.get(e.getKey());
      if (o2 == null || !java.util.Arrays.equals(e.getValue(), o2)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return map().keySet().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{|x|^2=").append(normSquared);
    map().forEach((p, v) -> s.append(", ").append(p).append('=')
        .append(v[0]).append('/').append((long) v[1]));
    return s.append('}').toString();
  }

  /** Squared norm (8 bytes), entry count, then per entry: partner id, dot product (8 bytes), co-users (varint). */
  public static final class RowCoder extends AtomicCoder<CoOccurrences> {
    public static final RowCoder INSTANCE = new RowCoder();

    private RowCoder() {}

    /** A row is written whole into this buffer and handed to the stream in one call (see CompactRecordCoder). */
    private static final ThreadLocal<CompactRecordCoder.Writer> ROWS = ThreadLocal.withInitial(CompactRecordCoder.Writer::new);

    @Override
    public void encode(CoOccurrences row, OutputStream out) throws IOException {
      // The bytes of StringUtf8Coder (nested: varint length, UTF-8), big-endian doubles and VarInt.
      CompactRecordCoder.Writer w = ROWS.get();
      w.reset();
      w.writeDouble(row.normSquared);
      w.writeVarLong(row.size());
      if (row.partners == null) {
        for (int k = 0; k < row.packedSize; k++) {
          if (row.packedIds != null) {
            w.writeString(row.packedIds[k]);
          } else {
            int start = row.idStart(k);
            w.writeBytes(row.packedIdBytes, start, row.packedIdEnds[k] - start);
          }
          w.writeDouble(row.packedDots[k]);
          w.writeVarLong(row.packedCoUsers[k]);
        }
      } else {
        for (Map.Entry<String, double[]> e : row.partners.entrySet()) {
          w.writeString(e.getKey());
          w.writeDouble(e.getValue()[0]);
          w.writeVarLong((long) e.getValue()[1]);
        }
      }
      w.writeTo(out);
    }

    @Override
    public CoOccurrences decode(InputStream in) throws IOException {
      byte[] bits = new byte[8];
      double normSquared = KeyedRows.readDouble(in, bits);
      int n = VarInt.decodeInt(in);
      // Decoded packed: a row that is only read (the cosines, the norms) never becomes a map.
      PackedIds ids = new PackedIds(n);
      double[] dots = new double[n];
      long[] coUsers = new long[n];
      for (int k = 0; k < n; k++) {
        ids.read(in, VarInt.decodeInt(in)); // StringUtf8Coder's nested form: length, UTF-8
        dots[k] = KeyedRows.readDouble(in, bits);
        coUsers[k] = VarInt.decodeLong(in);
      }
      return packed(normSquared, ids, dots, coUsers, n);
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
      return acc.packed();
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
