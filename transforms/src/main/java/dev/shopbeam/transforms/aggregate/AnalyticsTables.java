package dev.shopbeam.transforms.aggregate;

import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.schemas.ItemStats;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** The windowed aggregate tables {@link CommerceAnalytics} produces. */
public final class AnalyticsTables implements POutput {
  static final TupleTag<ItemStats> ITEM_STATS = new TupleTag<>("itemStats") {};
  static final TupleTag<CategoryStats> CATEGORY_STATS = new TupleTag<>("categoryStats") {};
  static final TupleTag<FunnelStats> FUNNEL = new TupleTag<>("funnel") {};
  static final TupleTag<HotItem> HOT_ITEMS = new TupleTag<>("hotItems") {};

  private final PCollectionTuple tuple;

  AnalyticsTables(PCollectionTuple tuple) {
    this.tuple = tuple;
  }

  public PCollection<ItemStats> itemStats() {
    return tuple.get(ITEM_STATS);
  }

  public PCollection<CategoryStats> categoryStats() {
    return tuple.get(CATEGORY_STATS);
  }

  public PCollection<FunnelStats> funnel() {
    return tuple.get(FUNNEL);
  }

  public PCollection<HotItem> hotItems() {
    return tuple.get(HOT_ITEMS);
  }

  @Override
  public Pipeline getPipeline() {
    return tuple.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return tuple.expand();
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {
    tuple.finishSpecifyingOutput(transformName, input, transform);
  }
}
