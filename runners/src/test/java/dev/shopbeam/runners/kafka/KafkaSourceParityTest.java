package dev.shopbeam.runners.kafka;

import dev.shopbeam.pipelines.io.ReadKafkaRecords;
import dev.shopbeam.pipelines.io.RecordJson;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.clean.EventValidator;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.RecordParser;
import dev.shopbeam.transforms.testing.ExpectedOutcomes;
import dev.shopbeam.transforms.testing.TestData;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same parse and clean transforms over a real Kafka topic give the same clean events and the same
 * dead letters as over the file the topic was replayed from. (The windowed outputs of the streaming
 * pipeline come with it; this pins down the source.)
 */
@ExtendWith(TestPipelineExtension.class)
@Timeout(300)
class KafkaSourceParityTest {
  @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

  /** Events with their ingest time blanked: a file's is its mtime, a topic's the record timestamp. */
  private static String withoutIngestTime(String json) {
    return json.replaceAll("\"ingest_time\":\"[^\"]*\"", "\"ingest_time\":\"*\"");
  }

  private static EventStreams readAndClean(TestPipeline p, String topic, InputFormat format, long records) {
    return p.apply(new ReadKafkaRecords(KAFKA.bootstrapServers(), topic, format, Duration.standardMinutes(5),
            false, 1 << 20, records, Duration.standardMinutes(2)))
        .apply(CleanEvents.of(format, CleanConfig.defaults()));
  }

  @Test
  void cleanEventsFromKafkaEqualThoseFromTheFile(TestPipeline p) throws Exception {
    Path input = TestData.path("test-data/userbehavior-sample.csv");
    // One partition: KafkaIO splits maxNumRecords evenly over its readers.
    KAFKA.broker().createTopics(1, "ub-parity");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "ub-parity", input, InputFormat.USERBEHAVIOR, 0);

    RecordParser parser = InputFormat.USERBEHAVIOR.newParser();
    EventValidator validator = new EventValidator(CleanConfig.defaults());
    Set<String> seen = new HashSet<>();
    List<String> expected = new ArrayList<>();
    for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
      RecordOutcome o = parser.parse(line, Instant.now());
      if (o.isEvent()) {
        o = validator.check(o.event());
      }
      if (o.isEvent() && seen.add(o.event().getEventId())) {
        expected.add(withoutIngestTime(RecordJson.toJson(o.event())));
      }
    }

    EventStreams out = readAndClean(p, "ub-parity", InputFormat.USERBEHAVIOR, sent);
    PAssert.that(out.events().apply(MapElements.into(TypeDescriptors.strings())
            .via(e -> withoutIngestTime(RecordJson.toJson(e)))))
        .containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  void deadLettersFromKafkaCarryTheirReasonAndOffset(TestPipeline p) throws Exception {
    Path input = TestData.path("test-data/malformed/events-malformed.jsonl");
    KAFKA.broker().createTopics(1, "bad-json");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "bad-json", input, InputFormat.JSON, 0);
    List<String> expected = ExpectedOutcomes.deadLetterReasons("events-malformed.jsonl");
    EventStreams out = readAndClean(p, "bad-json", InputFormat.JSON, sent);
    PAssert.that(out.deadLetters().apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::getReason)))
        .containsInAnyOrder(expected);
    PAssert.that(out.deadLetters().apply("Locations", MapElements.into(TypeDescriptors.strings())
            .via((DeadLetter d) -> d.getSourceLocation().replaceAll("@\\d+$", "@N"))))
        .satisfies(locations -> {
          for (String l : locations) {
            if (!l.equals("kafka:bad-json/0@N")) {
              throw new AssertionError("unexpected location " + l);
            }
          }
          return null;
        });
    p.run().waitUntilFinish();
  }
}
