package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserRecommendation;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.RecommendModel;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** User recommendations against the plain-Java model, and each business rule by name. */
@ExtendWith(TestPipelineExtension.class)
class RecommendItemsTest {
  private static final List<CommerceEvent> SHOP = withNewcomer(TestEvents.shop(9L, 40, 25, 150));

  /** A user whose only item nobody else touched: no cf candidates, a cold start. */
  private static List<CommerceEvent> withNewcomer(List<CommerceEvent> shop) {
    List<CommerceEvent> all = new java.util.ArrayList<>(shop);
    all.add(CommerceEvent.newBuilder(shop.get(0)).setEventId("newcomer-1").setUserId("newcomer")
        .setItemId("only-mine").setBehavior(Behavior.VIEW).build());
    return all;
  }
  private static final Map<Behavior, Double> WEIGHTS =
      Map.of(Behavior.VIEW, 1.0, Behavior.FAV, 2.0, Behavior.CART, 3.0, Behavior.BUY, 4.0);

  /** Scores are sums of products in different orders here and in the model: compare to 1e-9. */
  private static String text(UserRecommendation r) {
    return r.getUserId() + "|" + r.getRank() + "|" + r.getItemId() + "|" + String.format("%.9f", r.getScore())
        + "|" + r.getReason();
  }

  /** Bounded input, and events in a window (unbounded input's shape: no per-bundle steps): as the model. */
  @Test
  void matchesTheModelWithCategoryLimitAndExclusions(TestPipeline p) {
    RecommendItems recommend = RecommendItems.of(ItemSimilarity.of(WEIGHTS, 20, 2, 10), 5)
        .excluding(RecommendItems.Exclude.INTERACTED).withMaxPerCategory(2).withUnavailableItems(Set.of("i1003"));
    List<String> model = RecommendModel.recommend(SHOP, WEIGHTS, 20, 2, 10, 5, true, 2, Set.of("i1003")).stream()
        .map(RecommendItemsTest::text).collect(Collectors.toList());
    PCollection<CommerceEvent> events = p.apply(Create.of(SHOP).withCoder(Coders.events()));
    PAssert.that(events.apply("Bounded", recommend).get(RecommendItems.RECOMMENDATIONS)
            .apply("Text of bounded", MapElements.into(TypeDescriptors.strings()).via(RecommendItemsTest::text)))
        .containsInAnyOrder(model);
    PAssert.that(events
            .apply("At event time", WithTimestamps.of((CommerceEvent e) -> new Instant(e.getEventTime().toEpochMilli())))
            .apply("One long window", Window.into(FixedWindows.of(Duration.standardDays(36500))))
            .apply("In a window", recommend).get(RecommendItems.RECOMMENDATIONS)
            .apply("Text in a window", MapElements.into(TypeDescriptors.strings()).via(RecommendItemsTest::text)))
        .containsInAnyOrder(model);
    for (String reason : List.of("|cf", "|popular_in_category", "|popular")) {
      org.junit.jupiter.api.Assertions.assertTrue(model.stream().anyMatch(r -> r.endsWith(reason)),
          "the data must give every reason, " + reason + " too");
    }
    p.run().waitUntilFinish();
  }

