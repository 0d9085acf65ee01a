package dev.shopbeam.transforms.recommend;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.CompactRecordCoder;
import dev.shopbeam.transforms.SumPerBundleFn;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Top-K items per user from their history and the items' neighbours ({@link ItemSimilarity}), with
 * business rules, and popular items for users with too little history.
 *
 * <p>A candidate's score is the sum, over the user's recent items h, of the user's strength on h times
 * the similarity of h and the candidate (the neighbours of each item are capped, so this is bounded).
 * Rules, in order: {@link #promotedItems()} first (reason {@code rule}); never an item in {@link #unavailableItems()}; never an item the user bought, or (with
 * {@link Exclude#INTERACTED}) any item they showed interest in; at most {@link #maxPerCategory()} items
 * of one category (items without a category are not limited). When fewer than K cf items remain (cold
 * start), the list is filled with the most popular items (by weighted users) of the user's favourite
 * category (reason {@code popular_in_category}), then overall ({@code popular}), under the same rules. Outputs {@link #SIMILARITY} and {@link #RECOMMENDATIONS}.
 */
@AutoValue
public abstract class RecommendItems extends PTransform<PCollection<CommerceEvent>, PCollectionTuple> {
  public static final TupleTag<dev.shopbeam.schemas.ItemSimilarity> SIMILARITY = new TupleTag<>("itemSimilarity") {};
  public static final TupleTag<UserRecommendation> RECOMMENDATIONS = new TupleTag<>("userRecommendations") {};
  public static final String REASON_CF = "cf";
  public static final String REASON_POPULAR = "popular";
  public static final String REASON_POPULAR_IN_CATEGORY = "popular_in_category";
  public static final String REASON_RULE = "rule";
  /** Popular items kept beyond K: enough to fill K after a heavy user's exclusions in most cases. */
  public static final int POPULAR_MARGIN = 200;

  /** Which of a user's own items are never recommended back to them. */
  public enum Exclude {
    BOUGHT,
    INTERACTED
  }

  public abstract ItemSimilarity similarity();

  public abstract int k();

  public abstract Exclude exclude();

  public abstract int maxPerCategory();

  public abstract Set<String> unavailableItems();

  /** Items a business rule puts first for every user (a promotion), in this order, under the same rules. */
  public abstract List<String> promotedItems();

  public static RecommendItems of(ItemSimilarity similarity, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, was " + k);
    }
    return new AutoValue_RecommendItems(similarity, k, Exclude.BOUGHT, Integer.MAX_VALUE, Set.of(), List.of());
  }

  public RecommendItems excluding(Exclude exclude) {
    return new AutoValue_RecommendItems(similarity(), k(), exclude, maxPerCategory(), unavailableItems(), promotedItems());
  }

  public RecommendItems withMaxPerCategory(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxPerCategory must be at least 1, was " + max);
    }
    return new AutoValue_RecommendItems(similarity(), k(), exclude(), max, unavailableItems(), promotedItems());
  }

  public RecommendItems withUnavailableItems(Set<String> items) {
    return new AutoValue_RecommendItems(similarity(), k(), exclude(), maxPerCategory(), Set.copyOf(items), promotedItems());
  }

  public RecommendItems withPromotedItems(List<String> items) {
    return new AutoValue_RecommendItems(similarity(), k(), exclude(), maxPerCategory(), unavailableItems(),
        List.copyOf(new java.util.LinkedHashSet<>(items)));
  }

  @Override
  public PCollectionTuple expand(PCollection<CommerceEvent> events) {
    KvCoder<String, Double> itemScore = KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of());
    // Users' histories are computed once, for the similarity, the recommendations and the popularity.
    PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories =
        ItemSimilarity.historiesOf(events, similarity().weights());
    PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> nearest =
        histories.apply("Item similarity", similarity().nearestFromHistories());
    PCollection<dev.shopbeam.schemas.ItemSimilarity> neighbours = ItemSimilarity.ranked(nearest);

    // Each user's candidates scored where their history already is: every item's neighbour list (N per
    // item) goes to the scoring as a side input. Joining the histories with the neighbours by item
    // instead sent one record per user and recent item with N contributions through two shuffles (by
    // item, then by user), a tenth of the whole batch's samples on Flink; the side input holds the
    // catalogue's lists (about 100 bytes per neighbour) on each worker, as the similarity's norms do.
    PCollectionView<Map<String, NeighbourList>> neighbourLists = nearest
        .apply("Neighbour lists", ParDo.of(new NeighbourListFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), NeighbourList.Coder.INSTANCE))
        .apply("Neighbour lists as side input", View.asMap());
    PCollection<KV<String, List<KV<String, Double>>>> candidates = histories
        .apply("Score candidates", ParDo.of(new ScoreFn(similarity().maxItemsPerUser(), neighbourLists))
            .withSideInputs(neighbourLists))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ListCoder.of(itemScore)));

    // What each user may not get back (their items, bought or not) and their favourite category, from
    // one reading of the events and one combine per user.
    // (Bounded input in one window: each bundle gathers its users' own items in memory first.)
    PCollection<KV<String, OwnItems>> own = SumPerBundleFn.applies(events)
        ? events
            .apply("Own items per bundle", ParDo.of(new OwnItems.PerBundleFn(similarity().weights(), OwnItems.MAX_HELD)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), OwnItems.OwnItemsCoder.INSTANCE))
            .apply("Own items per user", Combine.perKey(new OwnItems.MergeGathered()))
        : events
            .apply("Own items", ParDo.of(new OwnItems.EventFn(similarity().weights())))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), OwnItems.EventCoder.INSTANCE))
            .apply("Own items per user", Combine.perKey(new OwnItems.Gather()));

    // Popularity: the sum of users' strengths on an item; the top ones fill short lists.
    int fill = k() + POPULAR_MARGIN;
    PCollection<KV<String, Double>> popularity = histories
        .apply("Strength by item", ParDo.of(new StrengthByItemFn()))
        .setCoder(itemScore)
        .apply("Popularity", Sum.doublesPerKey());
    PCollectionView<List<List<KV<String, Double>>>> popular = popularity
        .apply("Most popular", Top.of(fill, new ByScoreThenId()).withoutDefaults())
        .apply("As side input", View.asList());
    PCollectionView<Map<String, String>> categories = events
        .apply("Item categories", ParDo.of(new CategoryOfItemFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("One category per item", Combine.perKey(RecommendItems::smallest))
        .apply("Categories as side input", View.asMap());
    // The most popular items of each category, for users whose favourite it is.
    PCollectionView<Map<String, List<KV<String, Double>>>> popularPerCategory = popularity
        .apply("Popularity by category", ParDo.of(new ByCategoryFn(categories)).withSideInputs(categories))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), itemScore))
        .apply("Most popular per category", Top.perKey(fill, new ByScoreThenId()))
        .apply("Per category as side input", View.asMap());

    TupleTag<List<KV<String, Double>>> candidateTag = new TupleTag<>() {};
    TupleTag<OwnItems> ownTag = new TupleTag<>() {};
    PCollection<UserRecommendation> recommendations = KeyedPCollectionTuple
        .of(candidateTag, candidates).and(ownTag, own)
        .apply("Join candidates and own items", CoGroupByKey.create())
        .apply("Rank with rules", ParDo.of(new RankFn(k(), exclude(), maxPerCategory(), unavailableItems(),
                promotedItems(), candidateTag, ownTag, popular, popularPerCategory, categories))
            .withSideInputs(popular, popularPerCategory, categories))
        .setCoder(Coders.avro(UserRecommendation.class));
    return PCollectionTuple.of(SIMILARITY, neighbours).and(RECOMMENDATIONS, recommendations);
  }

  private static String smallest(Iterable<String> values) {
    String min = null;
    for (String v : values) {
      if (min == null || v.compareTo(min) < 0) {
        min = v;
      }
    }
    return min;
  }

  /** (user, history) -> (item, the user's strength on it) for each item of the history. */
  static final class StrengthByItemFn extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, Double>> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> history,
        OutputReceiver<KV<String, Double>> out) {
      for (KV<String, KV<Double, Long>> item : history.getValue()) {
        out.output(KV.of(item.getKey(), item.getValue().getKey()));
      }
    }
  }

  /** (item, popularity) -> (its category, (item, popularity)), for items with a category. */
  static final class ByCategoryFn extends DoFn<KV<String, Double>, KV<String, KV<String, Double>>> {
    private final PCollectionView<Map<String, String>> categories;

    ByCategoryFn(PCollectionView<Map<String, String>> categories) {
      this.categories = categories;
    }

    @ProcessElement
    public void process(@Element KV<String, Double> item, ProcessContext c, OutputReceiver<KV<String, KV<String, Double>>> out) {
      String category = c.sideInput(categories).get(item.getKey());
      if (category != null) {
        out.output(KV.of(category, item));
      }
    }
  }

  static final class CategoryOfItemFn extends DoFn<CommerceEvent, KV<String, String>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, String>> out) {
      if (e.getCategoryId() != null) {
        out.output(KV.of(e.getItemId(), e.getCategoryId()));
      }
    }
  }

  /** An item's neighbours and their similarities, as two arrays: the side input of every item's list stays compact. */
  static final class NeighbourList {
    final String[] ids;
    final double[] similarities;

    NeighbourList(String[] ids, double[] similarities) {
      this.ids = ids;
      this.similarities = similarities;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NeighbourList && java.util.Arrays.equals(ids, ((NeighbourList) o).ids)
          && java.util.Arrays.equals(similarities, ((NeighbourList) o).similarities);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(ids);
    }

    /** Count, then each neighbour's id and similarity. */
    static final class Coder extends CompactRecordCoder<NeighbourList> {
      static final Coder INSTANCE = new Coder();

      @Override
      protected void write(NeighbourList value, Writer w) {
        w.writeVarLong(value.ids.length);
        for (int i = 0; i < value.ids.length; i++) {
          w.writeString(value.ids[i]);
          w.writeDouble(value.similarities[i]);
        }
      }

      @Override
      protected NeighbourList read(Reader r) throws IOException {
        long n = r.readVarLong();
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
          throw new IOException("corrupt neighbour count " + n);
        }
        String[] ids = new String[(int) n];
        double[] similarities = new double[(int) n];
        for (int i = 0; i < n; i++) {
          ids[i] = r.readString();
          similarities[i] = r.readDouble();
        }
        return new NeighbourList(ids, similarities);
      }
    }
  }

  /** (item, its nearest neighbours) -> (item, their ids and similarities). */
  static final class NeighbourListFn
      extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, NeighbourList>> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, KV<Double, Long>>>> nearest,
        OutputReceiver<KV<String, NeighbourList>> out) {
      List<KV<String, KV<Double, Long>>> ns = new java.util.ArrayList<>();
      nearest.getValue().forEach(ns::add);
      String[] ids = new String[ns.size()];
      double[] similarities = new double[ns.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = ns.get(i).getKey();
        similarities[i] = ns.get(i).getValue().getKey();
      }
      out.output(KV.of(nearest.getKey(), new NeighbourList(ids, similarities)));
    }
  }

  /**
   * One user's history -> (user, scored candidates): each neighbour of each of the user's recent items
   * receives the user's strength on the item times their similarity, and a candidate's score is the sum
   * of what it received, smallest first ({@link Contributions#scores}). Users none of whose recent items
   * has neighbours have no candidates.
   */
  static final class ScoreFn
      extends DoFn<KV<String, Iterable<KV<String, KV<Double, Long>>>>, KV<String, List<KV<String, Double>>>> {
    private final int maxItems;
    private final SideInputOfWindow<Map<String, NeighbourList>> neighbourLists;

    ScoreFn(int maxItems, PCollectionView<Map<String, NeighbourList>> neighbourLists) {
      this.maxItems = maxItems;
      this.neighbourLists = new SideInputOfWindow<>(neighbourLists);
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      Map<String, NeighbourList> listsOfWindow = neighbourLists.get(c, window);
      KV<String, Iterable<KV<String, KV<Double, Long>>>> user = c.element();
      Contributions toUser = new Contributions();
      for (KV<String, KV<Double, Long>> item : ItemSimilarity.recentFirst(user.getValue(), maxItems)) {
        NeighbourList ns = listsOfWindow.get(item.getKey());
        if (ns == null) {
          continue;
        }
        double strength = item.getValue().getKey();
        for (int i = 0; i < ns.ids.length; i++) {
          toUser.add(ns.ids[i], strength * ns.similarities[i]);
        }
      }
      if (toUser.size() > 0) {
        c.output(KV.of(user.getKey(), toUser.scores()));
      }
    }
  }

  /** Larger first: higher score, then (on a tie) the smaller item id. */
  public static final class ByScoreThenId implements Comparator<KV<String, Double>>, Serializable {
    @Override
    public int compare(KV<String, Double> a, KV<String, Double> b) {
      int byScore = Double.compare(a.getValue(), b.getValue());
      return byScore != 0 ? byScore : b.getKey().compareTo(a.getKey());
    }
  }

  /**
   * The rules, applied to one user's scored candidates, then the fill-ins: the most popular items of the
   * user's favourite category, then the most popular overall. Public and static so the plain-Java model
   * in the tests applies the very same rules to its own candidates.
   */
  public static List<UserRecommendation> rank(String user, List<KV<String, Double>> candidates,
      Set<String> exclude, List<KV<String, Double>> popularInCategory, List<KV<String, Double>> popular,
      Map<String, String> categories, int k, int maxPerCategory, Set<String> unavailable) {
    return rank(user, candidates, exclude, popularInCategory, popular, categories, k, maxPerCategory, unavailable,
        List.of());
  }

  /** As above, with promoted items first (reason {@code rule}, score 0), under the same rules. */
  public static List<UserRecommendation> rank(String user, List<KV<String, Double>> candidates,
      Set<String> exclude, List<KV<String, Double>> popularInCategory, List<KV<String, Double>> popular,
      Map<String, String> categories, int k, int maxPerCategory, Set<String> unavailable, List<String> promoted) {
    List<KV<String, Double>> sorted = new ArrayList<>(candidates);
    sorted.sort(new ByScoreThenId().reversed());
    List<KV<String, Double>> rules = new ArrayList<>();
    promoted.forEach(item -> rules.add(KV.of(item, 0.0)));
    List<UserRecommendation> out = new ArrayList<>();
    Set<String> chosen = new HashSet<>();
    Map<String, Integer> perCategory = new HashMap<>();
    List<List<KV<String, Double>>> sources = List.of(rules, sorted, popularInCategory, popular);
    List<String> reasons = List.of(REASON_RULE, REASON_CF, REASON_POPULAR_IN_CATEGORY, REASON_POPULAR);
    for (int s = 0; s < sources.size(); s++) {
      String reason = reasons.get(s);
      for (KV<String, Double> c : sources.get(s)) {
        if (out.size() >= k) {
          return out;
        }
        String item = c.getKey();
        if (chosen.contains(item) || exclude.contains(item) || unavailable.contains(item)) {
          continue;
        }
        String category = categories.get(item);
        if (category != null && perCategory.getOrDefault(category, 0) >= maxPerCategory) {
          continue;
        }
        chosen.add(item);
        if (category != null) {
          perCategory.merge(category, 1, Integer::sum);
        }
        out.add(UserRecommendation.newBuilder().setUserId(user).setRank(out.size() + 1).setItemId(item)
            .setScore(c.getValue()).setReason(reason).build());
      }
    }
    return out;
  }

  static final class RankFn extends DoFn<KV<String, CoGbkResult>, UserRecommendation> {
    private final int k;
    private final Exclude exclude;
    private final int maxPerCategory;
    private final Set<String> unavailable;
    private final List<String> promoted;
    private final TupleTag<List<KV<String, Double>>> candidateTag;
    private final TupleTag<OwnItems> ownTag;
    private final PCollectionView<List<List<KV<String, Double>>>> popular;
    private final PCollectionView<Map<String, List<KV<String, Double>>>> popularPerCategory;
    private final PCollectionView<Map<String, String>> categories;

    RankFn(int k, Exclude exclude, int maxPerCategory, Set<String> unavailable, List<String> promoted,
        TupleTag<List<KV<String, Double>>> candidateTag, TupleTag<OwnItems> ownTag,
        PCollectionView<List<List<KV<String, Double>>>> popular,
        PCollectionView<Map<String, List<KV<String, Double>>>> popularPerCategory,
        PCollectionView<Map<String, String>> categories) {
      this.k = k;
      this.exclude = exclude;
      this.maxPerCategory = maxPerCategory;
      this.unavailable = unavailable;
      this.promoted = promoted;
      this.candidateTag = candidateTag;
      this.ownTag = ownTag;
      this.popular = popular;
      this.popularPerCategory = popularPerCategory;
      this.categories = categories;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> user, ProcessContext c, OutputReceiver<UserRecommendation> out) {
      OwnItems own = user.getValue().getOnly(ownTag, null);
      if (own == null || own.items().isEmpty()) {
        return; // users are those with items of their own
      }
      Set<String> excluded = new HashSet<>();
      own.items().forEach((item, bought) -> {
        if (exclude == Exclude.INTERACTED || bought) {
          excluded.add(item);
        }
      });
      List<KV<String, Double>> candidates = new ArrayList<>();
      user.getValue().getAll(candidateTag).forEach(candidates::addAll);
      List<KV<String, Double>> popularItems = new ArrayList<>();
      c.sideInput(popular).forEach(popularItems::addAll); // one list, or none for no input
      popularItems.sort(new ByScoreThenId().reversed());
      String favourite = own.favouriteCategory();
      List<KV<String, Double>> inCategory = new ArrayList<>(
          favourite == null ? List.of() : c.sideInput(popularPerCategory).getOrDefault(favourite, List.of()));
      inCategory.sort(new ByScoreThenId().reversed());
      for (UserRecommendation r : rank(user.getKey(), candidates, excluded, inCategory, popularItems,
          c.sideInput(categories), k, maxPerCategory, unavailable, promoted)) {
        out.output(r);
      }
    }
  }
}
