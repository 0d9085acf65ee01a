package dev.shopbeam.transforms;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;

/** Avro coders for the records generated from {@code schemas/}: compact, and no Java serialization. */
public final class Coders {
  private Coders() {}

  public static <T extends SpecificRecord> Coder<T> avro(Class<T> type) {
    return AvroCoder.of(type);
  }

  public static Coder<CommerceEvent> events() {
    return AvroCoder.of(CommerceEvent.class);
  }

  public static Coder<DeadLetter> deadLetters() {
    return AvroCoder.of(DeadLetter.class);
  }

  public static Coder<RawRecord> rawRecords() {
    return AvroCoder.of(RawRecord.class);
  }

  public static Coder<KV<String, String>> filtered() {
    return KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
  }
}
