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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per window, per key (item or category) and behavior: {@link BehaviorStats}. Input must already be
 * windowed (see {@code WindowConfig}); one combiner per group, so runners pre-aggregate before the
 * shuffle.
 */
public final class StatsPerWindow {
  private StatsPerWindow() {}

  /** Rows of the item_stats table. */
  public static PTransform<PCollection<CommerceEvent>, PCollection<ItemStats>> perItem() {
    return new Keyed<>("item", CommerceEvent::getItemId, new ToRow<>(ItemStats.class, "item_id"), ItemStats.class);
  }

  /** Rows of the category_stats table; events without a category are left out. */
  public static PTransform<PCollection<CommerceEvent>, PCollection<CategoryStats>> perCategory() {
    return new Keyed<>("category", CommerceEvent::getCategoryId, new ToRow<>(CategoryStats.class, "category_id"), CategoryStats.class);
  }

  private static final class Keyed<T extends SpecificRecordBase>
      extends PTransform<PCollection<CommerceEvent>, PCollection<T>> {
    private final String keyName;
    private final SerializableFunction<CommerceEvent, String> key;
    private final DoFn<KV<KV<String, String>, BehaviorStats>, T> toRow;
    private final Class<T> rowClass;

    Keyed(String keyName, SerializableFunction<CommerceEvent, String> key,
        DoFn<KV<KV<String, String>, BehaviorStats>, T> toRow, Class<T> rowClass) {
      this.keyName = keyName;
      this.key = key;
      this.toRow = toRow;
      this.rowClass = rowClass;
    }

    @Override
    public PCollection<T> expand(PCollection<CommerceEvent> events) {
      return events
          .apply("Key by " + keyName + " and behavior", ParDo.of(new KeyFn(key)))
          .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), BehaviorStats.InputCoder.INSTANCE))
          .apply("Stats per " + keyName, Combine.perKey(new BehaviorStats.CombineFn()))
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

  static Instant start(BoundedWindow w) {
    return Instant.ofEpochMilli(((IntervalWindow) w).start().getMillis());
  }

  static Instant end(BoundedWindow w) {
    return Instant.ofEpochMilli(((IntervalWindow) w).end().getMillis());
  }

  /**
   * Builds an item_stats or category_stats row: the two schemas differ only in the key column, so one
   * DoFn fills both by field name.
   */
  private static final class ToRow<T extends SpecificRecordBase> extends DoFn<KV<KV<String, String>, BehaviorStats>, T> {
    private final Class<T> rowClass;
    private final String keyField;
    private transient java.lang.reflect.Constructor<T> constructor;

    ToRow(Class<T> rowClass, String keyField) {
      this.rowClass = rowClass;
      this.keyField = keyField;
    }

    @Setup
    public void setup() throws NoSuchMethodException {
      constructor = rowClass.getDeclaredConstructor();
    }

    @ProcessElement
    public void process(@Element KV<KV<String, String>, BehaviorStats> kv, BoundedWindow w, OutputReceiver<T> out)
        throws ReflectiveOperationException {
      BehaviorStats s = kv.getValue();
      T row = constructor.newInstance();
      row.put("window_start", start(w));
      row.put("window_end", end(w));
      row.put(keyField, kv.getKey().getKey());
      row.put("behavior", Behavior.valueOf(kv.getKey().getValue()));
      row.put("event_count", s.events());
      row.put("quantity", s.quantity());
      row.put("revenue", s.revenue());
      row.put("priced_events", s.pricedEvents());
      row.put("avg_unit_price", s.avgUnitPrice());
      row.put("min_unit_price", s.minUnitPrice());
      row.put("max_unit_price", s.maxUnitPrice());
      row.put("distinct_users", s.distinctUsers());
      out.output(row);
    }
  }
}
