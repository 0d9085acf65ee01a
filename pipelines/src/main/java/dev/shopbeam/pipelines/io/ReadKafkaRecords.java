package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.DeadLetters;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.RecordParser;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads a Kafka topic as {@link RawRecord}s ({@code kafka:topic/partition@offset}, ingest time = the
 * record's Kafka timestamp), stamped with their event time.
 *
 * <p>Event time comes from the record itself: the layout's parser reads it from the value (a record it
 * cannot parse keeps its Kafka timestamp, and goes on to be dead-lettered). The watermark of a partition
 * trails the largest event time seen by {@code maxOutOfOrderness}; a partition with nothing left to read
 * moves its watermark on with processing time (less the same delay), so an idle partition does not hold
 * every window open forever (apache/beam#20908). With {@code useKafkaTimestamp} the record's Kafka
 * timestamp is the event time instead.
 */
public final class ReadKafkaRecords extends PTransform<PBegin, PCollection<RawRecord>> {
  private final String bootstrapServers;
  private final String topic;
  private final InputFormat format;
  private final Duration maxOutOfOrderness;
  private final boolean useKafkaTimestamp;
  private final int maxRecordBytes;
  private final @Nullable Long maxNumRecords;
  private final @Nullable Duration maxReadTime;
  private final @Nullable String consumerGroup;

  public ReadKafkaRecords(String bootstrapServers, String topic, InputFormat format, Duration maxOutOfOrderness,
      boolean useKafkaTimestamp, int maxRecordBytes, @Nullable Long maxNumRecords, @Nullable Duration maxReadTime) {
    this(bootstrapServers, topic, format, maxOutOfOrderness, useKafkaTimestamp, maxRecordBytes, maxNumRecords,
        maxReadTime, null);
  }

  private ReadKafkaRecords(String bootstrapServers, String topic, InputFormat format, Duration maxOutOfOrderness,
      boolean useKafkaTimestamp, int maxRecordBytes, @Nullable Long maxNumRecords, @Nullable Duration maxReadTime,
      @Nullable String consumerGroup) {
    this.consumerGroup = consumerGroup;
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.format = format;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.useKafkaTimestamp = useKafkaTimestamp;
    this.maxRecordBytes = maxRecordBytes;
    this.maxNumRecords = maxNumRecords;
    this.maxReadTime = maxReadTime;
  }

  /**
   * Commits read offsets to this consumer group when the runner finalises a checkpoint. The offsets
   * that make a restored job exact are those in the runner's own checkpoint; the committed ones are for
   * monitoring, and for a job started afresh.
   */
  public ReadKafkaRecords committingOffsetsTo(String group) {
    return new ReadKafkaRecords(bootstrapServers, topic, format, maxOutOfOrderness, useKafkaTimestamp, maxRecordBytes,
        maxNumRecords, maxReadTime, group);
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    Duration delay = maxOutOfOrderness;
    InputFormat fmt = format;
    TimestampPolicyFactory<byte[], byte[]> policy = useKafkaTimestamp
        ? TimestampPolicyFactory.withCreateTime(delay)
        : (partition, previousWatermark) ->
            new CustomTimestampPolicyWithLimitedDelay<>(new EventTimeOf(fmt), delay, previousWatermark);
    KafkaIO.Read<byte[], byte[]> read = KafkaIO.<byte[], byte[]>read()
        .withBootstrapServers(bootstrapServers)
        .withTopic(topic)
        .withKeyDeserializer(ByteArrayDeserializer.class)
        .withValueDeserializer(ByteArrayDeserializer.class)
        .withConsumerConfigUpdates(consumerGroup == null
            ? Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
            : Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG, consumerGroup))
        .withTimestampPolicyFactory(policy);
    if (consumerGroup != null) {
      read = read.commitOffsetsInFinalize();
    }
    if (maxNumRecords != null) {
      read = read.withMaxNumRecords(maxNumRecords);
    }
    if (maxReadTime != null) {
      read = read.withMaxReadTime(maxReadTime);
    }
    return begin
        .apply("Read " + topic, read)
        .apply("To raw records", ParDo.of(new ToRawRecord(maxRecordBytes)))
        .setCoder(Coders.rawRecords());
  }

  /** The event time of a record, as its layout's parser reads it; the Kafka timestamp otherwise. */
  static final class EventTimeOf implements SerializableFunction<KafkaRecord<byte[], byte[]>, Instant> {
    private static final long YEAR_2100_MILLIS = 4_102_444_800_000L;
    private final InputFormat format;
    private transient RecordParser parser;

    EventTimeOf(InputFormat format) {
      this.format = format;
    }

    @Override
    public Instant apply(KafkaRecord<byte[], byte[]> record) {
      if (parser == null) {
        parser = format.newParser();
      }
      byte[] value = record.getKV().getValue();
      String text = value == null ? null : DeadLetters.decodeStrict(value);
      if (text != null && !text.isBlank()) {
        try {
          RecordOutcome o = parser.parse(text, java.time.Instant.ofEpochMilli(record.getTimestamp()));
          if (o.isEvent()) {
            long millis = o.event().getEventTime().toEpochMilli();
            // Only plausible times may move the watermark; absurd ones are dead-lettered downstream.
            if (millis > 0 && millis < YEAR_2100_MILLIS) {
              return new Instant(millis);
            }
          }
        } catch (RuntimeException e) {
          // fall through: the record is dead-lettered downstream with the parser's reason
        }
      }
      return new Instant(record.getTimestamp());
    }
  }

  static final class ToRawRecord extends DoFn<KafkaRecord<byte[], byte[]>, RawRecord> {
    private final int maxRecordBytes;

    ToRawRecord(int maxRecordBytes) {
      this.maxRecordBytes = maxRecordBytes;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, OutputReceiver<RawRecord> out) {
      byte[] value = r.getKV().getValue() == null ? new byte[0] : r.getKV().getValue();
      byte[] payload = value.length > maxRecordBytes ? Arrays.copyOf(value, maxRecordBytes) : value;
      out.output(RawRecord.newBuilder()
          .setPayload(ByteBuffer.wrap(payload))
          .setSourceLocation("kafka:" + r.getTopic() + "/" + r.getPartition() + "@" + r.getOffset())
          .setIngestTime(java.time.Instant.ofEpochMilli(r.getTimestamp()))
          .setOriginalLength(value.length)
          .build());
    }
  }
}
