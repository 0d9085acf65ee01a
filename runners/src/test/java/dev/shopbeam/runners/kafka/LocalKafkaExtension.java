package dev.shopbeam.runners.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real in-process broker per test class: {@code @RegisterExtension static LocalKafkaExtension kafka = ...}. */
public final class LocalKafkaExtension implements BeforeAllCallback, AfterAllCallback {
  private LocalKafka kafka;
  private Path dataDir;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("shopbeam-kafka");
    kafka = LocalKafka.start(0, dataDir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (kafka != null) {
      kafka.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  public LocalKafka broker() {
    return kafka;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * Every record of {@code topic} from the start: stops once it holds at least {@code atLeast} records,
   * has read up to the end the topic had then, and nothing new came for {@code quietMillis}; or after
   * a minute. Reading to the end offsets matters on a loaded machine: a pause between two fetches
   * longer than the quiet period must not end the read halfway through a finished job's output.
   */
  public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int atLeast, long quietMillis) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic + "-" + System.nanoTime());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      long lastNew = System.currentTimeMillis();
      while (System.currentTimeMillis() < deadline) {
        int before = records.size();
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        if (records.size() > before) {
          lastNew = System.currentTimeMillis();
        }
        if (records.size() >= atLeast && System.currentTimeMillis() - lastNew >= quietMillis && readToEnd(consumer)) {
          break;
        }
      }
    }
    return records;
  }

  /** Whether the consumer's position is at the current end offset of every partition it was assigned. */
  private static boolean readToEnd(KafkaConsumer<byte[], byte[]> consumer) {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return false;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
    for (TopicPartition partition : assigned) {
      if (consumer.position(partition) < ends.get(partition)) {
        return false;
      }
    }
    return true;
  }
}
