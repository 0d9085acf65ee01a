package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of the batch pipeline (files in, tables out); the cleaning, windowing and aggregation options
 * are shared with the streaming pipeline ({@link AnalyticsOptions}). Values are checked, with one-line
 * errors naming the option, by {@link BatchConfig#fromOptions}; transforms never see options, only the
 * configs built from them.
 */
public interface BatchOptions extends AnalyticsOptions, RecommendOptions {

  @Description("Input file or glob (local or any Beam filesystem). .gz/.bz2/.zip/.deflate are decompressed by extension.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Output directory: one subdirectory per table, plus _SUMMARY.json. Tables from an earlier run there are replaced.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Table file format: parquet | avro | json (JSON lines).")
  @Default.String("parquet")
  String getOutputFormat();

  void setOutputFormat(String value);

  @Description("Tables to write: all, or a comma-separated list (dead_letters is always written).")
  @Default.String("all")
  String getTables();

  void setTables(String value);

  @Description("Keep only events at or after this instant (ISO-8601) or date (UTC midnight); the others are"
      + " filtered as outside_time_range. Empty: no lower bound.")
  @Default.String("")
  String getEventsFrom();

  void setEventsFrom(String value);

  @Description("Keep only events before this instant (ISO-8601) or date (UTC midnight). Empty: no upper bound.")
  @Default.String("")
  String getEventsUntil();

  void setEventsUntil(String value);

  @Description("Files per table; 0 lets the runner decide.")
  @Default.Integer(1)
  int getNumShards();

  void setNumShards(int value);

}
