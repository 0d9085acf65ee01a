package dev.shopbeam.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.time.Instant;
import java.util.List;
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

  static List<TimestampedValue<CommerceEvent>> timestamped() {
    return EVENTS.stream()
        .map(e -> TimestampedValue.of(e, new org.joda.time.Instant(e.getEventTime().toEpochMilli())))
        .collect(java.util.stream.Collectors.toList());
  }
}
