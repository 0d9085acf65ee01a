package dev.shopbeam.transforms.recommend;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.CompactRecordCoder;
import dev.shopbeam.transforms.SumPerBundleFn;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the recommender needs of one user's own events, gathered in one pass and one combine: the items
 * they showed interest in or bought (never recommended back to them; whether they bought each), and
 * the summed behavior weights per category (their favourite category, as {@code
 * user_features.favourite_category} defines it).
 *
 * <p>Why one: the own items were a distinct step and a list per user, the favourite a combine of its
 * own, each reading every event; on Flink's batch runtime every reader of the events gets its own copy
 * of each and every grouping sorts what it is handed.
 */
public final class OwnItems {
  /** Item -> bought (any of the user's events on it was a purchase). */
  private final HashMap<String, Boolean> items;
  /** Category -> the sum of the weights of the user's events in it that count as interest. */
  private final HashMap<String, Double> categoryWeights;

  public OwnItems() {
    this(new HashMap<>(), new HashMap<>());
  }

  private OwnItems(HashMap<String, Boolean> items, HashMap<String, Double> categoryWeights) {
    this.items = items;
    this.categoryWeights = categoryWeights;
  }

  /** Adds one event on {@code item}; {@code category} null, or {@code weight} 0, adds no category weight. */
  public OwnItems add(String item, boolean bought, @Nullable String category, double weight) {
    items.merge(item, bought, Boolean::logicalOr);
    if (category != null && weight > 0) {
      categoryWeights.merge(category, weight, Double::sum);
    }
    return this;
  }

  public OwnItems addAll(OwnItems other) {
    other.items.forEach((item, bought) -> items.merge(item, bought, Boolean::logicalOr));
    other.categoryWeights.forEach((category, weight) -> categoryWeights.merge(category, weight, Double::sum));
    return this;
  }

  /** Item -> bought; read only. */
  public Map<String, Boolean> items() {
    return java.util.Collections.unmodifiableMap(items);
  }

  /**
   * The favourite category: the largest sum of behavior weights (as {@code
   * user_features.favourite_category} defines it), the smallest id on a tie; null when no event had one.
   */
  public @Nullable String favouriteCategory() {
    String best = null;
    double bestWeight = 0;
    for (Map.Entry<String, Double> c : categoryWeights.entrySet()) {
      if (best == null || c.getValue() > bestWeight || (c.getValue() == bestWeight && c.getKey().compareTo(best) < 0)) {
        best = c.getKey();
        bestWeight = c.getValue();
      }
    }
    return best;
  }

  int size() {
    return items.size() + categoryWeights.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OwnItems && items.equals(((OwnItems) o).items)
        && categoryWeights.equals(((OwnItems) o).categoryWeights);
  }

  @Override
  public int hashCode() {
    return items.hashCode() * 31 + categoryWeights.hashCode();
  }

  @Override
  public String toString() {
    return "{items=" + items + ", categoryWeights=" + categoryWeights + "}";
  }

  /** One event of a known user that counts (interest or a purchase), for {@link Gather}. */
  record Event(String item, boolean bought, @Nullable String category, double weight) {}

  /**
   * (user, event) for every event of a known user that is a purchase or has a positive weight; the
   * category goes along only where the event counts as interest (a positive weight).
   */
  static final class EventFn extends DoFn<CommerceEvent, KV<String, Event>> {
    private final Map<Behavior, Double> weights;

    EventFn(Map<Behavior, Double> weights) {
      this.weights = weights;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, Event>> out) {
      Event own = ownEvent(e);
      if (own != null) {
        out.output(KV.of(e.getUserId(), own));
      }
    }

    /** The event as the user's own, or null when it is a guest's or neither a purchase nor interest. */
    @Nullable Event ownEvent(CommerceEvent e) {
      if (e.getUserId() == null) {
        return null;
      }
      boolean bought = e.getBehavior() == Behavior.BUY;
      Double w = weights.get(e.getBehavior());
      double weight = w == null || !(w > 0) ? 0 : w;
      return bought || weight > 0 ? new Event(e.getItemId(), bought, weight > 0 ? e.getCategoryId() : null, weight) : null;
    }
  }

  /** Item, flags (1: bought, 2: has a category), the category if any, the weight. */
  static final class EventCoder extends CompactRecordCoder<Event> {
    static final EventCoder INSTANCE = new EventCoder();
    private static final int BOUGHT = 1;
    private static final int HAS_CATEGORY = 2;

    @Override
    protected void write(Event e, Writer w) {
      w.writeString(e.item());
      w.writeByte((e.bought() ? BOUGHT : 0) | (e.category() != null ? HAS_CATEGORY : 0));
      if (e.category() != null) {
        w.writeString(e.category());
      }
      w.writeDouble(e.weight());
    }

