package dev.shopbeam.runners.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real broker in-process, and the replay of test data through it, read back with a plain consumer. */
@Timeout(300)
class LocalKafkaReplayTest {
  @TempDir static Path dataDir;
  static LocalKafka kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = LocalKafka.start(0, dataDir);
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int expected) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      while (records.size() < expected && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }

  @Test
  void replaysEveryLineInEventTimeOrderPerPartition() throws Exception {
    kafka.createTopics(3, "userbehavior");
    Path input = TestData.path("test-data/userbehavior-sample.csv");
    long sent = ReplayToKafka.replay(kafka.bootstrapServers(), "userbehavior", input, InputFormat.USERBEHAVIOR, 0);
    int lines = Files.readAllLines(input).size();
    assertThat(sent, is((long) lines));

    List<ConsumerRecord<byte[], byte[]>> records = consumeAll("userbehavior", lines);
    assertThat(records.size(), is(lines));
    Map<Integer, Long> lastTime = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long t = Long.parseLong(new String(r.value()).split(",")[4]) * 1000;
      assertThat(r.timestamp(), is(t));
      assertThat(t, greaterThanOrEqualTo(lastTime.getOrDefault(r.partition(), Long.MIN_VALUE)));
      lastTime.put(r.partition(), t);
      assertThat(new String(r.key()), equalTo(new String(r.value()).split(",")[0]));
    }
  }

  @Test
  void replaysBrokenRecordsByteForByte() throws Exception {
    kafka.createTopics(1, "malformed");
    Path input = TestData.path("test-data/malformed/events-malformed.jsonl");
    long sent = ReplayToKafka.replay(kafka.bootstrapServers(), "malformed", input, InputFormat.JSON, 0);
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
}
