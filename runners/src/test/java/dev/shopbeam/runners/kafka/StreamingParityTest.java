package dev.shopbeam.runners.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.AnalyticsConfig;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.PipelineLauncher;
import dev.shopbeam.pipelines.StreamingOptions;
import dev.shopbeam.pipelines.StreamingPipeline;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.pipelines.io.WriteKafkaLists;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.ExpectedOutcomes;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batch/stream parity: the streaming pipeline over a topic replayed from a file publishes, as the last
 * pane of every window, exactly the rows the batch pipeline writes for that file; and its dead-letter
 * topic holds exactly the malformed records, with their reasons.
 */
@Timeout(600)
class StreamingParityTest {
  @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path out;

  private static String[] streamingArgs(String runner, String topic, String prefix, long records, String format) {
    return new String[] {
        "--runner=" + runner, "--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=" + topic,
        "--format=" + format, "--maxNumRecords=" + records, "--maxReadTime=3m", "--maxRecordBytes=65536",
        "--itemStatsTopic=" + prefix + ".item_stats", "--categoryStatsTopic=" + prefix + ".category_stats",
        "--funnelTopic=" + prefix + ".funnel", "--hotItemsTopic=" + prefix + ".hot_items",
        "--deadLetterTopic=" + prefix + ".dead_letters", "--itemSimilarityTopic=" + prefix + ".item_similarity",
        "--recommendationsTopic=" + prefix + ".user_recommendations", "--recommendationRound=30m",
        "--itemFeaturesTopic=" + prefix + ".item_features", "--userFeaturesTopic=" + prefix + ".user_features",
        "--alertsTopic=" + prefix + ".alerts"};
  }

