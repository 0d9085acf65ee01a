package dev.shopbeam.transforms.anomaly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The series points equal the plain-Java model's ({@link AnomalyModel#points}) on the synthetic shop. */
@ExtendWith(TestPipelineExtension.class)
class MetricsPerWindowTest {
  private static final long HOUR = 3_600_000L;

  private static DeadLetter deadLetter(String where) {
    return DeadLetter.newBuilder().setRawPayload("x").setRawPayloadEncoding("utf-8").setSourceLocation(where)
        .setReason("malformed_csv").setErrorDetail("test").setStage("parse").setSource("json")
        .setRejectedAt(java.time.Instant.EPOCH).build();
  }

  @Test
  void pointsMatchModel(TestPipeline p) {
    // Online Retail lines (sessions are invoices: orders differ from buys) and shop events (views, categories).
    List<CommerceEvent> events = new ArrayList<>(TestEvents.shop(11L, 20, 25, 50));
    events.addAll(ShopData.onlineRetailWeek().subList(0, 300));
    long first = events.get(0).getEventTime().toEpochMilli();
    List<Long> deadLetterTimes = List.of(first, first + 10, first + 2 * HOUR);
    List<TimestampedValue<DeadLetter>> deadLetters = new ArrayList<>();
    for (long t : deadLetterTimes) {
      deadLetters.add(TimestampedValue.of(deadLetter("at " + t), new Instant(t)));
    }
    // Without a time (batch file records): left out of dead_letter_rate.
    deadLetters.add(TimestampedValue.of(deadLetter("no time"), BoundedWindow.TIMESTAMP_MIN_VALUE));

    List<SeriesPoint> expected = AnomalyModel.points(events, deadLetterTimes, HOUR);
    assertThat(expected.stream().filter(x -> x.metric().equals("orders") && x.value() < x.volume()).count(),
        greaterThan(0L));
    assertThat(expected.stream().filter(x -> x.metric().equals("dead_letter_rate") && x.value() > 0).count(),
        greaterThan(0L));

    PCollection<CommerceEvent> in = p.apply("Events", Create.timestamped(TestEvents.timestamped(events))
        .withCoder(Coders.events()));
    PCollection<DeadLetter> dead = p.apply("Dead letters", Create.timestamped(deadLetters)
        .withCoder(Coders.deadLetters()));
    // Bounded events are tallied per bundle first: with the usual cap, and handed on after every tally
    // and after five.
    MetricsPerWindow metrics = MetricsPerWindow.of(Duration.standardHours(1), Duration.ZERO);
    for (MetricsPerWindow m : List.of(metrics, metrics.withMaxHeld(1), metrics.withMaxHeld(5))) {
      PCollection<SeriesPoint> points = MetricsPerWindow.inputs(in, dead).apply("Metrics, at most " + m.maxHeld(), m);
      PAssert.that("points, at most " + m.maxHeld() + " held",
              points.apply("As text, at most " + m.maxHeld(), MapElements.into(TypeDescriptors.strings()).via(MetricsPerWindowTest::text)))
          .containsInAnyOrder(expected.stream().map(MetricsPerWindowTest::text).collect(Collectors.toList()));
    }
    p.run().waitUntilFinish();
  }

  private static String text(SeriesPoint x) {
    return x + " noise " + x.noise();
  }
}
