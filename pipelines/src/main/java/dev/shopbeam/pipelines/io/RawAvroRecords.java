package dev.shopbeam.pipelines.io;

import java.io.IOException;
import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads a row's Avro binary (as {@code SpecificRecordCoder} writes it) into a generic record of its raw
 * values, for the Parquet writer: strings stay {@link org.apache.avro.util.Utf8} bytes, decimals their
 * unscaled two's-complement bytes, timestamps their epoch millis, which is what the Parquet columns
 * hold. Decoding into the generated class instead converted every decimal and timestamp to BigDecimal
 * and Instant and every string to a String, for the writer to convert each back (the item_stats write
 * spent a quarter of its samples decoding). Per thread: Avro's readers are not thread-safe.
 */
final class RawAvroRecords implements Serializable {
  private final String schemaJson;
  private transient ThreadLocal<Reader> readers;

  RawAvroRecords(Schema schema) {
    this.schemaJson = schema.toString();
  }

  GenericRecord read(byte[] bytes) throws IOException {
    if (readers == null) {
      Schema schema = new Schema.Parser().parse(schemaJson);
      readers = ThreadLocal.withInitial(() -> new Reader(schema));
    }
    Reader r = readers.get();
    r.decoder = DecoderFactory.get().binaryDecoder(bytes, r.decoder);
    GenericRecord record = r.reader.read(null, r.decoder);
    if (!r.decoder.isEnd()) {
      throw new IOException("bytes left after a " + record.getSchema().getName() + " row");
    }
    return record;
  }

  private static final class Reader {
    final GenericDatumReader<GenericRecord> reader;
    BinaryDecoder decoder;

    Reader(Schema schema) {
      // A model of its own without logical-type conversions (GenericData.get() is shared by everyone).
      GenericData raw = new GenericData();
      raw.setFastReaderEnabled(true);
      reader = new GenericDatumReader<>(schema, schema, raw);
    }
  }
}
