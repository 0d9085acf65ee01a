package dev.shopbeam.transforms.recommend;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.CompactRecordCoder;
import dev.shopbeam.transforms.SumPerBundleFn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
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

  /** {@code (item, (weight, epoch millis))} per item, in item order, as {@link ItemSimilarity#histories} gives a user's. */
  public PackedHistory history() {
    List<String> items = new ArrayList<>(byItem.keySet());
    items.sort(null);
    PackedHistory.Builder history = new PackedHistory.Builder(items.size());
    for (String item : items) {
      double[] s = byItem.get(item);
      history.add(item.getBytes(StandardCharsets.UTF_8), s[0], (long) s[1]);
    }
    return history.build();
  }

  /**
   * A user's history, read only: the items' ids as one array of UTF-8 bytes with end offsets, and their
   * weights and times as arrays; each item's {@code KV}s are made as it is iterated.
   *
   * <p>Why packed: the histories have three readers (the similarity, the scoring, the popularity), so
   * Beam's Spark runner keeps them in memory as objects and Spark estimates their size by walking the
   * object graphs of sampled histories, again and again as a partition grows. As a list, each item was
   * seven objects (its KVs, the boxed weight and time, the id string and its bytes); packed, a history
   * is five objects whatever its length.
   */
  public static final class PackedHistory implements Iterable<KV<String, KV<Double, Long>>> {
    private final byte[] ids;
    private final int[] ends;
    private final double[] weights;
    private final long[] times;

    private PackedHistory(byte[] ids, int[] ends, double[] weights, long[] times) {
      this.ids = ids;
      this.ends = ends;
      this.weights = weights;
      this.times = times;
    }

    public int size() {
      return ends.length;
    }

    @Override
    public Iterator<KV<String, KV<Double, Long>>> iterator() {
      return new Iterator<>() {
        private int i;

        @Override
        public boolean hasNext() {
          return i < ends.length;
        }

        @Override
        public KV<String, KV<Double, Long>> next() {
          if (i >= ends.length) {
            throw new NoSuchElementException();
          }
          int start = i == 0 ? 0 : ends[i - 1];
          KV<String, KV<Double, Long>> item =
              KV.of(new String(ids, start, ends[i] - start, StandardCharsets.UTF_8), KV.of(weights[i], times[i]));
          i++;
          return item;
        }
      };
    }

    /** Packs any history, in its order. */
    static PackedHistory of(Iterable<KV<String, KV<Double, Long>>> history) {
      if (history instanceof PackedHistory) {
        return (PackedHistory) history;
      }
      Builder b = new Builder(16);
      for (KV<String, KV<Double, Long>> item : history) {
        b.add(item.getKey().getBytes(StandardCharsets.UTF_8), item.getValue().getKey(), item.getValue().getValue());
      }
      return b.build();
    }

    private static final class Builder {
      private byte[] ids = new byte[64];
      private int idBytes;
      private int n;
      private int[] ends;
      private double[] weights;
      private long[] times;

      Builder(int capacity) {
        int c = Math.max(capacity, 1);
        ends = new int[c];
        weights = new double[c];
        times = new long[c];
      }

      void add(byte[] id, double weight, long time) {
        if (n == ends.length) {
          ends = Arrays.copyOf(ends, n * 2);
          weights = Arrays.copyOf(weights, n * 2);
          times = Arrays.copyOf(times, n * 2);
        }
        if (idBytes + id.length > ids.length) {
          ids = Arrays.copyOf(ids, Math.max(ids.length * 2, idBytes + id.length));
        }
        System.arraycopy(id, 0, ids, idBytes, id.length);
        idBytes += id.length;
        ends[n] = idBytes;
        weights[n] = weight;
        times[n++] = time;
      }

      PackedHistory build() {
        return new PackedHistory(Arrays.copyOf(ids, idBytes), Arrays.copyOf(ends, n), Arrays.copyOf(weights, n),
            Arrays.copyOf(times, n));
      }
    }
  }

  /** A history as its packed arrays: the ids' bytes, then per item its id's length, weight and time. */
  static final class HistoryCoder extends CompactRecordCoder<Iterable<KV<String, KV<Double, Long>>>> {
    static final HistoryCoder INSTANCE = new HistoryCoder();

    @Override
    protected void write(Iterable<KV<String, KV<Double, Long>>> history, Writer w) {
      PackedHistory h = PackedHistory.of(history);
      w.writeBytes(h.ids, 0, h.ids.length);
      w.writeVarLong(h.ends.length);
      for (int i = 0; i < h.ends.length; i++) {
        w.writeVarLong(h.ends[i] - (i == 0 ? 0 : h.ends[i - 1]));
        w.writeDouble(h.weights[i]);
        w.writeZigZag(h.times[i]);
      }
    }

    @Override
    protected Iterable<KV<String, KV<Double, Long>>> read(Reader r) throws IOException {
      byte[] ids = r.readBytes();
      long n = r.readVarLong();
      if (n < 0 || n > Integer.MAX_VALUE - 8) {
        throw new IOException("corrupt history: " + n + " items");
      }
      int[] ends = new int[(int) n];
      double[] weights = new double[(int) n];
      long[] times = new long[(int) n];
      int end = 0;
      for (int i = 0; i < n; i++) {
        end += (int) r.readVarLong();
        if (end > ids.length) {
          throw new IOException("corrupt history: ids end at " + end + " of " + ids.length + " bytes");
        }
        ends[i] = end;
        weights[i] = r.readDouble();
        times[i] = r.readZigZag();
      }
      return new PackedHistory(ids, ends, weights, times);
    }
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
