package dev.shopbeam.pipelines;

import dev.shopbeam.transforms.recommend.ItemSimilarity;
import dev.shopbeam.transforms.recommend.RecommendItems;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Settings of item-to-item recommendations, shared by {@code batch} and {@code evaluate}. */
public interface RecommendOptions extends PipelineOptions {
  @Description("Length of each user's recommendation list (the K of the evaluation metrics).")
  @Default.Integer(10)
  int getK();

  void setK(int value);

  @Description("Most recent items per user that enter similarity and scoring (caps a heavy user's item pairs).")
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

  /** The recommender these options describe; a one-line error naming the option otherwise. */
  static RecommendItems recommender(RecommendOptions o) {
    if (o.getK() < 1) {
      throw new IllegalArgumentException("--k=" + o.getK() + " must be at least 1");
    }
    ItemSimilarity similarity = AnalyticsConfig.parse("maxItemsPerUser", () -> ItemSimilarity.of(
        ItemSimilarity.defaults().weights(), o.getMaxItemsPerUser(), o.getMinCoUsers(), o.getNeighbours()));
    return RecommendItems.of(similarity, o.getK());
  }
}
