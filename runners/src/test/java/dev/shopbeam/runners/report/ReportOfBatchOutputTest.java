package dev.shopbeam.runners.report;

import static dev.shopbeam.runners.report.ReportCommandTest.byClass;
import static dev.shopbeam.runners.report.ReportCommandTest.card;
import static dev.shopbeam.runners.report.ReportCommandTest.chart;
import static dev.shopbeam.runners.report.ReportCommandTest.title;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The report of a real batch run (the JSON sample on Flink, the fast local runner) agrees with the
 * run's own aggregate tables, which the report does not read: hourly fixed windows of item_stats hold
 * each hour's events per behavior and its revenue, category_stats each category's revenue, and
 * user_features has a row per known user.
 */
class ReportOfBatchOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", java.util.Locale.ROOT).withZone(ZoneOffset.UTC);

  @TempDir Path tmp;

  @Test
  @Timeout(300)
  void theReportAgreesWithTheRunsAggregateTables() throws Exception {
    Path out = tmp.resolve("out");
    int exit = BatchPipeline.run(new String[] {"--input=" + TestData.path("test-data/events-sample.jsonl"),
        "--format=json", "--output=" + out, "--runner=FlinkRunner",
        "--tables=clean_events,item_stats,category_stats,user_features"}, System.out, System.err);
    assertThat(exit, is(0));
    Path page = tmp.resolve("report.html");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(ReportCommand.run(new String[] {"--input=" + out, "--output=" + page}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8)), is(0));
    String html = Files.readString(page);

    JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
    assertThat(card(html, "read"), is(Html.count(summary.get("read").asLong())));
    assertThat(card(html, "valid"), is(Html.count(summary.get("valid").asLong())));
    assertThat(card(html, "filtered"), is(Html.count(summary.get("filtered").get("total").asLong())));

    List<JsonNode> itemStats = rows(out, Tables.ITEM_STATS, ItemStats.class);
    assertThat(itemStats.size(), greaterThan(50));
    BigDecimal revenue = BigDecimal.ZERO;
    Map<String, Long> eventsByHourAndBehavior = new TreeMap<>();
    Map<String, BigDecimal> revenueByHour = new TreeMap<>();
    for (JsonNode r : itemStats) {
      String hour = HOUR.format(Instant.parse(r.get("window_start").asText()));
      String behavior = r.get("behavior").asText();
      eventsByHourAndBehavior.merge(behavior + " " + hour, r.get("event_count").asLong(), Long::sum);
      if (behavior.equals("BUY")) {
        revenue = revenue.add(r.get("revenue").decimalValue());
        revenueByHour.merge(hour, r.get("revenue").decimalValue(), BigDecimal::add);
      }
    }
    assertThat(card(html, "revenue"), is(Html.money(revenue)));
    assertThat(card(html, "users"), is(Html.count(rows(out, Tables.USER_FEATURES, UserFeatures.class).size())));

    // every point of the events chart is the hour's item_stats count; hours without rows are 0
    int points = 0;
    for (Element s : byClass(chart(html, "events"), "g", "series")) {
      for (Element p : byClass(s, "circle", "point")) {
        String t = title(p); // "VIEW, 2017-11-25 08:00–09:00 UTC: 123"
        String key = s.getAttribute("data-series") + " " + t.substring(t.indexOf(", ") + 2, t.indexOf('\u2013'));
        assertThat(t, t.substring(t.lastIndexOf(": ") + 2), is(Html.count(eventsByHourAndBehavior.getOrDefault(key, 0L))));
        points++;
      }
    }
    assertThat(points, greaterThan(8));
    for (Element p : byClass(byClass(chart(html, "revenue"), "g", "series").get(0), "circle", "point")) {
      String t = title(p);
      String hour = t.substring(t.indexOf(", ") + 2, t.indexOf('\u2013'));
      assertThat(t, t.substring(t.lastIndexOf(": ") + 2), is(Html.money(revenueByHour.getOrDefault(hour, BigDecimal.ZERO))));
    }

    // the top categories are category_stats' largest by revenue (purchases less refunds), in order
    Map<String, BigDecimal> byCategory = new TreeMap<>();
    for (JsonNode r : rows(out, Tables.CATEGORY_STATS, CategoryStats.class)) {
      BigDecimal v = r.get("revenue").decimalValue();
      switch (r.get("behavior").asText()) {
        case "BUY": byCategory.merge(r.get("category_id").asText(), v, BigDecimal::add); break;
        case "CANCEL": byCategory.merge(r.get("category_id").asText(), v.negate(), BigDecimal::add); break;
        default: byCategory.merge(r.get("category_id").asText(), BigDecimal.ZERO, BigDecimal::add);
      }
    }
    List<String> expected = byCategory.entrySet().stream()
        .sorted(Map.Entry.<String, BigDecimal>comparingByValue().reversed()).limit(10)
        .map(e -> "category " + e.getKey() + ": " + Html.money(e.getValue()) + " revenue").collect(Collectors.toList());
    List<String> shown = byClass(chart(html, "top-categories"), "g", "bar").stream().map(ReportCommandTest::title)
        .collect(Collectors.toList());
    assertThat(shown, equalTo(expected));
  }

  private static List<JsonNode> rows(Path out, String table, Class<? extends org.apache.avro.specific.SpecificRecordBase> cls)
      throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : ReadTables.rows(out, table, cls, OutputFormat.PARQUET)) {
      rows.add(JSON.readTree(line));
    }
    return rows;
  }
}
