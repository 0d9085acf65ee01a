package dev.shopbeam.pipelines;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.ItemSimilarity;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.schemas.UserRecommendation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/** The tables a batch run writes, by directory name, with the record class of their rows. */
public final class Tables {
  public static final String CLEAN_EVENTS = "clean_events";
  public static final String ITEM_STATS = "item_stats";
  public static final String CATEGORY_STATS = "category_stats";
  public static final String FUNNEL = "funnel";
  public static final String HOT_ITEMS = "hot_items";
  public static final String USER_FEATURES = "user_features";
  public static final String ITEM_FEATURES = "item_features";
  public static final String ITEM_SIMILARITY = "item_similarity";
  public static final String USER_RECOMMENDATIONS = "user_recommendations";
  public static final String ANOMALIES = "anomalies";
  public static final String DEAD_LETTERS = "dead_letters";

  public static final Map<String, Class<? extends SpecificRecordBase>> ALL = all();

  private Tables() {}

  private static Map<String, Class<? extends SpecificRecordBase>> all() {
    Map<String, Class<? extends SpecificRecordBase>> m = new LinkedHashMap<>();
    m.put(CLEAN_EVENTS, CommerceEvent.class);
    m.put(ITEM_STATS, ItemStats.class);
    m.put(CATEGORY_STATS, CategoryStats.class);
    m.put(FUNNEL, FunnelStats.class);
    m.put(HOT_ITEMS, HotItem.class);
    m.put(USER_FEATURES, UserFeatures.class);
    m.put(ITEM_FEATURES, ItemFeatures.class);
    m.put(ITEM_SIMILARITY, ItemSimilarity.class);
    m.put(USER_RECOMMENDATIONS, UserRecommendation.class);
    m.put(ANOMALIES, Anomaly.class);
    m.put(DEAD_LETTERS, DeadLetter.class);
    return java.util.Collections.unmodifiableMap(m);
  }
}