  /** The latest value per key: what a consumer of a table topic (or a compacted topic) keeps. */
  private static List<String> latestPerKey(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, String> latest = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      latest.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
    }
    List<String> rows = new ArrayList<>(latest.values());
    rows.sort(null);
    return rows;
  }

  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner", "SparkRunner"})
  void lastPaneOfEveryWindowEqualsTheBatchRow(String runner) throws Exception {
    Path input = TestData.path("test-data/events-sample.jsonl");
    String topic = "shop-events-" + runner;
    String prefix = "parity-" + runner;
    KAFKA.broker().createTopics(1, topic);
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), topic, input, InputFormat.JSON, 0);

    Path batch = out.resolve("batch");
    assertThat(BatchPipeline.run(new String[] {"--input=" + input, "--format=json", "--output=" + batch,
        "--outputFormat=json", "--runner=FlinkRunner"}, System.out, System.err), is(BatchPipeline.EXIT_OK));
    assertThat(StreamingPipeline.run(streamingArgs(runner, topic, prefix, sent, "json"), System.out, System.err),
        is(BatchPipeline.EXIT_OK));

    Map<String, String> topics = Map.of(
        Tables.ITEM_STATS, prefix + ".item_stats", Tables.CATEGORY_STATS, prefix + ".category_stats",
        Tables.FUNNEL, prefix + ".funnel", Tables.HOT_ITEMS, prefix + ".hot_items");
    for (Map.Entry<String, String> t : topics.entrySet()) {
      List<String> expected = ReadTables.rows(batch, t.getKey(), Tables.ALL.get(t.getKey()), OutputFormat.JSON);
      expected.sort(null);
      assertThat(t.getKey(), expected.size(), greaterThan(0));
      List<String> streamed = latestPerKey(KAFKA.consume(t.getValue(), expected.size(), 2000));
      assertThat(t.getKey(), streamed, equalTo(expected));
    }
    // The sample is one day of events, so the one daily feature window holds all of it: its rows are the
    // batch rows with the window's bounds.
    for (String table : List.of(Tables.ITEM_FEATURES, Tables.USER_FEATURES)) {
      List<String> expected = ReadTables.rows(batch, table, Tables.ALL.get(table), OutputFormat.JSON);
      expected.sort(null);
      assertThat(table, expected.size(), greaterThan(0));
      List<String> streamed = new ArrayList<>();
      for (String row : latestPerKey(KAFKA.consume(prefix + "." + table, expected.size(), 2000))) {
        assertThat(row, row.startsWith("{\"window_start\":\"2017-11-25T00:00:00Z\",\"window_end\":\"2017-11-26T00:00:00Z\","),
            is(true));
        streamed.add(row.replaceFirst("^\\{\"window_start\":\"[^\"]*\",\"window_end\":\"[^\"]*\",",
            "{\"window_start\":null,\"window_end\":null,"));
      }
      streamed.sort(null);
      assertThat(table, streamed, equalTo(expected));
    }
    // Once every round is through, each item's latest neighbour list is the batch table's, and every
    // user the batch recommends to has had a list published.
    List<String> similarities = ReadTables.rows(batch, Tables.ITEM_SIMILARITY, Tables.ALL.get(Tables.ITEM_SIMILARITY),
        OutputFormat.JSON);
    similarities.sort(null);
    assertThat(similarities.size(), greaterThan(0));
    // The latest list is the highest version, not the last offset: the DirectRunner writes bundles of one
    // step in parallel, and an item's earlier list once landed after its latest (full suite, loaded machine).
    List<ConsumerRecord<byte[], byte[]>> similarityRecords = KAFKA.consume(prefix + ".item_similarity", 1, 2000);
    assertThat(latestListRows(similarityRecords), equalTo(similarities));
    assertNoVersionMissing(similarityRecords);
    java.util.Set<String> usersInBatch = new java.util.TreeSet<>();
    for (String row : ReadTables.rows(batch, Tables.USER_RECOMMENDATIONS, Tables.ALL.get(Tables.USER_RECOMMENDATIONS),
        OutputFormat.JSON)) {
      usersInBatch.add(JSON.readTree(row).get("user_id").asText());
    }
    java.util.Set<String> usersStreamed = new java.util.TreeSet<>();
    List<ConsumerRecord<byte[], byte[]>> recommendationRecords = KAFKA.consume(prefix + ".user_recommendations", 1, 2000);
    for (ConsumerRecord<byte[], byte[]> r : recommendationRecords) {
      usersStreamed.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    assertNoVersionMissing(recommendationRecords);
    assertThat(usersStreamed, equalTo(usersInBatch));
  }

  /** Each key's lists by version. */
  private static Map<String, java.util.TreeMap<Long, String>> listsByVersion(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, java.util.TreeMap<Long, String>> byKey = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      long version = WriteKafkaLists.versionOf(r.headers());
      assertThat(key + " has a version", version, greaterThan(0L));
      String before = byKey.computeIfAbsent(key, k -> new java.util.TreeMap<>())
          .put(version, new String(r.value(), StandardCharsets.UTF_8));
      assertThat(key + " v" + version + " written twice", before, is((String) null));
    }
    return byKey;
  }

  /** Once a job is through: every key's versions on a list topic are 1..n (no list lost). */
  private static void assertNoVersionMissing(List<ConsumerRecord<byte[], byte[]>> records) {
    listsByVersion(records).forEach((key, versions) ->
        assertThat(key + " versions " + versions.keySet(), versions.lastKey(), is((long) versions.size())));
  }

  /** The rows of the highest-version JSON-array value per key of a list topic, sorted. */
  private static List<String> latestListRows(List<ConsumerRecord<byte[], byte[]>> records) throws java.io.IOException {
    List<String> rows = new ArrayList<>();
    for (java.util.TreeMap<Long, String> versions : listsByVersion(records).values()) {
      for (JsonNode row : JSON.readTree(versions.lastEntry().getValue())) {
        rows.add(JSON.writeValueAsString(row));
      }
    }
    rows.sort(null);
    return rows;
  }

  /** Runs the batch pipeline over a file on Flink, as JSON: the rows streaming must end up with. */
  private Path batchOf(Path input, String name) throws Exception {
    Path batch = out.resolve(name);
    assertThat(BatchPipeline.run(new String[] {"--input=" + input, "--format=json", "--output=" + batch,
        "--outputFormat=json", "--runner=FlinkRunner"}, System.out, System.err), is(BatchPipeline.EXIT_OK));
    return batch;
  }

  /**
   * Cancels a job. Stopping Spark's streaming context interrupts a micro-batch that may be splitting the
   * Kafka source, which then reports "Failed to create partitions" caused by the interrupt: that is the
   * stop we asked for, not a failure of the job; anything else is rethrown.
   */
  private static void cancel(PipelineResult result) throws java.io.IOException {
    try {
      result.cancel();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InterruptedException) {
          System.err.println("note: the job was interrupted while stopping: " + e);
          return;
        }
      }
      throw e;
    }
  }

  /** Waits until a cancelled job has stopped (a terminal state), or fails at the deadline. */
  private static void awaitTerminal(PipelineResult result, long deadline) throws InterruptedException {
    boolean stopped = stopped(result);
    while (!stopped && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      stopped = stopped(result);
    }
    assertThat("the cancelled job stopped", stopped, is(true));
  }

  private static boolean stopped(PipelineResult result) {
    try {
      return result.getState().isTerminal();
    } catch (RuntimeException e) {
      // The embedded per-job cluster shuts down once its job has ended; asking it then fails.
      System.err.println("note: job state unavailable, taken as stopped: " + e);
      return true;
    }
  }

  /** Launches the streaming pipeline and returns at once; the caller cancels it. */
  private static PipelineResult launchUnbounded(String runner, String topic, String prefix, String... extra) {
    List<String> args = new ArrayList<>(List.of(streamingArgs(runner, topic, prefix, -1, "json")));
    args.removeIf(a -> a.startsWith("--maxReadTime") || a.startsWith("--maxNumRecords"));
    switch (runner) {
      case "FlinkRunner":
        args.addAll(List.of("--streaming=true", "--attachedMode=false"));
        break;
      case "SparkRunner":
        // Spark streaming has no event-time timers: no too_late gate, recommendation rounds or anomalies there (README).
        args.addAll(List.of("--streaming=true", "--rejectTooLate=false", "--recommendations=false", "--anomalies=false"));
        break;
      default:
        args.add("--blockOnRun=false");
    }
    args.addAll(List.of(extra));
    // Through the launcher's defaults, as the command line does (e.g. a local Flink restore).
    StreamingOptions options = PipelineOptionsFactory.fromArgs(PipelineLauncher.withDefaults(args.toArray(new String[0])))
        .as(StreamingOptions.class);
    Pipeline p = Pipeline.create(options);
    StreamingPipeline.build(p, AnalyticsConfig.fromOptions(options, StreamingPipeline.DEFAULT_LATENESS), options);
    return p.run();
  }

  /**
   * Polls each table topic until the latest row per key equals the batch rows, or the deadline passes.
   * Returns every message seen per table, for checks on the whole stream of panes.
   */
  private static Map<String, List<String>> awaitTables(Path batch, String prefix, long deadline) throws Exception {
    Map<String, List<String>> messages = new LinkedHashMap<>();
    for (String table : List.of(Tables.FUNNEL, Tables.ITEM_STATS, Tables.CATEGORY_STATS, Tables.HOT_ITEMS)) {
      List<String> expected = ReadTables.rows(batch, table, Tables.ALL.get(table), OutputFormat.JSON);
      expected.sort(null);
      List<String> streamed = List.of();
      List<ConsumerRecord<byte[], byte[]>> all = List.of();
      while (!streamed.equals(expected) && System.currentTimeMillis() < deadline) {
        all = KAFKA.consume(prefix + "." + table, expected.size(), 1000);
        streamed = latestPerKey(all);
      }
      assertThat(table, streamed, equalTo(expected));
      List<String> values = new ArrayList<>();
      all.forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
      messages.put(table, values);
    }
    return messages;
  }

  /**
   * Unbounded for real (no record or time limit): the windows of the replayed data close because the
   * partition, once read to its end, lets its watermark go on with processing time. The final panes
   * then equal the batch rows, and no pane is an empty one (Flink fires an empty on-time pane at window
   * expiry unless told not to). A record sent after that, for a window long closed, must come out on the
   * dead-letter topic as {@code too_late}, not vanish (not on Spark, which runs without that gate). The
   * job is cancelled then.
   */
  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner", "SparkRunner"})
  void unboundedRunClosesWindowsWhenThePartitionIsIdle(String runner) throws Exception {
    Path input = TestData.path("test-data/events-sample.jsonl");
    String topic = "shop-live-" + runner;
    String prefix = "live-" + runner;
    KAFKA.broker().createTopics(1, topic);
    ReplayToKafka.replay(KAFKA.bootstrapServers(), topic, input, InputFormat.JSON, 0);
    Path batch = batchOf(input, "batch");

    Path files = out.resolve("files-" + runner);
    PipelineResult result = launchUnbounded(runner, topic, prefix, "--output=" + files);
    try {
      long deadline = System.currentTimeMillis() + 240_000;
      Map<String, List<String>> messages = awaitTables(batch, prefix, deadline);
      // The same final rows in the windowed Parquet files: the latest pane of every window.
      for (String table : List.of(Tables.FUNNEL, Tables.ITEM_STATS, Tables.CATEGORY_STATS, Tables.HOT_ITEMS)) {
        List<String> expected = ReadTables.rows(batch, table, Tables.ALL.get(table), OutputFormat.JSON);
        expected.sort(null);
        List<String> written = List.of();
        while (!written.equals(expected) && System.currentTimeMillis() < deadline) {
          Thread.sleep(500);
          written = new ArrayList<>(ReadTables.latestPaneRows(files, table, Tables.ALL.get(table), OutputFormat.PARQUET));
          written.sort(null);
        }
        assertThat(table + " files", written, equalTo(expected));
      }
      assertThat(result.getState(), is(PipelineResult.State.RUNNING));
      for (String row : messages.get(Tables.FUNNEL)) {
        assertThat("an empty funnel pane: " + row, row.contains("\"users\":0,"), is(false));
      }
      for (String row : messages.get(Tables.ITEM_STATS)) {
        assertThat("an empty item stats pane: " + row, row.contains("\"event_count\":0,"), is(false));
      }

      if (runner.equals("SparkRunner")) {
        return;
      }
      // Rounds close on the same watermark: the neighbour lists end as batch's.
      List<String> similarities = ReadTables.rows(batch, Tables.ITEM_SIMILARITY,
          Tables.ALL.get(Tables.ITEM_SIMILARITY), OutputFormat.JSON);
      similarities.sort(null);
      List<String> streamedSimilarities = List.of();
      while (!streamedSimilarities.equals(similarities) && System.currentTimeMillis() < deadline) {
        streamedSimilarities = latestListRows(KAFKA.consume(prefix + ".item_similarity", 1, 1000));
      }
      assertThat(streamedSimilarities, equalTo(similarities));
      String oldLine = Files.readAllLines(input).get(0);
      Path straggler = out.resolve("straggler.jsonl");
      Files.writeString(straggler, oldLine + "\n");
      ReplayToKafka.replay(KAFKA.bootstrapServers(), topic, straggler, InputFormat.JSON, 0);
      List<String> tooLate = List.of();
      while (tooLate.isEmpty() && System.currentTimeMillis() < deadline) {
        tooLate = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.consume(prefix + ".dead_letters", 1, 1000)) {
          JsonNode letter = JSON.readTree(r.value());
          if (letter.get("reason").asText().equals("too_late")) {
            tooLate.add(letter.get("raw_payload").asText() + " @ " + letter.get("stage").asText());
          }
        }
      }
      assertThat(tooLate, equalTo(List.of(oldLine + " @ window")));
    } finally {
      cancel(result);
    }
  }

  /**
   * Exactly-once state on Flink: a job checkpointing every second reads the first half of the data and
   * is cancelled; a second job restored from the first one's last checkpoint reads the second half.
   * Windows stay open throughout (a watermark far behind), so the results come from early firings, and
   * the latest row per key must equal the batch rows over the whole file: input lost at the restart
   * would show as lower counts, input read twice as higher ones.
   *
   * <p>Every bundle ends at a checkpoint here (bundles are never closed by time), the case in which what
   * a bundle's end emits (hot items' partial totals) must not wait in the checkpoint for input that no
   * longer comes: without the launcher's {@code --finishBundleBeforeCheckpointing=true}, hot items fail.
   */
  @Test
  void flinkRestoredFromACheckpointNeitherLosesNorDoubleCounts() throws Exception {
    Path input = TestData.path("test-data/events-sample.jsonl");
    List<String> lines = Files.readAllLines(input);
    Path firstHalf = out.resolve("first-half.jsonl");
    Path secondHalf = out.resolve("second-half.jsonl");
    Files.write(firstHalf, lines.subList(0, lines.size() / 2));
    Files.write(secondHalf, lines.subList(lines.size() / 2, lines.size()));
    Path batch = batchOf(input, "batch-restart");
    // Outside the test's @TempDir: a cancelled Flink job may still be finishing a checkpoint while JUnit
    // deletes its temp directory, which then fails the test; this one is removed best-effort at the end.
    Path checkpoints = Files.createTempDirectory("shopbeam-checkpoints");
    String[] checkpointing = {"--checkpointingInterval=1000", "--stateBackend=filesystem",
        "--stateBackendStoragePath=" + checkpoints.toUri(), "--externalizedCheckpointsEnabled=true",
        "--retainExternalizedCheckpointsOnCancellation=true", "--earlyFirings=1s", "--maxOutOfOrderness=100000d",
        "--consumerGroup=shopbeam-restart-test", "--maxBundleTimeMills=3600000"};

    KAFKA.broker().createTopics(1, "shop-restart");
    ReplayToKafka.replay(KAFKA.bootstrapServers(), "shop-restart", firstHalf, InputFormat.JSON, 0);
    PipelineResult first = launchUnbounded("FlinkRunner", "shop-restart", "restart", checkpointing);
    Path checkpoint;
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      // Some early panes out, then a checkpoint taken after them.
      while (KAFKA.consume("restart." + Tables.FUNNEL, 1, 1000).isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
      }
      long afterOutput = System.currentTimeMillis();
      checkpoint = null;
      while (checkpoint == null && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        checkpoint = latestCheckpointAfter(checkpoints, afterOutput);
      }
      assertThat("no checkpoint completed", checkpoint != null, is(true));
    } finally {
      cancel(first);
    }
    // Flink acknowledges a cancellation before the job's tasks have stopped: until they have, the first
    // job may still publish panes, which a consumer would take as the latest per key after the second's.
    awaitTerminal(first, System.currentTimeMillis() + 60_000);

    ReplayToKafka.replay(KAFKA.bootstrapServers(), "shop-restart", secondHalf, InputFormat.JSON, 0);
    String[] restore = java.util.Arrays.copyOf(checkpointing, checkpointing.length + 1);
    restore[checkpointing.length] = "--savepointPath=" + checkpoint;
    PipelineResult second = launchUnbounded("FlinkRunner", "shop-restart", "restart", restore);
    try {
      awaitTables(batch, "restart", System.currentTimeMillis() + 240_000);
    } finally {
      cancel(second);
      deleteQuietly(checkpoints);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // a late checkpoint file: the directory is in the system's temp space
    }
  }

  /** The newest completed checkpoint (a chk-N directory with its _metadata) written after a time. */
  private static Path latestCheckpointAfter(Path root, long afterMillis) throws java.io.IOException {
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.getFileName().toString().equals("_metadata"))
          .filter(f -> f.toFile().lastModified() >= afterMillis)
          .max(java.util.Comparator.comparingLong(f -> f.toFile().lastModified()))
          .map(Path::getParent).orElse(null);
    }
  }

  @Test
  void unboundedOnSparkWithoutGivingUpTheTooLateGateIsAUsageError() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    String[] args = {"--runner=SparkRunner", "--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=any",
        "--format=json"};
    assertThat(StreamingPipeline.run(args, System.out, new java.io.PrintStream(err, true, StandardCharsets.UTF_8)),
        is(2));
    assertThat(err.toString(StandardCharsets.UTF_8).contains("--rejectTooLate=false"), is(true));
    // Giving up the gate alone is not enough: the recommendation rounds need timers too.
    err.reset();
    String[] withoutGate = {"--runner=SparkRunner", "--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=any",
        "--format=json", "--rejectTooLate=false"};
    assertThat(StreamingPipeline.run(withoutGate, System.out, new java.io.PrintStream(err, true, StandardCharsets.UTF_8)),
        is(2));
    assertThat(err.toString(StandardCharsets.UTF_8).contains("--recommendations=false"), is(true));
  }

  @Test
  void deadLetterTopicHoldsExactlyTheMalformedRecords() throws Exception {
    Path input = TestData.path("test-data/malformed/online-retail-malformed.csv");
    KAFKA.broker().createTopics(1, "bad-retail");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "bad-retail", input, InputFormat.ONLINE_RETAIL, 0);
    assertThat(StreamingPipeline.run(streamingArgs("DirectRunner", "bad-retail", "bad", sent, "online-retail"), System.out, System.err),
        is(BatchPipeline.EXIT_OK));

    List<String> expected = ExpectedOutcomes.deadLetterReasons("online-retail-malformed.csv");
    List<String> reasons = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KAFKA.consume("bad.dead_letters", expected.size(), 2000)) {
      reasons.add(JSON.readTree(r.value()).get("reason").asText());
      assertThat(new String(r.key(), StandardCharsets.UTF_8).startsWith("kafka:bad-retail/0@"), is(true));
    }
    reasons.sort(null);
    assertThat(reasons, equalTo(expected));
  }

  /** A spike in a steady stream of views reaches the alerts topic, once, keyed by metric, dimension and window. */
  @Test
  void alertsTopicHoldsTheSpike() throws Exception {
    List<String> lines = new ArrayList<>();
    java.time.Instant start = java.time.Instant.parse("2024-03-04T00:00:00Z");
    for (int hour = 0; hour < 11; hour++) {
      int views = hour == 10 ? 150 : 30; // ten steady hours, then five times as many views
      for (int v = 0; v < views; v++) {
        java.time.Instant t = start.plusSeconds(hour * 3600L + v * 3600L / views);
        lines.add("{\"event_id\":\"h" + hour + "v" + v + "\",\"user_id\":\"u" + v + "\",\"session_id\":null,"
            + "\"item_id\":\"i1\",\"category_id\":\"c1\",\"behavior\":\"view\",\"quantity\":1,"
            + "\"unit_price\":\"1.00\",\"currency\":\"EUR\",\"country\":\"Germany\",\"event_time\":\"" + t + "\"}");
      }
    }
    Path input = out.resolve("views.jsonl");
    java.nio.file.Files.write(input, lines);
    KAFKA.broker().createTopics(1, "views");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "views", input, InputFormat.JSON, 0);
    List<String> args = new ArrayList<>(List.of(streamingArgs("DirectRunner", "views", "spike", sent, "json")));
    args.addAll(List.of("--recommendations=false", "--anomalyHistory=6", "--anomalySeasonalDays=0",
        "--anomalyMinVolume=10"));
    assertThat(StreamingPipeline.run(args.toArray(new String[0]), System.out, System.err), is(BatchPipeline.EXIT_OK));

    List<String> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KAFKA.consume("spike.alerts", 2, 2000)) {
      JsonNode a = JSON.readTree(r.value());
      assertThat(new String(r.key(), StandardCharsets.UTF_8),
          equalTo(a.get("metric").asText() + "|" + a.get("dimension").asText() + "|" + a.get("window_start").asText()));
      alerts.add(a.get("metric").asText() + "|" + a.get("dimension").asText() + "|" + a.get("window_start").asText()
          + "|" + a.get("direction").asText() + "|" + a.get("observed").asDouble() + "|" + a.get("expected").asDouble());
    }
    alerts.sort(null);
    assertThat(alerts, equalTo(List.of(
        "events_view|all|2024-03-04T10:00:00Z|UP|150.0|30.0",
        "events_view|category=c1|2024-03-04T10:00:00Z|UP|150.0|30.0")));
  }
}
