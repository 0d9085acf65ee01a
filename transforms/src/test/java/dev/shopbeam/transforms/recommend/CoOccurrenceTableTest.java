package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive pair table against per-user rows summed by the combiner. */
class CoOccurrenceTableTest {

  /**
   * Random users' pairs, enough for the table to grow several times, drained twice (the table is used
   * again after a drain): every item's row equals the same users' single rows summed by
   * {@link CoOccurrences.Sum}, and every item seen has a row, with or without partners.
   */
  @Test
  void drainedRowsEqualSummedSingleRows() {
    Random random = new Random(7);
    CoOccurrenceTable table = new CoOccurrenceTable();
    for (int round = 0; round < 2; round++) {
      Map<String, CoOccurrences> model = new HashMap<>();
      CoOccurrences.Sum sum = new CoOccurrences.Sum();
      for (int user = 0; user < 400; user++) {
        int n = 1 + random.nextInt(40);
        Map<String, Double> items = new LinkedHashMap<>();
        while (items.size() < n) {
          items.put("i" + random.nextInt(round == 0 ? 3000 : 50), (double) (1 + random.nextInt(4)));
        }
        for (Map.Entry<String, Double> a : items.entrySet()) {
          int na = table.number(a.getKey());
          table.addNormSquared(na, a.getValue() * a.getValue());
          CoOccurrences single = new CoOccurrences().addNormSquared(a.getValue() * a.getValue());
          for (Map.Entry<String, Double> b : items.entrySet()) {
            if (a.getKey().compareTo(b.getKey()) < 0) {
              table.add(na, table.number(b.getKey()), a.getValue() * b.getValue());
              single.add(b.getKey(), a.getValue() * b.getValue(), 1);
            }
          }
          model.merge(a.getKey(), single, (x, y) -> sum.addInput(x, y));
        }
      }
      assertEquals(model.size(), table.items());
      int pairs = model.values().stream().mapToInt(CoOccurrences::size).sum();
      assertEquals(pairs, table.pairs());
      Map<String, CoOccurrences> drained = new HashMap<>();
      table.drain(drained::put);
      assertEquals(model, drained, "round " + round);
      assertEquals(0, table.pairs());
      assertEquals(0, table.items());
    }
  }
}
