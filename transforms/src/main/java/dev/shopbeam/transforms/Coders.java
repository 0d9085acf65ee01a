package dev.shopbeam.transforms;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.values.KV;

/**
 * Coders for the records generated from {@code schemas/}: compact, no Java serialization. Raw records
 * and clean events, which cross every shuffle, get hand-written coders; the other records Avro binary.
 */
public final class Coders {
  private Coders() {}

  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecordBase> Coder<T> avro(Class<T> type) {
    if (type == CommerceEvent.class) {
      return (Coder<T>) CommerceEventCoder.of();
    }
    if (type == RawRecord.class) {
      return (Coder<T>) RawRecordCoder.of();
    }
    return SpecificRecordCoder.of(type);
  }

  public static Coder<CommerceEvent> events() {
    return CommerceEventCoder.of();
  }

  public static Coder<DeadLetter> deadLetters() {
    return avro(DeadLetter.class);
  }

  public static Coder<RawRecord> rawRecords() {
    return RawRecordCoder.of();
  }

  public static Coder<KV<String, String>> filtered() {
    return KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
  }
}
