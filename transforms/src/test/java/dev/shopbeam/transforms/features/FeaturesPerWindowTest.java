package dev.shopbeam.transforms.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Features per hour of event time, from a stream in which every twentieth event arrives after its
 * window's end (within the allowed lateness): each window comes out once, in one pane, and its rows are
 * the models' over all of that window's events, the late ones included.
 */
@ExtendWith(TestPipelineExtension.class)
class FeaturesPerWindowTest {
  private static final long HOUR = 3_600_000L;
  private static final Duration LATENESS = Duration.standardMinutes(10);

  /** Each row's text with its pane: "ONLY" when it came in a window's one and final pane. */
  static final class WithPaneFn<T> extends DoFn<T, String> {
    @ProcessElement
    public void process(@Element T row, PaneInfo pane, OutputReceiver<String> out) {
      out.output((pane.isFirst() && pane.isLast() ? "ONLY " : "PANE " + pane + " ") + row);
    }
  }

  private static java.time.Instant start(long windowStart) {
    return java.time.Instant.ofEpochMilli(windowStart);
  }

  @Test
  void eachWindowOnceWithItsLateEvents(TestPipeline p) {
    List<CommerceEvent> events = TestEvents.shop(11L, 25, 20, 150);
    TreeMap<Long, List<CommerceEvent>> byWindow = new TreeMap<>();
    events.forEach(e -> byWindow.computeIfAbsent(Math.floorDiv(e.getEventTime().toEpochMilli(), HOUR) * HOUR,
        w -> new ArrayList<>()).add(e));
    TestStream.Builder<CommerceEvent> stream = TestStream.create(Coders.events());
    int late = 0;
    for (Map.Entry<Long, List<CommerceEvent>> w : byWindow.entrySet()) {
      List<TimestampedValue<CommerceEvent>> onTime = new ArrayList<>();
      List<TimestampedValue<CommerceEvent>> held = new ArrayList<>();
      List<TimestampedValue<CommerceEvent>> all = TestEvents.timestamped(w.getValue());
      for (int i = 0; i < all.size(); i++) {
        (i % 20 == 7 ? held : onTime).add(all.get(i));
      }
      stream = addAll(stream, onTime).advanceWatermarkTo(new Instant(w.getKey() + HOUR + 60_000)); // past the end
      stream = addAll(stream, held); // late, within the lateness
      late += held.size();
    }
    PCollectionTuple out = p.apply(stream.advanceWatermarkToInfinity())
        .apply(FeaturesPerWindow.of(Duration.millis(HOUR), LATENESS));

    List<String> expectedItems = new ArrayList<>();
    List<String> expectedUsers = new ArrayList<>();
    for (Map.Entry<Long, List<CommerceEvent>> w : byWindow.entrySet()) {
      for (ItemFeatures f : ItemFeaturesOfTest.model(w.getValue())) {
        expectedItems.add("ONLY " + ItemFeatures.newBuilder(f).setWindowStart(start(w.getKey()))
            .setWindowEnd(start(w.getKey() + HOUR)).build());
      }
      for (UserFeatures f : UserFeaturesOfTest.model(w.getValue())) {
        expectedUsers.add("ONLY " + UserFeatures.newBuilder(f).setWindowStart(start(w.getKey()))
            .setWindowEnd(start(w.getKey() + HOUR)).build());
      }
    }
    assertTrue(byWindow.size() >= 3 && late >= 10, byWindow.size() + " windows, " + late + " late events");
    PCollection<String> items = out.get(FeaturesPerWindow.ITEM_FEATURES)
        .apply("Item panes", ParDo.of(new WithPaneFn<ItemFeatures>())).setCoder(StringUtf8Coder.of());
    PCollection<String> users = out.get(FeaturesPerWindow.USER_FEATURES)
        .apply("User panes", ParDo.of(new WithPaneFn<UserFeatures>())).setCoder(StringUtf8Coder.of());
    PAssert.that(items).containsInAnyOrder(expectedItems);
    PAssert.that(users).containsInAnyOrder(expectedUsers);
    p.run().waitUntilFinish();
  }

  @SuppressWarnings("unchecked")
  private static TestStream.Builder<CommerceEvent> addAll(TestStream.Builder<CommerceEvent> b,
      List<TimestampedValue<CommerceEvent>> xs) {
    if (xs.isEmpty()) {
      return b;
    }
    return b.addElements(xs.get(0), xs.subList(1, xs.size()).toArray(new TimestampedValue[0]));
  }

  @Test
  void aWindowNeedsASizeAndLatenessCannotBeNegative() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> FeaturesPerWindow.of(Duration.ZERO, LATENESS));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> FeaturesPerWindow.of(Duration.standardHours(1), Duration.millis(-1)));
    assertEquals(Duration.standardHours(1), FeaturesPerWindow.of(Duration.standardHours(1), LATENESS).size());
  }
}
