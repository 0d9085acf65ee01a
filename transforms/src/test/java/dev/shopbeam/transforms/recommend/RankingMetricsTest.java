package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metrics by their definitions, on lists worked out by hand. */
class RankingMetricsTest {
  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void hitsAtRanksTwoAndFourOfFour() {
    double[] m = RankingMetrics.of(List.of("a", "b", "c", "d"), Set.of("b", "d", "x"), 4);
    double dcg = 1 / log2(3) + 1 / log2(5);
    double ideal = 1 / log2(2) + 1 / log2(3) + 1 / log2(4);
    assertArrayEquals(new double[] {2.0 / 4, 2.0 / 3, dcg / ideal, 1, (1.0 / 2 + 2.0 / 4) / 3}, m, 1e-12);
  }

  @Test
  void aShortListStillDividesPrecisionByK() {
    double[] m = RankingMetrics.of(List.of("x"), Set.of("x"), 10);
    assertEquals(0.1, m[0], 1e-12);
    assertEquals(1.0, m[1], 1e-12);
    assertEquals(1.0, m[2], 1e-12);
    assertEquals(1.0, m[4], 1e-12);
  }

  @Test
  void noHitScoresZeroEverywhere() {
    assertArrayEquals(new double[5], RankingMetrics.of(List.of("a", "b"), Set.of("z"), 2), 0);
  }

  @Test
  void aUserWithNothingToFindHasNoMetrics() {
    assertThrows(IllegalArgumentException.class, () -> RankingMetrics.of(List.of("a"), Set.of(), 1));
  }
}
