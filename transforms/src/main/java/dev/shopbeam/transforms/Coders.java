package dev.shopbeam.transforms;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.values.KV;

/** Avro binary coders for the records generated from {@code schemas/}: compact, no Java serialization. */
public final class Coders {
  private Coders() {}

  public static <T extends SpecificRecordBase> Coder<T> avro(Class<T> type) {
    return SpecificRecordCoder.of(type);
  }

  public static Coder<CommerceEvent> events() {
    return avro(CommerceEvent.class);
  }

  public static Coder<DeadLetter> deadLetters() {
    return avro(DeadLetter.class);
  }

  public static Coder<RawRecord> rawRecords() {
    return avro(RawRecord.class);
  }

  public static Coder<KV<String, String>> filtered() {
    return KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
  }
}
