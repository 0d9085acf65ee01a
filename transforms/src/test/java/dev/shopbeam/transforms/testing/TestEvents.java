package dev.shopbeam.transforms.testing;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.parse.JsonEventParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;

/** Shop events for transform tests, and helpers to compare records as text. */
public final class TestEvents {
  private TestEvents() {}

  /** Priced, categorised events from the synthetic shop, parsed by the real JSON parser. */
  public static List<CommerceEvent> shop(long seed, int users, int items, int sessions) {
    JsonEventParser parser = new JsonEventParser();
    List<CommerceEvent> events = new ArrayList<>();
    for (SyntheticShop.Interaction i : SyntheticShop.generate(seed, users, items, sessions)) {
      RecordOutcome o = parser.parse(SyntheticShop.jsonLine(i), Instant.parse("2017-12-01T00:00:00Z"));
      events.add(o.event());
    }
    return events;
  }

  public static List<TimestampedValue<CommerceEvent>> timestamped(List<CommerceEvent> events) {
    return events.stream()
        .map(e -> TimestampedValue.of(e, new org.joda.time.Instant(e.getEventTime().toEpochMilli())))
        .collect(Collectors.toList());
  }

  /** Records compare by their Avro text form: logical types print as values, not bytes. */
  public static <T> PCollection<String> asText(PCollection<T> records) {
    return records.apply("As text " + records.getName(), MapElements.into(TypeDescriptors.strings()).via(Object::toString));
  }

  public static List<String> asText(List<?> records) {
    return records.stream().map(Object::toString).collect(Collectors.toList());
  }
}
