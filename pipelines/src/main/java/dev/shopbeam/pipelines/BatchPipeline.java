package dev.shopbeam.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shopbeam.pipelines.io.ReadRawRecords;
import dev.shopbeam.pipelines.io.WriteTable;
import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.ItemSimilarity;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.aggregate.AnalyticsTables;
import dev.shopbeam.transforms.aggregate.CommerceAnalytics;
import dev.shopbeam.transforms.anomaly.DetectAnomalies;
import dev.shopbeam.transforms.anomaly.MetricsPerWindow;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.features.ItemFeaturesOf;
import dev.shopbeam.transforms.features.UserFeaturesOf;
import dev.shopbeam.transforms.recommend.RecommendItems;
import dev.shopbeam.transforms.window.Durations;
import dev.shopbeam.transforms.window.InGlobalWindow;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The batch pipeline: files in; clean events, windowed aggregates, dead letters and a run summary out.
 *
 * <pre>
 * read lines -> parse + validate + filter -> dedupe -> clean_events
 *                     |                          \-> window -> item_stats, category_stats, funnel
 *                     |                          \-> sliding panes -> hot_items
 *                     |                          \-> metric series per window -> anomalies
 *                     \-> dead_letters
 * </pre>
 *
 * Runnable as {@code java -cp shopbeam-bundled.jar dev.shopbeam.pipelines.BatchPipeline --input=...}.
 */
public final class BatchPipeline {
  public static final int EXIT_OK = PipelineLauncher.EXIT_OK;
  public static final int EXIT_FAILED = PipelineLauncher.EXIT_FAILED;
  public static final int EXIT_USAGE = PipelineLauncher.EXIT_USAGE;
  static final String HELP =
      "ShopBeam batch pipeline: files in, clean events + windowed aggregates + dead letters out.";

  private static final Map<String, CommerceAnalytics.Table> ANALYTICS = Map.of(
      Tables.ITEM_STATS, CommerceAnalytics.Table.ITEM_STATS,
      Tables.CATEGORY_STATS, CommerceAnalytics.Table.CATEGORY_STATS,
      Tables.FUNNEL, CommerceAnalytics.Table.FUNNEL,
      Tables.HOT_ITEMS, CommerceAnalytics.Table.HOT_ITEMS);

  private BatchPipeline() {}

