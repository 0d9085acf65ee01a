package dev.shopbeam.pipelines.io;

import dev.shopbeam.transforms.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.ProducerRecordCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes keyed, versioned lists of rows to a Kafka topic, one message per list: the value is a JSON
 * array of the rows ({@link RecordJson}), an empty array when the key has none any more; the header
 * {@value #VERSION_HEADER} holds the key's version in decimal. A consumer keeps the value with the highest
 * version per key: Beam keeps no order between elements, and a runner that writes bundles of one step in
 * parallel (the DirectRunner does) can put an older list after a newer one on the topic.
 */
public final class WriteKafkaLists<T extends SpecificRecordBase>
    extends PTransform<PCollection<KV<String, Versioned<List<T>>>>, PDone> {
  public static final String VERSION_HEADER = "shopbeam.version";

  private final String bootstrapServers;
  private final String topic;

  public WriteKafkaLists(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  public static String toJsonArray(List<? extends SpecificRecordBase> rows) {
    StringBuilder b = new StringBuilder("[");
    for (SpecificRecordBase row : rows) {
      b.append(b.length() > 1 ? "," : "").append(RecordJson.toJson(row));
    }
    return b.append(']').toString();
  }

  /** The version a list message carries, or -1 when it has no version header. */
  public static long versionOf(org.apache.kafka.common.header.Headers headers) {
    org.apache.kafka.common.header.Header h = headers.lastHeader(VERSION_HEADER);
    return h == null ? -1 : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
  }

  @Override
  public PDone expand(PCollection<KV<String, Versioned<List<T>>>> lists) {
    return lists
        .apply("As JSON with version", ParDo.of(new ToRecordFn<T>(topic)))
        .setCoder(ProducerRecordCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("To " + topic, KafkaIO.<String, String>writeRecords()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(StringSerializer.class));
  }

  static final class ToRecordFn<T extends SpecificRecordBase>
      extends DoFn<KV<String, Versioned<List<T>>>, ProducerRecord<String, String>> {
    private final String topic;

    ToRecordFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void process(@Element KV<String, Versioned<List<T>>> list, OutputReceiver<ProducerRecord<String, String>> out) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(VERSION_HEADER, Long.toString(list.getValue().version()).getBytes(StandardCharsets.UTF_8));
      out.output(new ProducerRecord<>(topic, null, null, list.getKey(), toJsonArray(list.getValue().value()), headers));
    }
  }
}
