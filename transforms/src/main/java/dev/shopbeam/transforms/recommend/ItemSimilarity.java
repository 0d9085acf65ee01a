package dev.shopbeam.transforms.recommend;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.SumPerBundleFn;
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
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

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
 * item and user, not one record per pair), each item's squared norm is summed in its own row, and the
 * cosines are taken straight from the summed rows, with the other item's norm read from a side input of
 * every item's norm (one number per item with interest): one combine, no join, and no pair travels
 * alone before the top-N. The quadratic cost of a very active user (n items
 * make n(n-1)/2 pairs) is capped by keeping only their {@link #maxItemsPerUser()} most recent items.
 * Runs per window: in the global window for batch, per window in streaming.
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
    return historiesOf(events, weights())
        .apply("From histories", fromHistories(MAX_NEIGHBOURS_HELD, MAX_PAIRS_HELD));
  }

  /** Each user's items with their strengths: {@code strengths} grouped by user. */
  public static PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories(
      PCollection<KV<String, KV<String, KV<Double, Long>>>> strengths) {
    return strengths.apply("Histories", GroupByKey.create());
  }

  /**
   * Each known user's history: {@link #histories} of the {@link #strengths} of {@code events}, the
   * same items, weights and times. Bounded input in one window adds up each bundle's events per user
   * first ({@link Interests}), so one record per user and bundle is grouped, and no combine per user and
   * item runs before it.
   */
  public static PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> historiesOf(
      PCollection<CommerceEvent> events, Map<Behavior, Double> weights) {
    if (!SumPerBundleFn.applies(events)) {
      return histories(strengths(events, weights));
    }
    return events
        .apply("Interests per bundle", ParDo.of(new Interests.PerBundleFn(weights)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Interests.InterestsCoder.INSTANCE))
        .apply("Histories", SumPerBundleFn.mergedPerKey(new Interests.Merge(), PackedItems.ItemsCoder.INSTANCE));
  }

  /**
   * The similarity table's rows from users' {@link #histories}, holding at most {@code maxNeighboursHeld}
   * neighbours and {@code maxPairsHeld} co-occurring pairs per bundle.
   */
  PTransform<PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>>,
      PCollection<dev.shopbeam.schemas.ItemSimilarity>> fromHistories(int maxNeighboursHeld, int maxPairsHeld) {
    return new PTransform<>() {
      @Override
      public PCollection<dev.shopbeam.schemas.ItemSimilarity> expand(
          PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories) {
        return similarityOf(histories, maxNeighboursHeld, maxPairsHeld);
      }
    };
  }

  /**
   * Each item's nearest neighbours from users' {@link #histories}, nearest first:
   * {@code (item, [(neighbour, (similarity, co-users))])}, at most {@link #neighboursPerItem()} of them;
   * {@link #ranked} makes them the similarity table's rows. For callers that need the histories and the
   * lists as they are (recommendations score from both): the grouping by user is then done once.
   */
  public PTransform<PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>>,
      PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>>> nearestFromHistories() {
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> expand(
          PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories) {
        return nearestOf(histories, MAX_NEIGHBOURS_HELD, MAX_PAIRS_HELD);
      }
    };
  }

  /** The similarity table's rows of {@link #nearestFromHistories}' lists, ranked from 1. */
  public static PCollection<dev.shopbeam.schemas.ItemSimilarity> ranked(
      PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> nearest) {
    return nearest
        .apply("Rank", ParDo.of(new RankFn()))
        .setCoder(Coders.avro(dev.shopbeam.schemas.ItemSimilarity.class));
  }

  private PCollection<dev.shopbeam.schemas.ItemSimilarity> similarityOf(
      PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories, int maxNeighboursHeld,
      int maxPairsHeld) {
    return ranked(nearestOf(histories, maxNeighboursHeld, maxPairsHeld));
  }

  private PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> nearestOf(
      PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories, int maxNeighboursHeld,
      int maxPairsHeld) {
    KvCoder<Double, Long> strengthCoder = KvCoder.of(DoubleCoder.of(), VarLongCoder.of());
    KvCoder<String, CoOccurrences> rowCoder = KvCoder.of(StringUtf8Coder.of(), CoOccurrences.RowCoder.INSTANCE);

    // One combine sums each item a's row: its squared norm and its partners b > a. Every item's norm
    // then goes to the cosines as a side input, so a pair needs no second shuffle to meet the norm of b:
    // on Flink's batch runtime that shuffle (every supported pair as a row of its own, sorted and
    // combined by b) was a tenth of the whole batch pipeline.
    // Bounded input in one window: each bundle sums its users' rows per pair before the shuffle, so
    // the combine sorts one row per item and bundle instead of one per item and user.
    // Those per-bundle rows are merged after a grouping, not a combine (see SumPerBundleFn.mergedPerKey).
    boolean perBundle = SumPerBundleFn.applies(histories);
    DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, CoOccurrences>> rowsOfUsers = perBundle
        ? new RowsPerBundleFn(maxItemsPerUser(), maxPairsHeld)
        : new HistoryFn(maxItemsPerUser());
    PCollection<KV<String, CoOccurrences>> rowsOfBundlesOrUsers = histories
        .apply("Co-occurrence rows", ParDo.of(rowsOfUsers))
        .setCoder(rowCoder);
    PCollection<KV<String, CoOccurrences>> rows = rowsOfBundlesOrUsers.apply("Norms, dot products and co-users",
        perBundle
            ? SumPerBundleFn.mergedPerKey(new CoOccurrences.Sum(), CoOccurrences.RowCoder.INSTANCE)
            : Combine.perKey(new CoOccurrences.Sum()));
    PCollectionView<Map<String, Double>> norms = rows
        .apply("Norms", ParDo.of(new NormFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()))
        .apply("Norms as side input", View.asMap());
    // Bounded input in one window: each bundle keeps only its own top N per item before the shuffle
    // (the global top N of an item is among the union of its bundles' top N), instead of handing every
    // cosine, twice, to the combine, which on Flink's batch runtime sorts them all to pre-aggregate.
    CosinesFn cosines = SumPerBundleFn.applies(rows)
        ? new NearestPerBundleFn(minCoUsers(), norms, neighboursPerItem(), maxNeighboursHeld)
        : new CosinesFn(minCoUsers(), norms);
    return rows
        .apply("Cosines, both directions", ParDo.of(cosines).withSideInputs(norms))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), strengthCoder)))
        .apply("Top " + neighboursPerItem(), Top.perKey(neighboursPerItem(), new BySimilarityThenId()))
        // One reader of the lists, packed: see PackedItems (the lists have two readers downstream).
        .apply("Packed", ParDo.of(new PackFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), PackedItems.ItemsCoder.INSTANCE));
  }

  /** (a, row of a) -> (a, |a|) for an item with weighted interest (a positive squared norm). */
  static final class NormFn extends DoFn<KV<String, CoOccurrences>, KV<String, Double>> {
    @ProcessElement
    public void process(@Element KV<String, CoOccurrences> summed, OutputReceiver<KV<String, Double>> out) {
      double normSquared = summed.getValue().normSquared();
      if (normSquared > 0) {
        out.output(KV.of(summed.getKey(), Math.sqrt(normSquared)));
      }
    }
  }

  /**
   * (a, summed row of a) -> (a, (b, (cosine, coUsers))) and (b, (a, (cosine, coUsers))) for every partner
   * b > a with at least {@code minCoUsers} co-users: the neighbour rows of both items. The cosine is
   * (dot / |a|) / |b|, in that order, so that it is the same double however the rows were summed. An item
   * with no weighted interest (no norm) has no neighbours.
   */
  static class CosinesFn extends DoFn<KV<String, CoOccurrences>, KV<String, KV<String, KV<Double, Long>>>> {
    private final long minCoUsers;
    private final SideInputOfWindow<Map<String, Double>> norms;

    CosinesFn(long minCoUsers, PCollectionView<Map<String, Double>> norms) {
      this.minCoUsers = minCoUsers;
      this.norms = new SideInputOfWindow<>(norms);
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      KV<String, CoOccurrences> summed = c.element();
      double normSquared = summed.getValue().normSquared();
      if (normSquared <= 0) {
        return;
      }
      Map<String, Double> normsOfWindow = norms(c, window);
      double normOfA = Math.sqrt(normSquared);
      String a = summed.getKey();
      summed.getValue().forEachPartner((b, dot, coUsers) -> {
        Double normOfB = normsOfWindow.get(b);
        if (coUsers >= minCoUsers && normOfB != null) {
          double cosine = dot / normOfA / normOfB;
          boolean forA = mayBeNear(a, cosine);
          boolean forB = mayBeNear(b, cosine);
          if (forA || forB) {
            KV<Double, Long> cosineAndSupport = KV.of(cosine, coUsers);
            if (forA) {
              neighbour(c, a, KV.of(b, cosineAndSupport));
            }
            if (forB) {
              neighbour(c, b, KV.of(a, cosineAndSupport));
            }
          }
        }
      });
    }

    /** The norms of the items of the element's window. */
    Map<String, Double> norms(ProcessContext c, BoundedWindow window) {
      return norms.get(c, window);
    }

    /** False only when a neighbour of {@code item} at {@code cosine} is certain not to be kept. */
    boolean mayBeNear(String item, double cosine) {
      return true;
    }

    /** Hands on one neighbour of {@code item}. */
    void neighbour(ProcessContext c, String item, KV<String, KV<Double, Long>> neighbour) {
      c.output(KV.of(item, neighbour));
    }
  }

  /**
   * Neighbours held per bundle: a bundle holding more (a catalogue of over {@value} / N items with
   * neighbours) hands on what it holds and starts again, so memory stays bounded whatever the input.
   */
  static final int MAX_NEIGHBOURS_HELD = 1 << 20;

  /**
   * {@link CosinesFn} for bounded input in the global window: keeps each item's {@code n} nearest
   * neighbours of the bundle ({@link BySimilarityThenId}, a strict order for one item's neighbours) and
   * hands on only those, when the bundle ends or it holds {@code maxHeld}.
   */
  static final class NearestPerBundleFn extends CosinesFn {
    private static final BySimilarityThenId NEARER = new BySimilarityThenId();
    private final int n;
    private final int maxHeld;
    private transient Map<String, java.util.PriorityQueue<KV<String, KV<Double, Long>>>> nearest;
    private transient int held;
    private transient Map<String, Double> bundleNorms;

    NearestPerBundleFn(long minCoUsers, PCollectionView<Map<String, Double>> norms, int n, int maxHeld) {
      super(minCoUsers, norms);
      this.n = n;
      this.maxHeld = maxHeld;
    }

    @StartBundle
    public void startBundle() {
      nearest = new java.util.HashMap<>();
      held = 0;
      bundleNorms = null;
    }

    /**
     * The side input copied once per bundle (of the one window) into a plain map: each partner's norm is
     * looked up, and a runner's map view answers through its multimap and an adapter (on Flink 19 of this
     * step's 53 samples in a whole-batch profile of the Online Retail year).
     */
    @Override
    Map<String, Double> norms(ProcessContext c, BoundedWindow window) {
      if (bundleNorms == null) {
        bundleNorms = new java.util.HashMap<>(super.norms(c, window));
      }
      return bundleNorms;
    }

    /** A full list keeps no neighbour less similar than its least (equal ones go to the tie-break). */
    @Override
    boolean mayBeNear(String item, double cosine) {
      java.util.PriorityQueue<KV<String, KV<Double, Long>>> top = nearest.get(item);
      return top == null || top.size() < n || Double.compare(cosine, top.peek().getValue().getKey()) >= 0;
    }

    @Override
    void neighbour(ProcessContext c, String item, KV<String, KV<Double, Long>> neighbour) {
      java.util.PriorityQueue<KV<String, KV<Double, Long>>> top =
          nearest.computeIfAbsent(item, k -> new java.util.PriorityQueue<>(n + 1, NEARER));
      if (top.size() < n) {
        top.add(neighbour);
        held++;
      } else if (NEARER.compare(neighbour, top.peek()) > 0) {
        top.poll();
        top.add(neighbour);
      }
      if (held >= maxHeld) {
        nearest.forEach((a, tops) -> tops.forEach(b -> c.output(KV.of(a, b))));
        nearest.clear();
        held = 0;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      nearest.forEach((a, tops) -> tops.forEach(b ->
          c.output(KV.of(a, b), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE)));
      nearest.clear();
      held = 0;
      bundleNorms = null;
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
   * One user's history, cut to their most recent items: for each item a, a row of its squared strength
   * (for its norm) and the product of the strengths of a and b for every b > a.
   */
  static final class HistoryFn extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, CoOccurrences>> {
    private final int maxItems;

    HistoryFn(int maxItems) {
      this.maxItems = maxItems;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> user,
        OutputReceiver<KV<String, CoOccurrences>> out) {
      List<KV<String, KV<Double, Long>>> items = recentFirst(user.getValue(), maxItems);
      for (KV<String, KV<Double, Long>> a : items) {
        double wa = a.getValue().getKey();
        CoOccurrences row = new CoOccurrences().addNormSquared(wa * wa);
        for (KV<String, KV<Double, Long>> b : items) {
          if (a.getKey().compareTo(b.getKey()) < 0) {
            row.add(b.getKey(), wa * b.getValue().getKey(), 1);
          }
        }
        out.output(KV.of(a.getKey(), row));
      }
    }
  }

  /**
   * Co-occurring pairs held per bundle by {@link RowsPerBundleFn}: at most about 32 bytes each (tables at
   * most half full), so about 32 MB per worker; a bundle holding more hands its rows on and starts again.
   */
  static final int MAX_PAIRS_HELD = 1 << 20;

  /**
   * {@link HistoryFn} for bounded input in the global window: the rows of all users of a bundle summed
   * per item and partner ({@link CoOccurrenceTable}), handed on when the bundle ends or holds
   * {@code maxPairs} pairs. The downstream combine merges them as it merges single users' rows.
   */
  static final class RowsPerBundleFn extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, CoOccurrences>> {
    private final int maxItems;
    private final int maxPairs;
    private transient CoOccurrenceTable table;

    RowsPerBundleFn(int maxItems, int maxPairs) {
      if (maxPairs < 1) {
        throw new IllegalArgumentException("maxPairs must be at least 1, was " + maxPairs);
      }
      this.maxItems = maxItems;
      this.maxPairs = maxPairs;
    }

    @StartBundle
    public void startBundle() {
      table = new CoOccurrenceTable();
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> user,
        OutputReceiver<KV<String, CoOccurrences>> out) {
      // In id order, every later item is a partner b > a (a user's items are distinct).
      List<KV<String, KV<Double, Long>>> items = recentFirst(user.getValue(), maxItems);
      items.sort(Comparator.comparing(KV::getKey));
      int n = items.size();
      int[] numbers = new int[n];
      double[] strengths = new double[n];
      for (int i = 0; i < n; i++) {
        numbers[i] = table.number(items.get(i).getKey());
        strengths[i] = items.get(i).getValue().getKey();
      }
      for (int i = 0; i < n; i++) {
        double wa = strengths[i];
        table.addNormSquared(numbers[i], wa * wa);
        for (int j = i + 1; j < n; j++) {
          table.add(numbers[i], numbers[j], wa * strengths[j]);
        }
      }
      if (table.pairs() >= maxPairs) {
        table.drain((item, row) -> out.output(KV.of(item, row)));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      table.drain((item, row) -> c.output(KV.of(item, row), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
      table = null;
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

  /** Larger is nearer: higher similarity, then (on a tie) the smaller neighbour id. */
  public static final class BySimilarityThenId implements Comparator<KV<String, KV<Double, Long>>>, Serializable {
    @Override
    public int compare(KV<String, KV<Double, Long>> x, KV<String, KV<Double, Long>> y) {
      int bySimilarity = Double.compare(x.getValue().getKey(), y.getValue().getKey());
      return bySimilarity != 0 ? bySimilarity : y.getKey().compareTo(x.getKey());
    }
  }

  /** (item, neighbours) -> the same, packed, in the same order. */
  private static final class PackFn
      extends DoFn<KV<String, List<KV<String, KV<Double, Long>>>>, KV<String, Iterable<KV<String, KV<Double, Long>>>>> {
    @ProcessElement
    public void process(@Element KV<String, List<KV<String, KV<Double, Long>>>> nearest,
        OutputReceiver<KV<String, Iterable<KV<String, KV<Double, Long>>>>> out) {
      out.output(KV.of(nearest.getKey(), PackedItems.of(nearest.getValue())));
    }
  }

  private static final class RankFn extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, dev.shopbeam.schemas.ItemSimilarity> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> top,
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
