package dev.shopbeam.runners.bench;

import dev.shopbeam.pipelines.AnalyticsConfig;
import dev.shopbeam.pipelines.PipelineLauncher;
import dev.shopbeam.pipelines.StreamingOptions;
import dev.shopbeam.pipelines.StreamingPipeline;
import dev.shopbeam.runners.kafka.LocalKafka;
import dev.shopbeam.runners.kafka.ReplayToKafka;
import dev.shopbeam.transforms.parse.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The streaming pipeline's throughput: the input is first replayed into an in-process Kafka broker (not
 * timed), then the streaming pipeline reads exactly that many records from the topic (in streaming
 * mode, with every table, feature and recommendation stage publishing to its topic), and the run is
 * timed from launch to the end of the last window. Output rows are the messages published per topic.
 */
final class StreamingBench {
  private static final String INPUT_TOPIC = "bench-events";

  private StreamingBench() {}

  static Bench.Result run(Bench bench, String runner, String[] beamArgs, Path input, InputFormat format, long lines,
      Path work, boolean warmup) throws Exception {
    Path dataDir = Files.createTempDirectory(work, "kafka-");
    try (LocalKafka kafka = LocalKafka.start(0, dataDir)) {
      kafka.createTopics(1, INPUT_TOPIC); // one partition: KafkaIO splits --maxNumRecords evenly over readers
      long sent = ReplayToKafka.replay(kafka.bootstrapServers(), INPUT_TOPIC, input, format, 0);
      List<String> args = new ArrayList<>(Arrays.asList(beamArgs));
      args.addAll(List.of("--bootstrapServers=" + kafka.bootstrapServers(), "--inputTopic=" + INPUT_TOPIC,
          "--format=" + format.cliName(), "--maxNumRecords=" + sent, "--maxReadTime=60m"));
      if (PipelineLauncher.isSpark(runner)) {
        args.addAll(List.of("--rejectTooLate=false", "--recommendations=false"));
      } else {
        args.add("--streaming=true");
      }
      StreamingOptions options = Bench.options(args.toArray(new String[0]), StreamingOptions.class);
      AnalyticsConfig config = AnalyticsConfig.fromOptions(options, StreamingPipeline.DEFAULT_LATENESS);
      Bench.Result r = bench.measure("streaming", runner, lines, warmup, () -> {
        Pipeline p = Pipeline.create(options);
        StreamingPipeline.build(p, config, options);
        if (PipelineLauncher.runToEnd(p, System.err) != PipelineResult.State.DONE) {
          throw new IllegalStateException("the streaming pipeline failed");
        }
        return Map.of();
      });
      return new Bench.Result(r.pipeline(), r.runner(), r.events(), r.seconds(), r.cpuSeconds(), r.peakHeapMb(), r.peakLiveMb(),
          r.gcSeconds(), publishedPerTopic(kafka), r.warmup());
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private static Map<String, Long> publishedPerTopic(LocalKafka kafka) throws Exception {
    try (Admin admin = kafka.admin()) {
      Set<String> topics = admin.listTopics().names().get().stream()
          .filter(t -> !t.equals(INPUT_TOPIC) && !t.startsWith("_")).collect(Collectors.toSet());
      Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
      admin.describeTopics(topics).allTopicNames().get().forEach((t, d) ->
          d.partitions().forEach(p -> ends.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
      Map<String, Long> rows = new TreeMap<>();
      admin.listOffsets(ends).all().get().forEach((tp, info) -> rows.merge(tp.topic(), info.offset(), Long::sum));
      return rows;
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
