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

  /** The tables this transform can compute. */
  public enum Table { ITEM_STATS, CATEGORY_STATS, FUNNEL, HOT_ITEMS }

  public abstract WindowConfig statsWindow();

  public abstract HotItems hotItems();

  /** What is computed: Beam runs every branch that is applied, whether its output is used or not. */
  public abstract java.util.Set<Table> tables();

  /** Every table. */
  public static CommerceAnalytics of(WindowConfig statsWindow, HotItems hotItems) {
    return new AutoValue_CommerceAnalytics(statsWindow, hotItems, java.util.EnumSet.allOf(Table.class));
  }

  /** Only the given tables; asking {@link AnalyticsTables} for another one is an error. */
  public CommerceAnalytics only(java.util.Set<Table> tables) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("analytics of no table: do not apply the transform at all");
    }
    return new AutoValue_CommerceAnalytics(statsWindow(), hotItems(), java.util.Set.copyOf(tables));
  }

  @Override
  public AnalyticsTables expand(PCollection<CommerceEvent> events) {
    PCollectionTuple out = PCollectionTuple.empty(events.getPipeline());
    // Each table assigns the stats window itself rather than all three reading one windowed collection:
    // the assignment is a map that every runner fuses into its reader, while a collection read by
    // several steps is one that Beam's Spark runner keeps in memory as objects, whose size Spark
    // estimates by walking sampled elements' object graphs over and over as the partition grows.
    if (tables().contains(Table.ITEM_STATS)) {
      out = out.and(AnalyticsTables.ITEM_STATS, inStatsWindow(events, "Item stats").apply("Item stats",
          StatsPerWindow.perItem()));
    }
    if (tables().contains(Table.CATEGORY_STATS)) {
      out = out.and(AnalyticsTables.CATEGORY_STATS, inStatsWindow(events, "Category stats").apply("Category stats",
          StatsPerWindow.perCategory()));
    }
    if (tables().contains(Table.FUNNEL)) {
      out = out.and(AnalyticsTables.FUNNEL, inStatsWindow(events, "Funnel").apply("Funnel", new ConversionFunnel()));
    }
    if (tables().contains(Table.HOT_ITEMS)) {
      out = out.and(AnalyticsTables.HOT_ITEMS, events.apply("Hot items", hotItems().firingLike(statsWindow())));
    }
    return new AnalyticsTables(out);
  }

  private PCollection<CommerceEvent> inStatsWindow(PCollection<CommerceEvent> events, String table) {
    return events.apply(table + " window (" + statsWindow().describe() + ")", statsWindow().<CommerceEvent>window());
  }
}
