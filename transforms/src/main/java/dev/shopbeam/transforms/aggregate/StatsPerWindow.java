package dev.shopbeam.transforms.aggregate;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CategoryStats;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.transforms.Coders;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per window, per key (item or category) and behavior: {@link BehaviorStats}. Input must already be
 * windowed (see {@code WindowConfig}). Categories: one combiner per group, so runners pre-aggregate
 * before the shuffle. Items of bounded input: grouped, then added up per group, because an item's group
 * in a window is seldom more than one event (460,677 groups of 531,208 events in the Online Retail year
 * at one hour): pre-aggregation then reduces nothing, and on Flink's batch runtime it cost a sort of
 * every event before the shuffle and an accumulator per event, coded across it. Unbounded input keeps
 * the combine, which holds one accumulator per group where a grouping would hold every event until
 * its window fires. Both give the same statistics (exact sums, sets and extremes: no order matters).
 */
public final class StatsPerWindow {
  private StatsPerWindow() {}

  /** Rows of the item_stats table. */
  public static PTransform<PCollection<CommerceEvent>, PCollection<ItemStats>> perItem() {
    return new Keyed<>("item", CommerceEvent::getItemId, new ToRow<>(ItemStats.class, "item_id"), ItemStats.class,
        true);
  }

  /** Rows of the category_stats table; events without a category are left out. */
  public static PTransform<PCollection<CommerceEvent>, PCollection<CategoryStats>> perCategory() {
    return new Keyed<>("category", CommerceEvent::getCategoryId, new ToRow<>(CategoryStats.class, "category_id"),
        CategoryStats.class, false);
  }

  private static final class Keyed<T extends SpecificRecordBase>
      extends PTransform<PCollection<CommerceEvent>, PCollection<T>> {
    private final String keyName;
    private final SerializableFunction<CommerceEvent, String> key;
    private final DoFn<KV<KV<String, String>, BehaviorStats>, T> toRow;
    private final Class<T> rowClass;
    private final boolean fewEventsPerGroup;

    Keyed(String keyName, SerializableFunction<CommerceEvent, String> key,
        DoFn<KV<KV<String, String>, BehaviorStats>, T> toRow, Class<T> rowClass, boolean fewEventsPerGroup) {
      this.keyName = keyName;
      this.key = key;
      this.toRow = toRow;
      this.rowClass = rowClass;
      this.fewEventsPerGroup = fewEventsPerGroup;
    }

    @Override
    public PCollection<T> expand(PCollection<CommerceEvent> events) {
      KvCoder<String, String> keyCoder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
      PCollection<KV<KV<String, String>, BehaviorStats.Input>> keyed = events
          .apply("Key by " + keyName + " and behavior", ParDo.of(new KeyFn(key)))
          .setCoder(KvCoder.of(keyCoder, BehaviorStats.InputCoder.INSTANCE));
      PCollection<KV<KV<String, String>, BehaviorStats>> stats =
          fewEventsPerGroup && events.isBounded() == PCollection.IsBounded.BOUNDED
              ? keyed
                  .apply("Group per " + keyName, GroupByKey.create())
                  .apply("Stats per " + keyName, ParDo.of(new StatsOfGroupFn()))
                  .setCoder(KvCoder.of(keyCoder, BehaviorStats.StatsCoder.INSTANCE))
              : keyed.apply("Stats per " + keyName, Combine.perKey(new BehaviorStats.CombineFn()));
      return stats
          .apply("To " + rowClass.getSimpleName(), ParDo.of(toRow))
          .setCoder(Coders.avro(rowClass));
    }
  }

  private static final class KeyFn extends DoFn<CommerceEvent, KV<KV<String, String>, BehaviorStats.Input>> {
    private final SerializableFunction<CommerceEvent, String> key;

    KeyFn(SerializableFunction<CommerceEvent, String> key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<KV<String, String>, BehaviorStats.Input>> out) {
      String k = key.apply(e);
      if (k != null) {
        out.output(KV.of(KV.of(k, e.getBehavior().name()), BehaviorStats.Input.of(e)));
      }
    }
  }

  /** A group's events added up, as the combine would. */
  private static final class StatsOfGroupFn
      extends DoFn<KV<KV<String, String>, Iterable<BehaviorStats.Input>>, KV<KV<String, String>, BehaviorStats>> {
    @ProcessElement
    public void process(@Element KV<KV<String, String>, Iterable<BehaviorStats.Input>> group,
        OutputReceiver<KV<KV<String, String>, BehaviorStats>> out) {
      BehaviorStats stats = new BehaviorStats();
      for (BehaviorStats.Input e : group.getValue()) {
        stats.add(e);
      }
      out.output(KV.of(group.getKey(), stats));
    }
  }

  static Instant start(BoundedWindow w) {
    return Instant.ofEpochMilli(((IntervalWindow) w).start().getMillis());
  }

  static Instant end(BoundedWindow w) {
    return Instant.ofEpochMilli(((IntervalWindow) w).end().getMillis());
  }

  /**
   * Builds an item_stats or category_stats row: the two schemas differ only in the key column, so one
   * DoFn fills both, by the positions of the named columns.
   */
  private static final class ToRow<T extends SpecificRecordBase> extends DoFn<KV<KV<String, String>, BehaviorStats>, T> {
    private static final String[] COLUMNS = {"window_start", "window_end", null, "behavior", "event_count", "quantity",
        "revenue", "priced_events", "avg_unit_price", "min_unit_price", "max_unit_price", "distinct_users"};
    private final Class<T> rowClass;
    private final String keyField;
    private transient java.lang.reflect.Constructor<T> constructor;
    // Each column's position in the row's schema: put by position, as put by name looks each name up in
    // the schema's map (a row per item, behavior and window: 460,677 rows in the Online Retail year).
    private transient int[] positions;

    ToRow(Class<T> rowClass, String keyField) {
      this.rowClass = rowClass;
      this.keyField = keyField;
    }

    @Setup
    public void setup() throws ReflectiveOperationException {
      constructor = rowClass.getDeclaredConstructor();
      org.apache.avro.Schema schema = constructor.newInstance().getSchema();
      positions = new int[COLUMNS.length];
      for (int i = 0; i < COLUMNS.length; i++) {
        positions[i] = schema.getField(COLUMNS[i] == null ? keyField : COLUMNS[i]).pos();
      }
    }

    @ProcessElement
    public void process(@Element KV<KV<String, String>, BehaviorStats> kv, BoundedWindow w, OutputReceiver<T> out)
        throws ReflectiveOperationException {
      BehaviorStats s = kv.getValue();
      T row = constructor.newInstance();
      int[] at = positions;
      row.put(at[0], start(w));
      row.put(at[1], end(w));
      row.put(at[2], kv.getKey().getKey());
      row.put(at[3], Behavior.valueOf(kv.getKey().getValue()));
      row.put(at[4], s.events());
      row.put(at[5], s.quantity());
      row.put(at[6], s.revenue());
      row.put(at[7], s.pricedEvents());
      row.put(at[8], s.avgUnitPrice());
      row.put(at[9], s.minUnitPrice());
      row.put(at[10], s.maxUnitPrice());
      row.put(at[11], s.distinctUsers());
      out.output(row);
    }
  }
}
