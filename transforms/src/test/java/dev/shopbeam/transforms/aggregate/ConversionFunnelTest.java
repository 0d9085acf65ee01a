package dev.shopbeam.transforms.aggregate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.transforms.window.WindowConfig;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * When the funnel may count a window's users in two combines (each window fires once) and when it must
 * keep them in one (early or late panes); the rows themselves are checked against the model in
 * {@link CommerceAnalyticsTest}, bounded (two combines) and streaming (one).
 */
class ConversionFunnelTest {
  private static final WindowConfig HOURLY = WindowConfig.fixed(Duration.standardHours(1));

  @Test
  void boundedInputWithoutEarlyFiringsFiresOncePerWindow() {
    Pipeline p = Pipeline.create();
    PCollection<String> bounded = p.apply(Create.of("a")).apply(HOURLY.<String>window());
    assertTrue(ConversionFunnel.firesOncePerWindow(bounded));
    assertTrue(ConversionFunnel.firesOncePerWindow(p.apply("Global", Create.of("b"))));
    PCollection<String> early = p.apply("Early", Create.of("c"))
        .apply(HOURLY.withEarlyFirings(Duration.standardMinutes(1)).<String>window());
    assertFalse(ConversionFunnel.firesOncePerWindow(early));
  }

  @Test
  void unboundedInputMayFireLatePanes() {
    Pipeline p = Pipeline.create();
    PCollection<String> unbounded = p
        .apply(TestStream.create(StringUtf8Coder.of()).addElements("a").advanceWatermarkToInfinity())
        .apply(HOURLY.<String>window());
    assertFalse(ConversionFunnel.firesOncePerWindow(unbounded));
  }
}
