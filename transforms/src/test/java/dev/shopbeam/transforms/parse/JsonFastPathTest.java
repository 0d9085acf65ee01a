package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.testing.Mutations;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JSON parser's in-place route (values of the plainest kinds read straight into the event, no
 * nodes) gives exactly the outcome of its node route: on the sample events in test-data, on mutations
 * of them, and on records built field by field from values of every kind and shape the two routes
 * could disagree on. Every record is parsed both ways; the in-place route must answer for most plain
 * records (or it would not be worth having) and agree whenever it does.
 */
class JsonFastPathTest {
  private static final Instant INGEST = Instant.parse("2024-01-01T00:00:00Z");
  private static final String ALPHABET = "\"\",,::{}[]  \t\u0000\u001F\u00A0\u2028\\-+..0123456789eEZTz:nulltrue";

  private final JsonEventParser parser = new JsonEventParser();
  private final JsonEventParser nodes = new JsonEventParser();
  private int events;
  private int inPlace;

  private void check(String text) {
    RecordOutcome general = nodes.parseWithNodes(text, INGEST);
    RecordOutcome outcome = parser.parse(text, INGEST);
    assertEquals(general.toString(), outcome.toString(), () -> "record: " + text);
    if (outcome.isEvent()) {
      events++;
    }
    if (parser.plainEventOf(text, INGEST) != null) {
      inPlace++;
    }
  }

  @Test
  void theSampleEventsParseAsTheNodeRoute() throws Exception {
    List<String> lines = Files.readAllLines(TestData.path("test-data/events-sample.jsonl"), StandardCharsets.UTF_8);
    for (String line : lines) {
      check(line);
      assertThat("the sample's records are plain: the in-place route answers", parser.plainEventOf(line, INGEST) != null);
    }
  }

  @Test
  void mutatedRecordsParseAsTheNodeRoute() throws Exception {
    List<String> lines = Files.readAllLines(TestData.path("test-data/events-sample.jsonl"), StandardCharsets.UTF_8);
    Random random = new Random(2026);
    for (int i = 0; i < 100_000; i++) {
      check(Mutations.mutate(lines.get(random.nextInt(lines.size())), ALPHABET, random));
    }
    assertThat(events, greaterThan(20_000));
  }

  @Test
  void recordsOfEveryValueKindParseAsTheNodeRoute() {
    String[] ids = {"\"e1\"", "\" e1 \"", "\"\"", "\"  \"", "\"é😀\"", "\"a\\\"b\"", "7", "-7", "0", "2147483648",
      "999999999999999999", "1.5", "true", "false", "null", "{}", "[]"};
    String[] behaviors = {"\"view\"", "\"pv\"", "\"page_view\"", "\"cart\"", "\"add_to_cart\"", "\"fav\"",
      "\"favorite\"", "\"favourite\"", "\"buy\"", "\"purchase\"", "\"cancel\"", "\"VIEW\"", "\" buy \"", "\"buys\"",
      "\"vie\"", "\"\"", "1", "true", "null"};
    String[] times = {"\"2017-11-25T10:00:00Z\"", "\"2017-11-25T10:00:00.123+01:00\"", "\"2017-11-25T10:00:00-05:30\"",
      "\" 2017-11-25T10:00:00Z\"", "\"2017-11-25T10:00:00Z \"", "\"2017-02-29T10:00:00Z\"", "\"2016-02-29T23:59:59Z\"",
      "\"2017-11-25 10:00:00Z\"", "\"2017-11-25T10:00:00+18:00\"", "\"2017-11-25T10:00Z\"", "\"0000-01-01T00:00:00Z\"",
      "\"9999-12-31T23:59:59.999999999Z\"", "1511604000000", "-1", "0", "1.5", "\"1511604000000\"", "true", "null"};
    String[] quantities = {"1", "3", "-2", "0", "2147483647", "2147483648", "-2147483649", "\"4\"", "\" 4 \"", "1.0",
      "true", "null"};
    String[] prices = {"\"12.50\"", "\"12.5\"", "\"12\"", "\"-3.125\"", "\"0.1234\"", "\"12.\"", "\".5\"", "\" 1.00\"",
      "\"999999999.999\"", "\"1000000000\"", "\"1e3\"", "\"abc\"", "\"\"", "12.5", "12", "true", "null"};
    String[] texts = {"\"EUR\"", "\" EUR \"", "\"\"", "\"Germany\"", "\"Côte d'Ivoire\"", "\"a\\nb\"", "7", "true", "null"};
    String[] names = {"event_id", "user_id", "session_id", "item_id", "category_id", "behavior", "quantity",
      "unit_price", "currency", "country", "event_time"};
    String[][] values = {ids, ids, ids, ids, ids, behaviors, quantities, prices, texts, texts, times};
    Random random = new Random(1128);
    for (int k = 0; k < 100_000; k++) {
      StringBuilder sb = new StringBuilder("{");
      boolean first = true;
      for (int i = 0; i < names.length; i++) {
        if (random.nextInt(12) == 0) {
          continue; // absent
        }
        String[] pool = values[i];
        // mostly the plain first values, so that most records are events
        String value = random.nextInt(3) == 0 ? pool[random.nextInt(pool.length)] : pool[random.nextInt(Math.min(4, pool.length))];
        sb.append(first ? "" : random.nextInt(10) == 0 ? " , " : ",").append('"').append(names[i]).append("\":").append(value);
        first = false;
        if (random.nextInt(40) == 0) {
          sb.append(",\"").append(names[i]).append("\":").append(value); // repeated field
        }
      }
      if (random.nextInt(20) == 0) {
        sb.append(first ? "" : ",").append("\"other\":\"x\"");
      }
      check(sb.append('}').toString());
    }
    assertThat(events, greaterThan(10_000));
    assertThat(inPlace, greaterThan(4_000));
  }
}
