package dev.shopbeam.transforms.aggregate;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.window.WindowConfig;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Clean, event-time-stamped events in; the windowed aggregate tables out: item and category stats and
 * the funnel in the configured windows, hot items in their own sliding windows. Batch and streaming
 * pipelines both build their analytics from this one transform.
 */
@AutoValue
public abstract class CommerceAnalytics extends PTransform<PCollection<CommerceEvent>, AnalyticsTables> {

  public abstract WindowConfig statsWindow();

  public abstract HotItems hotItems();

  public static CommerceAnalytics of(WindowConfig statsWindow, HotItems hotItems) {
    return new AutoValue_CommerceAnalytics(statsWindow, hotItems);
  }

  @Override
  public AnalyticsTables expand(PCollection<CommerceEvent> events) {
    PCollection<CommerceEvent> windowed =
        events.apply("Stats window (" + statsWindow().describe() + ")", statsWindow().<CommerceEvent>window());
    return new AnalyticsTables(
        PCollectionTuple.of(AnalyticsTables.ITEM_STATS, windowed.apply("Item stats", StatsPerWindow.perItem()))
            .and(AnalyticsTables.CATEGORY_STATS, windowed.apply("Category stats", StatsPerWindow.perCategory()))
            .and(AnalyticsTables.FUNNEL, windowed.apply("Funnel", new ConversionFunnel()))
            .and(AnalyticsTables.HOT_ITEMS, events.apply("Hot items", hotItems().firingLike(statsWindow()))));
  }
}
