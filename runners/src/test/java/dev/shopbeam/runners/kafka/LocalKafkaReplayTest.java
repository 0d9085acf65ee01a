package dev.shopbeam.runners.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real broker in-process, and the replay of test data through it, read back with a plain consumer. */
@Timeout(300)
class LocalKafkaReplayTest {
  @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

  private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int expected) {
    return KAFKA.consume(topic, expected, 0);
  }

  @Test
  void replaysEveryLineInEventTimeOrderPerPartition() throws Exception {
    KAFKA.broker().createTopics(3, "userbehavior");
    Path input = TestData.path("test-data/userbehavior-sample.csv");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "userbehavior", input, InputFormat.USERBEHAVIOR, 0);
    int lines = Files.readAllLines(input).size();
    assertThat(sent, is((long) lines));

    List<ConsumerRecord<byte[], byte[]>> records = consumeAll("userbehavior", lines);
    assertThat(records.size(), is(lines));
    Map<Integer, Long> lastTime = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long t = Long.parseLong(new String(r.value()).split(",")[4]) * 1000;
      assertThat(t, greaterThanOrEqualTo(lastTime.getOrDefault(r.partition(), Long.MIN_VALUE)));
      lastTime.put(r.partition(), t);
      assertThat(new String(r.key()), equalTo(new String(r.value()).split(",")[0]));
    }
  }

  @Test
  void replaysBrokenRecordsByteForByte() throws Exception {
    KAFKA.broker().createTopics(1, "malformed");
    Path input = TestData.path("test-data/malformed/events-malformed.jsonl");
    long sent = ReplayToKafka.replay(KAFKA.bootstrapServers(), "malformed", input, InputFormat.JSON, 0);
    List<ConsumerRecord<byte[], byte[]>> records = consumeAll("malformed", (int) sent);
    assertThat(records.size(), is((int) sent));
    boolean foundInvalidUtf8 = false;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("caf\u00e9")) {
        foundInvalidUtf8 = true;
      }
    }
    assertThat("the invalid UTF-8 line arrived unchanged", foundInvalidUtf8, is(true));
  }

  @Test
  void consumeCommandPrintsKeyTabValueForEveryMessage() throws Exception {
    KAFKA.broker().createTopics(1, "to-consume");
    Path input = TestData.path("test-data/userbehavior-sample.csv");
    ReplayToKafka.replay(KAFKA.bootstrapServers(), "to-consume", input, InputFormat.USERBEHAVIOR, 0);
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    int exit = KafkaCommands.consume(new String[] {"--bootstrapServers=" + KAFKA.bootstrapServers(),
        "--topic=to-consume", "--idleSeconds=3"}, new java.io.PrintStream(printed, true, "UTF-8"), System.err);
    assertThat(exit, is(KafkaCommands.EXIT_OK));
    List<String> expected = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(input)) {
      expected.add(line.split(",")[0] + "\t" + line);
    }
    List<String> lines = new java.util.ArrayList<>(List.of(printed.toString("UTF-8").split("\n")));
    lines.sort(null);
    expected.sort(null);
    assertThat(lines, equalTo(expected));
  }
}
