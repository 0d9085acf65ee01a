package dev.shopbeam.pipelines.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders one of our records as a single-line JSON object: columns in schema order, timestamps as
 * ISO-8601 UTC strings, decimals as plain JSON numbers, enums by name, nulls as null. The rendering is
 * deterministic, so the same rows give the same bytes (orchestrators compare outputs of reruns).
 */
public final class RecordJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RecordJson() {}

  public static String toJson(IndexedRecord record) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeRecord(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeRecord(JsonGenerator g, IndexedRecord record) throws IOException {
    g.writeStartObject();
    for (Schema.Field f : record.getSchema().getFields()) {
      g.writeFieldName(f.name());
      writeValue(g, record.get(f.pos()));
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof CharSequence) {
      g.writeString(v.toString());
    } else if (v instanceof Instant) {
      g.writeString(v.toString());
    } else if (v instanceof BigDecimal) {
      g.writeNumber(((BigDecimal) v).toPlainString());
    } else if (v instanceof Integer) {
      g.writeNumber((Integer) v);
    } else if (v instanceof Long) {
      g.writeNumber((Long) v);
    } else if (v instanceof Double) {
      g.writeNumber((Double) v);
    } else if (v instanceof Float) {
      g.writeNumber((Float) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Enum) {
      g.writeString(((Enum<?>) v).name());
    } else if (v instanceof java.util.List) {
      g.writeStartArray();
      for (Object item : (java.util.List<?>) v) {
        writeValue(g, item);
      }
      g.writeEndArray();
    } else if (v instanceof IndexedRecord) {
      writeRecord(g, (IndexedRecord) v); // a nested record, e.g. one share of a user's category affinity
    } else if (v instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) v).duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      g.writeString(Base64.getEncoder().encodeToString(bytes));
    } else {
      g.writeString(v.toString());
    }
  }
}
