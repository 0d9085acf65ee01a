package dev.shopbeam.runners.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * One row of an output table, read by column name whatever format it was written in. Avro and Parquet
 * rows come with our logical-type conversions applied (Instant, BigDecimal); JSON lines hold timestamps
 * as ISO-8601 strings and decimals as numbers ({@code RecordJson}). A missing column or a null reads as
 * null (or 0 for the numeric getters that say so).
 */
interface Row {
  String str(String column);

  /** 0 when null. */
  long lng(String column);

  /** null when null. */
  Double dbl(String column);

  /** null when null. */
  BigDecimal dec(String column);

  /** null when null. */
  Instant time(String column);

  static Row of(IndexedRecord record) {
    return new RecordRow(record);
  }

  static Row of(JsonNode node) {
    return new JsonRow(node);
  }

  final class RecordRow implements Row {
    private final IndexedRecord record;

    RecordRow(IndexedRecord record) {
      this.record = record;
    }

    private Object get(String column) {
      Schema.Field f = record.getSchema().getField(column);
      return f == null ? null : record.get(f.pos());
    }

    @Override
    public String str(String column) {
      Object v = get(column);
      return v == null ? null : v.toString();
    }

    @Override
    public long lng(String column) {
      Object v = get(column);
      return v == null ? 0L : ((Number) v).longValue();
    }

    @Override
    public Double dbl(String column) {
      Object v = get(column);
      return v == null ? null : ((Number) v).doubleValue();
    }

    @Override
    public BigDecimal dec(String column) {
      Object v = get(column);
      if (v == null) {
        return null;
      }
      return v instanceof BigDecimal ? (BigDecimal) v : new BigDecimal(v.toString());
    }

    @Override
    public Instant time(String column) {
      Object v = get(column);
      if (v == null) {
        return null;
      }
      return v instanceof Instant ? (Instant) v : Instant.ofEpochMilli(((Number) v).longValue());
    }
  }

  final class JsonRow implements Row {
    private final JsonNode node;

    JsonRow(JsonNode node) {
      this.node = node;
    }

    private JsonNode get(String column) {
      JsonNode v = node.get(column);
      return v == null || v.isNull() ? null : v;
    }

    @Override
    public String str(String column) {
      JsonNode v = get(column);
      return v == null ? null : v.asText();
    }

    @Override
    public long lng(String column) {
      JsonNode v = get(column);
      return v == null ? 0L : v.asLong();
    }

    @Override
    public Double dbl(String column) {
      JsonNode v = get(column);
      return v == null ? null : v.asDouble();
    }

    @Override
    public BigDecimal dec(String column) {
      JsonNode v = get(column);
      return v == null ? null : (v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText()));
    }

    @Override
    public Instant time(String column) {
      JsonNode v = get(column);
      if (v == null) {
        return null;
      }
      return v.isNumber() ? Instant.ofEpochMilli(v.asLong()) : Instant.parse(v.asText());
    }
  }
}