  /** The scoring's side input of every item's neighbours: its coder round-trips and rejects a cut-short list. */
  @Test
  void neighbourListsSurviveTheirCoder() throws Exception {
    RecommendItems.NeighbourList list = new RecommendItems.NeighbourList(
        new String[] {"i2", "ü-3", ""}, new double[] {0.75, 1e-300, -0.0});
    for (org.apache.beam.sdk.coders.Coder.Context context
        : List.of(org.apache.beam.sdk.coders.Coder.Context.OUTER, org.apache.beam.sdk.coders.Coder.Context.NESTED)) {
      org.apache.beam.sdk.testing.CoderProperties.coderDecodeEncodeEqualInContext(
          RecommendItems.NeighbourList.Coder.INSTANCE, context, list);
      org.apache.beam.sdk.testing.CoderProperties.coderDecodeEncodeEqualInContext(
          RecommendItems.NeighbourList.Coder.INSTANCE, context,
          new RecommendItems.NeighbourList(new String[0], new double[0]));
    }
    byte[] bytes = org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(RecommendItems.NeighbourList.Coder.INSTANCE, list);
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () ->
        RecommendItems.NeighbourList.Coder.INSTANCE.decode(
            new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(bytes, bytes.length - 3))));
  }

  private static List<String> items(List<UserRecommendation> rs) {
    return rs.stream().map(r -> r.getItemId() + ":" + r.getReason()).collect(Collectors.toList());
  }

  private static final List<KV<String, Double>> POPULAR =
      List.of(KV.of("P1", 9.0), KV.of("P2", 8.0), KV.of("P3", 7.0), KV.of("A", 6.0));

  @Test
  void excludedItemsAreNeverRecommended() {
    List<KV<String, Double>> candidates = List.of(KV.of("A", 3.0), KV.of("B", 2.0), KV.of("C", 1.0));
    assertEquals(List.of("B:cf", "C:cf", "P1:popular"),
        items(RecommendItems.rank("u", candidates, Set.of("A"), List.of(), POPULAR, Map.of(), 3, 99, Set.of())));
  }

  @Test
  void unavailableItemsAreNeverRecommendedNotEvenAsPopular() {
    List<KV<String, Double>> candidates = List.of(KV.of("A", 3.0));
    assertEquals(List.of("A:cf", "P2:popular", "P3:popular"),
        items(RecommendItems.rank("u", candidates, Set.of(), List.of(), POPULAR, Map.of(), 3, 99, Set.of("P1"))));
  }

  @Test
  void atMostSoManyItemsOfOneCategory() {
    List<KV<String, Double>> candidates = List.of(KV.of("A", 4.0), KV.of("B", 3.0), KV.of("C", 2.0), KV.of("D", 1.0));
    Map<String, String> categories = Map.of("A", "shoes", "B", "shoes", "C", "shoes", "D", "hats");
    assertEquals(List.of("A:cf", "B:cf", "D:cf"),
        items(RecommendItems.rank("u", candidates, Set.of(), List.of(), POPULAR, categories, 3, 2, Set.of())));
  }

  @Test
  void coldStartUsersGetPopularItemsTheyHaveNotBought() {
    assertEquals(List.of("P2:popular", "P3:popular"),
        items(RecommendItems.rank("new", List.of(), Set.of("P1"), List.of(), POPULAR, Map.of(), 2, 99, Set.of())));
  }

  @Test
  void coldStartFillsFromTheFavouriteCategoryFirstThenOverall() {
    List<KV<String, Double>> shoes = List.of(KV.of("S1", 3.0), KV.of("P1", 9.0), KV.of("S2", 2.0));
    Map<String, String> categories = Map.of("S1", "shoes", "S2", "shoes", "P1", "shoes", "P2", "hats");
    // P1 is bought: never back; the category's own order is by popularity, then overall fills the rest.
    assertEquals(List.of("C:cf", "S1:popular_in_category", "S2:popular_in_category", "P2:popular"),
        items(RecommendItems.rank("u", List.of(KV.of("C", 1.0)), Set.of("P1"), shoes, POPULAR, categories, 4, 99,
            Set.of())));
    // The same rules hold for fill-ins: two per category at most.
    assertEquals(List.of("P1:popular_in_category", "S1:popular_in_category", "P2:popular", "P3:popular"),
        items(RecommendItems.rank("v", List.of(), Set.of(), List.of(KV.of("P1", 9.0), KV.of("S1", 3.0), KV.of("S2", 2.0)),
            POPULAR, categories, 4, 2, Set.of())));
  }

  @Test
  void promotedItemsComeFirstUnderTheSameRules() {
    List<KV<String, Double>> candidates = List.of(KV.of("A", 3.0), KV.of("B", 2.0));
    // X is bought by the user, Y is unavailable: a promotion does not override either rule.
    List<UserRecommendation> rs = RecommendItems.rank("u", candidates, Set.of("X"), List.of(), POPULAR, Map.of(), 3, 99,
        Set.of("Y"), List.of("X", "Y", "Z"));
    assertEquals(List.of("Z:rule", "A:cf", "B:cf"), items(rs));
    assertEquals(0.0, rs.get(0).getScore());
  }

  @Test
  void ranksAreConsecutiveAndTiesGoToTheSmallerItemId() {
    List<UserRecommendation> rs = RecommendItems.rank("u", List.of(KV.of("B", 1.0), KV.of("A", 1.0)), Set.of(),
        List.of(), List.of(), Map.of(), 5, 99, Set.of());
    assertEquals(List.of("A:cf", "B:cf"), items(rs));
    assertEquals(List.of(1, 2), rs.stream().map(UserRecommendation::getRank).collect(Collectors.toList()));
  }
}
