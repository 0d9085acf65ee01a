package dev.shopbeam.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class SumPerBundleFnTest {

  /** Counts words; a long[1] per word, one unit of weight per word held. */
  static final class WordCountsFn extends SumPerBundleFn<String, String, long[]> {
    WordCountsFn(long maxHeld) {
      super(maxHeld);
    }

    @Override
    protected long[] empty() {
      return new long[1];
    }

    @Override
    protected long add(String word) {
      sumOf(word)[0]++;
      return 0;
    }
  }

  private static List<String> words() {
    List<String> words = new ArrayList<>();
    // 40 distinct words, word i repeated i + 1 times, interleaved so that a bundle sees many keys.
    for (int round = 0; round < 40; round++) {
      for (int i = round; i < 40; i++) {
        words.add("w" + i);
      }
    }
    return words;
  }

  private static PCollection<KV<String, Long>> counted(PCollection<String> words, long maxHeld, String name) {
    return words
        .apply(name + " per bundle", ParDo.of(new WordCountsFn(maxHeld)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), LongArrayCoder.INSTANCE))
        .apply(name + " as longs", org.apache.beam.sdk.transforms.MapElements
            .into(org.apache.beam.sdk.values.TypeDescriptors.kvs(
                org.apache.beam.sdk.values.TypeDescriptors.strings(), org.apache.beam.sdk.values.TypeDescriptors.longs()))
            .via((KV<String, long[]> kv) -> KV.of(kv.getKey(), kv.getValue()[0])))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply(name + " summed", Sum.longsPerKey());
  }

  @Test
  void partialSumsAddUpToTheCountsWhetherHandedOnAtTheEndOrEarly(TestPipeline p) {
    PCollection<String> words = p.apply(Create.of(words()).withCoder(StringUtf8Coder.of()));
    List<KV<String, Long>> expected = IntStream.range(0, 40)
        .mapToObj(i -> KV.of("w" + i, (long) i + 1)).collect(Collectors.toList());
    PAssert.that(counted(words, Long.MAX_VALUE, "Once")).containsInAnyOrder(expected);
    // Three words held at most: every bundle hands its sums on many times.
    PAssert.that(counted(words, 3, "Early")).containsInAnyOrder(expected);
    // The same as Count.perElement.
    PAssert.that(words.apply(Count.perElement())).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  void appliesToBoundedInputInTheGlobalWindowOnly() {
    Pipeline p = Pipeline.create();
    PCollection<String> words = p.apply(Create.of(words()).withCoder(StringUtf8Coder.of()));
    assertThat(SumPerBundleFn.applies(words), is(true));
    assertThat(SumPerBundleFn.applies(words.apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))),
        is(false));
    assertThrows(IllegalArgumentException.class, () -> new WordCountsFn(0));
  }
}
