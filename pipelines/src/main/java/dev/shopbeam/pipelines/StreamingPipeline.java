package dev.shopbeam.pipelines;

import dev.shopbeam.pipelines.io.ReadKafkaRecords;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.PostToWebhook;
import dev.shopbeam.pipelines.io.WriteKafkaLists;
import dev.shopbeam.pipelines.io.WriteKafkaTable;
import dev.shopbeam.pipelines.io.WriteTable;
import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.aggregate.AnalyticsTables;
import dev.shopbeam.transforms.aggregate.CommerceAnalytics;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.features.FeaturesPerWindow;
import dev.shopbeam.transforms.recommend.StreamingRecommender;
import dev.shopbeam.transforms.window.Durations;
import dev.shopbeam.transforms.window.RejectTooLate;
import java.io.PrintStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * The streaming pipeline: the same parse, clean, window and aggregate transforms as {@link
 * BatchPipeline}, between Kafka topics. Windowed tables go to their topics as JSON, one message per
 * pane, keyed by window and dimensions; dead letters go to the dead-letter topic with the
 * topic/partition@offset of the bad record. Anomalies of the windowed metric series go to the alerts
 * topic (and optionally a webhook). Item neighbours and users' recommendations are kept up to
 * date round by round ({@link StreamingRecommender}); the lists that change go to their topics.
 *
 * <p>Runnable as {@code java -cp shopbeam-bundled.jar dev.shopbeam.pipelines.StreamingPipeline ...}.
 */
public final class StreamingPipeline {
  /** Streaming's allowed lateness when {@code --allowedLateness} is not given. */
  public static final Duration DEFAULT_LATENESS = Duration.standardMinutes(10);

  private StreamingPipeline() {}

  public static void build(Pipeline p, AnalyticsConfig config, StreamingOptions o) {
    Long maxRecords = o.getMaxNumRecords() >= 0 ? o.getMaxNumRecords() : null;
    Duration maxReadTime = o.getMaxReadTime().isBlank() ? null : Durations.parse("maxReadTime", o.getMaxReadTime());
    String servers = o.getBootstrapServers();
    Duration featureWindow = Durations.parse("featureWindow", o.getFeatureWindow());

    ReadKafkaRecords read = new ReadKafkaRecords(servers, o.getInputTopic(), config.format(),
        Durations.parse("maxOutOfOrderness", o.getMaxOutOfOrderness()), o.getUseKafkaTimestamp(),
        config.maxRecordBytes(), maxRecords, maxReadTime);
    if (!o.getConsumerGroup().isBlank()) {
      read = read.committingOffsetsTo(o.getConsumerGroup());
    }
    PCollection<RawRecord> records = p.apply("Read " + o.getInputTopic(), read);
    PCollectionList<DeadLetter> deadLetterParts = PCollectionList.empty(p);
    if (o.getRejectTooLate()) {
      PCollectionTuple gated = records.apply("Reject too late", config.lateDataGate(featureWindow));
      records = gated.get(RejectTooLate.ON_TIME);
      deadLetterParts = deadLetterParts.and(gated.get(RejectTooLate.TOO_LATE));
    }
    EventStreams clean = records.apply("Clean", CleanEvents.of(config.format(), config.clean()));
    PCollection<DeadLetter> deadLetters = deadLetterParts.and(clean.deadLetters())
        .apply("All dead letters", Flatten.pCollections())
        .setCoder(Coders.deadLetters());
    AnalyticsTables tables =
        clean.events().apply("Analytics", CommerceAnalytics.of(config.statsWindow(), config.hotItems()));
    PCollectionTuple features = clean.events()
        .apply("Features", FeaturesPerWindow.of(featureWindow, config.clean().allowedLateness()));

    tables.itemStats().apply("Publish item stats", new WriteKafkaTable<ItemStats>(servers, o.getItemStatsTopic(),
        r -> r.getWindowStart() + "|" + r.getItemId() + "|" + r.getBehavior()));
    tables.categoryStats().apply("Publish category stats", new WriteKafkaTable<CategoryStats>(servers,
        o.getCategoryStatsTopic(), r -> r.getWindowStart() + "|" + r.getCategoryId() + "|" + r.getBehavior()));
    tables.funnel().apply("Publish funnel", new WriteKafkaTable<FunnelStats>(servers, o.getFunnelTopic(),
        r -> r.getWindowStart().toString()));
    tables.hotItems().apply("Publish hot items", new WriteKafkaTable<HotItem>(servers, o.getHotItemsTopic(),
        r -> r.getWindowStart() + "|" + r.getBehavior() + "|" + r.getRank()));
    if (o.getOutput() != null && !o.getOutput().isBlank()) {
      OutputFormat format = OutputFormat.fromName(o.getOutputFormat());
      String dir = o.getOutput();
      tables.itemStats().apply(new WriteTable<>(Tables.ITEM_STATS, ItemStats.class, dir, format, 1).perWindowPane());
      tables.categoryStats().apply(
          new WriteTable<>(Tables.CATEGORY_STATS, CategoryStats.class, dir, format, 1).perWindowPane());
      tables.funnel().apply(new WriteTable<>(Tables.FUNNEL, FunnelStats.class, dir, format, 1).perWindowPane());
      tables.hotItems().apply(new WriteTable<>(Tables.HOT_ITEMS, HotItem.class, dir, format, 1).perWindowPane());
      features.get(FeaturesPerWindow.ITEM_FEATURES)
          .apply(new WriteTable<>(Tables.ITEM_FEATURES, ItemFeatures.class, dir, format, 1).perWindowPane());
      features.get(FeaturesPerWindow.USER_FEATURES)
          .apply(new WriteTable<>(Tables.USER_FEATURES, UserFeatures.class, dir, format, 1).perWindowPane());
    }
    features.get(FeaturesPerWindow.ITEM_FEATURES).apply("Publish item features", new WriteKafkaTable<ItemFeatures>(
        servers, o.getItemFeaturesTopic(), r -> r.getWindowStart() + "|" + r.getItemId()));
    features.get(FeaturesPerWindow.USER_FEATURES).apply("Publish user features", new WriteKafkaTable<UserFeatures>(
        servers, o.getUserFeaturesTopic(), r -> r.getWindowStart() + "|" + r.getUserId()));
    if (o.getRecommendations()) {
      PCollectionTuple recommended = clean.events().apply("Recommend", StreamingRecommender.of(
          RecommendOptions.recommender(o), Durations.parse("recommendationRound", o.getRecommendationRound())));
      recommended.get(StreamingRecommender.SIMILARITY_CHANGES)
          .apply("Publish similarity changes", new WriteKafkaLists<>(servers, o.getItemSimilarityTopic()));
      recommended.get(StreamingRecommender.RECOMMENDATION_CHANGES)
          .apply("Publish recommendation changes", new WriteKafkaLists<>(servers, o.getRecommendationsTopic()));
    }
    PCollectionList<DeadLetter> toPublish = PCollectionList.of(deadLetters);
    if (o.getAnomalies()) {
      PCollection<Anomaly> anomalies = BatchPipeline.anomalies(clean.events(), deadLetters, config.anomalyWindow(),
          config.clean().allowedLateness(), config.anomalies());
      anomalies.apply("Publish alerts", new WriteKafkaTable<Anomaly>(servers, o.getAlertsTopic(),
          r -> r.getMetric() + "|" + r.getDimension() + "|" + r.getWindowStart()));
      if (!o.getAlertsWebhook().isBlank()) {
        toPublish = toPublish.and(anomalies.apply("Alerts webhook", new PostToWebhook<Anomaly>(webhook(o))));
      }
    }
    toPublish.apply("Dead letters and undelivered alerts", Flatten.pCollections())
        .setCoder(Coders.deadLetters())
        .apply("Publish dead letters", new WriteKafkaTable<DeadLetter>(servers,
            o.getDeadLetterTopic(), DeadLetter::getSourceLocation));
  }

