package dev.shopbeam.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A table written from its rows' bytes ({@link WriteTable#encoded}, then {@link WriteTable#ofEncoded})
 * holds exactly the rows, in every output format: windowed rows with timestamps, decimals and nulls in
 * the Avro coder, and events in their hand-written coder.
 */
@ExtendWith(TestPipelineExtension.class)
class WriteTableTest {

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void windowedRowsWrittenFromTheirBytesReadBackTheSame(OutputFormat format, TestPipeline p, @TempDir Path out)
      throws Exception {
    List<ItemStats> stats = itemStats(500);
    List<TimestampedValue<ItemStats>> stamped = new ArrayList<>();
    for (ItemStats s : stats) {
      stamped.add(TimestampedValue.of(s, new org.joda.time.Instant(s.getWindowStart().toEpochMilli())));
    }
    PCollection<ItemStats> rows = p
        .apply("Stats", Create.timestamped(stamped).withCoder(Coders.avro(ItemStats.class)))
        .apply("Hourly", Window.into(FixedWindows.of(Duration.standardHours(1))));
    PCollection<byte[]> encoded = WriteTable.encoded(rows, "item_stats");
    assertThat(encoded.getCoder(), is(ByteArrayCoder.of()));
    encoded.apply(new WriteTable<>("item_stats", ItemStats.class, out.toString(), format, 1)
        .ofEncoded(rows.getCoder()));

    List<CommerceEvent> events = events(300);
    PCollection<CommerceEvent> eventRows = p.apply("Events", Create.of(events).withCoder(Coders.events()));
    // Events: a compact coder's bytes, which the writer decodes with that coder, not Avro's.
    WriteTable.encoded(eventRows, "clean_events")
        .apply("Write events", new WriteTable<>("clean_events", CommerceEvent.class, out.toString(), format, 1)
            .ofEncoded(eventRows.getCoder()));
    p.run().waitUntilFinish();

    assertThat(ReadTables.partFiles(out, "item_stats", format).size(), is(1));
    assertThat(sorted(ReadTables.rows(out, "item_stats", ItemStats.class, format)), is(json(stats)));
    assertThat(sorted(ReadTables.rows(out, "clean_events", CommerceEvent.class, format)), is(json(events)));
  }

  /** Item stats rows with timestamps, decimals (negative ones too), nulls and non-ASCII item ids. */
  static List<ItemStats> itemStats(int n) {
    Random random = new Random(7);
    List<ItemStats> rows = new ArrayList<>();
    Behavior[] behaviors = Behavior.values();
    for (int i = 0; i < n; i++) {
      Instant start = Instant.parse("2011-03-01T00:00:00Z").plusSeconds(3600L * random.nextInt(48));
      boolean priced = random.nextInt(4) > 0;
      BigDecimal price = BigDecimal.valueOf(random.nextInt(200_000) - 100_000, 3);
      rows.add(new ItemStats(start, start.plusSeconds(3600), (i % 7 == 0 ? "Ärmel-☕-" : "item-") + i,
          behaviors[i % behaviors.length],
          1L + random.nextInt(9), (long) random.nextInt(50), priced ? price.multiply(BigDecimal.TEN) : BigDecimal.ZERO.setScale(3),
          priced ? 1L : 0L, priced ? price : null, priced ? price : null, priced ? price : null,
          1L + random.nextInt(3)));
    }
    return rows;
  }

  private static List<CommerceEvent> events(int n) throws Exception {
    dev.shopbeam.transforms.parse.RecordParser parser = dev.shopbeam.transforms.parse.InputFormat.ONLINE_RETAIL.newParser();
    List<CommerceEvent> events = new ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(
        dev.shopbeam.transforms.testing.TestData.path("test-data/online-retail-2010-12-01.csv"))) {
      dev.shopbeam.transforms.RecordOutcome o = parser.parse(line, Instant.parse("2011-12-10T00:00:00Z"));
      if (o.isEvent() && events.size() < n) {
        events.add(o.event());
      }
    }
    assertThat(events.size(), is(n));
    return events;
  }

  private static <T extends org.apache.avro.generic.IndexedRecord> List<String> json(List<T> rows) {
    List<String> out = new ArrayList<>();
    for (T r : rows) {
      out.add(RecordJson.toJson(r));
    }
    return sorted(out);
  }

  private static List<String> sorted(List<String> rows) {
    List<String> copy = new ArrayList<>(rows);
    Collections.sort(copy);
    return copy;
  }
}