  /** Adds the whole batch job to {@code p}. */
  public static void build(Pipeline p, BatchConfig config, Map<String, String> runInfo) {
    RunSummary summary = new RunSummary();

    PCollection<RawRecord> raw =
        p.apply("Read " + config.format().cliName(),
            new ReadRawRecords(config.input(), config.format(), config.maxRecordBytes()));
    EventStreams clean = raw.apply("Clean", CleanEvents.of(config.format(), config.clean()));
    // Counted by the parse step as records enter it (nothing runs between reading and parsing), not by
    // a reader of its own: on Flink's batch runtime that would be a copy of every record.
    if (clean.has(EventStreams.RECORDS_IN)) {
      summary.addUp("read", clean.get(EventStreams.RECORDS_IN));
    } else {
      summary.countAll("read", raw);
    }
    summary.countAll("valid", clean.events());
    summary.countEach("deadLettered",
        clean.deadLetters().apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::getReason)));
    summary.countEach("filtered",
        clean.filtered().apply("Rules", MapElements.into(TypeDescriptors.strings()).via(KV<String, String>::getKey)));

    // Only what is asked for is computed: a daily aggregates job does not pay for recommendations, a hot
    // items job not for the other aggregates.
    java.util.Set<CommerceAnalytics.Table> analytics = java.util.EnumSet.noneOf(CommerceAnalytics.Table.class);
    ANALYTICS.forEach((table, computed) -> {
      if (config.writes(table)) {
        analytics.add(computed);
      }
    });
    // (A composite that applies nothing would be taken for a primitive the runners do not know.)
    AnalyticsTables tables = analytics.isEmpty() ? null : clean.events().apply("Analytics",
        CommerceAnalytics.of(config.statsWindow(), config.hotItems()).only(analytics));

    if (config.writes(Tables.CLEAN_EVENTS)) {
      write(config, summary, Tables.CLEAN_EVENTS, CommerceEvent.class, clean.events());
    }
    if (config.writes(Tables.ITEM_STATS)) {
      write(config, summary, Tables.ITEM_STATS, ItemStats.class, tables.itemStats());
    }
    if (config.writes(Tables.CATEGORY_STATS)) {
      write(config, summary, Tables.CATEGORY_STATS, CategoryStats.class, tables.categoryStats());
    }
    if (config.writes(Tables.FUNNEL)) {
      write(config, summary, Tables.FUNNEL, FunnelStats.class, tables.funnel());
    }
    if (config.writes(Tables.HOT_ITEMS)) {
      write(config, summary, Tables.HOT_ITEMS, HotItem.class, tables.hotItems());
    }
    if (config.writes(Tables.ANOMALIES)) {
      write(config, summary, Tables.ANOMALIES, Anomaly.class, anomalies(clean.events(), clean.deadLetters(),
          config.anomalyWindow(), config.clean().allowedLateness(), config.anomalies()));
    }
    // Only where a table reads it: Beam runs an applied step whether anything reads its output or not,
    // and on Flink each step that reads the events is handed its own copy of every event. (Bounded
    // clean events are in one window already: then no step.)
    boolean readsWholeInput = config.writes(Tables.USER_FEATURES) || config.writes(Tables.ITEM_FEATURES)
        || config.writes(Tables.ITEM_SIMILARITY) || config.writes(Tables.USER_RECOMMENDATIONS);
    PCollection<CommerceEvent> wholeInput = readsWholeInput
        ? InGlobalWindow.firedOnce(clean.events(), "Whole input")
        : null;
    if (config.writes(Tables.USER_FEATURES)) {
      write(config, summary, Tables.USER_FEATURES, UserFeatures.class, wholeInput.apply("User features", new UserFeaturesOf()));
    }
    if (config.writes(Tables.ITEM_FEATURES)) {
      write(config, summary, Tables.ITEM_FEATURES, ItemFeatures.class, wholeInput.apply("Item features", new ItemFeaturesOf()));
    }
    if (config.writes(Tables.ITEM_SIMILARITY) || config.writes(Tables.USER_RECOMMENDATIONS)) {
      PCollectionTuple recommendations = wholeInput.apply("Recommend", config.recommend());
      if (config.writes(Tables.ITEM_SIMILARITY)) {
        write(config, summary, Tables.ITEM_SIMILARITY, ItemSimilarity.class, recommendations.get(RecommendItems.SIMILARITY));
      }
      if (config.writes(Tables.USER_RECOMMENDATIONS)) {
        write(config, summary, Tables.USER_RECOMMENDATIONS, UserRecommendation.class,
            recommendations.get(RecommendItems.RECOMMENDATIONS));
      }
    }
    write(config, summary, Tables.DEAD_LETTERS, DeadLetter.class, clean.deadLetters());

    summary.write(p, config.output(), runInfo);
  }

  /** The anomalies of the windowed metric series; shared with the streaming pipeline. */
  static PCollection<Anomaly> anomalies(PCollection<CommerceEvent> events, PCollection<DeadLetter> deadLetters,
      org.joda.time.Duration window, org.joda.time.Duration allowedLateness,
      dev.shopbeam.transforms.anomaly.AnomalyConfig anomalies) {
    return MetricsPerWindow.inputs(events, deadLetters)
        .apply("Metric series", MetricsPerWindow.of(window, allowedLateness))
        .apply("Anomalies", DetectAnomalies.of(anomalies));
  }

  private static <T extends SpecificRecordBase> void write(
      BatchConfig config, RunSummary summary, String table, Class<T> rowClass, PCollection<T> rows) {
    WriteTable<T> write = new WriteTable<>(table, rowClass, config.output(), config.outputFormat(), config.numShards());
    // The write and the count read the rows as bytes (see WriteTable.encoded), unless the rows are
    // counted already.
    PCollection<byte[]> encoded = WriteTable.encoded(rows, table);
    encoded.apply("Write " + table, write.ofEncoded(rows.getCoder()));
    if (summary.counts(rows)) {
      summary.countAll("rows/" + table, rows);
    } else {
      summary.countAll("rows/" + table, encoded);
    }
  }

  /** What the summary records about the run besides its counts. */
  public static Map<String, String> runInfo(BatchConfig config, String runner) {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("pipeline", "batch");
    info.put("runner", runner);
    info.put("input", config.input());
    info.put("format", config.format().cliName());
    info.put("outputFormat", config.outputFormat().name().toLowerCase());
    info.put("statsWindow", config.statsWindow().describe());
    info.put("anomalies", "window " + Durations.format(config.anomalyWindow()) + ", threshold "
        + config.anomalies().threshold() + ", min volume " + config.anomalies().minVolume() + ", history "
        + config.anomalies().recentWindows() + ", seasonal " + config.anomalies().minSeasonalDays() + " of "
        + config.anomalies().seasonalDays() + " days");
    info.put("hotItems", "top " + config.hotItems().topN() + ", " + Durations.format(config.hotItems().windowSize())
        + " every " + Durations.format(config.hotItems().windowPeriod()));
    return info;
  }

  /**
   * Removes the tables and summary of an earlier run in {@code outputDir}, so that no stale shard of it
   * can be read as part of this run's output. Nothing else there is touched.
   */
  public static void clearOutputs(String outputDir) throws IOException {
    List<ResourceId> stale = new ArrayList<>();
    List<String> specs = new ArrayList<>();
    for (String table : Tables.ALL.keySet()) {
      specs.add(WriteTable.tableDir(outputDir, table) + "/*");
    }
    specs.add(WriteTable.tableDir(outputDir, RunSummary.FILE_NAME));
    for (MatchResult m : FileSystems.match(specs, EmptyMatchTreatment.ALLOW)) {
      if (m.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata md : m.metadata()) {
          stale.add(md.resourceId());
        }
      }
    }
    FileSystems.delete(stale, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the pipeline from command-line arguments; returns the process exit code. */
  public static int run(String[] rawArgs, PrintStream out, PrintStream err) throws Exception {
    PipelineLauncher.Prepared<BatchOptions> prepared = PipelineLauncher.prepare(BatchPipeline.class,
        BatchOptions.class, HELP, rawArgs, out, err);
    if (prepared.exitCode().isPresent()) {
      return prepared.exitCode().get();
    }
    BatchOptions options = prepared.options();
    BatchConfig config;
    try {
      config = BatchConfig.fromOptions(options);
    } catch (IllegalArgumentException e) {
      return PipelineLauncher.usageError(err, e);
    }
    String runner = options.getRunner().getSimpleName();
    FileSystems.setDefaultPipelineOptions(options);
    clearOutputs(config.output());

    Pipeline p = Pipeline.create(options);
    build(p, config, runInfo(config, runner));
    long start = System.nanoTime();
    out.println("ShopBeam batch: " + config.format().cliName() + " " + config.input() + " -> "
        + config.output() + " on " + runner);
    PipelineResult.State state = PipelineLauncher.runToEnd(p, err);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (state != PipelineResult.State.DONE) {
      return EXIT_FAILED;
    }
    JsonNode summary = RunSummary.read(config.output());
    out.printf("done in %.1f s on %s%n", seconds, runner);
    out.printf("read %d = valid %d + dead-lettered %d + filtered %d%n",
        summary.get("read").asLong(), summary.get("valid").asLong(),
        summary.get("deadLettered").get("total").asLong(), summary.get("filtered").get("total").asLong());
    out.println("tables: " + summary.get("tables"));
    out.println("summary: " + RunSummary.location(config.output()));
    writeEmptyTables(config, summary);
    if (!summary.get("invariantHolds").asBoolean()) {
      err.println("error: records went missing: read != valid + deadLettered + filtered");
      return EXIT_FAILED;
    }
    return EXIT_OK;
  }

  /** Tables without rows still get a (schema-only) file, so every table directory can be read. */
  static void writeEmptyTables(BatchConfig config, JsonNode summary) throws IOException {
    ResourceId outDir = FileSystems.matchNewResource(config.output(), true);
    if (!"file".equals(outDir.getScheme())) {
      return;
    }
    for (Map.Entry<String, Class<? extends SpecificRecordBase>> t : Tables.ALL.entrySet()) {
      if (config.writes(t.getKey()) && summary.get("tables").path(t.getKey()).asLong(0) == 0) {
        WriteTable.writeEmpty(java.nio.file.Paths.get(config.output(), t.getKey()), t.getValue(), config.outputFormat());
      }
    }
  }

}
