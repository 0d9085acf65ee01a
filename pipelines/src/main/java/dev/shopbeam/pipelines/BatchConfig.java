package dev.shopbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.transforms.aggregate.HotItems;
import dev.shopbeam.transforms.anomaly.AnomalyConfig;
import dev.shopbeam.transforms.recommend.ItemSimilarity;
import dev.shopbeam.transforms.recommend.RecommendItems;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.window.WindowConfig;
import java.io.Serializable;
import org.joda.time.Duration;

/** The batch pipeline's settings, checked: built from {@link BatchOptions}, or directly by tests. */
@AutoValue
public abstract class BatchConfig implements Serializable {
  public abstract String input();

  public abstract InputFormat format();

  public abstract String output();

  public abstract OutputFormat outputFormat();

  public abstract int numShards();

  public abstract int maxRecordBytes();

  public abstract CleanConfig clean();

  public abstract WindowConfig statsWindow();

  public abstract HotItems hotItems();

  /** Fixed event-time window of the anomaly metric series. */
  public abstract Duration anomalyWindow();

  public abstract AnomalyConfig anomalies();

  /** Item neighbours and each user's top K, over the whole input. */
  public abstract RecommendItems recommend();

  /** The tables to write ({@link Tables#ALL} keys); dead_letters is always among them. */
  public abstract java.util.Set<String> tables();

  public boolean writes(String table) {
    return tables().contains(table);
  }

  public static Builder builder() {
    return new AutoValue_BatchConfig.Builder()
        .setOutputFormat(OutputFormat.PARQUET)
        .setNumShards(1)
        .setMaxRecordBytes(1 << 20)
        .setClean(CleanConfig.defaults())
        .setStatsWindow(WindowConfig.fixed(Duration.standardHours(1)))
        .setHotItems(HotItems.defaults())
        .setAnomalyWindow(Duration.standardHours(1))
        .setAnomalies(AnomalyConfig.defaults())
        .setRecommend(RecommendItems.of(ItemSimilarity.defaults(), 10))
        .setTables(Tables.ALL.keySet());
  }

  public abstract Builder toBuilder();

  /**
   * @throws IllegalArgumentException with a one-line message naming the option and what it accepts
   */
  public static BatchConfig fromOptions(BatchOptions o) {
    AnalyticsConfig a = AnalyticsConfig.fromOptions(o, Duration.ZERO);
    OutputFormat outputFormat = AnalyticsConfig.parse("outputFormat", () -> OutputFormat.fromName(o.getOutputFormat()));
    if (o.getNumShards() < 0) {
      throw new IllegalArgumentException("--numShards=" + o.getNumShards() + " must be 0 (runner decides) or more");
    }
    org.joda.time.Instant from = o.getEventsFrom().isBlank() ? null : instant("eventsFrom", o.getEventsFrom());
    org.joda.time.Instant until = o.getEventsUntil().isBlank() ? null : instant("eventsUntil", o.getEventsUntil());
    CleanConfig clean = a.clean();
    if (from != null || until != null) {
      org.joda.time.Instant start = from != null ? from : new org.joda.time.Instant(Long.MIN_VALUE / 2);
      org.joda.time.Instant end = until != null ? until : new org.joda.time.Instant(Long.MAX_VALUE / 2);
      if (!start.isBefore(end)) {
        throw new IllegalArgumentException("--eventsFrom=" + o.getEventsFrom() + " is not before --eventsUntil="
            + o.getEventsUntil());
      }
      clean = clean.toBuilder().setEventTimeRange(new org.joda.time.Interval(start, end)).build();
    }
    return builder()
        .setInput(o.getInput())
        .setFormat(a.format())
        .setOutput(o.getOutput())
        .setOutputFormat(outputFormat)
        .setNumShards(o.getNumShards())
        .setMaxRecordBytes(a.maxRecordBytes())
        .setClean(clean)
        .setStatsWindow(a.statsWindow())
        .setHotItems(a.hotItems())
        .setAnomalyWindow(a.anomalyWindow())
        .setAnomalies(a.anomalies())
        .setRecommend(RecommendOptions.recommender(o))
        .setTables(tables(o.getTables()))
        .build();
  }

  static org.joda.time.Instant instant(String option, String value) {
    String v = value.strip();
    try {
      return org.joda.time.Instant.parse(v.length() == 10 ? v + "T00:00:00Z" : v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + option + "='" + value
          + "' is not an ISO-8601 instant or a date such as 2011-10-01");
    }
  }

  static java.util.Set<String> tables(String spec) {
    if (spec.strip().equalsIgnoreCase("all")) {
      return Tables.ALL.keySet();
    }
    java.util.Set<String> tables = new java.util.TreeSet<>();
    for (String t : spec.split(",")) {
      String name = t.strip();
      if (!Tables.ALL.containsKey(name)) {
        throw new IllegalArgumentException("--tables: '" + name + "' is not a table; accepted: all, or some of "
            + String.join(", ", Tables.ALL.keySet()));
      }
      tables.add(name);
    }
    tables.add(Tables.DEAD_LETTERS);
    return java.util.Set.copyOf(tables);
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setInput(String v);

    public abstract Builder setFormat(InputFormat v);

    public abstract Builder setOutput(String v);

    public abstract Builder setOutputFormat(OutputFormat v);

    public abstract Builder setNumShards(int v);

    public abstract Builder setMaxRecordBytes(int v);

    public abstract Builder setClean(CleanConfig v);

    public abstract Builder setStatsWindow(WindowConfig v);

    public abstract Builder setHotItems(HotItems v);

    public abstract Builder setAnomalyWindow(Duration v);

    public abstract Builder setAnomalies(AnomalyConfig v);

    public abstract Builder setRecommend(RecommendItems v);

    public abstract Builder setTables(java.util.Set<String> v);

    public abstract BatchConfig build();
  }
}
