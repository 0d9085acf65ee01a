package dev.shopbeam.pipelines.io;

import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes keyed lists of rows to a Kafka topic, one message per key: the value is a JSON array of the
 * rows ({@link RecordJson}), so a consumer that keeps the latest value per key (or a compacted topic)
 * holds each key's current list; an empty array says the key has none any more.
 */
public final class WriteKafkaLists<T extends SpecificRecordBase> extends PTransform<PCollection<KV<String, List<T>>>, PDone> {
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

  @Override
  public PDone expand(PCollection<KV<String, List<T>>> lists) {
    return lists
        .apply("As JSON", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via((KV<String, List<T>> list) -> KV.of(list.getKey(), toJsonArray(list.getValue()))))
        .apply("To " + topic, KafkaIO.<String, String>write()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(StringSerializer.class));
  }
}
