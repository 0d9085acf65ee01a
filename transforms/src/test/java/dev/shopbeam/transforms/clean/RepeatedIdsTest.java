package dev.shopbeam.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The answer never misses a repeated id, does not depend on how the ids were cut, and is as exact as documented. */
class RepeatedIdsTest {

  /** 3,000 ids, a fifth of them two to four times, shuffled. */
  static List<String> ids(long seed) {
    Random random = new Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      String id = Long.toHexString(random.nextLong()) + "-" + i;
      int copies = random.nextInt(5) == 0 ? 2 + random.nextInt(3) : 1;
      for (int c = 0; c < copies; c++) {
        ids.add(id);
      }
    }
    Collections.shuffle(ids, random);
    return ids;
  }

  static Map<String, Integer> counts(List<String> ids) {
    Map<String, Integer> counts = new HashMap<>();
    ids.forEach(id -> counts.merge(id, 1, Integer::sum));
    return counts;
  }

  /** The ids cut into random bundles, each tallied and sent through the coder, then merged in random order. */
  static RepeatedIds answer(List<String> ids, int cellBits, int sparseLimit, Random random) throws CoderException {
    List<RepeatedIds.Tally> tallies = new ArrayList<>();
    int i = 0;
    while (i < ids.size()) {
      int end = Math.min(ids.size(), i + 1 + random.nextInt(700));
      RepeatedIds.Tally t = new RepeatedIds.Tally(cellBits, sparseLimit);
      for (; i < end; i++) {
        t.add(RepeatedIds.hash(ids.get(i)));
      }
      tallies.add(CoderUtils.clone(RepeatedIds.TallyCoder.INSTANCE, t));
    }
    Collections.shuffle(tallies, random);
    return RepeatedIds.of(tallies, cellBits, sparseLimit);
  }

  @Test
  void everyRepeatedIdMayRepeatWhetherTheTallyStaysSparseOrNot() throws CoderException {
    List<String> ids = ids(1);
    Map<String, Integer> counts = counts(ids);
    int[][] shapes = {{RepeatedIds.DEFAULT_CELL_BITS, RepeatedIds.DEFAULT_SPARSE_LIMIT}, {14, 64}, {6, 0}};
    for (int[] shape : shapes) {
      RepeatedIds answer = answer(ids, shape[0], shape[1], new Random(2));
      int singlesAnsweredYes = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        boolean yes = answer.mayRepeat(e.getKey());
        if (e.getValue() > 1) {
          assertTrue(yes, e.getKey() + " occurs " + e.getValue() + " times, shape " + shape[0] + "/" + shape[1]);
        } else if (yes) {
          singlesAnsweredYes++;
        }
      }
      if (shape[1] >= ids.size()) {
        assertEquals(0, singlesAnsweredYes, "a sparse tally answers exactly (by 64-bit hash)");
      } else if (shape[0] == 14) {
        // 16,384 cells for about 3,600 ids: about one single id in nine answered "may repeat".
        assertTrue(singlesAnsweredYes > 0 && singlesAnsweredYes < counts.size() / 2, "false positives " + singlesAnsweredYes);
      }
    }
  }

  @Test
  void theAnswerDependsOnlyOnTheIdsNotOnCutsOrMergeOrder() throws CoderException {
    List<String> ids = ids(3);
    List<String> probes = new ArrayList<>(counts(ids).keySet());
    for (int i = 0; i < 5_000; i++) {
      probes.add("probe-" + i);
    }
    for (int[] shape : new int[][] {{14, 128}, {20, 100_000}}) {
      RepeatedIds whole = RepeatedIds.of(List.of(tallyOf(ids, shape)), shape[0], shape[1]);
      boolean[] expected = new boolean[probes.size()];
      for (int i = 0; i < probes.size(); i++) {
        expected[i] = whole.mayRepeat(probes.get(i));
      }
      for (long seed = 0; seed < 10; seed++) {
        RepeatedIds cut = answer(ids, shape[0], shape[1], new Random(seed));
        boolean[] actual = new boolean[probes.size()];
        for (int i = 0; i < probes.size(); i++) {
          actual[i] = cut.mayRepeat(probes.get(i));
        }
        assertArrayEquals(expected, actual, "shape " + shape[0] + "/" + shape[1] + ", cut " + seed);
      }
    }
  }

  static RepeatedIds.Tally tallyOf(List<String> ids, int[] shape) {
    RepeatedIds.Tally t = new RepeatedIds.Tally(shape[0], shape[1]);
    ids.forEach(id -> t.add(RepeatedIds.hash(id)));
    return t;
  }

  @Test
  void aTallyTurnsDenseExactlyPastItsSparseLimit() {
    RepeatedIds.Tally a = new RepeatedIds.Tally(10, 4);
    RepeatedIds.Tally b = new RepeatedIds.Tally(10, 4);
    a.add(1);
    a.add(2);
    b.add(3);
    b.add(4);
    a.merge(b);
    assertFalse(a.dense(), "4 hashes, limit 4");
    b.add(5);
    a.merge(b);
    assertTrue(a.dense(), "7 hashes, limit 4");
    assertEquals(3, b.size, "the merged-in tally is not changed");
    assertFalse(b.dense());
    assertThrows(IllegalArgumentException.class, () -> a.merge(new RepeatedIds.Tally(11, 4)));
  }

  @Test
  void aSingleIdIsAnsweredAsOftenAsDocumented() throws CoderException {
    // (1 - e^(-3n/m))^3 for n ids in m cells: 100,000 ids in 2^20 cells, about 1.55%.
    int n = 100_000;
    int cellBits = 20;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("event-" + i);
    }
    RepeatedIds answer = answer(ids, cellBits, 1_000, new Random(5));
    long yes = ids.stream().filter(answer::mayRepeat).count();
    double expected = Math.pow(1 - Math.exp(-3.0 * n / (1 << cellBits)), 3);
    double measured = (double) yes / n;
    assertTrue(measured > expected * 0.7 && measured < expected * 1.3,
        "measured " + measured + ", documented " + expected);
  }

  @Test
  void tallyCoderRoundTripsBothShapesAndRejectsBadInput() throws IOException {
    RepeatedIds.Tally sparse = new RepeatedIds.Tally(8, 10);
    sparse.add(42);
    sparse.add(42);
    sparse.add(-7);
    RepeatedIds.Tally copy = CoderUtils.clone(RepeatedIds.TallyCoder.INSTANCE, sparse);
    assertFalse(copy.dense());
    assertEquals(3, copy.size);
    assertEquals(8, copy.cellBits);
    assertEquals(10, copy.sparseLimit);

    RepeatedIds.Tally dense = new RepeatedIds.Tally(8, 1);
    dense.add(1);
    dense.add(2);
    dense.add(2);
    RepeatedIds.Tally denseCopy = CoderUtils.clone(RepeatedIds.TallyCoder.INSTANCE, dense);
    assertArrayEquals(dense.once, denseCopy.once);
    assertArrayEquals(dense.twice, denseCopy.twice);

    byte[] bytes = CoderUtils.encodeToByteArray(RepeatedIds.TallyCoder.INSTANCE, sparse);
    byte[] badKind = bytes.clone();
    badKind[5] = 9;
    assertThrows(CoderException.class, () -> CoderUtils.decodeFromByteArray(RepeatedIds.TallyCoder.INSTANCE, badKind));
    // The same hashes under a limit of 2: more than a sparse tally may hold.
    ByteArrayOutputStream overLimit = new ByteArrayOutputStream();
    overLimit.write(bytes, 0, 1);
    overLimit.write(new byte[] {0, 0, 0, 2});
    overLimit.write(bytes, 5, bytes.length - 5);
    assertThrows(CoderException.class, () -> RepeatedIds.TallyCoder.INSTANCE.decode(
        new ByteArrayInputStream(overLimit.toByteArray())));
    // A dense tally whose planes do not fit its cell bits (8 bits: 4 words), here claiming 9.
    byte[] denseBytes = CoderUtils.encodeToByteArray(RepeatedIds.TallyCoder.INSTANCE, dense);
    denseBytes[0] = 9;
    assertThrows(CoderException.class, () -> CoderUtils.decodeFromByteArray(RepeatedIds.TallyCoder.INSTANCE, denseBytes));
  }

  @Test
  void shapesOutsideTheirRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RepeatedIds.tallies((String s) -> s, 5, 10));
    assertThrows(IllegalArgumentException.class, () -> RepeatedIds.tallies((String s) -> s, 31, 10));
    assertThrows(IllegalArgumentException.class, () -> RepeatedIds.tallies((String s) -> s, 10, -1));
  }
}
