package dev.shopbeam.pipelines;

import dev.shopbeam.pipelines.db.ReadTableRows;
import dev.shopbeam.pipelines.db.ServingTables;
import dev.shopbeam.pipelines.db.UpsertRows;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The {@code load} command: upserts the tables of a batch output into PostgreSQL, the serving database.
 * Creates the serving tables that do not exist yet (serving_tables.sql), then runs a Beam pipeline that
 * reads each table's files and upserts their rows with JdbcIO; loading the same output twice leaves
 * the database as after the first time.
 */
public final class LoadPipeline {
  static final String HELP = "ShopBeam load: the tables of a batch output (item_stats, category_stats, funnel,"
      + " hot_items, user_features, item_features, item_similarity, user_recommendations, anomalies) upserted"
      + " into PostgreSQL. Credentials come from a file or the environment, never from a flag.";

  private LoadPipeline() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] rawArgs, PrintStream out, PrintStream err) throws Exception {
    PipelineLauncher.Prepared<LoadOptions> prepared =
        PipelineLauncher.prepare(LoadPipeline.class, LoadOptions.class, HELP, rawArgs, out, err);
    if (prepared.exitCode().isPresent()) {
      return prepared.exitCode().get();
    }
    LoadOptions options = prepared.options();
    LoadConfig config;
    try {
      config = LoadConfig.fromOptions(options, System.getenv());
    } catch (IllegalArgumentException e) {
      return PipelineLauncher.usageError(err, e);
    }
    String runner = options.getRunner().getSimpleName();
    out.println("ShopBeam load: " + config.input() + " -> " + config.target() + " on " + runner);
    if (!config.absent().isEmpty()) {
      out.println("not in the output, not loaded: " + String.join(", ", config.absent()));
    }
    try (Connection c = config.target().connect()) {
      ServingTables.createIfAbsent(c);
    } catch (SQLException e) {
      err.println("error: cannot create the serving tables in " + config.target().url() + ": " + e.getMessage());
      return PipelineLauncher.EXIT_FAILED;
    }

    Pipeline p = Pipeline.create(options);
    build(p, config);
    long start = System.nanoTime();
    PipelineResult result;
    try {
      result = p.run();
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        err.println("error: the pipeline ended in state " + state);
        return PipelineLauncher.EXIT_FAILED;
      }
    } catch (RuntimeException e) {
      err.println("error: the load failed: " + e);
      e.printStackTrace(err);
      return PipelineLauncher.EXIT_FAILED;
    }
    out.printf("done in %.1f s on %s%n", (System.nanoTime() - start) / 1e9, runner);
    try (Connection c = config.target().connect(); Statement s = c.createStatement()) {
      for (LoadConfig.TableFiles t : config.tables()) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t.table().name())) {
          rs.next();
          out.printf("%-22s %,10d rows read (%s), %,10d rows in the table%n", t.table().name(),
              rowsRead(result, t.table().name()), t.format().name().toLowerCase(java.util.Locale.ROOT),
              rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      err.println("error: loaded, but cannot count the rows in " + config.target().url() + ": " + e.getMessage());
      return PipelineLauncher.EXIT_FAILED;
    }
    return PipelineLauncher.EXIT_OK;
  }

  /** For every table of {@code config}: read its files, upsert the rows. */
  public static void build(Pipeline p, LoadConfig config) {
    for (LoadConfig.TableFiles t : config.tables()) {
      p.apply("Read " + t.table().name(), ReadTableRows.of(t.table(), t.files(), t.format()))
          .apply("Load " + t.table().name(),
              UpsertRows.into(t.table(), config.target()).withBatchSize(config.batchSize()));
    }
  }

  private static long rowsRead(PipelineResult result, String table) {
    MetricQueryResults m = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(ReadTableRows.metricsNamespace(table), ReadTableRows.ROWS_READ))
        .build());
    long n = 0;
    for (MetricResult<Long> c : m.getCounters()) {
      n += c.getAttempted();
    }
    return n;
  }

}
