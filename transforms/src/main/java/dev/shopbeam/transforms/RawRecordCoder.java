package dev.shopbeam.transforms;

import dev.shopbeam.schemas.RawRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The coder of raw records between the read and the parse (see {@link CompactRecordCoder}).
 * {@link #FIELDS} is checked against the schema by RawRecordCoderTest.
 */
public final class RawRecordCoder extends CompactRecordCoder<RawRecord> {
  public static final List<String> FIELDS = List.of("payload", "source_location", "ingest_time", "original_length");

  private static final RawRecordCoder INSTANCE = new RawRecordCoder();

  public static RawRecordCoder of() {
    return INSTANCE;
  }

  private RawRecordCoder() {}

  @Override
  protected void write(RawRecord r, Writer w) {
    w.writeBuffer(r.getPayload());
    w.writeString(r.getSourceLocation());
    w.writeInstant(r.getIngestTime());
    w.writeZigZag(r.getOriginalLength());
  }

  @Override
  protected RawRecord read(Reader r) throws IOException {
    RawRecord raw = new RawRecord();
    raw.setPayload(ByteBuffer.wrap(r.readBytes()));
    raw.setSourceLocation(r.readString());
    raw.setIngestTime(r.readInstant());
    raw.setOriginalLength(r.readZigZag());
    return raw;
  }
}
