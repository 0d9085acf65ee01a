package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemSimilarity;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.Versioned;
import dev.shopbeam.transforms.testing.RecommendModel;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streaming recommender against the batch model, round by round: after every round, each item's
 * published neighbour list is the model's over all events up to the round's end, and each published user
 * list is the model's list for that user over the same prefix (its cf part exactly; the popular fill-in
 * may use the previous round's popular items, which reach the users as a side input). A short history
 * cap (6 items) makes users' old items leave their history, so removals are exercised too.
 */
@ExtendWith(TestPipelineExtension.class)
class StreamingRecommenderTest {
  private static final Map<Behavior, Double> WEIGHTS =
      Map.of(Behavior.VIEW, 1.0, Behavior.FAV, 2.0, Behavior.CART, 3.0, Behavior.BUY, 4.0);
  private static final int MAX_ITEMS = 6;
  private static final int MIN_CO_USERS = 2;
  private static final int NEIGHBOURS = 5;
  private static final int K = 4;
  private static final int PER_CATEGORY = 2;
  private static final Set<String> UNAVAILABLE = Set.of("i1003");
  private static final long ROUND = Duration.standardMinutes(20).getMillis();

  /** Each published list, as (round, key, rows as text), the round being its timestamp. */
  static final class WithRoundFn<T> extends DoFn<KV<String, Versioned<List<T>>>, KV<Long, KV<String, List<String>>>> {
    private final org.apache.beam.sdk.transforms.SerializableFunction<T, String> text;

    WithRoundFn(org.apache.beam.sdk.transforms.SerializableFunction<T, String> text) {
      this.text = text;
    }

    @ProcessElement
    public void process(@Element KV<String, Versioned<List<T>>> x, @Timestamp Instant t,
        OutputReceiver<KV<Long, KV<String, List<String>>>> out) {
      out.output(KV.of(t.getMillis(),
          KV.of(x.getKey(), x.getValue().value().stream().map(text::apply).collect(Collectors.toList()))));
    }
  }

  /** (key, (round, version)) of each published list. */
  static final class VersionsFn<T> extends DoFn<KV<String, Versioned<T>>, KV<String, KV<Long, Long>>> {
    @ProcessElement
    public void process(@Element KV<String, Versioned<T>> x, @Timestamp Instant t,
        OutputReceiver<KV<String, KV<Long, Long>>> out) {
      out.output(KV.of(x.getKey(), KV.of(t.getMillis(), x.getValue().version())));
    }
  }

