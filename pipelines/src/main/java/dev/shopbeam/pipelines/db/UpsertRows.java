package dev.shopbeam.pipelines.db;

import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Upserts rows, given as JSON objects ({@code RecordJson}), into a serving table with JdbcIO
 * ({@link ServingTable#upsertSql()}): a row whose key exists replaces the old one, so writing the same
 * rows again, or a bundle again after a worker failure, leaves the table as it was.
 */
public final class UpsertRows extends PTransform<PCollection<String>, PDone> {
  /** Rows per JDBC batch (and per transaction): JdbcIO's default. */
  public static final long DEFAULT_BATCH_SIZE = 1000;

  private final ServingTable table;
  private final JdbcTarget target;
  private final long batchSize;

  private UpsertRows(ServingTable table, JdbcTarget target, long batchSize) {
    this.table = table;
    this.target = target;
    this.batchSize = batchSize;
  }

  public static UpsertRows into(ServingTable table, JdbcTarget target) {
    return new UpsertRows(table, target, DEFAULT_BATCH_SIZE);
  }

  public UpsertRows withBatchSize(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, not " + rows);
    }
    return new UpsertRows(table, target, rows);
  }

  @Override
  public PDone expand(PCollection<String> jsonRows) {
    return jsonRows.apply("Upsert into " + table.name(),
        JdbcIO.<String>write()
            .withDataSourceConfiguration(target.dataSource())
            .withStatement(table.upsertSql())
            .withBatchSize(batchSize)
            .withPreparedStatementSetter((row, statement) -> statement.setString(1, row)));
  }
}
