package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the offline evaluation of recommendations; layout and cleaning options as {@code batch}. */
public interface EvaluateOptions extends AnalyticsOptions {
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

  @Description("Length of each recommendation list (the K of the metrics).")
  @Default.Integer(10)
  int getK();

  void setK(int value);

  @Description("Most recent items per user that enter similarity and scoring (caps a heavy user's pairs).")
  @Default.Integer(100)
  int getMaxItemsPerUser();

  void setMaxItemsPerUser(int value);

  @Description("Users an item pair must share to count as neighbours.")
  @Default.Integer(2)
  int getMinCoUsers();

  void setMinCoUsers(int value);

  @Description("Neighbours kept per item.")
  @Default.Integer(20)
  int getNeighbours();

  void setNeighbours(int value);
}
