package dev.shopbeam.transforms.recommend;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.CompactRecordCoder;
import dev.shopbeam.transforms.SumPerBundleFn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;

/**
 * Some of one user's interest: per item, the largest weight and the latest time of their events on it
 * that count ({@link ItemSimilarity#strengths} per user and item, held per user).
 *
 * <p>Why per user: bounded input adds up each bundle's events per user in memory ({@link PerBundleFn}),
 * and the grouping by user that makes the histories then merges one record per user and bundle. Done
 * per user and item, it was a combine of every event of interest (on the Online Retail year 531,208
 * events, 305,285 user-item pairs), sorted by Flink's batch runtime before its shuffle and held as
 * objects whose size Spark estimates over and over, then a second shuffle of its results to the users.
 */
public final class Interests {
  /** Item -> {largest weight, latest time as epoch millis (a double holds every millisecond to 2^53)}. */
  private final HashMap<String, double[]> byItem;

  public Interests() {
    this(new HashMap<>());
  }

  private Interests(HashMap<String, double[]> byItem) {
    this.byItem = byItem;
  }

  /** Adds an event's weight and time on {@code item}; returns 1 if the item is new to these interests, else 0. */
  public int add(String item, double weight, long epochMillis) {
    double[] s = byItem.get(item);
    if (s == null) {
      byItem.put(item, new double[] {weight, epochMillis});
      return 1;
    }
    s[0] = Math.max(s[0], weight);
    s[1] = Math.max(s[1], epochMillis);
    return 0;
  }

  public Interests addAll(Interests other) {
    other.byItem.forEach((item, s) -> add(item, s[0], (long) s[1]));
    return this;
  }

  public int size() {
    return byItem.size();
  }

  /**
   * {@code (item, (weight, epoch millis))} per item, in item order, as {@link ItemSimilarity#histories}
   * gives a user's; packed, since three steps read the histories (see {@link PackedItems}).
   */
  public PackedItems history() {
    List<String> items = new ArrayList<>(byItem.keySet());
    items.sort(null);
    PackedItems.Builder history = new PackedItems.Builder(items.size());
    for (String item : items) {
      double[] s = byItem.get(item);
      history.add(item.getBytes(StandardCharsets.UTF_8), s[0], (long) s[1]);
    }
    return history.build();
  }

  /** Each bundle's interests per known user (at most {@value #MAX_HELD} user-item pairs held, then handed on). */
  static final class PerBundleFn extends SumPerBundleFn<CommerceEvent, String, Interests> {
    static final int MAX_HELD = 1 << 19;
    private final Map<Behavior, Double> weights;

    PerBundleFn(Map<Behavior, Double> weights) {
      super(MAX_HELD);
      this.weights = weights;
    }

    @Override
    protected Interests empty() {
      return new Interests();
    }

    @Override
    protected long add(CommerceEvent e) {
      Double w = weights.get(e.getBehavior());
      if (e.getUserId() == null || w == null || w <= 0) {
        return 0;
      }
      return sumOf(e.getUserId()).add(e.getItemId(), w, e.getEventTime().toEpochMilli());
    }
  }

  /** Merges a user's partial {@link Interests} into their history. */
  static final class Merge extends Combine.CombineFn<Interests, Interests, Iterable<KV<String, KV<Double, Long>>>> {
    @Override
    public Interests createAccumulator() {
      return new Interests();
    }

    @Override
    public Interests addInput(Interests acc, Interests partial) {
      return acc.addAll(partial);
    }

    @Override
    public Interests mergeAccumulators(Iterable<Interests> accs) {
      return KeyedRows.mergeIntoLargest(accs, Interests::size, Interests::addAll, Interests::new);
    }

    @Override
    public Iterable<KV<String, KV<Double, Long>>> extractOutput(Interests acc) {
      return acc.history();
    }

    @Override
    public Coder<Interests> getAccumulatorCoder(CoderRegistry registry, Coder<Interests> inputCoder) {
      return InterestsCoder.INSTANCE;
    }
  }

  /** Items in id order (deterministic), each with its weight and time. */
  static final class InterestsCoder extends CompactRecordCoder<Interests> {
    static final InterestsCoder INSTANCE = new InterestsCoder();

    @Override
    protected void write(Interests interests, Writer w) {
      w.writeVarLong(interests.byItem.size());
      new TreeMap<>(interests.byItem).forEach((item, s) -> {
        w.writeString(item);
        w.writeDouble(s[0]);
        w.writeZigZag((long) s[1]);
      });
    }

    @Override
    protected Interests read(Reader r) throws IOException {
      long n = r.readVarLong();
      HashMap<String, double[]> byItem = new HashMap<>((int) Math.min(n * 2, 1 << 20));
      for (long i = 0; i < n; i++) {
        String item = r.readString();
        double weight = r.readDouble();
        byItem.put(item, new double[] {weight, r.readZigZag()});
      }
      return new Interests(byItem);
    }
  }
}
