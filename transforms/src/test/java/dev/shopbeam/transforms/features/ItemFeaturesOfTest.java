package dev.shopbeam.transforms.features;

import static dev.shopbeam.transforms.testing.TestEvents.asText;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Item features against a plain-Java model written from the schema's definitions. */
@ExtendWith(TestPipelineExtension.class)
class ItemFeaturesOfTest {

  /** The model: each column as its schema doc defines it, computed directly. */
  static List<ItemFeatures> model(List<CommerceEvent> events) {
    Map<String, List<CommerceEvent>> byItem = new TreeMap<>();
    events.forEach(e -> byItem.computeIfAbsent(e.getItemId(), k -> new ArrayList<>()).add(e));
    List<ItemFeatures> rows = new ArrayList<>();
    for (Map.Entry<String, List<CommerceEvent>> item : byItem.entrySet()) {
      long[] counts = new long[Behavior.values().length];
      BigDecimal revenue = BigDecimal.ZERO;
      String category = null;
      Map<String, Set<Behavior>> users = new HashMap<>();
      for (CommerceEvent e : item.getValue()) {
        counts[e.getBehavior().ordinal()]++;
        if (e.getUnitPrice() != null && e.getBehavior() == Behavior.BUY) {
          revenue = revenue.add(e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity())));
        }
        if (e.getUnitPrice() != null && e.getBehavior() == Behavior.CANCEL) {
          revenue = revenue.subtract(e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity())));
        }
        if (e.getCategoryId() != null && (category == null || e.getCategoryId().compareTo(category) < 0)) {
          category = e.getCategoryId();
        }
        if (e.getUserId() != null) {
          users.computeIfAbsent(e.getUserId(), u -> new HashSet<>()).add(e.getBehavior());
        }
      }
      long[] perMask = new long[8];
      for (Set<Behavior> did : users.values()) {
        int m = (did.contains(Behavior.VIEW) ? 1 : 0) | (did.contains(Behavior.CART) ? 2 : 0) | (did.contains(Behavior.BUY) ? 4 : 0);
        perMask[m]++;
      }
      rows.add(ItemFeaturesOf.row(item.getKey(), category, counts, revenue, perMask));
    }
    Map<String, List<ItemFeatures>> byCategory = new TreeMap<>();
    List<ItemFeatures> ranked = new ArrayList<>();
    for (ItemFeatures f : rows) {
      if (f.getCategoryId() == null) {
        ranked.add(f);
      } else {
        byCategory.computeIfAbsent(f.getCategoryId(), c -> new ArrayList<>()).add(f);
      }
    }
    for (List<ItemFeatures> items : byCategory.values()) {
      items.sort(ItemFeaturesOf.BY_POPULARITY);
      for (int i = 0; i < items.size(); i++) {
        ranked.add(ItemFeatures.newBuilder(items.get(i)).setRankInCategory(i + 1).build());
      }
    }
    return ranked;
  }

  @Test
  void matchesTheModelOnASyntheticShop(TestPipeline p) {
    List<CommerceEvent> shop = TestEvents.shop(3L, 30, 20, 100);
    PAssert.that(asText(p.apply(Create.of(shop).withCoder(Coders.events())).apply(new ItemFeaturesOf())))
        .containsInAnyOrder(asText(model(shop)));
    p.run().waitUntilFinish();
  }

  @Test
  void bundlesHandingOnAfterAFewItemsAndUsersMatchTheModel(TestPipeline p) {
    // Every bundle hands its parts on after 1 to 7 items and users: the parts of an item and of a user's
    // steps on it arrive in many pieces and must come together as if added up at once.
    List<CommerceEvent> shop = TestEvents.shop(11L, 40, 25, 150);
    for (int maxHeld : new int[] {1, 7}) {
      PAssert.that("maxHeld " + maxHeld, asText(p.apply("Shop " + maxHeld, Create.of(shop).withCoder(Coders.events()))
              .apply("Features " + maxHeld, new ItemFeaturesOf(maxHeld))))
          .containsInAnyOrder(asText(model(shop)));
    }
    p.run().waitUntilFinish();
  }

  @Test
  void itemPartsComeBackThroughTheirCoderAndCorruptOnesAreRejected() throws Exception {
    ItemFeaturesOf.ItemPart part = new ItemFeaturesOf.ItemPart();
    for (CommerceEvent e : TestEvents.shop(5L, 10, 1, 60)) {
      part.add(e);
    }
    assertFalse(part.steps.isEmpty(), "the part has users");
    ItemFeaturesOf.ItemPartCoder coder = ItemFeaturesOf.ItemPartCoder.INSTANCE;
    byte[] bytes = CoderUtils.encodeToByteArray(coder, part);
    ItemFeaturesOf.ItemPart back = CoderUtils.decodeFromByteArray(coder, bytes);
    assertArrayEquals(part.totals.counts, back.totals.counts);
    assertEquals(part.totals.revenue, back.totals.revenue);
    assertEquals(part.totals.category, back.totals.category);
    assertEquals(part.steps, back.steps);
    assertArrayEquals(part.usersPerMask(), back.usersPerMask());
    assertArrayEquals(bytes, CoderUtils.encodeToByteArray(coder, back), "same part, same bytes");

    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThrows(java.io.IOException.class, () -> coder.decode(new java.io.ByteArrayInputStream(cut)));
    byte[] badMask = bytes.clone();
    badMask[badMask.length - 1] = 9; // the last user's steps mask
    assertThrows(java.io.IOException.class, () -> coder.decode(new java.io.ByteArrayInputStream(badMask)));
  }
}
