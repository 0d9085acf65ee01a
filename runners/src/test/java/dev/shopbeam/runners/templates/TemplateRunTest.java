package dev.shopbeam.runners.templates;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.templates.TemplateRun;
import dev.shopbeam.templates.Templates;
import dev.shopbeam.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Templates as an orchestrator runs them: partitions by event date, atomic replacement, byte-identical
 * reruns, a failed run that leaves the old partition, a backfill of several days, on every runner.
 */
@Timeout(900)
class TemplateRunTest {
  private static final String DAY = "test-data/online-retail-2010-12-01.csv";
  private static final String WEEK = "test-data/online-retail-2010-12-01_07.csv";
  @TempDir Path out;

  private static int run(String template, String... args) {
    return TemplateRun.run(template, List.of(args), System.out, System.err);
  }

  /** Every file under a directory, by relative path, with its bytes as text. */
  private static Map<String, String> files(Path dir) throws Exception {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        all.put(dir.relativize(f).toString(), Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    return all;
  }

  private static List<String> rows(Path partition) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Stream<Path> parts = Files.list(partition)) {
      for (Path f : parts.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
        rows.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return rows;
  }

  @TempDir static Path shared;
  private static Path reference;

  /** The day's partitions on FlinkRunner (the default), once for the class. */
  private static synchronized Path reference() {
    if (reference == null) {
      reference = shared.resolve("reference");
      assertThat(run(Templates.DAILY_AGGREGATES, "--input=" + TestData.path(DAY), "--format=online-retail",
          "--date=2010-12-01", "--output=" + reference, "--outputFormat=json"), is(TemplateRun.EXIT_OK));
    }
    return reference;
  }

  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner", "SparkRunner"})
  void dailyAggregatesGiveTheSamePartitionOnEveryRunner(String runner) throws Exception {
    Path flink = reference();
    Path mine = out.resolve(runner);
    assertThat(run(Templates.DAILY_AGGREGATES, "--input=" + TestData.path(DAY), "--format=online-retail",
        "--date=2010-12-01", "--output=" + mine, "--outputFormat=json", "--runner=" + runner), is(TemplateRun.EXIT_OK));
    for (String table : List.of(Tables.CLEAN_EVENTS, Tables.ITEM_STATS, Tables.FUNNEL, Tables.HOT_ITEMS)) {
      Path partition = mine.resolve(table).resolve("dt=2010-12-01");
      assertThat(table, Files.exists(partition.resolve(TemplateRun.SUCCESS_MARKER)), is(true));
      assertThat(table, Files.exists(partition.resolve("_SUMMARY.json")), is(true));
      assertThat(table, rows(partition).size(), greaterThan(0));
      assertThat(runner + " " + table, rows(partition), equalTo(rows(flink.resolve(table).resolve("dt=2010-12-01"))));
    }
    assertThat("no staging left", Files.list(mine.resolve("_staging")).count(), is(0L));
    try (Stream<Path> walk = Files.walk(mine)) {
      assertThat("no temporary files left", walk.filter(f -> f.getFileName().toString().startsWith(".")).toList(),
          equalTo(List.of()));
    }
  }

  @Test
  void aRerunGivesTheSameBytesAndAFailedRunLeavesThePartitionAsItWas() throws Exception {
    String[] args = {"--input=" + TestData.path(WEEK), "--format=online-retail", "--date=2010-12-02",
        "--output=" + out.resolve("tables"), "--outputFormat=json"};
    assertThat(run(Templates.DAILY_AGGREGATES, args), is(TemplateRun.EXIT_OK));
    Map<String, String> first = files(out.resolve("tables"));
    assertThat(run(Templates.DAILY_AGGREGATES, args), is(TemplateRun.EXIT_OK));
    assertThat("byte for byte", files(out.resolve("tables")), equalTo(first));
    for (String row : rows(out.resolve("tables").resolve(Tables.CLEAN_EVENTS).resolve("dt=2010-12-02"))) {
      assertThat(row, row.contains("\"event_time\":\"2010-12-02T"), is(true));
    }

    // A run that fails after launch: a truncated gzip file (a good header, then the stream ends early).
    // Exit 1, and the day as it was.
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(Files.readAllBytes(TestData.path(WEEK)));
    }
    byte[] whole = gz.toByteArray();
    Path corrupt = Files.write(out.resolve("truncated.csv.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = TemplateRun.run(Templates.DAILY_AGGREGATES, List.of("--input=" + corrupt, "--format=online-retail",
        "--date=2010-12-02", "--output=" + out.resolve("tables"), "--outputFormat=json"), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8), exit, is(TemplateRun.EXIT_FAILED));
    assertThat("the previous partitions, untouched", files(out.resolve("tables")), equalTo(first));

