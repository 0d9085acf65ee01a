package dev.shopbeam.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Avro binary coder for a class generated from {@code schemas/}, using the class's own data model, so
 * that logical types (decimals, timestamps) are converted, also inside unions. Beam 2.62's
 * {@code AvroCoder} encodes with a plain model and fails on {@code ["null", decimal]} fields
 * ("Not in union"). Readers and writers are per thread: Avro's are not thread-safe.
 */
public final class SpecificRecordCoder<T extends SpecificRecordBase> extends CustomCoder<T> {
  private final Class<T> type;
  private transient ThreadLocal<Codec<T>> codec;

  private SpecificRecordCoder(Class<T> type) {
    this.type = type;
  }

  public static <T extends SpecificRecordBase> SpecificRecordCoder<T> of(Class<T> type) {
    return new SpecificRecordCoder<>(type);
  }

  private Codec<T> codec() {
    if (codec == null) {
      codec = ThreadLocal.withInitial(() -> new Codec<>(type));
    }
    return codec.get();
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    Codec<T> c = codec();
    c.encoder = EncoderFactory.get().directBinaryEncoder(out, c.encoder);
    c.writer.write(value, c.encoder);
    c.encoder.flush();
  }

  @Override
  public T decode(InputStream in) throws IOException {
    Codec<T> c = codec();
    c.decoder = DecoderFactory.get().directBinaryDecoder(in, c.decoder);
    return c.reader.read(null, c.decoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    // Our records hold no maps, so Avro binary encoding is deterministic for them.
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpecificRecordCoder && ((SpecificRecordCoder<?>) o).type.equals(type);
  }

  @Override
  public int hashCode() {
    return Objects.hash(SpecificRecordCoder.class, type);
  }

  @Override
  public String toString() {
    return "SpecificRecordCoder(" + type.getSimpleName() + ")";
  }

  private static final class Codec<T> {
    final SpecificDatumWriter<T> writer;
    final SpecificDatumReader<T> reader;
    BinaryEncoder encoder;
    BinaryDecoder decoder;

    Codec(Class<T> type) {
      SpecificData model = SpecificData.getForClass(type);
      // Avro's fast reader builds a reader per schema once instead of walking a resolving grammar per
      // field per record: decoding CommerceEvent was a fifth of a Flink batch run's CPU without it.
      model.setFastReaderEnabled(true);
      Schema schema = model.getSchema(type);
      writer = new SpecificDatumWriter<>(schema, model);
      reader = new SpecificDatumReader<>(schema, schema, model);
    }
  }
}
