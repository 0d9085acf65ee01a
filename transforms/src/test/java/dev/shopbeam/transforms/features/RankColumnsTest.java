package dev.shopbeam.transforms.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.transforms.features.UserFeaturesOf.RankColumns;
import dev.shopbeam.transforms.features.UserFeaturesOf.RankColumnsCoder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The columns the quintiles rank against: coder, and merged parts against sorting the whole input. */
class RankColumnsTest {
  @Test
  void columnsSurviveTheCoder() throws Exception {
    RankColumns c = new RankColumns(1);
    c.add(-86_400_000L, 0, new BigDecimal("-12.500"));
    c.add(Long.MAX_VALUE, Long.MAX_VALUE, new BigDecimal("123456789012345678901234.125"));
    for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
      RankColumns back = CoderUtils.decodeFromByteArray(RankColumnsCoder.INSTANCE,
          CoderUtils.encodeToByteArray(RankColumnsCoder.INSTANCE, c, context), context);
      assertEquals(2, back.size);
      assertArrayEquals(Arrays.copyOf(c.lastEvent, 2), Arrays.copyOf(back.lastEvent, 2));
      assertArrayEquals(Arrays.copyOf(c.frequency, 2), Arrays.copyOf(back.frequency, 2));
      assertArrayEquals(Arrays.copyOf(c.monetary, 2), Arrays.copyOf(back.monetary, 2));
    }
  }

  /** Any split of the users, parts through the coder, merged: the same sorted columns. */
  @Test
  void mergedPartsEqualTheWholeInputSorted() throws Exception {
    Random random = new Random(11);
    List<RankColumns> partials = new ArrayList<>();
    RankColumns acc = new RankColumns(16);
    int n = 3_000;
    long[] last = new long[n];
    long[] frequency = new long[n];
    BigDecimal[] monetary = new BigDecimal[n];
    for (int i = 0; i < n; i++) {
      last[i] = 1_500_000_000_000L + random.nextInt(1_000_000);
      frequency[i] = random.nextInt(20);
      monetary[i] = BigDecimal.valueOf(random.nextInt(100_000) - 5_000, 3);
      acc.add(last[i], frequency[i], monetary[i]);
      if (random.nextInt(200) == 0) {
        partials.add(CoderUtils.clone(RankColumnsCoder.INSTANCE, acc));
        acc = new RankColumns(16);
      }
    }
    partials.add(acc);
    partials.add(new RankColumns(0));
    RankColumns sorted = RankColumns.mergedSorted(partials);
    Arrays.sort(last);
    Arrays.sort(frequency);
    Arrays.sort(monetary);
    assertEquals(n, sorted.size);
    assertArrayEquals(last, sorted.lastEvent);
    assertArrayEquals(frequency, sorted.frequency);
    assertArrayEquals(monetary, sorted.monetary);
  }
}
