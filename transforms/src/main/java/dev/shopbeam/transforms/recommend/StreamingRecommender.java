package dev.shopbeam.transforms.recommend;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.schemas.internal.RecommenderItemUpdate;
import dev.shopbeam.schemas.internal.RecommenderPopular;
import dev.shopbeam.schemas.internal.RecommenderRowUpdate;
import dev.shopbeam.schemas.internal.RecommenderUserRound;
import dev.shopbeam.schemas.internal.RowUpdateKind;
import dev.shopbeam.schemas.internal.UserRoundKind;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.Versioned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The streaming form of {@link RecommendItems}: item co-occurrence kept up to date incrementally, round
 * by round of event time, and a user's recommendations published when they change.
 *
 * <p>A round is a fixed event-time window ({@link #round()}). When the watermark passes a round's end:
 * <ol>
 *   <li>each user active in it (keyed state: their strengths, the items they bought) works out what the
 *       round changed in their recent history ({@link ItemSimilarity#maxItemsPerUser()} most recent
 *       items) and sends only the differences: to each affected item pair the change of its dot product
 *       and co-user count, to each item the change of its squared norm and popularity;
 *   <li>each item (keyed state: norm, popularity, category, partners) tells its co-occurring items its
 *       new norm;
 *   <li>each item's row (keyed state: dot products and co-user counts with its partners, their norms)
 *       recomputes its nearest neighbours, publishes them if they changed, and answers the active users'
 *       requests with strength x similarity for each neighbour;
 *   <li>each user collects one answer per recent item, sums the contributions (smallest first, as in
 *       batch), applies the same rules ({@link RecommendItems#rank}) with the current most popular
 *       items, and publishes the list if its items or their order changed.
 * </ol>
 * So after a round, the similarity state equals {@link ItemSimilarity} over everything up to the round's
 * end, and an active user's list equals the batch list over that prefix (tested against the model).
 * Every published list carries its key's version (1, 2, ...): Beam keeps no order between elements, so
 * a consumer keeps the list with the highest version, whatever order a runner delivered them in.
 * Nothing holds a users x items matrix; a user's work per round is bounded by the history cap.
 *
 * <p>An event later than its round's end (within the allowed lateness that lets it through) is applied
 * to the state as soon as it arrives, with its own round: the state stays exact, but that late round's
 * answers may use neighbours computed before all of its changes arrived; the next round corrects them.
 */
@AutoValue
public abstract class StreamingRecommender extends PTransform<PCollection<CommerceEvent>, PCollectionTuple> {
  /**
   * Items whose neighbour list changed in a round, with the whole new list (empty: no neighbours any more),
   * versioned per item: the list with the highest version is the item's current one.
   */
  public static final TupleTag<KV<String, Versioned<List<dev.shopbeam.schemas.ItemSimilarity>>>> SIMILARITY_CHANGES =
      new TupleTag<>("itemSimilarityChanges") {};
  /** Users whose recommendations changed in a round, with the whole new list, versioned per user. */
  public static final TupleTag<KV<String, Versioned<List<UserRecommendation>>>> RECOMMENDATION_CHANGES =
      new TupleTag<>("recommendationChanges") {};

  private static final TupleTag<KV<String, RecommenderRowUpdate>> ROW_UPDATES = new TupleTag<>("rowUpdates") {};
  private static final TupleTag<KV<String, RecommenderItemUpdate>> ITEM_UPDATES = new TupleTag<>("itemUpdates") {};
  private static final TupleTag<KV<String, RecommenderUserRound>> USER_ROUNDS = new TupleTag<>("userRounds") {};
  private static final TupleTag<KV<String, KV<String, KV<Double, String>>>> POPULARITY = new TupleTag<>("popularity") {};

  public abstract RecommendItems recommender();

  public abstract Duration round();

  public static StreamingRecommender of(RecommendItems recommender, Duration round) {
    if (round.getMillis() < 1) {
      throw new IllegalArgumentException("the recommendation round must be positive, was " + round);
    }
    return new AutoValue_StreamingRecommender(recommender, round);
  }

  /** The end (max timestamp) of the round an event time falls in: the round's id and timer time. */
  public static long roundOf(long eventMillis, long roundMillis) {
    return Math.floorDiv(eventMillis, roundMillis) * roundMillis + roundMillis - 1;
  }

  /** The key's next list version (1 for its first list), kept in its state. */
  static long nextVersion(ValueState<Long> version) {
    Long last = version.read();
    long next = last == null ? 1 : last + 1;
    version.write(next);
    return next;
  }

  @Override
  public PCollectionTuple expand(PCollection<CommerceEvent> events) {
    long roundMillis = round().getMillis();
    RecommendItems r = recommender();
    ItemSimilarity s = r.similarity();
    Coder<String> str = StringUtf8Coder.of();
    KvCoder<String, RecommenderRowUpdate> rowCoder = KvCoder.of(str, Coders.avro(RecommenderRowUpdate.class));
    KvCoder<String, RecommenderItemUpdate> itemCoder = KvCoder.of(str, Coders.avro(RecommenderItemUpdate.class));
    KvCoder<String, RecommenderUserRound> userCoder = KvCoder.of(str, Coders.avro(RecommenderUserRound.class));

    // Keyed state lives as long as the key: the global window, whatever windows the events came in.
    PCollection<CommerceEvent> global = events.apply("Into the global window",
        Window.<CommerceEvent>into(new GlobalWindows()));

    PCollectionTuple fromUsers = global
        .apply("Key by user", ParDo.of(new ByUserFn(s.weights())))
        .setCoder(KvCoder.of(str, Coders.events()))
        .apply("User rounds", ParDo.of(new UserRoundsFn(s.weights(), s.maxItemsPerUser(), r.exclude(), roundMillis))
            .withOutputTags(ROW_UPDATES, TupleTagList.of(ITEM_UPDATES).and(USER_ROUNDS)));
    PCollection<KV<String, RecommenderItemUpdate>> categories = global
        .apply("Item categories", ParDo.of(new CategoryUpdateFn(roundMillis)))
        .setCoder(itemCoder);

    PCollectionTuple fromItems = PCollectionList.of(fromUsers.get(ITEM_UPDATES).setCoder(itemCoder)).and(categories)
        .apply("All item updates", Flatten.pCollections())
        .apply("Item norms", ParDo.of(new ItemNormsFn())
            .withOutputTags(ROW_UPDATES, TupleTagList.of(POPULARITY)));

    PCollectionView<List<RecommenderPopular>> popular = fromItems.get(POPULARITY)
        .setCoder(KvCoder.of(str, KvCoder.of(str, KvCoder.of(DoubleCoder.of(), NullableCoder.of(str)))))
        .apply("Most popular", ParDo.of(new PopularFn(r.k() + RecommendItems.POPULAR_MARGIN)))
        .setCoder(Coders.avro(RecommenderPopular.class))
        .apply("Latest popular", Window.<RecommenderPopular>into(new GlobalWindows())
            .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
            .discardingFiredPanes()
            .withAllowedLateness(Duration.ZERO))
        .apply("Popular as side input", View.asList());

    PCollectionTuple fromRows = PCollectionList.of(fromUsers.get(ROW_UPDATES).setCoder(rowCoder))
        .and(fromItems.get(ROW_UPDATES).setCoder(rowCoder))
        .apply("All row updates", Flatten.pCollections())
        .apply("Item neighbours", ParDo.of(new ItemRowsFn(s.minCoUsers(), s.neighboursPerItem()))
            .withOutputTags(USER_ROUNDS, TupleTagList.of(SIMILARITY_CHANGES)));

    PCollection<KV<String, Versioned<List<UserRecommendation>>>> changes = PCollectionList.of(fromUsers.get(USER_ROUNDS).setCoder(userCoder))
        .and(fromRows.get(USER_ROUNDS).setCoder(userCoder))
        .apply("All user rounds", Flatten.pCollections())
        .apply("User lists", ParDo.of(new UserListsFn(r.k(), r.maxPerCategory(), r.unavailableItems(),
                r.promotedItems(), popular))
            .withSideInputs(popular))
        .setCoder(KvCoder.of(str, Versioned.VersionedCoder.of(ListCoder.of(Coders.avro(UserRecommendation.class)))));
    return PCollectionTuple.of(SIMILARITY_CHANGES, fromRows.get(SIMILARITY_CHANGES)
            .setCoder(KvCoder.of(str, Versioned.VersionedCoder.of(
                ListCoder.of(Coders.avro(dev.shopbeam.schemas.ItemSimilarity.class))))))
        .and(RECOMMENDATION_CHANGES, changes);
  }

  /**
   * Work buffered per key until the watermark passes its round, under one event-time timer set at the
   * earliest pending round. The timer fires once every input of that round has arrived (the stages
   * upstream hold the watermark at their own pending rounds), so a round is processed whole.
   */
  static final class Rounds {
    private Rounds() {}

    static void schedule(long round, ValueState<Long> timerAt, Timer timer) {
      Long at = timerAt.read();
      if (at == null || round < at) {
        timer.set(new Instant(round));
        timerAt.write(round);
      }
    }

    static <T> List<T> takeDue(BagState<T> pending, ToLongFunction<T> roundOf, long now, ValueState<Long> timerAt,
        Timer timer) {
      List<T> due = new ArrayList<>();
      List<T> rest = new ArrayList<>();
      long next = Long.MAX_VALUE;
      for (T x : pending.read()) {
        long r = roundOf.applyAsLong(x);
        if (r <= now) {
          due.add(x);
        } else {
          rest.add(x);
          next = Math.min(next, r);
        }
      }
      pending.clear();
      rest.forEach(pending::add);
      if (rest.isEmpty()) {
        timerAt.clear();
      } else {
        timer.set(new Instant(next));
        timerAt.write(next);
      }
      return due;
    }
  }

  static final class ByUserFn extends DoFn<CommerceEvent, KV<String, CommerceEvent>> {
    private final Map<Behavior, Double> weights;

    ByUserFn(Map<Behavior, Double> weights) {
      this.weights = weights;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, CommerceEvent>> out) {
      Double w = weights.get(e.getBehavior());
      if (e.getUserId() != null && (e.getBehavior() == Behavior.BUY || (w != null && w > 0))) {
        out.output(KV.of(e.getUserId(), e));
      }
    }
  }

  /** Every event with a category tells its item's state the category (the smallest seen is kept, as in batch). */
  static final class CategoryUpdateFn extends DoFn<CommerceEvent, KV<String, RecommenderItemUpdate>> {
    private final long roundMillis;

    CategoryUpdateFn(long roundMillis) {
      this.roundMillis = roundMillis;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, RecommenderItemUpdate>> out) {
      if (e.getCategoryId() != null) {
        out.output(KV.of(e.getItemId(), RecommenderItemUpdate.newBuilder()
            .setRound(roundOf(e.getEventTime().toEpochMilli(), roundMillis))
            .setNormSquaredDelta(0).setPopularityDelta(0).setCategoryId(e.getCategoryId())
            .setNewPartners(List.of()).build()));
      }
    }
  }

  private static Map<String, Double> recentStrengths(Map<String, KV<Double, Long>> items, int max) {
    List<KV<String, KV<Double, Long>>> all = new ArrayList<>();
    items.forEach((item, v) -> all.add(KV.of(item, v)));
    Map<String, Double> recent = new HashMap<>();
    for (KV<String, KV<Double, Long>> kv : ItemSimilarity.recentFirst(all, max)) {
      recent.put(kv.getKey(), kv.getValue().getKey());
    }
    return recent;
  }

  private static RecommenderRowUpdate row(long round, RowUpdateKind kind, String other, double value, long coUsers,
      String category) {
    return RecommenderRowUpdate.newBuilder().setRound(round).setKind(kind).setOther(other).setValue(value)
        .setCoUsersDelta(coUsers).setCategoryId(category).build();
  }

  /** Stage 1, per user: the differences a round makes to the co-occurrence state, and the user's requests. */
  static final class UserRoundsFn extends DoFn<KV<String, CommerceEvent>, KV<String, RecommenderRowUpdate>> {
    private final Map<Behavior, Double> weights;
    private final int maxItems;
    private final RecommendItems.Exclude exclude;
    private final long roundMillis;

    @StateId("user")
    private final StateSpec<ValueState<String>> userSpec = StateSpecs.value(StringUtf8Coder.of());

    @StateId("pending")
    private final StateSpec<BagState<CommerceEvent>> pendingSpec = StateSpecs.bag(Coders.events());

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("items")
    private final StateSpec<ValueState<Map<String, KV<Double, Long>>>> itemsSpec = StateSpecs.value(
        MapCoder.of(StringUtf8Coder.of(), KvCoder.of(DoubleCoder.of(), VarLongCoder.of())));

    @StateId("bought")
    private final StateSpec<ValueState<Set<String>>> boughtSpec = StateSpecs.value(SetCoder.of(StringUtf8Coder.of()));

    @TimerId("round")
    private final TimerSpec roundSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    UserRoundsFn(Map<Behavior, Double> weights, int maxItems, RecommendItems.Exclude exclude, long roundMillis) {
      this.weights = weights;
      this.maxItems = maxItems;
      this.exclude = exclude;
      this.roundMillis = roundMillis;
    }

    @ProcessElement
    public void process(@Element KV<String, CommerceEvent> e, @StateId("user") ValueState<String> user,
        @StateId("pending") BagState<CommerceEvent> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("round") Timer timer) {
      user.write(e.getKey());
      pending.add(e.getValue());
      Rounds.schedule(roundOf(e.getValue().getEventTime().toEpochMilli(), roundMillis), timerAt, timer);
    }

    @OnTimer("round")
    public void onRound(OnTimerContext c, @StateId("user") ValueState<String> userState,
        @StateId("pending") BagState<CommerceEvent> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @StateId("items") ValueState<Map<String, KV<Double, Long>>> itemsState,
        @StateId("bought") ValueState<Set<String>> boughtState, @TimerId("round") Timer timer, MultiOutputReceiver out) {
      long round = c.timestamp().getMillis();
      List<CommerceEvent> due = Rounds.takeDue(pending, e -> roundOf(e.getEventTime().toEpochMilli(), roundMillis),
          round, timerAt, timer);
      String user = userState.read();
      Map<String, KV<Double, Long>> before = itemsState.read() == null ? Map.of() : itemsState.read();
      Map<String, KV<Double, Long>> items = new HashMap<>(before);
      Set<String> bought = boughtState.read() == null ? new HashSet<>() : new HashSet<>(boughtState.read());
      boolean changed = false;
      for (CommerceEvent e : due) {
        if (e.getBehavior() == Behavior.BUY) {
          changed |= bought.add(e.getItemId());
        }
        Double w = weights.get(e.getBehavior());
        if (w != null && w > 0) {
          KV<Double, Long> old = items.get(e.getItemId());
          long t = e.getEventTime().toEpochMilli();
          KV<Double, Long> now = old == null ? KV.of(w, t) : KV.of(Math.max(old.getKey(), w), Math.max(old.getValue(), t));
          if (!now.equals(old)) {
            items.put(e.getItemId(), now);
            changed = true;
          }
        }
      }
      if (!changed) {
        return;
      }
      itemsState.write(items);
      boughtState.write(bought);

      Map<String, Double> oldRecent = recentStrengths(before, maxItems);
      Map<String, Double> newRecent = recentStrengths(items, maxItems);
      Set<String> union = new TreeSet<>(oldRecent.keySet());
      union.addAll(newRecent.keySet());
      Set<String> moved = new TreeSet<>();
      for (String x : union) {
        if (!Objects.equals(oldRecent.get(x), newRecent.get(x))) {
          moved.add(x);
        }
      }
      Map<String, double[]> itemDelta = new TreeMap<>(); // {norm squared, popularity}
      Map<String, List<String>> newPartners = new TreeMap<>();
      for (String x : moved) {
        double o = oldRecent.getOrDefault(x, 0.0);
        double n = newRecent.getOrDefault(x, 0.0);
        itemDelta.computeIfAbsent(x, k -> new double[2])[0] = n * n - o * o;
      }
      // Popularity counts every item of the user, recent or not (as in batch).
      for (Map.Entry<String, KV<Double, Long>> i : items.entrySet()) {
        KV<Double, Long> old = before.get(i.getKey());
        double delta = i.getValue().getKey() - (old == null ? 0 : old.getKey());
        if (delta != 0) {
          itemDelta.computeIfAbsent(i.getKey(), k -> new double[2])[1] = delta;
        }
      }
      for (String a : moved) {
        for (String b : union) {
          if (a.equals(b) || (moved.contains(b) && b.compareTo(a) < 0)) {
            continue; // a pair of two moved items is done once
          }
          Double oa = oldRecent.get(a);
          Double ob = oldRecent.get(b);
          Double na = newRecent.get(a);
          Double nb = newRecent.get(b);
          boolean wasPair = oa != null && ob != null;
          boolean isPair = na != null && nb != null;
          double dot = (isPair ? na * nb : 0) - (wasPair ? oa * ob : 0);
          long coUsers = (isPair ? 1 : 0) - (wasPair ? 1 : 0);
          if (dot != 0 || coUsers != 0) {
            out.get(ROW_UPDATES).output(KV.of(a, row(round, RowUpdateKind.PAIR, b, dot, coUsers, null)));
            out.get(ROW_UPDATES).output(KV.of(b, row(round, RowUpdateKind.PAIR, a, dot, coUsers, null)));
          }
          if (coUsers == 1) {
            newPartners.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
            newPartners.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
          }
        }
      }
      Set<String> updated = new TreeSet<>(itemDelta.keySet());
      updated.addAll(newPartners.keySet());
      for (String x : updated) {
        double[] d = itemDelta.getOrDefault(x, new double[2]);
        List<String> partners = new ArrayList<>(newPartners.getOrDefault(x, List.of()));
        partners.sort(null);
        out.get(ITEM_UPDATES).output(KV.of(x, RecommenderItemUpdate.newBuilder().setRound(round)
            .setNormSquaredDelta(d[0]).setPopularityDelta(d[1]).setCategoryId(null).setNewPartners(partners).build()));
      }
      for (Map.Entry<String, Double> h : new TreeMap<>(newRecent).entrySet()) {
        out.get(ROW_UPDATES).output(KV.of(h.getKey(), row(round, RowUpdateKind.REQUEST, user, h.getValue(), 0, null)));
      }
      Set<String> excluded = new TreeSet<>(bought);
      if (exclude == RecommendItems.Exclude.INTERACTED) {
        excluded.addAll(items.keySet());
      }
      out.get(USER_ROUNDS).output(KV.of(user, RecommenderUserRound.newBuilder().setRound(round)
          .setKind(UserRoundKind.START).setExpected(newRecent.size()).setItems(new ArrayList<>(excluded))
          .setScores(List.of()).setCategories(List.of()).build()));
    }
  }

  /** Stage 2, per item: its squared norm, popularity and category, told to the items it co-occurs with. */
  static final class ItemNormsFn extends DoFn<KV<String, RecommenderItemUpdate>, KV<String, RecommenderRowUpdate>> {
    @StateId("item")
    private final StateSpec<ValueState<String>> itemSpec = StateSpecs.value(StringUtf8Coder.of());

    @StateId("pending")
    private final StateSpec<BagState<RecommenderItemUpdate>> pendingSpec =
        StateSpecs.bag(Coders.avro(RecommenderItemUpdate.class));

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("totals")
    private final StateSpec<ValueState<KV<Double, Double>>> totalsSpec =
        StateSpecs.value(KvCoder.of(DoubleCoder.of(), DoubleCoder.of()));

    @StateId("category")
    private final StateSpec<ValueState<String>> categorySpec = StateSpecs.value(StringUtf8Coder.of());

    @StateId("partners")
    private final StateSpec<ValueState<Set<String>>> partnersSpec = StateSpecs.value(SetCoder.of(StringUtf8Coder.of()));

    @TimerId("round")
    private final TimerSpec roundSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(@Element KV<String, RecommenderItemUpdate> u, @StateId("item") ValueState<String> item,
        @StateId("pending") BagState<RecommenderItemUpdate> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("round") Timer timer) {
      item.write(u.getKey());
      pending.add(u.getValue());
      Rounds.schedule(u.getValue().getRound(), timerAt, timer);
    }

    @OnTimer("round")
    public void onRound(OnTimerContext c, @StateId("item") ValueState<String> itemState,
        @StateId("pending") BagState<RecommenderItemUpdate> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @StateId("totals") ValueState<KV<Double, Double>> totals, @StateId("category") ValueState<String> categoryState,
        @StateId("partners") ValueState<Set<String>> partnersState, @TimerId("round") Timer timer,
        MultiOutputReceiver out) {
      long round = c.timestamp().getMillis();
      String item = itemState.read();
      KV<Double, Double> old = totals.read() == null ? KV.of(0.0, 0.0) : totals.read();
      double normSquared = old.getKey();
      double popularity = old.getValue();
      String oldCategory = categoryState.read();
      String category = oldCategory;
      Set<String> partners = partnersState.read() == null ? new TreeSet<>() : new TreeSet<>(partnersState.read());
      List<String> fresh = new ArrayList<>();
      for (RecommenderItemUpdate u : Rounds.takeDue(pending, RecommenderItemUpdate::getRound, round, timerAt, timer)) {
        normSquared += u.getNormSquaredDelta();
        popularity += u.getPopularityDelta();
        if (u.getCategoryId() != null && (category == null || u.getCategoryId().compareTo(category) < 0)) {
          category = u.getCategoryId();
        }
        for (String p : u.getNewPartners()) {
          if (partners.add(p)) {
            fresh.add(p);
          }
        }
      }
      totals.write(KV.of(normSquared, popularity));
      if (category != null) {
        categoryState.write(category);
      }
      partnersState.write(partners);
      boolean categoryChanged = !Objects.equals(category, oldCategory);
      boolean normChanged = normSquared != old.getKey() || categoryChanged;
      Set<String> tell = new TreeSet<>(normChanged ? partners : fresh);
      if (normChanged) {
        tell.add(item);
      }
      for (String p : tell) {
        out.get(ROW_UPDATES).output(KV.of(p, row(round, RowUpdateKind.NORM, item, normSquared, 0, category)));
      }
      if (popularity > 0 && (popularity != old.getValue() || categoryChanged)) {
        out.get(POPULARITY).output(KV.of("", KV.of(item, KV.of(popularity, category))));
      }
    }
  }

  /** Stage 3, per item: the neighbour row, recomputed when it changed, and the answers to users' requests. */
  static final class ItemRowsFn extends DoFn<KV<String, RecommenderRowUpdate>, KV<String, RecommenderUserRound>> {
    private final int minCoUsers;
    private final int neighbours;

    @StateId("item")
    private final StateSpec<ValueState<String>> itemSpec = StateSpecs.value(StringUtf8Coder.of());

    @StateId("pending")
    private final StateSpec<BagState<RecommenderRowUpdate>> pendingSpec =
        StateSpecs.bag(Coders.avro(RecommenderRowUpdate.class));

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("pairs")
    private final StateSpec<ValueState<Map<String, KV<Double, Long>>>> pairsSpec = StateSpecs.value(
        MapCoder.of(StringUtf8Coder.of(), KvCoder.of(DoubleCoder.of(), VarLongCoder.of())));

    @StateId("norms")
    private final StateSpec<ValueState<Map<String, KV<Double, String>>>> normsSpec = StateSpecs.value(
        MapCoder.of(StringUtf8Coder.of(), KvCoder.of(DoubleCoder.of(), NullableCoder.of(StringUtf8Coder.of()))));

    @StateId("top")
    private final StateSpec<ValueState<List<KV<String, KV<Double, Long>>>>> topSpec = StateSpecs.value(
        ListCoder.of(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(DoubleCoder.of(), VarLongCoder.of()))));

    @StateId("version")
    private final StateSpec<ValueState<Long>> versionSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("round")
    private final TimerSpec roundSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    ItemRowsFn(int minCoUsers, int neighbours) {
      this.minCoUsers = minCoUsers;
      this.neighbours = neighbours;
    }

    @ProcessElement
    public void process(@Element KV<String, RecommenderRowUpdate> u, @StateId("item") ValueState<String> item,
        @StateId("pending") BagState<RecommenderRowUpdate> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("round") Timer timer) {
      item.write(u.getKey());
      pending.add(u.getValue());
      Rounds.schedule(u.getValue().getRound(), timerAt, timer);
    }

    @OnTimer("round")
    public void onRound(OnTimerContext c, @StateId("item") ValueState<String> itemState,
        @StateId("pending") BagState<RecommenderRowUpdate> pending, @StateId("timerAt") ValueState<Long> timerAt,
        @StateId("pairs") ValueState<Map<String, KV<Double, Long>>> pairsState,
        @StateId("norms") ValueState<Map<String, KV<Double, String>>> normsState,
        @StateId("top") ValueState<List<KV<String, KV<Double, Long>>>> topState,
        @StateId("version") ValueState<Long> version, @TimerId("round") Timer timer, MultiOutputReceiver out) {
      long round = c.timestamp().getMillis();
      String item = itemState.read();
      Map<String, KV<Double, Long>> pairs = pairsState.read() == null ? new HashMap<>() : new HashMap<>(pairsState.read());
      Map<String, KV<Double, String>> norms = normsState.read() == null ? new HashMap<>() : new HashMap<>(normsState.read());
      List<RecommenderRowUpdate> requests = new ArrayList<>();
      boolean rowChanged = false;
      for (RecommenderRowUpdate u : Rounds.takeDue(pending, RecommenderRowUpdate::getRound, round, timerAt, timer)) {
        switch (u.getKind()) {
          case PAIR:
            KV<Double, Long> p = pairs.getOrDefault(u.getOther(), KV.of(0.0, 0L));
            KV<Double, Long> sum = KV.of(p.getKey() + u.getValue(), p.getValue() + u.getCoUsersDelta());
            if (sum.getValue() == 0) {
              pairs.remove(u.getOther()); // no user has both any more; the dot product is back to 0 exactly
            } else {
              pairs.put(u.getOther(), sum);
            }
            rowChanged = true;
            break;
          case NORM:
            norms.put(u.getOther(), KV.of(u.getValue(), u.getCategoryId()));
            rowChanged = true;
            break;
          case REQUEST:
            requests.add(u);
            break;
          default:
            throw new IllegalStateException("unknown row update " + u.getKind());
        }
      }
      List<KV<String, KV<Double, Long>>> top = topState.read() == null ? List.of() : topState.read();
      if (rowChanged) {
        pairsState.write(pairs);
        normsState.write(norms);
        List<KV<String, KV<Double, Long>>> now = nearest(item, pairs, norms);
        if (!now.equals(top)) {
          topState.write(now);
          top = now;
          List<dev.shopbeam.schemas.ItemSimilarity> rows = new ArrayList<>();
          for (KV<String, KV<Double, Long>> n : now) {
            rows.add(dev.shopbeam.schemas.ItemSimilarity.newBuilder().setItemId(item).setRank(rows.size() + 1)
                .setNeighbourId(n.getKey()).setSimilarity(n.getValue().getKey()).setCoUsers(n.getValue().getValue())
                .build());
          }
          out.get(SIMILARITY_CHANGES).output(KV.of(item, Versioned.of(nextVersion(version), rows)));
        }
      }
      for (RecommenderRowUpdate request : requests) {
        List<String> candidates = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        for (KV<String, KV<Double, Long>> n : top) {
          candidates.add(n.getKey());
          scores.add(request.getValue() * n.getValue().getKey());
          KV<Double, String> norm = norms.get(n.getKey());
          categories.add(norm == null ? null : norm.getValue());
        }
        out.get(USER_ROUNDS).output(KV.of(request.getOther(), RecommenderUserRound.newBuilder()
            .setRound(request.getRound()).setKind(UserRoundKind.ANSWER).setExpected(0).setItems(candidates)
            .setScores(scores).setCategories(categories).build()));
      }
    }

    /** The cosine with each partner that has enough co-users, computed as batch does: dot / |a| / |b|, a < b. */
    private List<KV<String, KV<Double, Long>>> nearest(String item, Map<String, KV<Double, Long>> pairs,
        Map<String, KV<Double, String>> norms) {
      KV<Double, String> own = norms.get(item);
      List<KV<String, KV<Double, Long>>> scored = new ArrayList<>();
      if (own == null || own.getKey() <= 0) {
        return scored;
      }
      for (Map.Entry<String, KV<Double, Long>> p : pairs.entrySet()) {
        KV<Double, String> other = norms.get(p.getKey());
        if (p.getValue().getValue() < minCoUsers || other == null || other.getKey() <= 0) {
          continue;
        }
        boolean first = item.compareTo(p.getKey()) < 0;
        double a = Math.sqrt(first ? own.getKey() : other.getKey());
        double b = Math.sqrt(first ? other.getKey() : own.getKey());
        scored.add(KV.of(p.getKey(), KV.of(p.getValue().getKey() / a / b, p.getValue().getValue())));
      }
      scored.sort(new ItemSimilarity.BySimilarityThenId().reversed());
      return scored.size() > neighbours ? new ArrayList<>(scored.subList(0, neighbours)) : scored;
    }
  }

  /** The most popular items by summed strengths, after each round that changed them. One key: the list is short. */
  static final class PopularFn extends DoFn<KV<String, KV<String, KV<Double, String>>>, RecommenderPopular> {
    private final int size;

    @StateId("pending")
    private final StateSpec<BagState<KV<Long, KV<String, KV<Double, String>>>>> pendingSpec = StateSpecs.bag(
        KvCoder.of(VarLongCoder.of(), KvCoder.of(StringUtf8Coder.of(),
            KvCoder.of(DoubleCoder.of(), NullableCoder.of(StringUtf8Coder.of())))));

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("top")
    private final StateSpec<ValueState<Map<String, KV<Double, String>>>> topSpec = StateSpecs.value(
        MapCoder.of(StringUtf8Coder.of(), KvCoder.of(DoubleCoder.of(), NullableCoder.of(StringUtf8Coder.of()))));

    @TimerId("round")
    private final TimerSpec roundSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    PopularFn(int size) {
      this.size = size;
    }

    @ProcessElement
    public void process(@Element KV<String, KV<String, KV<Double, String>>> u, @Timestamp Instant round,
        @StateId("pending") BagState<KV<Long, KV<String, KV<Double, String>>>> pending,
        @StateId("timerAt") ValueState<Long> timerAt, @TimerId("round") Timer timer) {
      pending.add(KV.of(round.getMillis(), u.getValue()));
      Rounds.schedule(round.getMillis(), timerAt, timer);
    }

    @OnTimer("round")
    public void onRound(OnTimerContext c, @StateId("pending") BagState<KV<Long, KV<String, KV<Double, String>>>> pending,
        @StateId("timerAt") ValueState<Long> timerAt, @StateId("top") ValueState<Map<String, KV<Double, String>>> topState,
        @TimerId("round") Timer timer, OutputReceiver<RecommenderPopular> out) {
      long round = c.timestamp().getMillis();
      Map<String, KV<Double, String>> top = topState.read() == null ? new HashMap<>() : new HashMap<>(topState.read());
      // Popularity only grows, and every change arrives with the item's new total: keeping the top N
      // alone is exact, an item outside it re-enters with its next change.
      for (KV<Long, KV<String, KV<Double, String>>> u : Rounds.takeDue(pending, KV::getKey, round, timerAt, timer)) {
        top.put(u.getValue().getKey(), u.getValue().getValue());
      }
      List<KV<String, Double>> ranked = new ArrayList<>();
      top.forEach((item, v) -> ranked.add(KV.of(item, v.getKey())));
      ranked.sort(new RecommendItems.ByScoreThenId().reversed());
      List<KV<String, Double>> kept = ranked.size() > size ? ranked.subList(0, size) : ranked;
      Map<String, KV<Double, String>> trimmed = new HashMap<>();
      List<String> items = new ArrayList<>();
      List<Double> popularity = new ArrayList<>();
      List<String> categories = new ArrayList<>();
      for (KV<String, Double> kv : kept) {
        trimmed.put(kv.getKey(), top.get(kv.getKey()));
        items.add(kv.getKey());
        popularity.add(kv.getValue());
        categories.add(top.get(kv.getKey()).getValue());
      }
      topState.write(trimmed);
      out.output(RecommenderPopular.newBuilder().setRound(round).setItems(items).setPopularity(popularity)
          .setCategories(categories).build());
    }
  }

  /** Stage 4, per user: a round's answers summed and ranked with the rules; published when the list changed. */
  static final class UserListsFn extends DoFn<KV<String, RecommenderUserRound>, KV<String, Versioned<List<UserRecommendation>>>> {
    private final int k;
    private final int maxPerCategory;
    private final Set<String> unavailable;
    private final List<String> promoted;
    private final PCollectionView<List<RecommenderPopular>> popular;

    @StateId("pending")
    private final StateSpec<BagState<RecommenderUserRound>> pendingSpec =
        StateSpecs.bag(Coders.avro(RecommenderUserRound.class));

    @StateId("lastRound")
    private final StateSpec<ValueState<Long>> lastRoundSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("published")
    private final StateSpec<ValueState<List<String>>> publishedSpec = StateSpecs.value(ListCoder.of(StringUtf8Coder.of()));

    @StateId("version")
    private final StateSpec<ValueState<Long>> versionSpec = StateSpecs.value(VarLongCoder.of());

    UserListsFn(int k, int maxPerCategory, Set<String> unavailable, List<String> promoted,
        PCollectionView<List<RecommenderPopular>> popular) {
      this.k = k;
      this.maxPerCategory = maxPerCategory;
      this.unavailable = unavailable;
      this.promoted = promoted;
      this.popular = popular;
    }

    @ProcessElement
    public void process(@Element KV<String, RecommenderUserRound> m, ProcessContext c,
        @StateId("pending") BagState<RecommenderUserRound> pending, @StateId("lastRound") ValueState<Long> lastRound,
        @StateId("published") ValueState<List<String>> published, @StateId("version") ValueState<Long> version,
        OutputReceiver<KV<String, Versioned<List<UserRecommendation>>>> out) {
      long round = m.getValue().getRound();
      Long last = lastRound.read();
      if (last != null && round <= last) {
        return; // a newer list is out already
      }
      pending.add(m.getValue());
      RecommenderUserRound start = null;
      List<RecommenderUserRound> answers = new ArrayList<>();
      List<RecommenderUserRound> others = new ArrayList<>();
      for (RecommenderUserRound x : pending.read()) {
        if (x.getRound() != round) {
          if (x.getRound() > round) {
            others.add(x); // an older round still waiting is dropped once this one completes
          }
        } else if (x.getKind() == UserRoundKind.START) {
          start = x;
        } else {
          answers.add(x);
        }
      }
      if (start == null || answers.size() < start.getExpected()) {
        return;
      }
      pending.clear();
      others.forEach(pending::add);
      lastRound.write(round);

      Map<String, List<Double>> contributions = new TreeMap<>();
      Map<String, String> categories = new HashMap<>();
      for (RecommenderUserRound a : answers) {
        for (int i = 0; i < a.getItems().size(); i++) {
          contributions.computeIfAbsent(a.getItems().get(i), x -> new ArrayList<>()).add(a.getScores().get(i));
          if (a.getCategories().get(i) != null) {
            categories.put(a.getItems().get(i), a.getCategories().get(i));
          }
        }
      }
      List<KV<String, Double>> candidates = new ArrayList<>();
      contributions.forEach((item, cs) -> {
        cs.sort(null); // smallest first, as RecommendItems sums: the same score on every runner
        double score = 0;
        for (double x : cs) {
          score += x;
        }
        candidates.add(KV.of(item, score));
      });
      RecommenderPopular latest = null;
      for (RecommenderPopular p : c.sideInput(popular)) {
        if (latest == null || p.getRound() > latest.getRound()) {
          latest = p;
        }
      }
      List<KV<String, Double>> popularItems = new ArrayList<>();
      if (latest != null) {
        for (int i = 0; i < latest.getItems().size(); i++) {
          popularItems.add(KV.of(latest.getItems().get(i), latest.getPopularity().get(i)));
          if (latest.getCategories().get(i) != null) {
            categories.putIfAbsent(latest.getItems().get(i), latest.getCategories().get(i));
          }
        }
      }
      // The overall popular list only: per-category lists for every user's favourite would make the side
      // input as large as the catalogue (batch fills from the favourite category first).
      List<UserRecommendation> list = RecommendItems.rank(m.getKey(), candidates, new HashSet<>(start.getItems()),
          List.of(), popularItems, categories, k, maxPerCategory, unavailable, promoted);
      List<String> signature = new ArrayList<>();
      list.forEach(r -> signature.add(r.getReason() + ":" + r.getItemId()));
      if (!signature.equals(published.read())) {
        published.write(signature);
        out.output(KV.of(m.getKey(), Versioned.of(nextVersion(version), list)));
      }
    }
  }
}
