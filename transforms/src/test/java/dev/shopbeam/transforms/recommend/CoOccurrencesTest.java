package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Co-occurrence rows: their coder, and their combiner against a per-pair and per-item model. */
class CoOccurrencesTest {

  @Test
  void rowsSurviveTheCoderInEveryContext() throws Exception {
    CoOccurrences row = new CoOccurrences().add("b", 12.0, 3).add("ünïcode", -0.1, 1).add("", Double.MIN_VALUE, 7L << 40)
        .addNormSquared(0.3);
    for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
      CoderProperties.coderDecodeEncodeEqualInContext(CoOccurrences.RowCoder.INSTANCE, context, row);
      CoderProperties.coderDecodeEncodeEqualInContext(CoOccurrences.RowCoder.INSTANCE, context, new CoOccurrences());
      CoderProperties.coderDecodeEncodeEqualInContext(CoOccurrences.RowCoder.INSTANCE, context,
          new CoOccurrences().addNormSquared(25));
    }
    CoOccurrences back = CoderUtils.clone(CoOccurrences.RowCoder.INSTANCE, row);
    assertArrayEquals(new double[] {-0.1, 1}, back.partners().get("ünïcode"));
    assertEquals(7L << 40, (long) back.partners().get("")[1]);
    assertEquals(0.3, back.normSquared());
  }

  /** A packed row (as a bundle's table hands rows on) is the same row as one built by adding. */
  @Test
  void packedRowsAreRowsLikeAnyOther() throws Exception {
    CoOccurrences added = new CoOccurrences().add("b", 12.0, 3).add("c", 0.5, 1).addNormSquared(9);
    CoOccurrences packed = CoOccurrences.packed(9, new String[] {"c", "b"}, new double[] {0.5, 12.0},
        new long[] {1, 3}, 2);
    assertEquals(2, packed.size());
    assertEquals(added, CoderUtils.clone(CoOccurrences.RowCoder.INSTANCE, packed));
    for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
      CoderProperties.coderDecodeEncodeEqualInContext(CoOccurrences.RowCoder.INSTANCE, context,
          CoOccurrences.packed(9, new String[] {"c", "b"}, new double[] {0.5, 12.0}, new long[] {1, 3}, 2));
    }
    CoOccurrences sum = new CoOccurrences().addAll(packed).addAll(packed);
    assertArrayEquals(new double[] {24.0, 6}, sum.partners().get("b"));
    assertEquals(18, sum.normSquared());
    packed.add("d", 1, 1);
    assertEquals(3, packed.size());
    assertArrayEquals(new double[] {0.5, 1}, packed.partners().get("c"));
  }

  /**
   * Rows of random users, summed by the combiner in random splits (as runners pre-combine and then
   * merge), equal the sums of the same products kept one pair at a time.
   */
  @Test
  void summedRowsEqualPerPairSums() throws Exception {
    Random random = new Random(42);
    Map<String, double[]> model = new TreeMap<>();
    List<CoOccurrences> rows = new ArrayList<>();
    double normSquared = 0;
    for (int user = 0; user < 500; user++) {
      double square = random.nextInt(17);
      normSquared += square;
      CoOccurrences row = new CoOccurrences().addNormSquared(square);
      int partners = 1 + random.nextInt(30);
      for (int p = 0; p < partners; p++) {
        String partner = "i" + random.nextInt(60);
        double product = 1 + random.nextInt(16); // products of small integer weights: exact in any order
        row.add(partner, product, 1);
        double[] sums = model.computeIfAbsent(partner, x -> new double[2]);
        sums[0] += product;
        sums[1] += 1;
      }
      rows.add(row);
    }
    CoOccurrences.Sum sum = new CoOccurrences.Sum();
    List<CoOccurrences> partials = new ArrayList<>();
    CoOccurrences acc = sum.createAccumulator();
    for (CoOccurrences row : rows) {
      acc = sum.addInput(acc, row);
      if (random.nextInt(40) == 0) {
        // Accumulators travel between pre-combine and merge: through the coder.
        partials.add(CoderUtils.clone(CoOccurrences.RowCoder.INSTANCE, acc));
        acc = sum.createAccumulator();
      }
    }
    partials.add(acc);
    partials.add(sum.createAccumulator());
    CoOccurrences total = sum.extractOutput(sum.mergeAccumulators(partials));
    assertEquals(normSquared, total.normSquared());
    assertEquals(model.keySet(), new TreeMap<>(total.partners()).keySet());
    model.forEach((partner, sums) -> assertArrayEquals(sums, total.partners().get(partner), partner));
  }

  /**
   * The combiner's output and a decoded row are packed (partners in arrays, no map: the smaller object
   * graph that a runner's in-memory copies hold), and hand over the same partners as the row they came
   * from, through {@link CoOccurrences#forEachPartner} and through the map alike.
   */
  @Test
  void summedAndDecodedRowsArePackedWithTheSamePartners() throws Exception {
    CoOccurrences.Sum sum = new CoOccurrences.Sum();
    CoOccurrences acc = sum.addInput(sum.createAccumulator(),
        new CoOccurrences().add("b", 12.0, 3).add("c", 0.5, 1).addNormSquared(9));
    acc = sum.addInput(acc, new CoOccurrences().add("b", 1.0, 1).add("d", 2.0, 2).addNormSquared(1));
    Map<String, double[]> expected = new TreeMap<>(acc.partners());
    CoOccurrences out = sum.extractOutput(acc);
    CoOccurrences decoded = CoderUtils.clone(CoOccurrences.RowCoder.INSTANCE, acc);
    for (CoOccurrences row : List.of(out, decoded)) {
      assertEquals(null, field(row, "partners"));
      // The ids in one array, not a string each (see CoOccurrences.packed()).
      assertEquals(byte[].class, field(row, "packedIdBytes").getClass());
      Map<String, double[]> seen = new TreeMap<>();
      row.forEachPartner((partner, dot, coUsers) -> seen.put(partner, new double[] {dot, coUsers}));
      assertEquals(expected.keySet(), seen.keySet());
      expected.forEach((partner, sums) -> assertArrayEquals(sums, seen.get(partner), partner));
      assertEquals(10, row.normSquared());
      assertEquals(acc, row);
    }
  }

  private static Object field(CoOccurrences row, String name) throws ReflectiveOperationException {
    java.lang.reflect.Field field = CoOccurrences.class.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(row);
  }

  @Test
  void addingARowLeavesTheInputUnchanged() {
    CoOccurrences input = new CoOccurrences().add("x", 2, 1).addNormSquared(9);
    CoOccurrences.Sum sum = new CoOccurrences.Sum();
    CoOccurrences acc = sum.addInput(sum.addInput(sum.createAccumulator(), input), input);
    assertArrayEquals(new double[] {4, 2}, acc.partners().get("x"));
    assertEquals(18, acc.normSquared());
    assertArrayEquals(new double[] {2, 1}, input.partners().get("x"));
    assertEquals(9, input.normSquared());
  }
}
