package dev.shopbeam.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The two dedupe paths (grouping for bounded input, state for unbounded) keep the same events. */
@ExtendWith(TestPipelineExtension.class)
class DedupeEventsTest {

  static CommerceEvent event(String id, String item, String time) {
    return CommerceEvent.newBuilder().setEventId(id).setUserId("u").setItemId(item).setBehavior(Behavior.VIEW)
        .setQuantity(1).setEventTime(Instant.parse(time)).setIngestTime(Instant.parse("2017-12-01T00:00:00Z"))
        .setSource("json").build();
  }

  // Copies of id "a" at different times within one dedupe hour, as a re-sent JSON event can be.
  static final List<CommerceEvent> EVENTS = List.of(
      event("a", "1", "2017-11-25T10:20:00Z"),
      event("a", "1", "2017-11-25T10:05:00Z"),
      event("b", "2", "2017-11-25T10:30:00Z"),
      event("a", "1", "2017-11-25T10:40:00Z"),
      event("c", "3", "2017-11-25T11:10:00Z"));

  static final class Describe extends DoFn<CommerceEvent, String> {
    @ProcessElement
    public void process(@Element CommerceEvent e, @Timestamp org.joda.time.Instant ts, OutputReceiver<String> out) {
      out.output(e.getEventId() + " " + e.getEventTime() + " at " + ts);
    }
  }

  static PCollection<String> described(PCollectionTuple out) {
    return out.get(EventStreams.EVENTS).apply("Describe", ParDo.of(new Describe()));
  }

  @Test
  void inBatchTheEarliestCopyWinsAndKeepsItsTimestamp(TestPipeline p) {
    PCollectionTuple out = p.apply(Create.timestamped(timestamped()).withCoder(Coders.events()))
        .apply(new DedupeEvents(Duration.standardHours(1), Duration.ZERO));
    PAssert.that(described(out)).containsInAnyOrder(
        "a 2017-11-25T10:05:00Z at 2017-11-25T10:05:00.000Z",
        "b 2017-11-25T10:30:00Z at 2017-11-25T10:30:00.000Z",
        "c 2017-11-25T11:10:00Z at 2017-11-25T11:10:00.000Z");
    PAssert.that(out.get(EventStreams.FILTERED).apply("Filtered", MapElements.into(TypeDescriptors.strings())
            .via((KV<String, String> kv) -> kv.getKey() + " " + kv.getValue())))
        .containsInAnyOrder("duplicate a", "duplicate a");
    assertEquals(TimestampCombiner.END_OF_WINDOW,
        out.get(EventStreams.EVENTS).getWindowingStrategy().getTimestampCombiner(),
        "the grouping's EARLIEST rule must not leak into later windowing");
    assertEquals(org.apache.beam.sdk.transforms.windowing.GlobalWindows.class,
        out.get(EventStreams.EVENTS).getWindowingStrategy().getWindowFn().getClass(),
        "bounded events leave in the global window: the dedupe window is only how copies are grouped");
    p.run().waitUntilFinish();
  }

  @Test
  void inAStreamTheFirstCopyToArriveWins(TestPipeline p) {
    TestStream.Builder<CommerceEvent> stream = TestStream.create(Coders.events());
    for (TimestampedValue<CommerceEvent> e : timestamped()) {
      stream = stream.addElements(e);
    }
    PCollectionTuple out = p.apply(stream.advanceWatermarkToInfinity())
        .apply(new DedupeEvents(Duration.standardHours(1), Duration.ZERO));
    PAssert.that(described(out)).containsInAnyOrder(
        "a 2017-11-25T10:20:00Z at 2017-11-25T10:20:00.000Z",
        "b 2017-11-25T10:30:00Z at 2017-11-25T10:30:00.000Z",
        "c 2017-11-25T11:10:00Z at 2017-11-25T11:10:00.000Z");
    assertEquals(TimestampCombiner.END_OF_WINDOW,
        out.get(EventStreams.EVENTS).getWindowingStrategy().getTimestampCombiner());
    p.run().waitUntilFinish();
  }

