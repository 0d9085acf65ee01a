package dev.shopbeam.runners.kafka;

import dev.shopbeam.pipelines.io.ReadRawRecords;
import dev.shopbeam.transforms.DeadLetters;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.RecordParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a file of any supported layout to a Kafka topic in event-time order, so the streaming
 * pipeline can be driven with the same data as the batch one. Each line goes out byte for byte (broken
 * records too: they are what the dead-letter path is for), keyed by user id when the line parses (a
 * user's events stay in order on one partition). The record timestamp is the send time, as for any
 * producer: it is the records' ingest time, and the pipeline's checks against it (an event "from the
 * future") stay meaningful. Lines that do not parse keep their place after the line before them.
 * Optionally paced at a rate.
 */
public final class ReplayToKafka {
  /** One line ready to send. */
  static final class Line {
    final byte[] value;
    final byte[] key;
    final long eventTimeMillis;
    final long order;

    Line(byte[] value, byte[] key, long eventTimeMillis, long order) {
      this.value = value;
      this.key = key;
      this.eventTimeMillis = eventTimeMillis;
      this.order = order;
    }
  }

  private ReplayToKafka() {}

  /** The file's records in the order they will be sent. */
  static List<Line> read(Path file, InputFormat format) throws IOException {
    RecordParser parser = format.newParser();
    List<Line> lines = new ArrayList<>();
    long previousTime = 0;
    Instant now = Instant.now();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = new BufferedInputStream(
            file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)) {
      ReadRawRecords.LineReader reader = new ReadRawRecords.LineReader(in, Integer.MAX_VALUE - 16);
      long n = 0;
      while (reader.next()) {
        n++;
        byte[] bytes = reader.bytes();
        String text = DeadLetters.decodeStrict(bytes);
        if (n == 1 && text != null && format.isHeader(text)) {
          continue;
        }
        long time = previousTime;
        byte[] key = null;
        if (text != null && !text.isBlank()) {
          RecordOutcome o = safeParse(parser, text, now);
          if (o != null && o.isEvent()) {
            time = o.event().getEventTime().toEpochMilli();
            key = o.event().getUserId() == null ? null : o.event().getUserId().getBytes(StandardCharsets.UTF_8);
          }
        }
        previousTime = time;
        lines.add(new Line(bytes, key, time, n));
      }
    }
    lines.sort(Comparator.comparingLong((Line l) -> l.eventTimeMillis).thenComparingLong(l -> l.order));
    return lines;
  }

  private static RecordOutcome safeParse(RecordParser parser, String text, Instant now) {
    try {
      return parser.parse(text, now);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * @param eventsPerSecond 0 for as fast as the broker takes them
   * @return how many records were sent
   */
  public static long replay(String bootstrapServers, String topic, Path file, InputFormat format, double eventsPerSecond)
      throws IOException, InterruptedException {
    List<Line> lines = read(file, format);
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    long start = System.nanoTime();
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (Line l : lines) {
        if (eventsPerSecond > 0) {
          long due = start + (long) (sent * 1e9 / eventsPerSecond);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
        producer.send(new ProducerRecord<>(topic, null, null, l.key, l.value));
        sent++;
      }
      producer.flush();
    }
    return sent;
  }
}