  /** The webhook settings of {@code --alertsWebhook*}; one-line errors naming the option. */
  static PostToWebhook.Settings webhook(StreamingOptions o) {
    Duration timeout = Durations.parse("alertsWebhookTimeout", o.getAlertsWebhookTimeout());
    return AnalyticsConfig.parse("alertsWebhook", () -> new PostToWebhook.Settings(o.getAlertsWebhook(),
        java.time.Duration.ofMillis(timeout.getMillis()), o.getAlertsWebhookAttempts(), java.time.Duration.ofMillis(500)));
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] rawArgs, PrintStream out, PrintStream err) throws Exception {
    PipelineLauncher.Prepared<StreamingOptions> prepared = PipelineLauncher.prepare(StreamingPipeline.class,
        StreamingOptions.class,
        "ShopBeam streaming pipeline: Kafka in; windowed tables and dead letters to Kafka topics.",
        rawArgs, out, err);
    if (prepared.exitCode().isPresent()) {
      return prepared.exitCode().get();
    }
    StreamingOptions options = prepared.options();
    AnalyticsConfig config;
    try {
      config = AnalyticsConfig.fromOptions(options, DEFAULT_LATENESS);
      Durations.parse("maxOutOfOrderness", options.getMaxOutOfOrderness());
      Duration featureWindow = Durations.parse("featureWindow", options.getFeatureWindow());
      AnalyticsConfig checked = config;
      AnalyticsConfig.parse("featureWindow", () -> FeaturesPerWindow.of(featureWindow, checked.clean().allowedLateness()));
      if (options.getRecommendations()) {
        RecommendOptions.recommender(options);
        Durations.parse("recommendationRound", options.getRecommendationRound());
      }
      if (options.getAnomalies() && !options.getAlertsWebhook().isBlank()) {
        webhook(options);
      }
      if (!options.getMaxReadTime().isBlank()) {
        Durations.parse("maxReadTime", options.getMaxReadTime());
      }
      if (options.getOutput() != null && !options.getOutput().isBlank()) {
        OutputFormat.fromName(options.getOutputFormat());
      }
      boolean unbounded = options.getMaxNumRecords() < 0 && options.getMaxReadTime().isBlank();
      if (unbounded && (options.getRejectTooLate() || options.getRecommendations() || options.getAnomalies())
          && PipelineLauncher.isSpark(options.getRunner().getSimpleName())) {
        throw new IllegalArgumentException("--runner=SparkRunner reads an unbounded topic in Spark streaming mode, where"
            + " Beam's Spark runner has no event-time timers, and the too_late gate and the recommendation rounds need"
            + " them: pass --rejectTooLate=false (records later than --allowedLateness are then dropped, not"
            + " dead-lettered), --recommendations=false and --anomalies=false, bound the read with --maxNumRecords or --maxReadTime, or"
            + " use FlinkRunner");
      }
    } catch (IllegalArgumentException e) {
      return PipelineLauncher.usageError(err, e);
    }
    Pipeline p = Pipeline.create(options);
    build(p, config, options);
    String runner = options.getRunner().getSimpleName();
    out.println("ShopBeam streaming: " + config.format().cliName() + " from " + options.getInputTopic() + " at "
        + options.getBootstrapServers() + " on " + runner);
    PipelineResult.State state = PipelineLauncher.runToEnd(p, err);
    out.println("streaming pipeline ended: " + state);
    return state == PipelineResult.State.DONE ? BatchPipeline.EXIT_OK : BatchPipeline.EXIT_FAILED;
  }
}
