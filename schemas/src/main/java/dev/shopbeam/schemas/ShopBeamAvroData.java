package dev.shopbeam.schemas;

import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro data model for our generated records, with the logical-type conversions they use
 * (timestamp-millis as {@link java.time.Instant}, decimal as {@link java.math.BigDecimal}). Writers that
 * take a model class, such as Beam's {@code ParquetIO.sink(...).withAvroDataModel(...)}, look up a
 * static {@code get()}: this one returns a model that converts, where {@link SpecificData#get()} would
 * hand the raw Instant to a long column and fail.
 */
public class ShopBeamAvroData extends SpecificData {
  private static final ShopBeamAvroData INSTANCE = new ShopBeamAvroData();

  public ShopBeamAvroData() {
    super(ShopBeamAvroData.class.getClassLoader());
    addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    addLogicalTypeConversion(new Conversions.DecimalConversion());
  }

  public static ShopBeamAvroData get() {
    return INSTANCE;
  }
}
