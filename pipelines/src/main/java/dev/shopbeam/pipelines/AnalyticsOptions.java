package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The input layout and the cleaning, windowing and aggregation options, the same for the batch and the
 * streaming pipeline (see {@link AnalyticsConfig#fromOptions}).
 */
public interface AnalyticsOptions extends PipelineOptions {

  @Description("Input layout: online-retail | userbehavior | json | interactions (user,item[,rating][,timestamp]).")
  @Validation.Required
  String getFormat();

  void setFormat(String value);

  @Description("Records (lines) longer than this many bytes are dead-lettered as record_too_large.")
  @Default.Integer(1_048_576)
  int getMaxRecordBytes();

  void setMaxRecordBytes(int value);

  @Description("Windows of the item, category and funnel tables: fixed | sliding | session.")
  @Default.String("fixed")
  String getWindow();

  void setWindow(String value);

  @Description("Window length (fixed, sliding) or session gap, e.g. 1h, 30m, PT1H.")
  @Default.String("1h")
  String getWindowSize();

  void setWindowSize(String value);

  @Description("How often a sliding window starts (sliding only).")
  @Default.String("5m")
  String getWindowPeriod();

  void setWindowPeriod(String value);

  @Description("How late (in event time) data may arrive and still update its window; empty: 0s in batch, 10m in streaming.")
  @Default.String("")
  String getAllowedLateness();

  void setAllowedLateness(String value);

  @Description("Fire early (speculative) results this often in processing time, e.g. 1m; empty for none. Streaming only in effect.")
  @Default.String("")
  String getEarlyFirings();

  void setEarlyFirings(String value);

  @Description("Hot items: sliding window length.")
  @Default.String("1h")
  String getHotItemsWindow();

  void setHotItemsWindow(String value);

  @Description("Hot items: how often a window starts.")
  @Default.String("5m")
  String getHotItemsPeriod();

  void setHotItemsPeriod(String value);

  @Description("Hot items: how many items per behavior and window.")
  @Default.Integer(10)
  int getHotItemsTopN();

  void setHotItemsTopN(int value);

  @Description("Events before this instant are dead-lettered as event_time_out_of_range (ISO-8601).")
  @Default.String("1995-01-01T00:00:00Z")
  String getMinEventTime();

  void setMinEventTime(String value);

  @Description("Events more than this after their ingest time are dead-lettered as event_time_out_of_range.")
  @Default.String("1d")
  String getMaxFutureSkew();

  void setMaxFutureSkew(String value);

  @Description("Largest accepted quantity per event.")
  @Default.Integer(1_000_000)
  int getMaxQuantity();

  void setMaxQuantity(int value);

  @Description("Item ids that are not products, filtered by rule: online-retail (the UCI set: POST, DOT, M, ...), none, or a list ID=rule,PREFIX*=rule.")
  @Default.String("online-retail")
  String getNonProductItems();

  void setNonProductItems(String value);

  @Description("Filter BUY/CANCEL lines whose unit price is 0 (rule zero_price).")
  @Default.Boolean(true)
  boolean getFilterZeroPrice();

  void setFilterZeroPrice(boolean value);

  @Description("Duplicates of an event id are looked for within event-time windows of this size.")
  @Default.String("1h")
  String getDedupeWindow();

  void setDedupeWindow(String value);

  @Description("Anomalies: fixed event-time window of the metric series (events per behavior, revenue, orders,"
      + " conversion_rate, dead_letter_rate; overall and per category).")
  @Default.String("1h")
  String getAnomalyWindow();

  void setAnomalyWindow(String value);

  @Description("Anomalies: a window is anomalous when |observed - expected| is at least this many robust spreads"
      + " (1.4826 x MAD, floored by the sampling noise and by 10% of expected).")
  @Default.Double(5.0)
  double getAnomalyThreshold();

  void setAnomalyThreshold(double value);

  @Description("Anomalies: a series is scored only when the window's volume (events, or views for conversion_rate)"
      + " or its baseline's median volume reaches this; smaller series never alert.")
  @Default.Long(20L)
  long getAnomalyMinVolume();

  void setAnomalyMinVolume(long value);

  @Description("Anomalies: the recent baseline is the last this many windows of the series, and nothing is scored"
      + " before the series has this many.")
  @Default.Integer(24)
  int getAnomalyHistory();

  void setAnomalyHistory(int value);

  @Description("Anomalies: compare with the same time of day on the last this many days once at least"
      + " --anomalySeasonalMinDays of them have a point (0: never).")
  @Default.Integer(7)
  int getAnomalySeasonalDays();

  void setAnomalySeasonalDays(int value);

  @Description("Anomalies: earlier days with a point at the same time of day needed for the time-of-day baseline.")
  @Default.Integer(3)
  int getAnomalySeasonalMinDays();

  void setAnomalySeasonalMinDays(int value);
}
