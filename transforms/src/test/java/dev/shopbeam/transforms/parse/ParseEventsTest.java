package dev.shopbeam.transforms.parse;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The parse step's per-bundle count of records in and tally of the events out. */
@ExtendWith(TestPipelineExtension.class)
class ParseEventsTest {

  /**
   * Beam checks each output timestamp against the input's minus the allowed skew. The skew must let an
   * event time be anything valid, from the latest input's time too, and subtracting it from the
   * earliest (a file record's) must not overflow: Beam catches that ArithmeticException per record.
   */
  @Test
  void theAllowedSkewLetsAnyValidEventTimeThroughWithoutOverflow() {
    Duration skew = ParseEvents.ParseFn.ANY_EARLIER;
    org.joda.time.Instant min = org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE;
    org.joda.time.Instant max = org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE;
    org.junit.jupiter.api.Assertions.assertFalse(min.isBefore(max.minus(skew)));
    org.junit.jupiter.api.Assertions.assertTrue(min.minus(skew).isBefore(min));
  }

  private static final TupleTag<StringBuilder> ITEMS = new TupleTag<>("items") {};

  /** A tally that lists the item of every event emitted, ';'-separated: each event exactly once. */
  static final class ItemsTally implements EventTally<StringBuilder> {
    @Override
    public StringBuilder create() {
      return new StringBuilder();
    }

    @Override
    public void add(StringBuilder tally, CommerceEvent event) {
      tally.append(event.getItemId()).append(';');
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Coder<StringBuilder> coder() {
      return (Coder) StringBuilderCoder.INSTANCE;
    }
  }

  static final class StringBuilderCoder extends org.apache.beam.sdk.coders.AtomicCoder<StringBuilder> {
    static final StringBuilderCoder INSTANCE = new StringBuilderCoder();

    @Override
    public void encode(StringBuilder value, java.io.OutputStream out) throws java.io.IOException {
      StringUtf8Coder.of().encode(value.toString(), out);
    }

    @Override
    public StringBuilder decode(java.io.InputStream in) throws java.io.IOException {
      return new StringBuilder(StringUtf8Coder.of().decode(in));
    }
  }

  static List<RawRecord> records(String... lines) {
    List<RawRecord> records = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      byte[] b = lines[i].getBytes(StandardCharsets.UTF_8);
      records.add(RawRecord.newBuilder().setPayload(ByteBuffer.wrap(b)).setSourceLocation("mem:" + (i + 1))
          .setIngestTime(Instant.parse("2017-12-01T00:00:00Z")).setOriginalLength(b.length).build());
    }
    return records;
  }

  @Test
  void countsEveryRecordInAndTalliesEveryEventOut(TestPipeline p) {
    List<RawRecord> records = records(
        "1,100,7,pv,1511604000",
        "1,101,7,cart,1511604060",
        "",                           // dead letter: empty
        "3,300,8,teleport,1511604100", // dead letter: unknown behavior
        "2,200,7,buy,1511604100",
        "2,200,7,buy,1511604100");     // a copy: parsing keeps it (dedupe is not this step's)
    EventStreams out = p.apply(Create.of(records).withCoder(Coders.rawRecords()))
        .apply(ParseEvents.of(InputFormat.USERBEHAVIOR).countingRecords().tallyingEvents(new ItemsTally(), ITEMS));
    PAssert.that(out.get(EventStreams.RECORDS_IN).apply("Records in", Sum.longsGlobally())).containsInAnyOrder(6L);
    PCollection<String> tallied = out.get(ITEMS).apply("Items tallied", FlatMapElements.into(TypeDescriptors.strings())
        .via(t -> List.of(t.toString().split(";"))));
    PAssert.that(tallied).containsInAnyOrder("100", "101", "200", "200");
    PAssert.that(out.deadLetters().apply("Dead letters", Count.globally())).containsInAnyOrder(2L);
    p.run().waitUntilFinish();
  }

  @Test
  void countingIsPerBundleOfTheGlobalWindowOnly() {
    PCollection<RawRecord> windowed = org.apache.beam.sdk.Pipeline.create().apply(Create.of(records("1,100,7,pv,1511604000")).withCoder(Coders.rawRecords()))
        .apply(Window.into(FixedWindows.of(Duration.standardHours(1))));
    assertThrows(IllegalArgumentException.class,
        () -> windowed.apply(ParseEvents.of(InputFormat.USERBEHAVIOR).countingRecords()));
  }
}
