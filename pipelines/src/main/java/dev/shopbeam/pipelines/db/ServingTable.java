package dev.shopbeam.pipelines.db;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One table of the serving database: the batch output table of the same name, whose rows are records of
 * {@link #rowClass()}. The database table's columns are the record's fields (same names, same order;
 * serving_tables.sql), and its key constraint is named {@code <name>_key}.
 */
public final class ServingTable implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final Class<? extends SpecificRecordBase> rowClass;

  ServingTable(String name, Class<? extends SpecificRecordBase> rowClass) {
    this.name = name;
    this.rowClass = rowClass;
  }

  public String name() {
    return name;
  }

  public Class<? extends SpecificRecordBase> rowClass() {
    return rowClass;
  }

  public Schema schema() {
    return SpecificData.get().getSchema(rowClass);
  }

  /** The columns, in order: the Avro record's field names. */
  public List<String> columns() {
    return schema().getFields().stream().map(Schema.Field::name).collect(Collectors.toList());
  }

  /**
   * The upsert of one row given as a JSON object ({@code RecordJson}: timestamps ISO-8601, decimals as
   * numbers, arrays and nested records as JSON), the statement's only parameter. PostgreSQL converts the
   * JSON to the table's row type itself ({@code jsonb_populate_record}), with the same casts as for SQL
   * literals, so there is one conversion for every table and format instead of a setter per column; a
   * field the JSON lacks would become null, which the NOT NULL constraints of every non-nullable field
   * refuse. An existing row with the same key is updated, and only if a value differs, so loading
   * the same output again writes nothing.
   */
  public String upsertSql() {
    List<String> cols = columns();
    String list = String.join(", ", cols);
    String excluded = cols.stream().map(c -> "EXCLUDED." + c).collect(Collectors.joining(", "));
    String current = cols.stream().map(c -> "t." + c).collect(Collectors.joining(", "));
    return "INSERT INTO " + name + " AS t (" + list + ")"
        + " SELECT " + list + " FROM jsonb_populate_record(NULL::" + name + ", ?::jsonb)"
        + " ON CONFLICT ON CONSTRAINT " + name + "_key DO UPDATE SET "
        + cols.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
        + " WHERE (" + current + ") IS DISTINCT FROM (" + excluded + ")";
  }

  @Override
  public String toString() {
    return name;
  }
}