    @Override
    protected Event read(Reader r) throws IOException {
      String item = r.readString();
      int flags = r.readByte();
      String category = (flags & HAS_CATEGORY) != 0 ? r.readString() : null;
      return new Event(item, (flags & BOUGHT) != 0, category, r.readDouble());
    }
  }

  /** Item count, each item and its bought flag (0/1), category count, each category and its weight. */
  public static final class OwnItemsCoder extends CompactRecordCoder<OwnItems> {
    public static final OwnItemsCoder INSTANCE = new OwnItemsCoder();

    @Override
    protected void write(OwnItems own, Writer w) {
      w.writeVarLong(own.items.size());
      own.items.forEach((item, bought) -> {
        w.writeString(item);
        w.writeByte(bought ? 1 : 0);
      });
      w.writeVarLong(own.categoryWeights.size());
      own.categoryWeights.forEach((category, weight) -> {
        w.writeString(category);
        w.writeDouble(weight);
      });
    }

    @Override
    protected OwnItems read(Reader r) throws IOException {
      int n = count(r);
      HashMap<String, Boolean> items = new HashMap<>(Math.max(4, n * 4 / 3 + 1));
      for (int i = 0; i < n; i++) {
        String item = r.readString();
        items.put(item, r.readByte() != 0);
      }
      int m = count(r);
      HashMap<String, Double> weights = new HashMap<>(Math.max(4, m * 4 / 3 + 1));
      for (int i = 0; i < m; i++) {
        String category = r.readString();
        weights.put(category, r.readDouble());
      }
      return new OwnItems(items, weights);
    }

    private static int count(Reader r) throws IOException {
      long n = r.readVarLong();
      if (n < 0 || n > Integer.MAX_VALUE - 16) {
        throw new IOException("corrupt own items: " + n + " entries");
      }
      return (int) n;
    }
  }

  /** Gathers a user's {@link Event}s (the accumulator is the result; only accumulators are mutated). */
  static final class Gather extends GatherFn<Event> {
    @Override
    public OwnItems addInput(OwnItems acc, Event e) {
      return acc.add(e.item(), e.bought(), e.category(), e.weight());
    }
  }

  /** Merges the partial {@link OwnItems} of {@link PerBundleFn}. */
  static final class MergeGathered extends GatherFn<OwnItems> {
    @Override
    public OwnItems addInput(OwnItems acc, OwnItems partial) {
      return acc.addAll(partial);
    }
  }

  /** A user's {@link OwnItems} from inputs of type {@code InputT}. */
  abstract static class GatherFn<InputT> extends Combine.CombineFn<InputT, OwnItems, OwnItems> {
    @Override
    public OwnItems createAccumulator() {
      return new OwnItems();
    }

    @Override
    public OwnItems mergeAccumulators(Iterable<OwnItems> accs) {
      return KeyedRows.mergeIntoLargest(accs, OwnItems::size, OwnItems::addAll, OwnItems::new);
    }

    @Override
    public OwnItems extractOutput(OwnItems acc) {
      return acc;
    }

    @Override
    public Coder<OwnItems> getAccumulatorCoder(CoderRegistry registry, Coder<InputT> inputCoder) {
      return OwnItemsCoder.INSTANCE;
    }

    @Override
    public Coder<OwnItems> getDefaultOutputCoder(CoderRegistry registry, Coder<InputT> inputCoder) {
      return OwnItemsCoder.INSTANCE;
    }
  }

  /** Entries (items and categories) of own items held per bundle before they are handed on. */
  static final int MAX_HELD = 1 << 19;

  /**
   * {@link EventFn} and {@link Gather} in one, for bounded input in the global window: each bundle
   * gathers its users' own items in memory and hands on one {@link OwnItems} per user (per
   * {@code maxHeld} entries), not one record per event.
   */
  static final class PerBundleFn extends SumPerBundleFn<CommerceEvent, String, OwnItems> {
    private final EventFn events;

    PerBundleFn(Map<Behavior, Double> weights, long maxHeld) {
      super(maxHeld);
      this.events = new EventFn(weights);
    }

    @Override
    protected OwnItems empty() {
      return new OwnItems();
    }

    @Override
    protected long add(CommerceEvent e) {
      Event own = events.ownEvent(e);
      if (own == null) {
        return 0;
      }
      OwnItems user = sumOf(e.getUserId());
      int before = user.size();
      return user.add(own.item(), own.bought(), own.category(), own.weight()).size() - before;
    }
  }
}
