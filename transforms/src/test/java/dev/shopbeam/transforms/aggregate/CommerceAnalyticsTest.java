package dev.shopbeam.transforms.aggregate;

import static dev.shopbeam.transforms.testing.TestEvents.asText;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.AnalyticsModel;
import dev.shopbeam.transforms.testing.LastPanes;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import dev.shopbeam.transforms.window.WindowConfig;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every aggregate table equals its plain-Java model ({@link AnalyticsModel}), for bounded input and for
 * the same events arriving as a stream, in the manner of Nexmark's {@code QueryTest.queryMatchesModel}.
 */
@ExtendWith(TestPipelineExtension.class)
class CommerceAnalyticsTest {
  private static final long HOUR = 3_600_000L;
  private static final long FIVE_MINUTES = 300_000L;
  private static final List<CommerceEvent> EVENTS = TestEvents.shop(7L, 25, 30, 60);

  private static CommerceAnalytics analytics(WindowConfig window) {
    return CommerceAnalytics.of(window, HotItems.of(Duration.standardHours(1), Duration.standardMinutes(5), 3));
  }

  private static void assertMatchesModel(AnalyticsTables t, long size, long period) {
    PAssert.that(asText(t.itemStats())).containsInAnyOrder(asText(AnalyticsModel.itemStats(EVENTS, size, period)));
    PAssert.that(asText(t.funnel())).containsInAnyOrder(asText(AnalyticsModel.funnel(EVENTS, size, period)));
    PAssert.that(asText(t.hotItems())).containsInAnyOrder(asText(AnalyticsModel.hotItems(EVENTS, HOUR, FIVE_MINUTES, 3)));
  }

  @Test
  void batchMatchesModelInFixedWindows(TestPipeline p) {
    PCollection<CommerceEvent> events = p.apply(Create.timestamped(TestEvents.timestamped(EVENTS)).withCoder(Coders.events()));
    assertMatchesModel(events.apply(analytics(WindowConfig.fixed(Duration.standardHours(1)))), HOUR, HOUR);
    p.run().waitUntilFinish();
  }

  @Test
  void batchMatchesModelInSlidingWindows(TestPipeline p) {
    PCollection<CommerceEvent> events = p.apply(Create.timestamped(TestEvents.timestamped(EVENTS)).withCoder(Coders.events()));
    WindowConfig sliding = WindowConfig.sliding(Duration.standardMinutes(30), Duration.standardMinutes(10));
    assertMatchesModel(events.apply(analytics(sliding)), 30 * 60_000L, 10 * 60_000L);
    p.run().waitUntilFinish();
  }

  /**
   * The funnel of bounded input adds up each user's steps per bundle and window before its combines;
   * bundles that hand them on after every one (a user's steps then leave once per event) or after seven
   * give the same rows, in sliding windows, where each event is in three.
   */
  @Test
  void batchFunnelMatchesModelWhenBundlesHandStepsOnEarly(TestPipeline p) {
    PCollection<CommerceEvent> events = p.apply(Create.timestamped(TestEvents.timestamped(EVENTS)).withCoder(Coders.events()));
    WindowConfig sliding = WindowConfig.sliding(Duration.standardMinutes(30), Duration.standardMinutes(10));
    for (int maxHeld : new int[] {1, 7}) {
      PCollection<FunnelStats> funnel = events
          .apply("Window, at most " + maxHeld, sliding.<CommerceEvent>window())
          .apply("Funnel, at most " + maxHeld, new ConversionFunnel(maxHeld));
      PAssert.that("funnel, at most " + maxHeld + " held", asText(funnel))
          .containsInAnyOrder(asText(AnalyticsModel.funnel(EVENTS, 30 * 60_000L, 10 * 60_000L)));
    }
    p.run().waitUntilFinish();
  }

