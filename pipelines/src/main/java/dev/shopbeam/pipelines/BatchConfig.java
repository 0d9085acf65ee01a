package dev.shopbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.transforms.aggregate.HotItems;
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

  /** Item neighbours and each user's top K, over the whole input. */
  public abstract RecommendItems recommend();

  public static Builder builder() {
    return new AutoValue_BatchConfig.Builder()
        .setOutputFormat(OutputFormat.PARQUET)
        .setNumShards(1)
        .setMaxRecordBytes(1 << 20)
        .setClean(CleanConfig.defaults())
        .setStatsWindow(WindowConfig.fixed(Duration.standardHours(1)))
        .setHotItems(HotItems.defaults())
        .setRecommend(RecommendItems.of(ItemSimilarity.defaults(), 10));
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
    return builder()
        .setInput(o.getInput())
        .setFormat(a.format())
        .setOutput(o.getOutput())
        .setOutputFormat(outputFormat)
        .setNumShards(o.getNumShards())
        .setMaxRecordBytes(a.maxRecordBytes())
        .setClean(a.clean())
        .setStatsWindow(a.statsWindow())
        .setHotItems(a.hotItems())
        .setRecommend(RecommendOptions.recommender(o))
        .build();
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

    public abstract Builder setRecommend(RecommendItems v);

    public abstract BatchConfig build();
  }
}
