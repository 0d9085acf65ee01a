package dev.shopbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.aggregate.BehaviorStats;
import dev.shopbeam.transforms.testing.TestEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

class CompactRecordCodersTest {

  private static List<String> schemaFields(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toList());
  }

  @Test
  void theCodersWriteExactlyTheSchemasFields() {
    // A field added to an .avsc must be added to its coder too, or the coder would drop it in flight.
    assertEquals(schemaFields(CommerceEvent.getClassSchema()), CommerceEventCoder.FIELDS);
    assertEquals(schemaFields(RawRecord.getClassSchema()), RawRecordCoder.FIELDS);
  }

  static CommerceEvent full() {
    return CommerceEvent.newBuilder()
        .setEventId("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        .setUserId("u-17850")
        .setSessionId("536365")
        .setItemId("85123A")
        .setCategoryId("Kategorie ü/é € 漢字")
        .setBehavior(Behavior.CANCEL)
        .setQuantity(Integer.MAX_VALUE)
        .setUnitPrice(new BigDecimal("-123456789.125"))
        .setCurrency("GBP")
        .setCountry("United Kingdom")
        .setEventTime(Instant.parse("1969-12-31T23:59:59.999Z"))
        .setIngestTime(Instant.parse("2011-12-09T12:50:00Z"))
        .setSource("online-retail")
        .build();
  }

  static CommerceEvent minimal() {
    return CommerceEvent.newBuilder()
        .setEventId("")
        .setItemId("i")
        .setBehavior(Behavior.VIEW)
        .setQuantity(1)
        .setEventTime(Instant.ofEpochMilli(0))
        .setIngestTime(Instant.ofEpochMilli(Long.MAX_VALUE / 2))
        .setSource("userbehavior")
        .build();
  }

  @Test
  void eventsRoundTripInEveryContextAndAgreeWithAvro() throws Exception {
    Coder<CommerceEvent> avro = SpecificRecordCoder.of(CommerceEvent.class);
    List<CommerceEvent> events = new java.util.ArrayList<>(List.of(full(), minimal()));
    events.addAll(TestEvents.shop(7, 20, 30, 40));
    for (CommerceEvent e : events) {
      CoderProperties.coderDecodeEncodeEqual(CommerceEventCoder.of(), e);
      CoderProperties.coderDeterministic(CommerceEventCoder.of(), e, CommerceEvent.newBuilder(e).build());
      // The same record as the Avro coder gives back: nothing lost or changed by the hand-written one.
      assertEquals(CoderUtils.clone(avro, e), CoderUtils.clone(CommerceEventCoder.of(), e));
    }
    // Nested: several in a row inside a KV, each must find its own end.
    KvCoder<CommerceEvent, CommerceEvent> pair = KvCoder.of(CommerceEventCoder.of(), CommerceEventCoder.of());
    CoderProperties.coderDecodeEncodeEqual(pair, KV.of(full(), minimal()));
  }

  static CommerceEvent otherOnEveryField() {
    return CommerceEvent.newBuilder()
        .setEventId("e-2")
        .setUserId("u-12347")
        .setSessionId("581587")
        .setItemId("22138")
        .setCategoryId("BAKING SET")
        .setBehavior(Behavior.BUY)
        .setQuantity(-3)
        .setUnitPrice(new BigDecimal("4.95"))
        .setCurrency("EUR")
        .setCountry("France")
        .setEventTime(Instant.parse("2011-12-09T12:50:00Z"))
        .setIngestTime(Instant.parse("2026-12-07T00:00:00Z"))
        .setSource("events-json")
        .build();
  }

  @Test
  void aRecordSetAfterItWasEncodedIsEncodedAfresh() throws Exception {
    // The coder hands its thread's last record's bytes again while every field is the same object as
    // then (Flink encodes an element once per consumer); a field set since, on the same object, must show.
    List<List<CommerceEvent>> fromTo = List.of(List.of(full(), otherOnEveryField()), List.of(full(), minimal()),
        List.of(minimal(), full()));
    for (List<CommerceEvent> pair : fromTo) {
      for (Schema.Field f : CommerceEvent.getClassSchema().getFields()) {
        CommerceEvent e = CommerceEvent.newBuilder(pair.get(0)).build();
        byte[] first = CoderUtils.encodeToByteArray(CommerceEventCoder.of(), e);
        assertArrayEquals(first, CoderUtils.encodeToByteArray(CommerceEventCoder.of(), e));
        CompactRecordCoder.Fields held = new CompactRecordCoder.Fields();
        assertEquals(true, CommerceEventCoder.of().fields(e, held));
        CompactRecordCoder.Fields now = new CompactRecordCoder.Fields();
        CommerceEventCoder.of().fields(e, now);
        assertEquals(true, held.same(now), "an unchanged record is recognised");
        e.put(f.pos(), pair.get(1).get(f.pos()));
        now.clear();
        CommerceEventCoder.of().fields(e, now);
        assertEquals(false, held.same(now), f.name());
        assertEquals(e, CoderUtils.clone(CommerceEventCoder.of(), e), f.name());
      }
    }
  }

  @Test
  void decimalsOfEveryLengthComeBackAsTheyWere() throws Exception {
    // Unscaled values of one to eight bytes are read into a long, longer ones into a BigInteger.
    List<BigDecimal> prices = new java.util.ArrayList<>();
    for (String d : List.of("0", "0.00", "-1", "1.27", "1.28", "-1.28", "-1.29", "255", "-32768", "32767.5",
        "4.95", "-123456789.125", "1E+5", "-7E-30")) {
      prices.add(new BigDecimal(d));
    }
    for (long unscaled : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE >> 8, Long.MIN_VALUE >> 8,
        (Long.MIN_VALUE >> 8) - 1}) {
      prices.add(BigDecimal.valueOf(unscaled, 3));
    }
    prices.add(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(63), 2)); // nine bytes
    prices.add(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(63).negate().subtract(java.math.BigInteger.ONE), 2));
    prices.add(new BigDecimal("-98765432109876543210987654321.0123456789"));
    for (BigDecimal price : prices) {
      CommerceEvent e = CommerceEvent.newBuilder(full()).setUnitPrice(price).build();
      BigDecimal back = CoderUtils.clone(CommerceEventCoder.of(), e).getUnitPrice();
      assertEquals(price, back, price.toString());
      assertEquals(price.hashCode(), back.hashCode(), price.toString());
    }
  }

  @Test
  void statsInputsRoundTripAndAddUpAsTheirEvents() throws Exception {
    BehaviorStats.InputCoder coder = BehaviorStats.InputCoder.INSTANCE;
    List<CommerceEvent> events = new java.util.ArrayList<>(List.of(full(), minimal()));
    events.addAll(TestEvents.shop(7, 20, 30, 40));
    BehaviorStats fromEvents = new BehaviorStats();
    BehaviorStats fromInputs = new BehaviorStats();
    for (CommerceEvent e : events) {
      BehaviorStats.Input in = BehaviorStats.Input.of(e);
      CoderProperties.coderDecodeEncodeEqual(coder, in);
      CoderProperties.coderDeterministic(coder, in, BehaviorStats.Input.of(CommerceEvent.newBuilder(e).build()));
      fromEvents.add(e);
      fromInputs.add(CoderUtils.clone(coder, in));
    }
    assertEquals(fromEvents, fromInputs);
    CoderProperties.coderDecodeEncodeEqual(KvCoder.of(coder, coder),
        KV.of(BehaviorStats.Input.of(full()), BehaviorStats.Input.of(minimal())));
  }

  @Test
  void rawRecordsRoundTripWithoutTouchingThePayloadBuffer() throws Exception {
    byte[] bytes = "1,2,3,pv,1511544070\r\nrest".getBytes(StandardCharsets.UTF_8);
    ByteBuffer payload = ByteBuffer.wrap(bytes, 2, 10).slice();
    RawRecord r = RawRecord.newBuilder()
        .setPayload(payload)
        .setSourceLocation("file:/data/x.csv:42")
        .setIngestTime(Instant.parse("2017-12-04T00:00:00Z"))
        .setOriginalLength(5_000_000_000L)
        .build();
    RawRecord back = CoderUtils.clone(RawRecordCoder.of(), r);
    assertEquals(r, back);
    assertEquals(10, payload.remaining(), "encoding must not consume the caller's buffer");
    byte[] got = new byte[back.getPayload().remaining()];
    back.getPayload().duplicate().get(got);
    assertArrayEquals(Arrays.copyOfRange(bytes, 2, 12), got);
    CoderProperties.coderDecodeEncodeEqual(KvCoder.of(RawRecordCoder.of(), StringUtf8Coder.of()), KV.of(r, "after"));
  }

  @Test
  void cutOrCorruptBytesFailLoudly() throws Exception {
    byte[] encoded = CoderUtils.encodeToByteArray(CommerceEventCoder.of(), full());
    byte[] cut = Arrays.copyOf(encoded, encoded.length - 3);
    assertThrows(IOException.class, () -> CommerceEventCoder.of().decode(new ByteArrayInputStream(cut)));
    // A length prefix that claims fewer bytes than the fields need.
    ByteArrayOutputStream shorter = new ByteArrayOutputStream();
    shorter.write(4);
    shorter.write(encoded, 1, 4);
    assertThrows(IOException.class, () -> CommerceEventCoder.of().decode(new ByteArrayInputStream(shorter.toByteArray())));
    assertThrows(IOException.class, () -> CommerceEventCoder.of().encode(null, new ByteArrayOutputStream()));
  }

  @Test
  void recordsAreSmallerThanAvros() throws Exception {
    // Not the point of the coder (speed is), but it must not be bigger: it crosses every shuffle.
    for (CommerceEvent e : List.of(full(), minimal())) {
      int avro = CoderUtils.encodeToByteArray(SpecificRecordCoder.of(CommerceEvent.class), e).length;
      int compact = CoderUtils.encodeToByteArray(CommerceEventCoder.of(), e).length;
      assertEquals(true, compact <= avro + 2, "compact " + compact + " vs avro " + avro);
    }
  }
}
