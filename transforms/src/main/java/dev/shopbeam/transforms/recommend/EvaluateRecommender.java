package dev.shopbeam.transforms.recommend;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.DoubleArrayCoder;
import dev.shopbeam.transforms.ToList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Offline evaluation of {@link RecommendItems} against a most-popular baseline: split the events into a
 * train and a test part, recommend from the train part only, and score each user's list against the
 * items they bought in the test part that they had not touched in the train part (a repeat purchase
 * is not a discovery). Both systems exclude every item the user touched in training, so neither earns
 * a hit a user could not have made.
 *
 * <p>Split by time ({@link #cutoff()}: train before it, test from it) or, per user and item, at random
 * with a seed ({@link #testFraction()} of each user's bought items held out, with all their events).
 * Output: one row per system, {@code KV<system, [precision, recall, ndcg, hit_rate, map, users,
 * coverage]>}, means over test users at {@link RecommendItems#k()}; coverage is the share of the train
 * catalogue that appears in some test user's list.
 */
@AutoValue
public abstract class EvaluateRecommender extends PTransform<PCollection<CommerceEvent>, PCollection<KV<String, double[]>>> {
  public static final String RECOMMENDER = "item_cf";
  public static final String BASELINE = "most_popular";

  public abstract RecommendItems recommender();

  public abstract @Nullable Instant cutoff();

  public abstract double testFraction();

  public abstract long seed();

  public static EvaluateRecommender byTime(RecommendItems recommender, Instant cutoff) {
    return new AutoValue_EvaluateRecommender(recommender.excluding(RecommendItems.Exclude.INTERACTED), cutoff, 0, 0);
  }

  public static EvaluateRecommender atRandom(RecommendItems recommender, double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be between 0 and 1, was " + testFraction);
    }
    return new AutoValue_EvaluateRecommender(recommender.excluding(RecommendItems.Exclude.INTERACTED), null,
        testFraction, seed);
  }

  /** Whether a (user, item) pair is held out by the seeded random split: a hash, not a shuffle. */
  static boolean heldOut(String user, String item, double fraction, long seed) {
    byte[] bytes = (seed + "\u0000" + user + "\u0000" + item).getBytes(StandardCharsets.UTF_8);
    long h = 1125899906842597L;
    for (byte b : bytes) {
      h = 31 * h + b;
    }
    h ^= (h >>> 33);
    h *= 0xff51afd7ed558ccdL;
    h ^= (h >>> 33);
    return (h >>> 11) * 0x1.0p-53 < fraction;
  }

  @Override
  public PCollection<KV<String, double[]>> expand(PCollection<CommerceEvent> events) {
    Map<Behavior, Double> weights = recommender().similarity().weights();
    Instant cut = cutoff();
    double fraction = testFraction();
    long s = seed();
    // The evaluation is over the whole input, whatever windows the events came in (e.g. dedupe's).
    PCollection<CommerceEvent> all = events.apply("Whole input", org.apache.beam.sdk.transforms.windowing.Window
        .<CommerceEvent>into(new org.apache.beam.sdk.transforms.windowing.GlobalWindows())
        .triggering(org.apache.beam.sdk.transforms.windowing.DefaultTrigger.of())
        .withAllowedLateness(org.joda.time.Duration.ZERO)
        .discardingFiredPanes());
    PCollection<CommerceEvent> train = all.apply("Train part", Filter.by((CommerceEvent e) -> cut != null
        ? e.getEventTime().toEpochMilli() < cut.getMillis()
        : e.getUserId() == null || !heldOut(e.getUserId(), e.getItemId(), fraction, s)));
    PCollection<CommerceEvent> test = all.apply("Test part", Filter.by((CommerceEvent e) -> cut != null
        ? e.getEventTime().toEpochMilli() >= cut.getMillis()
        : e.getUserId() != null && heldOut(e.getUserId(), e.getItemId(), fraction, s)));

    KvCoder<String, String> userItem = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, String>> touchedOnce = train
        .apply("Touched in training", ParDo.of(new UserItemFn(weights, false))).setCoder(userItem)
        .apply("Touched once", Distinct.create());
    // A user's items join as one list per side (a heavy user has more items than a join should iterate).
    PCollection<KV<String, List<String>>> touched =
        touchedOnce.apply("Touched per user", Combine.perKey(ToList.create()));
    PCollection<KV<String, List<String>>> bought = test
        .apply("Bought in test", ParDo.of(new UserItemFn(weights, true))).setCoder(userItem)
        .apply("Bought once", Distinct.create())
        .apply("Bought per user", Combine.perKey(ToList.create()));

    PCollection<UserRecommendation> recommended =
        train.apply("Recommend from training", recommender()).get(RecommendItems.RECOMMENDATIONS);

    // The baseline: the most popular training items (weighted users), minus the user's own.
    PCollectionView<List<List<KV<String, Double>>>> popular = ItemSimilarity.historiesOf(train, weights)
        .apply("Strength by item", ParDo.of(new RecommendItems.StrengthByItemFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), org.apache.beam.sdk.coders.DoubleCoder.of()))
        .apply("Popularity", Sum.doublesPerKey())
        .apply("Most popular", Top.of(recommender().k() + 200, new RecommendItems.ByScoreThenId()).withoutDefaults())
        .apply("Popular as side input", View.asList());

    TupleTag<List<String>> boughtTag = new TupleTag<>() {};
    TupleTag<List<String>> touchedTag = new TupleTag<>() {};
    TupleTag<UserRecommendation> recommendedTag = new TupleTag<>() {};
    TupleTag<KV<String, double[]>> metricsTag = new TupleTag<>() {};
    TupleTag<KV<String, String>> listedTag = new TupleTag<>() {};
    PCollectionTuple scored = KeyedPCollectionTuple
        .of(boughtTag, bought)
        .and(touchedTag, touched)
        .and(recommendedTag, recommended.apply("Recommendations by user", ParDo.of(new ByUserFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.avro(UserRecommendation.class))))
        .apply("Join by user", CoGroupByKey.create())
        .apply("Score both systems", ParDo.of(new ScoreFn(recommender().k(), boughtTag, touchedTag, recommendedTag,
                popular, metricsTag, listedTag))
            .withSideInputs(popular)
            .withOutputTags(metricsTag, TupleTagList.of(listedTag)));
    PCollection<KV<String, double[]>> means = scored.get(metricsTag)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleArrayCoder.INSTANCE))
        .apply("Means over users", Combine.perKey(new RankingMetrics.Mean()));
    PCollection<KV<String, Long>> listed = scored.get(listedTag).setCoder(userItem)
        .apply("Distinct listed items", Distinct.create())
        .apply("Items listed", Count.perKey());
    PCollectionView<Long> catalogue = touchedOnce
        .apply("Train items", org.apache.beam.sdk.transforms.Values.create())
        .apply("Train items once", Distinct.create())
        .apply("Catalogue size", Count.globally())
        .apply("Catalogue as side input", View.asSingleton());

    TupleTag<double[]> meanTag = new TupleTag<>() {};
    TupleTag<Long> listedCountTag = new TupleTag<>() {};
    return KeyedPCollectionTuple.of(meanTag, means).and(listedCountTag, listed)
        .apply("Join means and coverage", CoGroupByKey.create())
        .apply("With coverage", ParDo.of(new WithCoverageFn(meanTag, listedCountTag, catalogue)).withSideInputs(catalogue))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleArrayCoder.INSTANCE));
  }

  /** One user's metrics for both systems, and the items each system listed (for coverage). */
  static final class ScoreFn extends DoFn<KV<String, CoGbkResult>, KV<String, double[]>> {
    private final int k;
    private final TupleTag<List<String>> boughtTag;
    private final TupleTag<List<String>> touchedTag;
    private final TupleTag<UserRecommendation> recommendedTag;
    private final PCollectionView<List<List<KV<String, Double>>>> popular;
    private final TupleTag<KV<String, double[]>> metricsTag;
    private final TupleTag<KV<String, String>> listedTag;

    ScoreFn(int k, TupleTag<List<String>> boughtTag, TupleTag<List<String>> touchedTag, TupleTag<UserRecommendation> recommendedTag,
        PCollectionView<List<List<KV<String, Double>>>> popular, TupleTag<KV<String, double[]>> metricsTag,
        TupleTag<KV<String, String>> listedTag) {
      this.metricsTag = metricsTag;
      this.k = k;
      this.boughtTag = boughtTag;
      this.touchedTag = touchedTag;
      this.recommendedTag = recommendedTag;
      this.popular = popular;
      this.listedTag = listedTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> user, ProcessContext c, MultiOutputReceiver out) {
      Set<String> touched = new HashSet<>();
      touched.addAll(user.getValue().getOnly(touchedTag, List.of()));
      Set<String> relevant = new HashSet<>();
      for (String item : user.getValue().getOnly(boughtTag, List.of())) {
        if (!touched.contains(item)) {
          relevant.add(item);
        }
      }
      if (relevant.isEmpty()) {
        return; // not a test user
      }
      List<UserRecommendation> recs = new ArrayList<>();
      user.getValue().getAll(recommendedTag).forEach(recs::add);
      recs.sort(java.util.Comparator.comparingInt(UserRecommendation::getRank));
      List<KV<String, Double>> popularItems = new ArrayList<>();
      c.sideInput(popular).forEach(popularItems::addAll);
      popularItems.sort(new RecommendItems.ByScoreThenId().reversed());
      List<String> cf = new ArrayList<>();
      recs.forEach(r -> cf.add(r.getItemId()));
      if (recs.isEmpty()) {
        // A test user with no training history gets no list from the recommender; it falls back to popular.
        RecommendItems.rank(user.getKey(), List.of(), touched, List.of(), popularItems, Map.of(), k, Integer.MAX_VALUE, Set.of())
            .forEach(r -> cf.add(r.getItemId()));
      }
      List<String> baseline = new ArrayList<>();
      RecommendItems.rank(user.getKey(), List.of(), touched, List.of(), popularItems, Map.of(), k, Integer.MAX_VALUE, Set.of())
          .forEach(r -> baseline.add(r.getItemId()));
      emit(out, RECOMMENDER, cf, relevant);
      emit(out, BASELINE, baseline, relevant);
    }

    private void emit(MultiOutputReceiver out, String system, List<String> list, Set<String> relevant) {
      out.get(metricsTag).output(KV.of(system, RankingMetrics.of(list, relevant, k)));
      for (String item : list.subList(0, Math.min(k, list.size()))) {
        out.get(listedTag).output(KV.of(system, item));
      }
    }
  }

  /** [means..., users] + [coverage share]. */
  static final class WithCoverageFn extends DoFn<KV<String, CoGbkResult>, KV<String, double[]>> {
    private final TupleTag<double[]> meanTag;
    private final TupleTag<Long> listedTag;
    private final PCollectionView<Long> catalogue;

    WithCoverageFn(TupleTag<double[]> meanTag, TupleTag<Long> listedTag, PCollectionView<Long> catalogue) {
      this.meanTag = meanTag;
      this.listedTag = listedTag;
      this.catalogue = catalogue;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> system, ProcessContext c, OutputReceiver<KV<String, double[]>> out) {
      double[] means = system.getValue().getOnly(meanTag, null);
      if (means == null) {
        return;
      }
      long listed = system.getValue().getOnly(listedTag, 0L);
      long items = c.sideInput(catalogue);
      double[] row = java.util.Arrays.copyOf(means, means.length + 1);
      row[means.length] = items == 0 ? 0 : (double) listed / items;
      out.output(KV.of(system.getKey(), row));
    }
  }

  /** (user, item) of events that show interest ({@code buysOnly}: of purchases). */
  static final class UserItemFn extends DoFn<CommerceEvent, KV<String, String>> {
    private final Map<Behavior, Double> weights;
    private final boolean buysOnly;

    UserItemFn(Map<Behavior, Double> weights, boolean buysOnly) {
      this.weights = weights;
      this.buysOnly = buysOnly;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, String>> out) {
      if (e.getUserId() == null) {
        return;
      }
      Double w = weights.get(e.getBehavior());
      boolean counts = buysOnly ? e.getBehavior() == Behavior.BUY : e.getBehavior() == Behavior.BUY || (w != null && w > 0);
      if (counts) {
        out.output(KV.of(e.getUserId(), e.getItemId()));
      }
    }
  }

  static final class ByUserFn extends DoFn<UserRecommendation, KV<String, UserRecommendation>> {
    @ProcessElement
    public void process(@Element UserRecommendation r, OutputReceiver<KV<String, UserRecommendation>> out) {
      out.output(KV.of(r.getUserId(), r));
    }
  }

}
