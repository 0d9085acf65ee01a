package dev.shopbeam.transforms.recommend;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.ToList;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Item-to-item collaborative filtering from implicit feedback: for every item, its most similar items
 * by the cosine of their behavior-weighted user vectors.
 *
 * <p>A user's strength on an item is the largest weight of their events on it ({@link #weights()}: a
 * buy counts more than a view). Cosine, because it normalises away popularity (a bestseller is not
 * everyone's neighbour) and takes weights, which Jaccard does not; its weakness, noisy scores for items
 * with few users, is met by {@link #minCoUsers()}.
 *
 * <p>It scales by never holding a users x items matrix: one user's history is the largest unit in one
 * worker, co-occurrences are summed per item by a combiner over {@link CoOccurrences} rows (one row per
 * item and user, not one record per pair), pairs with too few co-users are dropped before they travel
 * alone, and the norms are joined by key. The quadratic cost of a very active user (n items make n(n-1)/2 pairs) is capped by keeping
 * only their {@link #maxItemsPerUser()} most recent items. Runs per window: in the global window for
 * batch, per window in streaming.
 */
@AutoValue
public abstract class ItemSimilarity
    extends PTransform<PCollection<CommerceEvent>, PCollection<dev.shopbeam.schemas.ItemSimilarity>> {

  /** Weight of each behavior; absent or zero: the behavior does not count as interest. */
  public abstract Map<Behavior, Double> weights();

  public abstract int maxItemsPerUser();

  public abstract int minCoUsers();

  public abstract int neighboursPerItem();

  /** View 1, favourite 2, cart 3, buy 4; cancellations do not count. 100 items a user, 2 co-users, 20 neighbours. */
  public static ItemSimilarity defaults() {
    return of(Map.of(Behavior.VIEW, 1.0, Behavior.FAV, 2.0, Behavior.CART, 3.0, Behavior.BUY, 4.0), 100, 2, 20);
  }

  public static ItemSimilarity of(Map<Behavior, Double> weights, int maxItemsPerUser, int minCoUsers,
      int neighboursPerItem) {
    if (maxItemsPerUser < 2 || minCoUsers < 1 || neighboursPerItem < 1) {
      throw new IllegalArgumentException("need maxItemsPerUser >= 2, minCoUsers >= 1, neighboursPerItem >= 1; got "
          + maxItemsPerUser + ", " + minCoUsers + ", " + neighboursPerItem);
    }
    weights.forEach((b, w) -> {
      if (w < 0 || w.isNaN() || w.isInfinite()) {
        throw new IllegalArgumentException("behavior weight of " + b + " must be a finite number >= 0, was " + w);
      }
    });
    return new AutoValue_ItemSimilarity(Map.copyOf(weights), maxItemsPerUser, minCoUsers, neighboursPerItem);
  }

  @Override
  public PCollection<dev.shopbeam.schemas.ItemSimilarity> expand(PCollection<CommerceEvent> events) {
    return histories(strengths(events, weights())).apply("From histories", fromHistories());
  }

  /** Each user's items with their strengths: {@code strengths} grouped by user. */
  public static PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories(
      PCollection<KV<String, KV<String, KV<Double, Long>>>> strengths) {
    return strengths.apply("Histories", GroupByKey.create());
  }

  /**
   * The similarity computed from users' {@link #histories}, for callers that need the histories too
   * (recommendations do): the grouping, the costliest step, is then done once.
   */
  public PTransform<PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>>,
      PCollection<dev.shopbeam.schemas.ItemSimilarity>> fromHistories() {
    return new PTransform<>() {
      @Override
      public PCollection<dev.shopbeam.schemas.ItemSimilarity> expand(
          PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories) {
        return similarityOf(histories);
      }
    };
  }

  private PCollection<dev.shopbeam.schemas.ItemSimilarity> similarityOf(
      PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories) {
    KvCoder<Double, Long> strengthCoder = KvCoder.of(DoubleCoder.of(), VarLongCoder.of());

    TupleTag<KV<String, Double>> squares = new TupleTag<>() {};
    TupleTag<KV<String, CoOccurrences>> rows = new TupleTag<>() {};
    org.apache.beam.sdk.values.PCollectionTuple perUser = histories
        .apply("Squares and co-occurrence rows", ParDo.of(new HistoryFn(maxItemsPerUser(), squares, rows))
            .withOutputTags(rows, org.apache.beam.sdk.values.TupleTagList.of(squares)));
    PCollection<KV<String, Double>> normsSquared = perUser.get(squares)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()))
        .apply("Norms squared", Sum.doublesPerKey());
    PCollection<KV<String, CoOccurrences>> dots = perUser.get(rows)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), CoOccurrences.RowCoder.INSTANCE))
        .apply("Dot products and co-users", Combine.perKey(new CoOccurrences.Sum()));

    // Each item's row (partners b > a) with the norm of a: the pairs with too few co-users are dropped
    // here, before any pair is shuffled on its own; the rest leave keyed by b, valued
    // (a, (dot / |a|, coUsers)). Dividing by |b| then gives the cosine.
    TupleTag<CoOccurrences> rowTag = new TupleTag<>() {};
    TupleTag<Double> normTag = new TupleTag<>() {};
    PCollection<KV<String, KV<String, KV<Double, Long>>>> withFirstNorm = KeyedPCollectionTuple
        .of(rowTag, dots).and(normTag, normsSquared)
        .apply("Join norm of first", CoGroupByKey.create())
        .apply("Supported pairs by second", ParDo.of(new SupportedPairsFn(minCoUsers(), rowTag, normTag)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), strengthCoder)));
    PCollection<KV<String, KV<String, KV<Double, Long>>>> scored =
        joinNorm(withFirstNorm, normsSquared, "second", (b, rest) -> KV.of(b, rest));

    return scored
        .apply("Both directions", ParDo.of(new BothDirectionsFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), strengthCoder)))
        .apply("Top " + neighboursPerItem(), Top.perKey(neighboursPerItem(), new BySimilarityThenId()))
        .apply("Rank", ParDo.of(new RankFn()))
        .setCoder(Coders.avro(dev.shopbeam.schemas.ItemSimilarity.class));
  }

  /**
   * (a, row of a, |a|^2) -> (b, (a, (dot / |a|, coUsers))) for each partner b of a with at least
   * {@code minCoUsers} co-users. An item with no weighted interest (no norm) has no neighbours.
   */
  static final class SupportedPairsFn extends DoFn<KV<String, CoGbkResult>, KV<String, KV<String, KV<Double, Long>>>> {
    private final long minCoUsers;
    private final TupleTag<CoOccurrences> rowTag;
    private final TupleTag<Double> normTag;

    SupportedPairsFn(long minCoUsers, TupleTag<CoOccurrences> rowTag, TupleTag<Double> normTag) {
      this.minCoUsers = minCoUsers;
      this.rowTag = rowTag;
      this.normTag = normTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined,
        OutputReceiver<KV<String, KV<String, KV<Double, Long>>>> out) {
      Double normSquared = joined.getValue().getOnly(normTag, null);
      CoOccurrences row = joined.getValue().getOnly(rowTag, null);
      if (row == null || normSquared == null || normSquared <= 0) {
        return;
      }
      double norm = Math.sqrt(normSquared);
      String a = joined.getKey();
      row.partners().forEach((b, sums) -> {
        long coUsers = (long) sums[1];
        if (coUsers >= minCoUsers) {
          out.output(KV.of(b, KV.of(a, KV.of(sums[0] / norm, coUsers))));
        }
      });
    }
  }

  /**
   * Each known user's strength on each item they showed interest in, with the latest time:
   * {@code (user, (item, (strength, epoch millis)))}, one per user and item.
   */
  public static PCollection<KV<String, KV<String, KV<Double, Long>>>> strengths(
      PCollection<CommerceEvent> events, Map<Behavior, Double> weights) {
    KvCoder<Double, Long> strengthCoder = KvCoder.of(DoubleCoder.of(), VarLongCoder.of());
    return events
        .apply("User-item interest", ParDo.of(new InterestFn(weights)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), strengthCoder))
        .apply("Strongest, latest", Combine.perKey(new StrongestLatest()))
        .apply("By user", ParDo.of(new KeyByFirstFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), strengthCoder)));
  }

  /**
   * Joins {@code (key, (other, (value, coUsers)))} with the squared norm of {@code key}, dividing the
   * value by the norm, and re-keys the result with {@code rekey(key, (other, (value / norm, coUsers)))}.
   */
  private static PCollection<KV<String, KV<String, KV<Double, Long>>>> joinNorm(
      PCollection<KV<String, KV<String, KV<Double, Long>>>> pairs, PCollection<KV<String, Double>> normsSquared,
      String name, SerializableBiFunction<String, KV<String, KV<Double, Long>>, KV<String, KV<String, KV<Double, Long>>>> rekey) {
    // All pairs of a key join as one list: a popular item has more partners than a join should iterate.
    TupleTag<List<KV<String, KV<Double, Long>>>> pairTag = new TupleTag<>() {};
    TupleTag<Double> normTag = new TupleTag<>() {};
    return KeyedPCollectionTuple.of(pairTag, pairs.apply("Pairs per " + name + " item", Combine.perKey(ToList.create())))
        .and(normTag, normsSquared)
        .apply("Join norm of " + name, CoGroupByKey.create())
        .apply("Divide by norm of " + name, ParDo.of(new DoFn<KV<String, CoGbkResult>, KV<String, KV<String, KV<Double, Long>>>>() {
          @ProcessElement
          public void process(@Element KV<String, CoGbkResult> joined,
              OutputReceiver<KV<String, KV<String, KV<Double, Long>>>> out) {
            Double normSquared = joined.getValue().getOnly(normTag, null);
            if (normSquared == null || normSquared <= 0) {
              return; // an item with no weighted interest has no neighbours
            }
            double norm = Math.sqrt(normSquared);
            for (KV<String, KV<Double, Long>> p : joined.getValue().getOnly(pairTag, List.of())) {
              out.output(rekey.apply(joined.getKey(),
                  KV.of(p.getKey(), KV.of(p.getValue().getKey() / norm, p.getValue().getValue()))));
            }
          }
        }))
        .setCoder(pairs.getCoder());
  }

  /** ((x, y), v) -> (x, (y, v)). */
  static final class KeyByFirstFn extends DoFn<KV<KV<String, String>, KV<Double, Long>>, KV<String, KV<String, KV<Double, Long>>>> {
    @ProcessElement
    public void process(@Element KV<KV<String, String>, KV<Double, Long>> e,
        OutputReceiver<KV<String, KV<String, KV<Double, Long>>>> out) {
      out.output(KV.of(e.getKey().getKey(), KV.of(e.getKey().getValue(), e.getValue())));
    }
  }

  /** (user, item) -> (weight, event time) for events of a known user with a behavior that counts. */
  static final class InterestFn extends DoFn<CommerceEvent, KV<KV<String, String>, KV<Double, Long>>> {
    private final Map<Behavior, Double> weights;

    InterestFn(Map<Behavior, Double> weights) {
      this.weights = weights;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<KV<String, String>, KV<Double, Long>>> out) {
      Double w = weights.get(e.getBehavior());
      if (e.getUserId() != null && w != null && w > 0) {
        out.output(KV.of(KV.of(e.getUserId(), e.getItemId()), KV.of(w, e.getEventTime().toEpochMilli())));
      }
    }
  }

  /** The largest weight and the latest time of a user's events on an item. */
  static final class StrongestLatest extends Combine.BinaryCombineFn<KV<Double, Long>> {
    @Override
    public KV<Double, Long> apply(KV<Double, Long> a, KV<Double, Long> b) {
      return KV.of(Math.max(a.getKey(), b.getKey()), Math.max(a.getValue(), b.getValue()));
    }
  }

  /**
   * One user's history, cut to their most recent items: each item's squared strength (for its norm), and
   * for each item a, its co-occurrence row: the product of the strengths of a and b for every b > a.
   */
  static final class HistoryFn extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, CoOccurrences>> {
    private final int maxItems;
    private final TupleTag<KV<String, Double>> squares;
    private final TupleTag<KV<String, CoOccurrences>> rows;

    HistoryFn(int maxItems, TupleTag<KV<String, Double>> squares, TupleTag<KV<String, CoOccurrences>> rows) {
      this.maxItems = maxItems;
      this.squares = squares;
      this.rows = rows;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> user, MultiOutputReceiver out) {
      List<KV<String, KV<Double, Long>>> items = recentFirst(user.getValue(), maxItems);
      for (KV<String, KV<Double, Long>> a : items) {
        double wa = a.getValue().getKey();
        out.get(squares).output(KV.of(a.getKey(), wa * wa));
        CoOccurrences row = new CoOccurrences();
        for (KV<String, KV<Double, Long>> b : items) {
          if (a.getKey().compareTo(b.getKey()) < 0) {
            row.add(b.getKey(), wa * b.getValue().getKey(), 1);
          }
        }
        if (row.size() > 0) {
          out.get(rows).output(KV.of(a.getKey(), row));
        }
      }
    }
  }

  /** The user's {@code max} most recent items (ties: item id), as the model and the transform agree. */
  public static List<KV<String, KV<Double, Long>>> recentFirst(Iterable<KV<String, KV<Double, Long>>> history, int max) {
    List<KV<String, KV<Double, Long>>> items = new ArrayList<>();
    history.forEach(items::add);
    items.sort(Comparator.<KV<String, KV<Double, Long>>, Long>comparing(kv -> kv.getValue().getValue()).reversed()
        .thenComparing(KV::getKey));
    return items.size() > max ? new ArrayList<>(items.subList(0, max)) : items;
  }

  /** (b, (a, (cosine, coUsers))) -> both a's and b's neighbour rows (support was checked with the rows). */
  static final class BothDirectionsFn extends DoFn<KV<String, KV<String, KV<Double, Long>>>, KV<String, KV<String, KV<Double, Long>>>> {
    @ProcessElement
    public void process(@Element KV<String, KV<String, KV<Double, Long>>> scored,
        OutputReceiver<KV<String, KV<String, KV<Double, Long>>>> out) {
      String b = scored.getKey();
      String a = scored.getValue().getKey();
      KV<Double, Long> cosineAndSupport = scored.getValue().getValue();
      out.output(KV.of(a, KV.of(b, cosineAndSupport)));
      out.output(KV.of(b, KV.of(a, cosineAndSupport)));
    }
  }

  /** Larger is nearer: higher similarity, then (on a tie) the smaller neighbour id. */
  public static final class BySimilarityThenId implements Comparator<KV<String, KV<Double, Long>>>, Serializable {
    @Override
    public int compare(KV<String, KV<Double, Long>> x, KV<String, KV<Double, Long>> y) {
      int bySimilarity = Double.compare(x.getValue().getKey(), y.getValue().getKey());
      return bySimilarity != 0 ? bySimilarity : y.getKey().compareTo(x.getKey());
    }
  }

  private static final class RankFn extends DoFn<KV<String, List<KV<String, KV<Double, Long>>>>, dev.shopbeam.schemas.ItemSimilarity> {
    @ProcessElement
    public void process(@Element KV<String, List<KV<String, KV<Double, Long>>>> top,
        OutputReceiver<dev.shopbeam.schemas.ItemSimilarity> out) {
      int rank = 0;
      for (KV<String, KV<Double, Long>> n : top.getValue()) {
        out.output(dev.shopbeam.schemas.ItemSimilarity.newBuilder()
            .setItemId(top.getKey())
            .setRank(++rank)
            .setNeighbourId(n.getKey())
            .setSimilarity(n.getValue().getKey())
            .setCoUsers(n.getValue().getValue())
            .build());
      }
    }
  }
}
