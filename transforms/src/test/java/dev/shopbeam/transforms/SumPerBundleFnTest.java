package dev.shopbeam.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
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

  /** "word@start of its window" -> count, from a word count per window. */
  private static PCollection<String> perWindowText(PCollection<KV<String, Long>> counts, String name) {
    return counts.apply(name + " as text", ParDo.of(new DoFn<KV<String, Long>, String>() {
      @ProcessElement
      public void process(@Element KV<String, Long> kv, BoundedWindow w, OutputReceiver<String> out) {
        out.output(kv.getKey() + "@" + ((IntervalWindow) w).start().getMillis() + "=" + kv.getValue());
      }
    }));
  }

  /**
   * In sliding windows each word is summed per bundle in each of its two windows, and handed on early
   * in its own window only (the sums of other windows wait for the bundle's end): the same counts as
   * Count.perElement per window, with the sums handed on at the end, and after every three words held.
   */
  @Test
  void partialSumsPerWindowAddUpToTheCountsOfEachWindow(TestPipeline p) {
    List<TimestampedValue<String>> stamped = new ArrayList<>();
    List<String> words = words();
    for (int i = 0; i < words.size(); i++) {
      // Eight minutes of words, one every 600 ms, out of order: windows of two minutes every minute.
      stamped.add(TimestampedValue.of(words.get(i), new Instant((i * 7919L % words.size()) * 600)));
    }
    // The model: each word at t is in the windows starting at t's minute and the minute before.
    java.util.Map<String, Long> model = new java.util.TreeMap<>();
    for (TimestampedValue<String> w : stamped) {
      long minute = w.getTimestamp().getMillis() / 60_000 * 60_000;
      model.merge(w.getValue() + "@" + minute, 1L, Long::sum);
      model.merge(w.getValue() + "@" + (minute - 60_000), 1L, Long::sum);
    }
    List<String> expected = model.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.toList());
    PCollection<String> windowed = p.apply(Create.timestamped(stamped).withCoder(StringUtf8Coder.of()))
        .apply(Window.into(SlidingWindows.of(Duration.standardMinutes(2)).every(Duration.standardMinutes(1))));
    assertThat(SumPerBundleFn.appliesPerWindow(windowed), is(true));
    for (long maxHeld : new long[] {Long.MAX_VALUE, 3}) {
      PAssert.that("at most " + maxHeld + " held",
              perWindowText(counted(windowed, maxHeld, "At most " + maxHeld), "At most " + maxHeld))
          .containsInAnyOrder(expected);
    }
    PAssert.that(perWindowText(windowed.apply(Count.perElement()), "Count.perElement")).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  void appliesPerWindowToBoundedInputInWindowsThatDoNotMergeAndFireOnce() {
    Pipeline p = Pipeline.create();
    PCollection<String> words = p.apply(Create.of(words()).withCoder(StringUtf8Coder.of()));
    assertThat(SumPerBundleFn.appliesPerWindow(words), is(true));
    assertThat(SumPerBundleFn.appliesPerWindow(words.apply("Fixed",
        Window.into(FixedWindows.of(Duration.standardMinutes(1))))), is(true));
    assertThat(SumPerBundleFn.appliesPerWindow(words.apply("Sessions",
        Window.into(Sessions.withGapDuration(Duration.standardMinutes(1))))), is(false));
    assertThat(SumPerBundleFn.appliesPerWindow(words.apply("Early", Window.<String>into(
            FixedWindows.of(Duration.standardMinutes(1)))
        .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)))
        .withAllowedLateness(Duration.ZERO).discardingFiredPanes())), is(false));
    assertThat(SumPerBundleFn.appliesPerWindow(words.apply("Earliest", Window.<String>into(
            FixedWindows.of(Duration.standardMinutes(1))).withTimestampCombiner(TimestampCombiner.EARLIEST))),
        is(false));
    PCollection<String> unbounded = p.apply(TestStream.create(StringUtf8Coder.of()).addElements("a")
        .advanceWatermarkToInfinity());
    assertThat(SumPerBundleFn.appliesPerWindow(unbounded), is(false));
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