  /**
   * 600 events; about a third are copies of an earlier id, within 50 minutes of it either way, so some
   * copies fall in another dedupe hour (and are kept there) and some are earlier than the first.
   */
  static List<CommerceEvent> manyEvents() {
    Random random = new Random(11);
    List<CommerceEvent> events = new ArrayList<>();
    long start = java.time.Instant.parse("2017-11-25T00:00:00Z").toEpochMilli();
    for (int i = 0; i < 600; i++) {
      if (!events.isEmpty() && random.nextInt(3) == 0) {
        CommerceEvent original = events.get(random.nextInt(events.size()));
        long shift = (random.nextInt(101) - 50) * 60_000L;
        events.add(event(original.getEventId(), original.getItemId(),
            original.getEventTime().plusMillis(shift).toString()));
      } else {
        events.add(event("id-" + i, "item-" + random.nextInt(40),
            java.time.Instant.ofEpochMilli(start + random.nextInt(24 * 3_600) * 1_000L).toString()));
      }
    }
    return events;
  }

  /** The model: per id and dedupe hour, the earliest copy stays; every other copy is filtered. */
  static List<String> keptByModel(List<CommerceEvent> events) {
    Map<String, CommerceEvent> earliest = new TreeMap<>();
    for (CommerceEvent e : events) {
      String key = e.getEventId() + "@" + e.getEventTime().toEpochMilli() / 3_600_000L;
      earliest.merge(key, e, (a, b) -> b.getEventTime().isBefore(a.getEventTime()) ? b : a);
    }
    List<String> kept = new ArrayList<>();
    for (CommerceEvent e : earliest.values()) {
      kept.add(e.getEventId() + " " + e.getEventTime() + " at " + new org.joda.time.Instant(e.getEventTime().toEpochMilli()));
    }
    return kept;
  }

  /** Bounded input through the id tally of the given shape gives the model's rows and filtered copies. */
  static void boundedMatchesModel(TestPipeline p, DedupeEvents dedupe) {
    List<CommerceEvent> events = manyEvents();
    List<String> kept = keptByModel(events);
    List<TimestampedValue<CommerceEvent>> input = new ArrayList<>();
    for (CommerceEvent e : events) {
      input.add(TimestampedValue.of(e, new org.joda.time.Instant(e.getEventTime().toEpochMilli())));
    }
    PCollectionTuple out = p.apply(Create.timestamped(input).withCoder(Coders.events())).apply(dedupe);
    PAssert.that(described(out)).containsInAnyOrder(kept);
    int copies = events.size() - kept.size();
    PAssert.that(out.get(EventStreams.FILTERED)).satisfies(filtered -> {
      int n = 0;
      for (KV<String, String> f : filtered) {
        assertEquals(CleanReasons.DUPLICATE_RULE, f.getKey());
        n++;
      }
      assertEquals(copies, n, "filtered copies");
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void inBatchWithAnExactSparseTallyTheRowsAreTheModels(TestPipeline p) {
    boundedMatchesModel(p, new DedupeEvents(Duration.standardHours(1), Duration.ZERO));
  }

  @Test
  void inBatchWithADenseTallyOfFalsePositivesTheRowsAreTheModels(TestPipeline p) {
    // 1,024 cells for about 400 ids: many single copies are grouped too, most are not.
    boundedMatchesModel(p, new DedupeEvents(Duration.standardHours(1), Duration.ZERO, 10, 16));
  }

  @Test
  void inBatchWhenEveryIdMayRepeatTheRowsAreTheModels(TestPipeline p) {
    // 64 cells: every event is grouped, as before the tally.
    boundedMatchesModel(p, new DedupeEvents(Duration.standardHours(1), Duration.ZERO, 6, 0));
  }

  static List<TimestampedValue<CommerceEvent>> timestamped() {
    return EVENTS.stream()
        .map(e -> TimestampedValue.of(e, new org.joda.time.Instant(e.getEventTime().toEpochMilli())))
        .collect(java.util.stream.Collectors.toList());
  }
}
