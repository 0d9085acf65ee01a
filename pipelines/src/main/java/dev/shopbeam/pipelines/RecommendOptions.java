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

  @Description("What a user never gets back: bought (items they bought) or interacted (anything they viewed, faved,"
      + " carted or bought).")
  @Default.String("bought")
  String getExclude();

  void setExclude(String value);

  @Description("At most this many recommended items of one category per user (0: no limit).")
  @Default.Integer(0)
  int getMaxPerCategory();

  void setMaxPerCategory(int value);

  @Description("Items never recommended (out of stock, withdrawn): comma-separated item ids.")
  @Default.String("")
  String getUnavailableItems();

  void setUnavailableItems(String value);

  @Description("Items a business rule puts first in every list (reason rule), in this order: comma-separated ids.")
  @Default.String("")
  String getPromotedItems();

  void setPromotedItems(String value);

  /** The recommender these options describe; a one-line error naming the option otherwise. */
  static RecommendItems recommender(RecommendOptions o) {
    if (o.getK() < 1) {
      throw new IllegalArgumentException("--k=" + o.getK() + " must be at least 1");
    }
    if (o.getMaxPerCategory() < 0) {
      throw new IllegalArgumentException("--maxPerCategory=" + o.getMaxPerCategory() + " must be 0 (no limit) or more");
    }
    RecommendItems.Exclude exclude;
    switch (o.getExclude().strip().toLowerCase(java.util.Locale.ROOT)) {
      case "bought":
        exclude = RecommendItems.Exclude.BOUGHT;
        break;
      case "interacted":
        exclude = RecommendItems.Exclude.INTERACTED;
        break;
      default:
        throw new IllegalArgumentException("--exclude='" + o.getExclude() + "' is not one of bought, interacted");
    }
    ItemSimilarity similarity = AnalyticsConfig.parse("maxItemsPerUser", () -> ItemSimilarity.of(
        ItemSimilarity.defaults().weights(), o.getMaxItemsPerUser(), o.getMinCoUsers(), o.getNeighbours()));
    RecommendItems r = RecommendItems.of(similarity, o.getK()).excluding(exclude)
        .withUnavailableItems(new java.util.HashSet<>(ids(o.getUnavailableItems())))
        .withPromotedItems(ids(o.getPromotedItems()));
    return o.getMaxPerCategory() > 0 ? r.withMaxPerCategory(o.getMaxPerCategory()) : r;
  }

  private static java.util.List<String> ids(String commaSeparated) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (String id : commaSeparated.split(",")) {
      if (!id.isBlank()) {
        ids.add(id.strip());
      }
    }
    return ids;
  }
}