    // Invalid parameters never launch anything: exit 2.
    assertThat(run(Templates.DAILY_AGGREGATES, "--input=" + TestData.path(WEEK), "--format=online-retail",
        "--date=2010-02-30", "--output=" + out.resolve("tables")), is(TemplateRun.EXIT_USAGE));
  }

  @Test
  void backfillWritesOnePartitionPerDayEqualToThatDaysRun() throws Exception {
    assertThat(run(Templates.BACKFILL, "--input=" + TestData.path(WEEK), "--format=online-retail",
        "--from=2010-12-01", "--to=2010-12-03", "--output=" + out.resolve("backfill"), "--outputFormat=json"),
        is(TemplateRun.EXIT_OK));
    for (String day : List.of("2010-12-01", "2010-12-02", "2010-12-03")) {
      Path funnel = out.resolve("backfill").resolve(Tables.FUNNEL).resolve("dt=" + day);
      assertThat(day, Files.exists(funnel.resolve(TemplateRun.SUCCESS_MARKER)), is(true));
      for (String row : rows(funnel)) {
        assertThat(row, row.startsWith("{\"window_start\":\"" + day + "T"), is(true));
      }
    }
    assertThat(run(Templates.DAILY_AGGREGATES, "--input=" + TestData.path(WEEK), "--format=online-retail",
        "--date=2010-12-02", "--output=" + out.resolve("daily"), "--outputFormat=json"), is(TemplateRun.EXIT_OK));
    for (String table : TemplateRun.TABLES.get(Templates.DAILY_AGGREGATES)) {
      assertThat(table, rows(out.resolve("backfill").resolve(table).resolve("dt=2010-12-02")),
          equalTo(rows(out.resolve("daily").resolve(table).resolve("dt=2010-12-02"))));
    }
  }

  /**
   * The other two templates launch on every runner too (on the small JSON sample: DirectRunner takes
   * minutes over the recommendation stages of a real day); a day without events is an empty partition
   * with its marker, not a missing one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner", "SparkRunner"})
  void everyTemplateLaunchesOnEveryRunner(String runner) throws Exception {
    Path dir = out.resolve(runner);
    String sample = "--input=" + TestData.path("test-data/events-sample.jsonl");
    assertThat(run(Templates.DAILY_FEATURES_AND_RECS, sample, "--format=json", "--date=2017-11-25", "--days=1",
        "--output=" + dir, "--outputFormat=json", "--runner=" + runner), is(TemplateRun.EXIT_OK));
    assertThat(rows(dir.resolve(Tables.USER_RECOMMENDATIONS).resolve("dt=2017-11-25")).size(), greaterThan(0));
    assertThat(run(Templates.BACKFILL, sample, "--format=json", "--from=2017-11-24", "--to=2017-11-25",
        "--output=" + dir, "--outputFormat=json", "--runner=" + runner), is(TemplateRun.EXIT_OK));
    Path empty = dir.resolve(Tables.FUNNEL).resolve("dt=2017-11-24");
    assertThat(Files.exists(empty.resolve(TemplateRun.SUCCESS_MARKER)), is(true));
    assertThat(rows(empty), equalTo(List.of()));
    List<String> funnel = rows(dir.resolve(Tables.FUNNEL).resolve("dt=2017-11-25"));
    assertThat(funnel.size(), greaterThan(0));
    for (String row : funnel) {
      assertThat(row, row.startsWith("{\"window_start\":\"2017-11-25T"), is(true));
    }
  }

  @Test
  void featuresAndRecommendationsOverTrailingDays() throws Exception {
    Path dir = out.resolve("features");
    assertThat(run(Templates.DAILY_FEATURES_AND_RECS, "--input=" + TestData.path(WEEK), "--format=online-retail",
        "--date=2010-12-03", "--days=3", "--output=" + dir, "--outputFormat=json"), is(TemplateRun.EXIT_OK));
    for (String table : List.of(Tables.USER_FEATURES, Tables.ITEM_FEATURES, Tables.ITEM_SIMILARITY,
        Tables.USER_RECOMMENDATIONS)) {
      Path partition = dir.resolve(table).resolve("dt=2010-12-03");
      assertThat(table, Files.exists(partition.resolve(TemplateRun.SUCCESS_MARKER)), is(true));
      assertThat(table, rows(partition).size(), greaterThan(0));
    }
    for (String row : rows(dir.resolve(Tables.USER_FEATURES).resolve("dt=2010-12-03"))) {
      String first = row.replaceAll(".*\"first_event\":\"([^\"]*)\".*", "$1");
      assertThat(row, first.compareTo("2010-12-01") >= 0 && first.compareTo("2010-12-04") < 0, is(true));
    }
  }
}
