package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.ShopBeamAvroData;
import org.apache.avro.util.Utf8;

/**
 * {@link ShopBeamAvroData} for the Parquet writer: a record's string fields are handed to it as Avro
 * {@link Utf8}, whose bytes parquet-avro takes as they are. A {@link String} it encodes through a
 * {@link java.nio.charset.CharsetEncoder} per value (parquet 1.13's {@code Binary.fromCharSequence}),
 * which was a sixth of the samples of the clean_events write; {@code new Utf8(String)} is the JDK's own
 * UTF-8 encoding of the string. The same bytes reach the file.
 */
public final class ParquetWriteData extends ShopBeamAvroData {
  private static final ParquetWriteData INSTANCE = new ParquetWriteData();

  /** What ParquetIO's sink calls on the model class it is given. */
  public static ParquetWriteData get() {
    return INSTANCE;
  }

  @Override
  public Object getField(Object record, String name, int position) {
    Object value = super.getField(record, name, position);
    return value instanceof String ? new Utf8((String) value) : value;
  }
}