  /**
   * Each stats table windows the events itself. A windowed collection with more than one reader is one
   * that Beam's Spark runner keeps in memory as objects (with Spark's size estimates over them); a
   * window assignment per reader is a map every runner fuses into that reader.
   */
  @Test
  void everyWindowAssignmentHasOneReader() {
    org.apache.beam.sdk.Pipeline p = org.apache.beam.sdk.Pipeline.create();
    p.apply(Create.timestamped(TestEvents.timestamped(EVENTS)).withCoder(Coders.events()))
        .apply(analytics(WindowConfig.fixed(Duration.standardHours(1))));
    java.util.Map<org.apache.beam.sdk.values.PValue, String> windowed = new java.util.HashMap<>();
    java.util.Map<org.apache.beam.sdk.values.PValue, Integer> readers = new java.util.HashMap<>();
    p.traverseTopologically(new org.apache.beam.sdk.Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        node.getInputs().values().forEach(in -> readers.merge(in, 1, Integer::sum));
        if (node.getFullName().contains("window (")) {
          node.getOutputs().values().forEach(out -> windowed.put(out, node.getFullName()));
        }
      }
    });
    org.hamcrest.MatcherAssert.assertThat(windowed.size(), org.hamcrest.Matchers.is(3));
    windowed.forEach((out, step) ->
        org.hamcrest.MatcherAssert.assertThat(step, readers.get(out), org.hamcrest.Matchers.is(1)));
  }

  @Test
  void streamingMatchesModel(TestPipeline p) {
    // The events arrive in their (slightly out-of-order) arrival order, in batches, with the watermark
    // trailing the arrivals by more than the disorder, so nothing is late.
    TestStream.Builder<CommerceEvent> stream = TestStream.create(Coders.events());
    List<TimestampedValue<CommerceEvent>> all = TestEvents.timestamped(EVENTS);
    for (int i = 0; i < all.size(); i += 50) {
      List<TimestampedValue<CommerceEvent>> batch = all.subList(i, Math.min(all.size(), i + 50));
      stream = stream.addElements(batch.get(0), batch.subList(1, batch.size()).toArray(new TimestampedValue[0]));
      Instant earliestLater = all.subList(Math.min(all.size(), i + 50), all.size()).stream()
          .map(TimestampedValue::getTimestamp).min(Instant::compareTo).orElse(null);
      if (earliestLater != null) {
        stream = stream.advanceWatermarkTo(earliestLater.minus(Duration.millis(1)));
      }
    }
    PCollection<CommerceEvent> events = p.apply(stream.advanceWatermarkToInfinity());
    assertMatchesModel(events.apply(analytics(WindowConfig.fixed(Duration.standardHours(1)))), HOUR, HOUR);
    p.run().waitUntilFinish();
  }

  /**
   * Late data within the allowed lateness updates the windows it falls in: a tenth of the events is held
   * back until every window has fired on time, then arrives late. The last pane of every key must
   * equal the model over all events (no double counting, nothing lost), and late panes must occur.
   */
  @Test
  void lateDataUpdatesEveryTableToTheModel(TestPipeline p) {
    List<TimestampedValue<CommerceEvent>> all = TestEvents.timestamped(EVENTS);
    java.util.Random random = new java.util.Random(11);
    List<TimestampedValue<CommerceEvent>> onTime = new java.util.ArrayList<>();
    List<TimestampedValue<CommerceEvent>> late = new java.util.ArrayList<>();
    for (TimestampedValue<CommerceEvent> e : all) {
      (random.nextInt(10) == 0 ? late : onTime).add(e);
    }
    Instant last = all.stream().map(TimestampedValue::getTimestamp).max(Instant::compareTo).orElseThrow();
    TestStream<CommerceEvent> stream = TestStream.create(Coders.events())
        .addElements(onTime.get(0), onTime.subList(1, onTime.size()).toArray(new TimestampedValue[0]))
        .advanceWatermarkTo(last.plus(Duration.standardHours(2)))
        .addElements(late.get(0), late.subList(1, late.size()).toArray(new TimestampedValue[0]))
        .advanceWatermarkToInfinity();

    WindowConfig sliding = WindowConfig.sliding(Duration.standardMinutes(30), Duration.standardMinutes(10))
        .withAllowedLateness(Duration.standardDays(30));
    AnalyticsTables t = p.apply(stream).apply(analytics(sliding));
    long size = 30 * 60_000L;
    long period = 10 * 60_000L;
    PAssert.that(LastPanes.of(t.itemStats(), "item stats",
            s -> s.getWindowStart() + "|" + s.getItemId() + "|" + s.getBehavior()))
        .containsInAnyOrder(asText(AnalyticsModel.itemStats(EVENTS, size, period)));
    PAssert.that(LastPanes.of(t.funnel(), "funnel", f -> f.getWindowStart().toString()))
        .containsInAnyOrder(asText(AnalyticsModel.funnel(EVENTS, size, period)));
    PAssert.that(LastPanes.of(t.hotItems(), "hot items", h -> h.getWindowStart() + "|" + h.getBehavior() + "|" + h.getRank()))
        .containsInAnyOrder(asText(AnalyticsModel.hotItems(EVENTS, HOUR, FIVE_MINUTES, 3)));
    PAssert.thatSingleton(LastPanes.latePanes(t.funnel(), "funnel")).satisfies(n -> {
      org.junit.jupiter.api.Assertions.assertTrue(n > 0, "no late pane fired: the test proves nothing");
      return null;
    });
    PAssert.thatSingleton(LastPanes.latePanes(t.hotItems(), "hot items")).satisfies(n -> {
      org.junit.jupiter.api.Assertions.assertTrue(n > 0, "no late pane fired: the test proves nothing");
      return null;
    });
    p.run().waitUntilFinish();
  }
}
