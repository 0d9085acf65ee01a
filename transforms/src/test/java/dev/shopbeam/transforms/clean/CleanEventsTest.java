package dev.shopbeam.transforms.clean;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Parse + validate + filter + dedupe as one transform, in batch and in streaming. */
@ExtendWith(TestPipelineExtension.class)
class CleanEventsTest {
  private static final Instant INGEST = Instant.parse("2017-12-01T00:00:00Z");

  static RawRecord raw(String line, int lineNo) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return RawRecord.newBuilder().setPayload(ByteBuffer.wrap(b)).setSourceLocation("mem:" + lineNo)
        .setIngestTime(INGEST).setOriginalLength(b.length).build();
  }

  /** The lines as raw records {@code mem:1}, {@code mem:2}, ... through the batch clean step. */
  static EventStreams cleanInBatch(TestPipeline p, List<String> lines, InputFormat format) {
    List<RawRecord> records = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      records.add(raw(lines.get(i), i + 1));
    }
    return p.apply(Create.of(records).withCoder(Coders.rawRecords()))
        .apply(CleanEvents.of(format, CleanConfig.defaults()));
  }

  static final List<String> LINES = List.of(
      "1,100,7,pv,1511604000",
      "1,100,7,cart,1511604060",
      "1,100,7,pv,1511604000",      // replay of line 1
      "2,200,7,buy,1511604100",
      "2,200,7,buy,1511604100",     // replay of line 4
      "2,200,7,buy,1511604100",     // and again
      "3,300,8,teleport,1511604100", // dead letter
      "3,300,8,pv,151160410000000"); // dead letter: absurd time

  @Test
  void everyRecordLeavesOnceInBatch(TestPipeline p) {
    EventStreams out = cleanInBatch(p, LINES, InputFormat.USERBEHAVIOR);
    PAssert.that(out.events().apply("Events", MapElements.into(TypeDescriptors.strings())
            .via(e -> e.getUserId() + "/" + e.getItemId() + "/" + e.getBehavior())))
        .containsInAnyOrder("1/100/VIEW", "1/100/CART", "2/200/BUY");
    PAssert.that(out.filtered().apply("Rules", MapElements.into(TypeDescriptors.strings()).via(KV::getKey)))
        .containsInAnyOrder("duplicate", "duplicate", "duplicate");
    PAssert.that(out.deadLetters().apply("Reasons", MapElements.into(TypeDescriptors.strings())
            .via(d -> d.getSourceLocation() + " " + d.getReason())))
        .containsInAnyOrder("mem:7 unknown_behavior", "mem:8 invalid_timestamp");
    // Counted by the parse step, per bundle: every record that came in, whichever way it left.
    PAssert.that(out.get(EventStreams.RECORDS_IN).apply("Records in", Sum.longsGlobally()))
        .containsInAnyOrder((long) LINES.size());
    p.run().waitUntilFinish();
  }

  // Real Online Retail lines (test-data/malformed/online-retail-malformed.csv, lines 2, 3, 26-28).
  static final List<String> RETAIL_LINES = List.of(
      "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
      "536365,85123A,\"WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
      "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.00,12583,France",
      "536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom",
      "536589,21777,,-10,2010-12-01 16:50:00,0,,United Kingdom",
      "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom");

  @Test
  void parseFiltersAndDeadLettersLeaveOnceEachUnderTheirRuleAndLocation(TestPipeline p) {
    EventStreams out = cleanInBatch(p, RETAIL_LINES, InputFormat.ONLINE_RETAIL);
    PAssert.that(out.events().apply("Events", MapElements.into(TypeDescriptors.strings())
            .via(e -> e.getUserId() + "/" + e.getItemId())))
        .containsInAnyOrder("17850/85123A");
    PAssert.that(out.filtered().apply("Rules", MapElements.into(TypeDescriptors.strings())
            .via(kv -> kv.getKey().equals("duplicate") ? "duplicate" : kv.getValue() + " " + kv.getKey())))
        .containsInAnyOrder("mem:3 non_product:postage", "mem:4 zero_price", "mem:5 stock_adjustment", "duplicate");
    PAssert.that(out.deadLetters().apply("Reasons", MapElements.into(TypeDescriptors.strings())
            .via(d -> d.getSourceLocation() + " " + d.getReason())))
        .containsInAnyOrder("mem:2 malformed_csv");
    p.run().waitUntilFinish();
  }

  @Test
  void aReplayArrivingLaterInAStreamIsStillADuplicate(TestPipeline p) {
    TestStream<RawRecord> stream = TestStream.create(Coders.rawRecords())
        .addElements(raw(LINES.get(0), 1), raw(LINES.get(1), 2))
        .advanceProcessingTime(Duration.standardMinutes(5))
        .addElements(raw(LINES.get(2), 3))
        .advanceWatermarkToInfinity();
    EventStreams out = p.apply(stream).apply(CleanEvents.of(InputFormat.USERBEHAVIOR, CleanConfig.defaults()));
    // Unbounded input has no bundles to count records per: the count is the batch pipeline's.
    assertThat(out.has(EventStreams.RECORDS_IN), is(false));
    PAssert.that(out.events().apply("Count events", Combine.globally(Count.<dev.shopbeam.schemas.CommerceEvent>combineFn()).withoutDefaults())).containsInAnyOrder(2L);
    PAssert.that(out.filtered().apply(MapElements.into(TypeDescriptors.strings()).via(KV::getKey)))
        .containsInAnyOrder("duplicate");
    p.run().waitUntilFinish();
  }

  /** Dedupe keeps the windowing's allowed lateness: late events (and late replays) are handled, not lost. */
  @Test
  void lateEventsWithinTheAllowedLatenessPassDedupe(TestPipeline p) {
    CleanConfig config = CleanConfig.defaults().toBuilder().setAllowedLateness(Duration.standardHours(2)).build();
    TestStream<RawRecord> stream = TestStream.create(Coders.rawRecords())
        .addElements(raw("1,100,7,pv,1511604000", 1)) // 2017-11-25T10:00:00Z
        // Past the end of the event's hour, within the 2 hours of allowed lateness.
        .advanceWatermarkTo(org.joda.time.Instant.parse("2017-11-25T12:00:00Z"))
        .addElements(raw("4,400,7,pv,1511605800", 2), raw("1,100,7,pv,1511604000", 3))
        .advanceWatermarkToInfinity();
    EventStreams out = p.apply(stream).apply(CleanEvents.of(InputFormat.USERBEHAVIOR, config));
    PAssert.that(out.events().apply("Users", MapElements.into(TypeDescriptors.strings()).via(e -> e.getUserId())))
        .containsInAnyOrder("1", "4");
    PAssert.that(out.filtered().apply("Rules", MapElements.into(TypeDescriptors.strings()).via(KV::getKey)))
        .containsInAnyOrder("duplicate");
    p.run().waitUntilFinish();
  }

  @Test
  void configRejectsNonsense() {
    try {
      CleanConfig.defaults().toBuilder().setDedupeWindow(Duration.ZERO).build();
      throw new AssertionError("expected a rejection");
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage().contains("dedupeWindow"), is(true));
    }
  }
}
