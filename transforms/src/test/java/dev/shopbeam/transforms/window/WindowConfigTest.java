package dev.shopbeam.transforms.window;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.aggregate.StatsPerWindow;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On-time, early, late and droppable data through {@link WindowConfig}, checked per pane, in the manner
 * of Beam's {@code LeaderBoardTest}: the item stats of one hourly window, as "item:count".
 */
@ExtendWith(TestPipelineExtension.class)
class WindowConfigTest {
  private static final Instant TEN = Instant.parse("2017-11-25T10:00:00Z");
  private static final IntervalWindow WINDOW = new IntervalWindow(TEN, Duration.standardHours(1));
  private static final WindowConfig HOURLY_WITH_LATENESS =
      WindowConfig.fixed(Duration.standardHours(1)).withAllowedLateness(Duration.standardMinutes(30));

  private static TimestampedValue<CommerceEvent> viewAt(int minute) {
    Instant t = TEN.plus(Duration.standardMinutes(minute));
    CommerceEvent e = CommerceEvent.newBuilder()
        .setEventId("e" + minute).setUserId("u1").setItemId("A").setBehavior(Behavior.VIEW).setQuantity(1)
        .setUnitPrice(new BigDecimal("1.000"))
        .setEventTime(java.time.Instant.ofEpochMilli(t.getMillis()))
        .setIngestTime(java.time.Instant.ofEpochMilli(t.getMillis())).setSource("test").build();
    return TimestampedValue.of(e, t);
  }

  private static PCollection<String> counts(PCollection<CommerceEvent> events, WindowConfig config) {
    return events
        .apply(config.<CommerceEvent>window())
        .apply(StatsPerWindow.perItem())
        .apply(MapElements.into(TypeDescriptors.strings()).via((ItemStats s) -> s.getItemId() + ":" + s.getEventCount()));
  }

  @Test
  void onTimeLateAndDroppableData(TestPipeline p) {
    TestStream<CommerceEvent> stream = TestStream.create(Coders.events())
        .addElements(viewAt(5), viewAt(10))
        .advanceWatermarkTo(TEN.plus(Duration.standardMinutes(30)))
        .addElements(viewAt(20))
        // The watermark passes the end of the window: the on-time pane fires with 3 views.
        .advanceWatermarkTo(TEN.plus(Duration.standardMinutes(65)))
        // Late, but within the 30 minutes of allowed lateness: a late pane updates the count.
        .addElements(viewAt(40))
        // Past end of window + allowed lateness: the window is gone, this element is dropped.
        .advanceWatermarkTo(TEN.plus(Duration.standardMinutes(95)))
        .addElements(viewAt(50))
        .advanceWatermarkToInfinity();

    PCollection<String> counts = counts(p.apply(stream), HOURLY_WITH_LATENESS);
    PAssert.that(counts).inOnTimePane(WINDOW).containsInAnyOrder("A:3");
    PAssert.that(counts).inLatePane(WINDOW).containsInAnyOrder("A:4");
    // Panes accumulate: each firing carries the window's whole result so far, the droppable view never.
    PAssert.that(counts).inWindow(WINDOW).containsInAnyOrder("A:3", "A:4");
    p.run().waitUntilFinish();
  }

  @Test
  void earlyFiringsGiveSpeculativeResults(TestPipeline p) {
    WindowConfig early = HOURLY_WITH_LATENESS.withEarlyFirings(Duration.standardMinutes(1));
    TestStream<CommerceEvent> stream = TestStream.create(Coders.events())
        .addElements(viewAt(5), viewAt(10))
        .advanceProcessingTime(Duration.standardMinutes(2))
        .addElements(viewAt(20))
        .advanceWatermarkToInfinity();

    PCollection<String> counts = counts(p.apply(stream), early);
    PAssert.that(counts).inEarlyPane(WINDOW).containsInAnyOrder("A:2");
    PAssert.that(counts).inOnTimePane(WINDOW).containsInAnyOrder("A:3");
    p.run().waitUntilFinish();
  }
}
