package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the streaming pipeline: Kafka in, Kafka out; the analytics options are shared with batch. */
public interface StreamingOptions extends AnalyticsOptions, RecommendOptions {

  @Description("Kafka bootstrap servers, HOST:PORT[,HOST:PORT].")
  @Validation.Required
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Topic of raw event records (one record per Kafka message value).")
  @Validation.Required
  String getInputTopic();

  void setInputTopic(String value);

  @Description("Kafka consumer group. When set, the read offsets are committed to it as each checkpoint (Flink) or"
      + " bundle (Direct) is finalised, so lag is visible to Kafka tools and a job started afresh (not from a"
      + " checkpoint) resumes there. Empty: no group, read from the earliest offset.")
  @Default.String("")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Dead-letter records later than the allowed lateness, with reason too_late. The gate needs event-time"
      + " timers, which Beam's Spark runner lacks in streaming mode: there, set it to false, and such records are"
      + " dropped by the windows (counted only in Beam's droppedDueToLateness metric).")
  @Default.Boolean(true)
  boolean getRejectTooLate();

  void setRejectTooLate(boolean value);

  @Description("Take event time from the Kafka record timestamp instead of from the record's own event time field.")
  @Default.Boolean(false)
  boolean getUseKafkaTimestamp();

  void setUseKafkaTimestamp(boolean value);

  @Description("How far out of event-time order records may arrive: the watermark trails the largest event time by this.")
  @Default.String("5m")
  String getMaxOutOfOrderness();

  void setMaxOutOfOrderness(String value);

  @Description("Topic for item_stats rows (JSON values, key window_start|item_id|behavior).")
  @Default.String("shopbeam.item_stats")
  String getItemStatsTopic();

  void setItemStatsTopic(String value);

  @Description("Topic for category_stats rows (JSON values, key window_start|category_id|behavior).")
  @Default.String("shopbeam.category_stats")
  String getCategoryStatsTopic();

  void setCategoryStatsTopic(String value);

  @Description("Topic for funnel rows (JSON values, key window_start).")
  @Default.String("shopbeam.funnel")
  String getFunnelTopic();

  void setFunnelTopic(String value);

  @Description("Topic for hot_items rows (JSON values, key window_start|behavior|rank).")
  @Default.String("shopbeam.hot_items")
  String getHotItemsTopic();

  void setHotItemsTopic(String value);

  @Description("Topic for dead letters (JSON values, key = the bad record's topic/partition@offset).")
  @Default.String("shopbeam.dead_letters")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description("Detect anomalies in the windowed metric series (see the --anomaly* options) and publish them to"
      + " --alertsTopic (needs event-time timers: not on Spark streaming).")
  @Default.Boolean(true)
  boolean getAnomalies();

  void setAnomalies(boolean value);

  @Description("Topic for anomalies rows (JSON values, key metric|dimension|window_start), one message per anomalous"
      + " window, published when the watermark passes the window's end.")
  @Default.String("shopbeam.alerts")
  String getAlertsTopic();

  void setAlertsTopic(String value);

  @Description("Also POST each anomaly as JSON to this http(s) URL (empty: no webhook). Failed attempts are retried"
      + " with exponential backoff; an alert still undelivered after the last attempt goes to the dead-letter topic"
      + " (reason webhook_undelivered).")
  @Default.String("")
  String getAlertsWebhook();

  void setAlertsWebhook(String value);

  @Description("Webhook: timeout of each attempt, e.g. 5s.")
  @Default.String("5s")
  String getAlertsWebhookTimeout();

  void setAlertsWebhookTimeout(String value);

  @Description("Webhook: attempts per alert, the first included.")
  @Default.Integer(4)
  int getAlertsWebhookAttempts();

  void setAlertsWebhookAttempts(int value);

  @Description("Event-time window of the item_features and user_features rows, e.g. 1d: each window's rows are"
      + " published once, complete, when the watermark passes its end plus --allowedLateness.")
  @Default.String("1d")
  String getFeatureWindow();

  void setFeatureWindow(String value);

  @Description("Topic for item_features rows (JSON values, key window_start|item_id).")
  @Default.String("shopbeam.item_features")
  String getItemFeaturesTopic();

  void setItemFeaturesTopic(String value);

  @Description("Topic for user_features rows (JSON values, key window_start|user_id).")
  @Default.String("shopbeam.user_features")
  String getUserFeaturesTopic();

  void setUserFeaturesTopic(String value);

  @Description("Keep item similarities and users' recommendations up to date, round by round, and publish the"
      + " ones that change (needs event-time timers: not on Spark streaming).")
  @Default.Boolean(true)
  boolean getRecommendations();

  void setRecommendations(boolean value);

  @Description("Event-time length of a recommendation round, e.g. 1h: when the watermark passes a round's end,"
      + " the round's activity updates similarities and the active users' lists.")
  @Default.String("1h")
  String getRecommendationRound();

  void setRecommendationRound(String value);

  @Description("Topic for changed neighbour lists (key item_id; value a JSON array of item_similarity rows, empty"
      + " when the item has no neighbours any more; header shopbeam.version: the item's version, keep the highest).")
  @Default.String("shopbeam.item_similarity")
  String getItemSimilarityTopic();

  void setItemSimilarityTopic(String value);

  @Description("Topic for changed recommendation lists (key user_id; value a JSON array of user_recommendations rows;"
      + " header shopbeam.version: the user's version, keep the highest).")
  @Default.String("shopbeam.user_recommendations")
  String getRecommendationsTopic();

  void setRecommendationsTopic(String value);

  @Description("Also write the windowed tables as files under this directory (local or any Beam filesystem), one"
      + " file per window and pane: TABLE/START_END-pane-NNN-TIMING-S-of-N.parquet. Unset: topics only.")
  // No @Default: the batch options (BatchOptions) declare --output without one, and Beam requires both to agree.
  String getOutput();

  void setOutput(String value);

  @Description("Format of the --output files: parquet | avro | json (JSON lines).")
  @Default.String("parquet")
  String getOutputFormat();

  void setOutputFormat(String value);

  @Description("Stop after this many input records (-1: run until cancelled). For tests and demos.")
  @Default.Long(-1L)
  long getMaxNumRecords();

  void setMaxNumRecords(long value);

  @Description("Stop reading after this long, e.g. 10m (empty: no limit). For tests and demos.")
  @Default.String("")
  String getMaxReadTime();

  void setMaxReadTime(String value);
}
