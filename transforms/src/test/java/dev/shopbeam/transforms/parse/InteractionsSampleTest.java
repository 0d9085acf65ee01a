package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed {@value #SAMPLE} is the Online Retail week's priced purchases by known customers as
 * {@code user,item,rating,timestamp}, and parses back into the same interactions: so {@code evaluate}
 * on it must score as on the week (guests and cancellations count in neither; the runners module runs
 * both and compares the reports).
 */
class InteractionsSampleTest {
  public static final String SAMPLE = "test-data/interactions-sample.csv";
  private static final String WEEK = "test-data/online-retail-2010-12-01_07.csv";
  private static final java.time.Instant INGEST = java.time.Instant.parse("2011-12-31T00:00:00Z");

  static List<CommerceEvent> parse(InputFormat format, List<String> lines) {
    RecordParser parser = format.newParser();
    List<CommerceEvent> events = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (i == 0 && format.isHeader(lines.get(0))) {
        continue;
      }
      RecordOutcome o = parser.parse(lines.get(i), INGEST);
      if (o.isEvent()) {
        events.add(o.event());
      }
    }
    return events;
  }

  /** user,item,behavior,time: what a recommender sees of an event. */
  private static List<String> interactions(List<CommerceEvent> events) {
    List<String> out = new ArrayList<>();
    for (CommerceEvent e : events) {
      if (isKeptPurchase(e)) {
        out.add(e.getUserId() + "," + e.getItemId() + "," + e.getBehavior() + "," + e.getEventTime());
      }
    }
    return out;
  }

  /** A purchase by a known customer that cleaning keeps: free lines (price 0) are filtered there. */
  private static boolean isKeptPurchase(CommerceEvent e) {
    return e.getBehavior() == Behavior.BUY && e.getUserId() != null
        && (e.getUnitPrice() == null || e.getUnitPrice().signum() != 0);
  }

  @Test
  void theSampleIsTheWeeksPurchasesAndParsesBackToThem() throws IOException {
    List<CommerceEvent> week = parse(InputFormat.ONLINE_RETAIL, Files.readAllLines(TestData.path(WEEK), StandardCharsets.UTF_8));
    List<String> lines = Files.readAllLines(TestData.path(SAMPLE), StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>(List.of("user,item,rating,timestamp"));
    for (CommerceEvent e : week) {
      if (isKeptPurchase(e)) {
        expected.add(e.getUserId() + "," + e.getItemId() + ",5," + e.getEventTime().getEpochSecond());
      }
    }
    assertThat(lines, equalTo(expected));
    List<CommerceEvent> plain = parse(InputFormat.INTERACTIONS, lines);
    assertThat(plain.size(), equalTo(lines.size() - 1));
    assertThat(interactions(plain), equalTo(interactions(week)));
  }
}
