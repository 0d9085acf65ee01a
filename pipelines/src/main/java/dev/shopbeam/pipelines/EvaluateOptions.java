package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the offline evaluation of recommendations; layout and cleaning options as {@code batch}. */
public interface EvaluateOptions extends AnalyticsOptions, RecommendOptions {
  @Description("Input file or glob, in --format's layout.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Where to write the report: a JSON file (one object per system). Empty: print only.")
  @Default.String("")
  String getReport();

  void setReport(String value);

  @Description("time (train before --cutoff, test from it) or random (per user, --testFraction of bought items held out).")
  @Default.String("time")
  String getSplit();

  void setSplit(String value);

  @Description("For --split=time: the instant (ISO-8601, e.g. 2011-10-01T00:00:00Z) or date (2011-10-01, UTC) that starts the test part.")
  @Default.String("")
  String getCutoff();

  void setCutoff(String value);

  @Description("For --split=random: the share of each user's bought items held out, in (0, 1).")
  @Default.Double(0.2)
  double getTestFraction();

  void setTestFraction(double value);

  @Description("For --split=random: the seed of the split.")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

}
