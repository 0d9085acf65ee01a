package dev.shopbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** ToList keeps every value (duplicates too) through random pre-combine splits and its coder. */
class ToListTest {
  @Test
  void everyValueOnceThroughRandomSplitsAndTheCoder() throws Exception {
    ToList<String> fn = ToList.create();
    Coder<List<String>> coder = fn.getAccumulatorCoder(CoderRegistry.createDefault(), StringUtf8Coder.of());
    Random random = new Random(7);
    List<String> values = new ArrayList<>();
    List<List<String>> partials = new ArrayList<>();
    List<String> acc = fn.createAccumulator();
    for (int i = 0; i < 5_000; i++) {
      String v = "v" + random.nextInt(1_000); // duplicates are kept
      values.add(v);
      acc = fn.addInput(acc, v);
      if (random.nextInt(300) == 0) {
        partials.add(CoderUtils.clone(coder, acc));
        acc = fn.createAccumulator();
      }
    }
    partials.add(acc);
    partials.add(fn.createAccumulator());
    java.util.Collections.shuffle(partials, random);
    List<String> all = new ArrayList<>(fn.extractOutput(fn.mergeAccumulators(partials)));
    values.sort(null);
    all.sort(null);
    assertEquals(values, all);
    assertEquals(List.of(), fn.extractOutput(fn.mergeAccumulators(List.of())));
  }
}
