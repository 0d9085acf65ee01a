package dev.shopbeam.pipelines.io;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the rows of a table to a Kafka topic: the value is the row as JSON ({@link RecordJson}), the
 * key identifies the row (window and dimensions), so an updated pane of a window replaces the earlier
 * one for a consumer that keeps the latest value per key (or a compacted topic).
 */
public final class WriteKafkaTable<T extends SpecificRecordBase> extends PTransform<PCollection<T>, PDone> {
  private final String bootstrapServers;
  private final String topic;
  private final SerializableFunction<T, String> key;

  public WriteKafkaTable(String bootstrapServers, String topic, SerializableFunction<T, String> key) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.key = key;
  }

  @Override
  public PDone expand(PCollection<T> rows) {
    SerializableFunction<T, String> keyFn = key;
    return rows
        .apply("As JSON", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via((T row) -> KV.of(keyFn.apply(row), RecordJson.toJson(row))))
        .apply("To " + topic, KafkaIO.<String, String>write()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(StringSerializer.class));
  }
}
