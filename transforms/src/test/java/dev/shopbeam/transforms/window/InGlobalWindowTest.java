package dev.shopbeam.transforms.window;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import dev.shopbeam.transforms.testing.TestPipelineExtension;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class InGlobalWindowTest {

  private static PCollection<String> words(Pipeline p) {
    return p.apply(Create.of("a", "b").withCoder(StringUtf8Coder.of()));
  }

  @Test
  void aBoundedReadIsInOneWindowAlreadySoNoStepIsAdded() {
    PCollection<String> read = words(Pipeline.create());
    assertThat(InGlobalWindow.isFiredOnce(read.getWindowingStrategy()), is(true));
    assertThat(InGlobalWindow.firedOnce(read, "Again"), sameInstance(read));
    // Once re-windowed by the transform itself, it is as it says, and is not re-windowed again.
    PCollection<String> once = read.apply("Explicitly", InGlobalWindow.firedOnce());
    assertThat(InGlobalWindow.isFiredOnce(once.getWindowingStrategy()), is(true));
    assertThat(InGlobalWindow.firedOnce(once, "Again"), sameInstance(once));
  }

  @Test
  void anyOtherWindowingIsReWindowed() {
    PCollection<String> read = words(Pipeline.create());
    PCollection<String> hourly = read.apply("Hourly", Window.into(FixedWindows.of(Duration.standardHours(1))));
    PCollection<String> everyElement = read.apply("Every element", Window.<String>into(new GlobalWindows())
        .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes());
    PCollection<String> accumulating = read.apply("Accumulating", Window.<String>configure()
        .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
        .withAllowedLateness(Duration.ZERO)
        .accumulatingFiredPanes());
    PCollection<String> earliest = read.apply("Earliest", Window.<String>configure()
        .withTimestampCombiner(TimestampCombiner.EARLIEST));
    for (PCollection<String> pc : java.util.List.of(hourly, everyElement, accumulating, earliest)) {
      assertThat(pc.getName(), InGlobalWindow.isFiredOnce(pc.getWindowingStrategy()), is(false));
      PCollection<String> once = InGlobalWindow.firedOnce(pc, "Once after " + pc.getName());
      assertThat(once, not(sameInstance(pc)));
      assertThat(pc.getName(), InGlobalWindow.isFiredOnce(once.getWindowingStrategy()), is(true));
    }
  }

  @Test
  void windowedElementsAreCountedTogetherOnce(TestPipeline p) {
    PCollection<String> hourly = p
        .apply(Create.timestamped(
            TimestampedValue.of("a", new Instant(0)),
            TimestampedValue.of("a", Instant.EPOCH.plus(Duration.standardHours(5)))))
        .apply(Window.into(FixedWindows.of(Duration.standardHours(1))));
    PAssert.that(InGlobalWindow.firedOnce(hourly, "One window").apply(Count.perElement()))
        .containsInAnyOrder(org.apache.beam.sdk.values.KV.of("a", 2L));
    p.run().waitUntilFinish();
  }
}
