package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** A user's gathered contributions: scores that do not depend on the order they arrived in. */
class ContributionsTest {

  /**
   * Scores are the sums smallest first of the same contributions, bit for bit, whatever order they were
   * added in: values whose sum depends on order are used on purpose.
   */
  @Test
  void scoresAreTheOrderedSumsWhateverTheArrivalOrder() {
    Random random = new Random(7);
    Map<String, List<Double>> model = new TreeMap<>();
    List<KV<String, Double>> contributions = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      String candidate = "c" + random.nextInt(50);
      double x = random.nextDouble() * Math.pow(10, random.nextInt(12) - 6);
      contributions.add(KV.of(candidate, x));
      model.computeIfAbsent(candidate, k -> new ArrayList<>()).add(x);
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
    boolean orderMatters = false;
    for (long seed = 0; seed < 5; seed++) {
      List<KV<String, Double>> shuffled = new ArrayList<>(contributions);
      Collections.shuffle(shuffled, new Random(seed));
      Contributions all = new Contributions();
      Map<String, Double> naive = new TreeMap<>();
      for (KV<String, Double> c : shuffled) {
        all.add(c.getKey(), c.getValue());
        naive.merge(c.getKey(), c.getValue(), Double::sum);
      }
      orderMatters |= !naive.equals(expected);
      Map<String, Double> actual = new TreeMap<>();
      for (KV<String, Double> s : all.scores()) {
        actual.put(s.getKey(), s.getValue());
      }
      assertEquals(expected, actual, "seed " + seed);
    }
    assertEquals(true, orderMatters, "the test's values should make a sum in arrival order differ");
  }
}
