package dev.shopbeam.transforms.recommend;

import static dev.shopbeam.transforms.testing.TestEvents.asText;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.RecommendModel;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Item neighbours against the plain-Java model, and the rules of the definition by name. */
@ExtendWith(TestPipelineExtension.class)
class ItemSimilarityTest {
  private static final List<CommerceEvent> SHOP = TestEvents.shop(5L, 40, 25, 120);
  private static final Map<Behavior, Double> WEIGHTS =
      Map.of(Behavior.VIEW, 1.0, Behavior.FAV, 2.0, Behavior.CART, 3.0, Behavior.BUY, 4.0);

  private static CommerceEvent event(String user, String item, Behavior b, int minute) {
    java.time.Instant t = java.time.Instant.parse("2017-11-25T10:00:00Z").plusSeconds(60L * minute);
    return CommerceEvent.newBuilder().setEventId(user + item + b + minute).setUserId(user).setItemId(item)
        .setBehavior(b).setQuantity(1).setUnitPrice(new BigDecimal("1.000")).setEventTime(t).setIngestTime(t)
        .setSource("test").build();
  }

  @Test
  void matchesTheModelOnASyntheticShop(TestPipeline p) {
    ItemSimilarity similarity = ItemSimilarity.of(WEIGHTS, 100, 2, 5);
    PAssert.that(asText(p.apply(Create.of(SHOP).withCoder(Coders.events())).apply(similarity)))
        .containsInAnyOrder(asText(RecommendModel.itemSimilarity(SHOP, WEIGHTS, 100, 2, 5)));
    p.run().waitUntilFinish();
  }

  @Test
  void matchesTheModelWhenActiveUsersAreCutToTheirRecentItems(TestPipeline p) {
    ItemSimilarity similarity = ItemSimilarity.of(WEIGHTS, 4, 1, 3);
    List<String> model = asText(RecommendModel.itemSimilarity(SHOP, WEIGHTS, 4, 1, 3));
    org.junit.jupiter.api.Assertions.assertNotEquals(model,
        asText(RecommendModel.itemSimilarity(SHOP, WEIGHTS, 100, 1, 3)), "the cap must matter on this data");
    PAssert.that(asText(p.apply(Create.of(SHOP).withCoder(Coders.events())).apply(similarity)))
        .containsInAnyOrder(model);
    p.run().waitUntilFinish();
  }

  /** A bundle that holds more neighbours than allowed hands them on and starts again: same rows. */
  @Test
  void matchesTheModelWhenABundleHandsOnItsNeighboursEarly(TestPipeline p) {
    matchesTheModelHolding(p, 7, ItemSimilarity.MAX_PAIRS_HELD);
  }

  /** A bundle that holds more co-occurring pairs than allowed hands its rows on and starts again: same rows. */
  @Test
  void matchesTheModelWhenABundleHandsOnItsPairsEarly(TestPipeline p) {
    matchesTheModelHolding(p, ItemSimilarity.MAX_NEIGHBOURS_HELD, 5);
  }

  private static void matchesTheModelHolding(TestPipeline p, int maxNeighboursHeld, int maxPairsHeld) {
    ItemSimilarity similarity = ItemSimilarity.of(WEIGHTS, 100, 1, 3);
    PAssert.that(asText(ItemSimilarity.histories(ItemSimilarity.strengths(
                p.apply(Create.of(SHOP).withCoder(Coders.events())), WEIGHTS))
            .apply(similarity.fromHistories(maxNeighboursHeld, maxPairsHeld))))
        .containsInAnyOrder(asText(RecommendModel.itemSimilarity(SHOP, WEIGHTS, 100, 1, 3)));
    p.run().waitUntilFinish();
  }

  /** In a window (unbounded input's shape: no per-bundle steps), the same neighbours as the model. */
  @Test
  void matchesTheModelInAWindow(TestPipeline p) {
    PAssert.that(asText(p.apply(Create.of(SHOP).withCoder(Coders.events()))
            .apply("At event time", org.apache.beam.sdk.transforms.WithTimestamps.of(
                (CommerceEvent e) -> new org.joda.time.Instant(e.getEventTime().toEpochMilli())))
            .apply("One long window", org.apache.beam.sdk.transforms.windowing.Window.into(
                org.apache.beam.sdk.transforms.windowing.FixedWindows.of(org.joda.time.Duration.standardDays(36500))))
            .apply(ItemSimilarity.of(WEIGHTS, 100, 1, 3))))
        .containsInAnyOrder(asText(RecommendModel.itemSimilarity(SHOP, WEIGHTS, 100, 1, 3)));
    p.run().waitUntilFinish();
  }

  @Test
  void weightsSupportAndGuestsFollowTheDefinition(TestPipeline p) {
    List<CommerceEvent> events = List.of(
        // u1 and u2 both bought A and B: cosine 1 with two co-users.
        event("u1", "A", Behavior.BUY, 1), event("u1", "B", Behavior.BUY, 2),
        event("u2", "A", Behavior.BUY, 3), event("u2", "B", Behavior.BUY, 4),
        // u3 viewed A and C: one co-user only, below the support of 2.
        event("u3", "A", Behavior.VIEW, 5), event("u3", "C", Behavior.VIEW, 6),
        // cancellations weigh nothing; a guest (no user) is no one's history.
        event("u4", "A", Behavior.CANCEL, 7), event("u4", "C", Behavior.CANCEL, 8));
    CommerceEvent guest = CommerceEvent.newBuilder(event("x", "C", Behavior.BUY, 9)).setUserId(null).build();
    List<CommerceEvent> all = new java.util.ArrayList<>(events);
    all.add(guest);
    all.add(event("u3", "A", Behavior.VIEW, 10)); // a repeat keeps the strongest weight, not the sum
    // |A| = sqrt(16 + 16 + 1), |B| = sqrt(32): cosine(A, B) = 32 / sqrt(33) / sqrt(32)
    double ab = 32.0 / Math.sqrt(33) / Math.sqrt(32);
    PAssert.that(asText(p.apply(Create.of(all).withCoder(Coders.events())).apply(ItemSimilarity.of(WEIGHTS, 100, 2, 5))))
        .containsInAnyOrder(
            "{\"item_id\": \"A\", \"rank\": 1, \"neighbour_id\": \"B\", \"similarity\": " + ab + ", \"co_users\": 2}",
            "{\"item_id\": \"B\", \"rank\": 1, \"neighbour_id\": \"A\", \"similarity\": " + ab + ", \"co_users\": 2}");
    p.run().waitUntilFinish();
  }

  @Test
  void rejectsSettingsThatMeanNothing() {
    assertThrows(IllegalArgumentException.class, () -> ItemSimilarity.of(WEIGHTS, 1, 2, 5));
    assertThrows(IllegalArgumentException.class, () -> ItemSimilarity.of(WEIGHTS, 10, 0, 5));
    assertThrows(IllegalArgumentException.class, () -> ItemSimilarity.of(Map.of(Behavior.BUY, -1.0), 10, 2, 5));
  }
}
