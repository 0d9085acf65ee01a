package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** A user's gathered contributions: their coder, and scores that do not depend on arrival order. */
class ContributionsTest {

  @Test
  void contributionsSurviveTheCoderInEveryContext() throws Exception {
    Contributions c = new Contributions().add("a", 0.1).add("a", 0.2).add("a", -3).add("ü", 1e-300);
    for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
      CoderProperties.coderDecodeEncodeEqualInContext(Contributions.ContributionsCoder.INSTANCE, context, c);
      CoderProperties.coderDecodeEncodeEqualInContext(Contributions.ContributionsCoder.INSTANCE, context,
          new Contributions());
    }
    double[] back = CoderUtils.clone(Contributions.ContributionsCoder.INSTANCE, c).of("a");
    Arrays.sort(back);
    assertArrayEquals(new double[] {-3, 0.1, 0.2}, back);
  }

  /**
   * Scores are the sums smallest first of the same contributions, bit for bit, however the inputs are
   * split, ordered and merged: values whose sum depends on order are used on purpose.
   */
  @Test
  void scoresAreTheOrderedSumsWhateverTheArrivalOrder() throws Exception {
    Random random = new Random(7);
    Map<String, List<Double>> model = new TreeMap<>();
    List<Contributions> inputs = new ArrayList<>();
    for (int item = 0; item < 300; item++) {
      Contributions c = new Contributions();
      for (int n = 0; n < 20; n++) {
        String candidate = "c" + random.nextInt(50);
        double x = random.nextDouble() * Math.pow(10, random.nextInt(12) - 6);
        c.add(candidate, x);
        model.computeIfAbsent(candidate, k -> new ArrayList<>()).add(x);
      }
      inputs.add(c);
    }
    Map<String, Double> expected = new TreeMap<>();
    model.forEach((candidate, xs) -> {
      List<Double> sorted = new ArrayList<>(xs);
      Collections.sort(sorted);
      double sum = 0;
      for (double x : sorted) {
        sum += x;
      }
      expected.put(candidate, sum);
    });
    for (long seed = 0; seed < 5; seed++) {
      List<Contributions> shuffled = new ArrayList<>(inputs);
      Collections.shuffle(shuffled, new Random(seed));
      Contributions.Score score = new Contributions.Score();
      List<Contributions> partials = new ArrayList<>();
      Contributions acc = score.createAccumulator();
      for (Contributions c : shuffled) {
        acc = score.addInput(acc, c);
        if (random.nextInt(25) == 0) {
          partials.add(CoderUtils.clone(Contributions.ContributionsCoder.INSTANCE, acc));
          acc = score.createAccumulator();
        }
      }
      partials.add(acc);
      Collections.shuffle(partials, new Random(seed + 100));
      Map<String, Double> actual = new TreeMap<>();
      for (KV<String, Double> s : score.extractOutput(score.mergeAccumulators(partials))) {
        actual.put(s.getKey(), s.getValue());
      }
      assertEquals(expected, actual, "seed " + seed);
    }
  }
}
