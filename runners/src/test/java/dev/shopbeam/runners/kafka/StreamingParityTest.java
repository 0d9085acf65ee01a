package dev.shopbeam.runners.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.AnalyticsConfig;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.StreamingOptions;
import dev.shopbeam.pipelines.StreamingPipeline;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.ExpectedOutcomes;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        "--deadLetterTopic=" + prefix + ".dead_letters"};
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
  }

  /**
   * Unbounded for real (no record or time limit): the windows of the replayed data close because the
   * partition, once read to its end, lets its watermark go on with processing time. The final panes
   * then equal the batch rows. A record sent after that, for a window long closed, must come out on the
   * dead-letter topic as {@code too_late}, not vanish. The job is cancelled then.
   */
  @Test
  void unboundedRunClosesWindowsWhenThePartitionIsIdle() throws Exception {
    Path input = TestData.path("test-data/events-sample.jsonl");
    KAFKA.broker().createTopics(1, "shop-live");
    ReplayToKafka.replay(KAFKA.bootstrapServers(), "shop-live", input, InputFormat.JSON, 0);
    Path batch = out.resolve("batch");
    assertThat(BatchPipeline.run(new String[] {"--input=" + input, "--format=json", "--output=" + batch,
        "--outputFormat=json", "--runner=FlinkRunner"}, System.out, System.err), is(BatchPipeline.EXIT_OK));

    List<String> args = new ArrayList<>(List.of(streamingArgs("DirectRunner", "shop-live", "live", -1, "json")));
    args.removeIf(a -> a.startsWith("--maxReadTime") || a.startsWith("--maxNumRecords"));
    args.add("--blockOnRun=false");
    StreamingOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(StreamingOptions.class);
    Pipeline p = Pipeline.create(options);
    StreamingPipeline.build(p, AnalyticsConfig.fromOptions(options, StreamingPipeline.DEFAULT_LATENESS), options);
    PipelineResult result = p.run();
    try {
      long deadline = System.currentTimeMillis() + 240_000;
      for (String table : List.of(Tables.FUNNEL, Tables.ITEM_STATS, Tables.CATEGORY_STATS, Tables.HOT_ITEMS)) {
        List<String> expected = ReadTables.rows(batch, table, Tables.ALL.get(table), OutputFormat.JSON);
        expected.sort(null);
        List<String> streamed = List.of();
        while (!streamed.equals(expected) && System.currentTimeMillis() < deadline) {
          streamed = latestPerKey(KAFKA.consume("live." + table, expected.size(), 1000));
        }
        assertThat(table, streamed, equalTo(expected));
      }
      assertThat(result.getState(), is(PipelineResult.State.RUNNING));

      String oldLine = Files.readAllLines(input).get(0);
      Path straggler = out.resolve("straggler.jsonl");
      Files.writeString(straggler, oldLine + "\n");
      ReplayToKafka.replay(KAFKA.bootstrapServers(), "shop-live", straggler, InputFormat.JSON, 0);
      List<String> tooLate = List.of();
      while (tooLate.isEmpty() && System.currentTimeMillis() < deadline) {
        tooLate = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.consume("live.dead_letters", 1, 1000)) {
          JsonNode letter = JSON.readTree(r.value());
          if (letter.get("reason").asText().equals("too_late")) {
            tooLate.add(letter.get("raw_payload").asText() + " @ " + letter.get("stage").asText());
          }
        }
      }
      assertThat(tooLate, equalTo(List.of(oldLine + " @ window")));
    } finally {
      result.cancel();
    }
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
}
