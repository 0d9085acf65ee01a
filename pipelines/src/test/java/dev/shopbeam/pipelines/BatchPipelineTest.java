package dev.shopbeam.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.pipelines.io.RecordJson;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.clean.EventValidator;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.RecordParser;
import dev.shopbeam.transforms.testing.ExpectedOutcomes;
import dev.shopbeam.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The batch pipeline end to end on DirectRunner (with its immutability and encodability checks on). */
class BatchPipelineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path out;

  static int runBatch(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--runner=DirectRunner");
    all.add("--enforceImmutability=true");
    all.add("--enforceEncodability=true");
    return BatchPipeline.run(all.toArray(new String[0]), System.out, System.err);
  }

  /** Every record of each malformed file leaves exactly as test-data/malformed/expected-outcomes.tsv says. */
  @ParameterizedTest
  @CsvSource({
    "online-retail-malformed.csv, online-retail",
    "userbehavior-malformed.csv, userbehavior",
    "events-malformed.jsonl, json"})
  void malformedRecordsLeaveWithTheirExpectedOutcome(String file, String format) throws Exception {
    Map<Integer, String> expected = ExpectedOutcomes.of(file);
    int exit = runBatch("--input=" + TestData.path("test-data/malformed/" + file), "--format=" + format,
        "--output=" + out, "--outputFormat=json", "--maxRecordBytes=65536");
    assertThat(exit, is(BatchPipeline.EXIT_OK));

    Map<Integer, String> deadLetters = new TreeMap<>();
    for (String row : ReadTables.rows(out, Tables.DEAD_LETTERS, DeadLetter.class, OutputFormat.JSON)) {
      JsonNode d = JSON.readTree(row);
      String loc = d.get("source_location").asText();
      assertThat(loc, containsString(file));
      int line = Integer.parseInt(loc.substring(loc.lastIndexOf(':') + 1));
      assertThat("line " + line + " dead-lettered twice", deadLetters.put(line, d.get("reason").asText()), is((String) null));
      assertThat(d.get("error_detail").asText().isEmpty(), is(false));
    }
    Map<Integer, String> expectedDead = new TreeMap<>();
    Map<String, Integer> expectedFiltered = new TreeMap<>();
    int expectedValid = 0;
    for (Map.Entry<Integer, String> e : expected.entrySet()) {
      if (e.getValue().equals("valid")) {
        expectedValid++;
      } else if (e.getValue().startsWith("filtered:")) {
        expectedFiltered.merge(e.getValue().substring("filtered:".length()), 1, Integer::sum);
      } else {
        expectedDead.put(e.getKey(), e.getValue());
      }
    }
    assertThat(deadLetters, equalTo(expectedDead));

    JsonNode summary = RunSummary.read(out.toString());
    assertThat(summary.get("read").asInt(), is(expected.size()));
    assertThat(summary.get("valid").asInt(), is(expectedValid));
    Map<String, Integer> filtered = new TreeMap<>();
    summary.get("filtered").get("byRule").fields().forEachRemaining(f -> filtered.put(f.getKey(), f.getValue().asInt()));
    assertThat(filtered, equalTo(expectedFiltered));
    assertThat(summary.get("invariantHolds").asBoolean(), is(true));
    assertThat(summary.get("tables").get(Tables.CLEAN_EVENTS).asInt(), is(expectedValid));
  }

  /**
   * The clean events equal a plain-Java model: each line parsed and validated by itself, the first copy
   * of each event id kept.
   */
  @Test
  void cleanEventsMatchPlainModel() throws Exception {
    Path input = TestData.path("test-data/userbehavior-sample.csv");
    int exit = runBatch("--input=" + input, "--format=userbehavior", "--output=" + out);
    assertThat(exit, is(BatchPipeline.EXIT_OK));

    Instant ingest = Files.getLastModifiedTime(input).toInstant();
    RecordParser parser = InputFormat.USERBEHAVIOR.newParser();
    EventValidator validator = new EventValidator(CleanConfig.defaults());
    Set<String> seen = new HashSet<>();
    List<String> model = new ArrayList<>();
    for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
      RecordOutcome o = parser.parse(line, ingest);
      if (o.isEvent()) {
        o = validator.check(o.event());
      }
      if (o.isEvent() && seen.add(o.event().getEventId())) {
        model.add(RecordJson.toJson(o.event()));
      }
    }
    List<String> rows = ReadTables.rows(out, Tables.CLEAN_EVENTS, CommerceEvent.class, OutputFormat.PARQUET);
    model.sort(null);
    rows.sort(null);
    assertThat(rows, equalTo(model));

    // The sample has no dead letters: the table is still there, as a readable file with no rows.
    assertThat(Files.exists(out.resolve(Tables.DEAD_LETTERS).resolve("part-00000-of-00001.parquet")), is(true));
    assertThat(ReadTables.rows(out, Tables.DEAD_LETTERS, DeadLetter.class, OutputFormat.PARQUET).size(), is(0));
  }

  /**
   * Every output format holds the same tables, row for row: Avro and JSON against Parquet, on Online
   * Retail lines (decimals in nullable columns, timestamps).
   */
  @Test
  void everyOutputFormatHoldsTheSameRows() throws Exception {
    // The first 250 lines of the day (the DirectRunner's checks make every element costly).
    Path input = out.resolve("online-retail-250.csv");
    Files.write(input, Files.readAllLines(TestData.path("test-data/online-retail-2010-12-01.csv"),
        StandardCharsets.UTF_8).subList(0, 250), StandardCharsets.UTF_8);
    for (String format : List.of("parquet", "avro", "json")) {
      int exit = runBatch("--input=" + input, "--format=online-retail", "--output=" + out.resolve(format),
          "--outputFormat=" + format);
      assertThat(format, exit, is(BatchPipeline.EXIT_OK));
    }
    assertThat(ReadTables.rows(out.resolve("avro"), Tables.ITEM_STATS, dev.shopbeam.schemas.ItemStats.class,
        OutputFormat.AVRO).size() > 100, is(true));
    for (String format : List.of("avro", "json")) {
      java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
      int same = CompareOutputs.run(new String[] {out.resolve("parquet").toString(), out.resolve(format).toString()},
          new java.io.PrintStream(report, true, StandardCharsets.UTF_8), System.err);
      assertThat(report.toString(StandardCharsets.UTF_8), same, is(BatchPipeline.EXIT_OK));
    }
  }

  @Test
  void badOptionsAreOneLineErrorsWithExitCode2() throws Exception {
    assertThat(usageError("--format=csv"), containsString("unknown format 'csv'"));
    assertThat(usageError("--format=json", "--windowSize=soon"), containsString("--windowSize='soon' is not a duration"));
    assertThat(usageError("--format=json", "--exclude=sometimes"),
        containsString("--exclude='sometimes' is not one of bought, interacted"));
    assertThat(usageError("--format=json", "--maxPerCategory=-1"), containsString("--maxPerCategory=-1"));
    assertThat(usageError("--format=json", "--tables=funnel,sales"), containsString("--tables: 'sales' is not a table"));
    assertThat(usageError("--format=json", "--anomalyThreshold=0"), containsString("--anomalyThreshold must be > 0"));
    assertThat(usageError("--format=json", "--anomalyHistory=0"), containsString("--anomalyHistory must be >= 1"));
    assertThat(usageError("--format=json", "--anomalySeasonalMinDays=9"),
        containsString("--anomalySeasonalMinDays (9) must be <= --anomalySeasonalDays (7)"));
    assertThat(usageError("--format=json", "--anomalyWindow=often"), containsString("--anomalyWindow='often' is not a duration"));
    assertThat(usageError("--format=json", "--eventsFrom=2011-10-02", "--eventsUntil=2011-10-01"),
        containsString("--eventsFrom=2011-10-02 is not before --eventsUntil"));
  }

  /** Runs batch with these options (and an input, output and runner); requires exit 2; returns the error line. */
  private String usageError(String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("--input=x", "--output=" + out, "--runner=DirectRunner"));
    args.addAll(List.of(options));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = BatchPipeline.run(args.toArray(new String[0]), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(String.join(" ", options), exit, is(BatchPipeline.EXIT_USAGE));
    List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.toString(), lines.get(0).startsWith("error: "), is(true)); // then a hint: --help
    return lines.get(0);
  }

  @Test
  void theAnomaliesTableHoldsASpikeAndNothingElse() throws Exception {
    // Ten hours of 30 views an hour in one category, then 150 in the eleventh.
    List<String> lines = new java.util.ArrayList<>();
    java.time.Instant start = java.time.Instant.parse("2024-03-04T00:00:00Z");
    for (int hour = 0; hour < 11; hour++) {
      int views = hour == 10 ? 150 : 30;
      for (int v = 0; v < views; v++) {
        java.time.Instant t = start.plusSeconds(hour * 3600L + v * 3600L / views);
        lines.add("{\"event_id\":\"h" + hour + "v" + v + "\",\"user_id\":\"u" + v + "\",\"session_id\":null,"
            + "\"item_id\":\"i1\",\"category_id\":\"c1\",\"behavior\":\"view\",\"quantity\":1,"
            + "\"unit_price\":\"1.00\",\"currency\":\"EUR\",\"country\":\"Germany\",\"event_time\":\"" + t + "\"}");
      }
    }
    Path input = out.resolve("views.jsonl");
    java.nio.file.Files.write(input, lines);
    Path tables = out.resolve("tables");
    int exit = runBatch("--input=" + input, "--format=json", "--output=" + tables, "--outputFormat=json",
        "--tables=anomalies", "--anomalyHistory=6", "--anomalySeasonalDays=0", "--anomalyMinVolume=10");
    assertThat(exit, is(BatchPipeline.EXIT_OK));
    List<String> rows = ReadTables.rows(tables, Tables.ANOMALIES, dev.shopbeam.schemas.Anomaly.class, OutputFormat.JSON);
    List<String> found = new java.util.ArrayList<>();
    for (String row : rows) {
      JsonNode a = new ObjectMapper().readTree(row);
      found.add(a.get("metric").asText() + "|" + a.get("dimension").asText() + "|" + a.get("window_start").asText()
          + "|" + a.get("direction").asText() + "|" + a.get("observed").asDouble() + "|" + a.get("expected").asDouble());
    }
    found.sort(null);
    assertThat(found, equalTo(List.of(
        "events_view|all|2024-03-04T10:00:00Z|UP|150.0|30.0",
        "events_view|category=c1|2024-03-04T10:00:00Z|UP|150.0|30.0")));
  }

  @Test
  void anEventTimeRangeFiltersTheRestAsOutsideTimeRange() throws Exception {
    Path input = TestData.path("test-data/events-sample.jsonl");
    int exit = runBatch("--input=" + input, "--format=json", "--output=" + out, "--outputFormat=json",
        "--eventsFrom=2017-11-25T09:00:00Z", "--eventsUntil=2017-11-25T10:00:00Z", "--tables=clean_events");
    assertThat(exit, is(BatchPipeline.EXIT_OK));
    List<String> rows = ReadTables.rows(out, Tables.CLEAN_EVENTS, CommerceEvent.class, OutputFormat.JSON);
    assertThat(rows.isEmpty(), is(false));
    for (String row : rows) {
      assertThat(row, containsString("\"event_time\":\"2017-11-25T09:"));
    }
    JsonNode summary = RunSummary.read(out.toString());
    assertThat(summary.get("filtered").get("byRule").get("outside_time_range").asLong() > 0, is(true));
    assertThat(summary.get("invariantHolds").asBoolean(), is(true));
    assertThat("only the tables asked for", summary.get("tables").has(Tables.FUNNEL), is(false));
  }

  @Test
  void businessRuleOptionsReachTheRecommender() {
    BatchOptions o = org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs("--exclude=interacted",
        "--maxPerCategory=2", "--unavailableItems=A, B", "--promotedItems=P2,P1,P2").as(BatchOptions.class);
    dev.shopbeam.transforms.recommend.RecommendItems r = RecommendOptions.recommender(o);
    assertThat(r.exclude(), is(dev.shopbeam.transforms.recommend.RecommendItems.Exclude.INTERACTED));
    assertThat(r.maxPerCategory(), is(2));
    assertThat(r.unavailableItems(), is(java.util.Set.of("A", "B")));
    assertThat(r.promotedItems(), is(java.util.List.of("P2", "P1")));
  }
}