  /** A key's lists, in round order, are versions 1, 2, 3, ...: a consumer's "highest version" is the latest round. */
  private static void assertVersionsFollowRounds(PCollection<KV<String, KV<Long, Long>>> versions) {
    PAssert.that(versions).satisfies(rows -> {
      Map<String, TreeMap<Long, Long>> byKey = new TreeMap<>();
      rows.forEach(r -> byKey.computeIfAbsent(r.getKey(), x -> new TreeMap<>()).put(r.getValue().getKey(),
          r.getValue().getValue()));
      assertTrue(byKey.size() > 5, "keys with lists: " + byKey.size());
      byKey.forEach((key, rounds) -> {
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= rounds.size(); v++) {
          expected.add(v);
        }
        assertEquals(expected, new ArrayList<>(rounds.values()), key);
      });
      return null;
    });
  }

  private static String similarity(ItemSimilarity s) {
    return s.getItemId() + "|" + s.getRank() + "|" + s.getNeighbourId() + "|" + String.format("%.12f", s.getSimilarity())
        + "|" + s.getCoUsers();
  }

  private static String recommendation(UserRecommendation r) {
    return r.getUserId() + "|" + r.getRank() + "|" + r.getItemId() + "|" + String.format("%.9f", r.getScore())
        + "|" + r.getReason();
  }

  private static List<CommerceEvent> upTo(List<CommerceEvent> events, long round) {
    return events.stream().filter(e -> e.getEventTime().toEpochMilli() <= round).collect(Collectors.toList());
  }

  @Test
  void everyRoundMatchesTheModelOverItsPrefix(TestPipeline p) {
    List<CommerceEvent> events = TestEvents.shop(21L, 30, 25, 120);
    TreeMap<Long, List<TimestampedValue<CommerceEvent>>> byRound = new TreeMap<>();
    for (TimestampedValue<CommerceEvent> e : TestEvents.timestamped(events)) {
      byRound.computeIfAbsent(StreamingRecommender.roundOf(e.getTimestamp().getMillis(), ROUND), r -> new ArrayList<>())
          .add(e);
    }
    TestStream.Builder<CommerceEvent> stream = TestStream.create(Coders.events());
    for (Map.Entry<Long, List<TimestampedValue<CommerceEvent>>> round : byRound.entrySet()) {
      stream = stream.addElements(round.getValue().get(0), round.getValue().subList(1, round.getValue().size())
          .toArray(new TimestampedValue[0]));
      stream = stream.advanceWatermarkTo(new Instant(round.getKey() + 1));
    }
    RecommendItems batch = RecommendItems.of(
            dev.shopbeam.transforms.recommend.ItemSimilarity.of(WEIGHTS, MAX_ITEMS, MIN_CO_USERS, NEIGHBOURS), K)
        .excluding(RecommendItems.Exclude.INTERACTED).withMaxPerCategory(PER_CATEGORY).withUnavailableItems(UNAVAILABLE);
    PCollectionTuple out = p.apply(stream.advanceWatermarkToInfinity())
        .apply(StreamingRecommender.of(batch, Duration.millis(ROUND)));
    KvCoder<Long, KV<String, List<String>>> coder = KvCoder.of(VarLongCoder.of(),
        KvCoder.of(StringUtf8Coder.of(), org.apache.beam.sdk.coders.ListCoder.of(StringUtf8Coder.of())));
    PCollection<KV<Long, KV<String, List<String>>>> similarities = out.get(StreamingRecommender.SIMILARITY_CHANGES)
        .apply("Similarity rounds", ParDo.of(new WithRoundFn<ItemSimilarity>(StreamingRecommenderTest::similarity)))
        .setCoder(coder);
    PCollection<KV<Long, KV<String, List<String>>>> recommendations = out.get(StreamingRecommender.RECOMMENDATION_CHANGES)
        .apply("Recommendation rounds", ParDo.of(new WithRoundFn<UserRecommendation>(StreamingRecommenderTest::recommendation)))
        .setCoder(coder);

    KvCoder<String, KV<Long, Long>> versionCoder =
        KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
    assertVersionsFollowRounds(out.get(StreamingRecommender.SIMILARITY_CHANGES)
        .apply("Similarity versions", ParDo.of(new VersionsFn<List<ItemSimilarity>>())).setCoder(versionCoder));
    assertVersionsFollowRounds(out.get(StreamingRecommender.RECOMMENDATION_CHANGES)
        .apply("Recommendation versions", ParDo.of(new VersionsFn<List<UserRecommendation>>())).setCoder(versionCoder));

    PAssert.that(similarities).satisfies(rows -> {
      // (round, item) -> the published list
      Map<Long, Map<String, List<String>>> published = new TreeMap<>();
      rows.forEach(r -> assertEquals(null, published.computeIfAbsent(r.getKey(), x -> new TreeMap<>())
          .put(r.getValue().getKey(), r.getValue().getValue()), "one list per item and round"));
      Map<String, List<String>> latest = new TreeMap<>();
      for (Map.Entry<Long, Map<String, List<String>>> round : published.entrySet()) {
        Map<String, List<String>> model = new TreeMap<>();
        for (ItemSimilarity s : RecommendModel.itemSimilarity(upTo(events, round.getKey()), WEIGHTS, MAX_ITEMS,
            MIN_CO_USERS, NEIGHBOURS)) {
          model.computeIfAbsent(s.getItemId(), x -> new ArrayList<>()).add(similarity(s));
        }
        for (Map.Entry<String, List<String>> item : round.getValue().entrySet()) {
          List<String> list = new ArrayList<>(item.getValue());
          list.sort(null);
          assertEquals(model.getOrDefault(item.getKey(), List.of()), list, "round " + round.getKey() + " item " + item.getKey());
          assertNotEquals(latest.get(item.getKey()), list, "published although unchanged: " + item.getKey());
          latest.put(item.getKey(), list);
        }
      }
      // In the end every item's latest list is the model's over all events.
      Map<String, List<String>> all = new TreeMap<>();
      for (ItemSimilarity s : RecommendModel.itemSimilarity(events, WEIGHTS, MAX_ITEMS, MIN_CO_USERS, NEIGHBOURS)) {
        all.computeIfAbsent(s.getItemId(), x -> new ArrayList<>()).add(similarity(s));
      }
      latest.values().removeIf(List::isEmpty); // lists emptied when old items left users' histories
      assertEquals(all.keySet(), latest.keySet());
      all.forEach((item, list) -> {
        List<String> sorted = new ArrayList<>(list);
        sorted.sort(null);
        assertEquals(sorted, latest.get(item), item);
      });
      assertTrue(published.size() >= 5, "rounds with changes: " + published.size());
      return null;
    });

    PAssert.that(recommendations).satisfies(rows -> {
      Map<Long, Map<String, List<String>>> published = new TreeMap<>();
      rows.forEach(r -> assertEquals(null, published.computeIfAbsent(r.getKey(), x -> new TreeMap<>())
          .put(r.getValue().getKey(), r.getValue().getValue()), "one list per user and round"));
      Set<String> users = new TreeSet<>();
      Map<String, List<String>> previous = new HashMap<>();
      int cfRows = 0;
      int popularRows = 0;
      for (Map.Entry<Long, Map<String, List<String>>> round : published.entrySet()) {
        Map<String, List<String>> model = new HashMap<>();
        for (UserRecommendation r : RecommendModel.recommend(upTo(events, round.getKey()), WEIGHTS, MAX_ITEMS,
            MIN_CO_USERS, NEIGHBOURS, K, true, PER_CATEGORY, UNAVAILABLE, false)) {
          model.computeIfAbsent(r.getUserId(), x -> new ArrayList<>()).add(recommendation(r));
        }
        for (Map.Entry<String, List<String>> user : round.getValue().entrySet()) {
          List<String> list = new ArrayList<>(user.getValue());
          list.sort(java.util.Comparator.comparingInt(x -> Integer.parseInt(x.split("\\|")[1])));
          List<String> cf = list.stream().filter(x -> x.endsWith("|cf")).collect(Collectors.toList());
          List<String> modelCf = model.get(user.getKey()).stream().filter(x -> x.endsWith("|cf")).collect(Collectors.toList());
          assertEquals(modelCf, cf, "round " + round.getKey() + " user " + user.getKey());
          assertEquals(model.get(user.getKey()).size(), list.size(), "round " + round.getKey() + " user " + user.getKey());
          List<String> items = list.stream().map(x -> x.split("\\|")[2]).collect(Collectors.toList());
          assertNotEquals(previous.get(user.getKey()), items, "published although unchanged: " + user.getKey());
          previous.put(user.getKey(), items);
          users.add(user.getKey());
          cfRows += cf.size();
          popularRows += list.size() - cf.size();
        }
      }
      Set<String> active = new TreeSet<>();
      events.forEach(e -> active.add(e.getUserId()));
      assertEquals(active, users, "every active user gets a list");
      assertTrue(cfRows > 50 && popularRows > 10, "cf rows " + cfRows + ", popular rows " + popularRows);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
