package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/**
 * A user's own items and category weights: what the events step lets through, the coders, and the
 * combiner over random splits and merge orders against a plain per-user model.
 */
class OwnItemsTest {
  private static final Map<Behavior, Double> WEIGHTS = ItemSimilarity.defaults().weights();

  @Test
  void eventsOfKnownUsersThatArePurchasesOrCountAsInterest() {
    List<KV<String, OwnItems.Event>> out = new ArrayList<>();
    org.apache.beam.sdk.transforms.DoFn.OutputReceiver<KV<String, OwnItems.Event>> receiver =
        new org.apache.beam.sdk.transforms.DoFn.OutputReceiver<>() {
          @Override
          public void output(KV<String, OwnItems.Event> kv) {
            out.add(kv);
          }

          @Override
          public void outputWithTimestamp(KV<String, OwnItems.Event> kv, org.joda.time.Instant timestamp) {
            out.add(kv);
          }
        };
    OwnItems.EventFn fn = new OwnItems.EventFn(Map.of(Behavior.VIEW, 1.0, Behavior.BUY, 0.0, Behavior.CART, 3.0));
    for (Behavior b : Behavior.values()) {
      fn.process(event("u1", "i-" + b, b, "c1"), receiver);
    }
    fn.process(event(null, "i9", Behavior.VIEW, "c1"), receiver); // a guest: never
    fn.process(event("u2", "i8", Behavior.VIEW, null), receiver); // no category: the item, no weight
    Map<String, OwnItems.Event> byItem = new TreeMap<>();
    out.forEach(kv -> byItem.put(kv.getValue().item(), kv.getValue()));
    // A purchase is an own item even with weight 0, but brings no category weight.
    assertEquals(new OwnItems.Event("i-BUY", true, null, 0), byItem.get("i-BUY"));
    assertEquals(new OwnItems.Event("i-VIEW", false, "c1", 1.0), byItem.get("i-VIEW"));
    assertEquals(new OwnItems.Event("i-CART", false, "c1", 3.0), byItem.get("i-CART"));
    assertEquals(new OwnItems.Event("i8", false, null, 1.0), byItem.get("i8"));
    assertEquals(4, out.size(), "favourites, cancellations and the guest do not count: " + out);
  }

  private static CommerceEvent event(String user, String item, Behavior behavior, String category) {
    java.time.Instant t = java.time.Instant.parse("2024-01-01T00:00:00Z");
    return CommerceEvent.newBuilder()
        .setEventId("e" + item).setUserId(user).setItemId(item).setBehavior(behavior).setCategoryId(category)
        .setQuantity(1).setEventTime(t).setIngestTime(t).setSource("test")
        .build();
  }

  @Test
  void survivesTheCodersInEveryContext() throws Exception {
    OwnItems own = new OwnItems().add("a", false, "c", 1.5).add("ünï", true, null, 0).add("a", true, "c", 2)
        .add("", false, "d", Double.MIN_VALUE);
    for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
      CoderProperties.coderDecodeEncodeEqualInContext(OwnItems.OwnItemsCoder.INSTANCE, context, own);
      CoderProperties.coderDecodeEncodeEqualInContext(OwnItems.OwnItemsCoder.INSTANCE, context, new OwnItems());
      for (OwnItems.Event e : List.of(new OwnItems.Event("i", true, null, 0), new OwnItems.Event("ü", false, "", 4.0),
          new OwnItems.Event("i", false, "c", -0.0))) {
        CoderProperties.coderDecodeEncodeEqualInContext(OwnItems.EventCoder.INSTANCE, context, e);
      }
    }
    OwnItems back = CoderUtils.clone(OwnItems.OwnItemsCoder.INSTANCE, own);
    assertEquals(Map.of("a", true, "ünï", true, "", false), back.items());
    assertEquals("c", back.favouriteCategory());
    // A cut record and a corrupt count fail instead of reading garbage.
    byte[] bytes = CoderUtils.encodeToByteArray(OwnItems.OwnItemsCoder.INSTANCE, own);
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(IOException.class, () -> OwnItems.OwnItemsCoder.INSTANCE.decode(new ByteArrayInputStream(cut)));
  }

  @Test
  void gatheredInAnySplitsEqualsTheModel() throws Exception {
    Random random = new Random(5);
    for (int round = 0; round < 50; round++) {
      List<OwnItems.Event> events = new ArrayList<>();
      Map<String, Boolean> items = new TreeMap<>();
      Map<String, Double> weights = new HashMap<>();
      int n = random.nextInt(200);
      for (int i = 0; i < n; i++) {
        String item = "i" + random.nextInt(40);
        boolean bought = random.nextInt(5) == 0;
        double weight = random.nextInt(5); // small integers: sums exact in any order
        String category = weight > 0 && random.nextInt(4) > 0 ? "c" + random.nextInt(6) : null;
        events.add(new OwnItems.Event(item, bought, category, weight));
        items.merge(item, bought, Boolean::logicalOr);
        if (category != null) {
          weights.merge(category, weight, Double::sum);
        }
      }
      Collections.shuffle(events, random);
      OwnItems.Gather gather = new OwnItems.Gather();
      List<OwnItems> partials = new ArrayList<>();
      OwnItems acc = gather.createAccumulator();
      for (OwnItems.Event e : events) {
        acc = gather.addInput(acc, e);
        if (random.nextInt(10) == 0) {
          partials.add(CoderUtils.clone(OwnItems.OwnItemsCoder.INSTANCE, acc)); // between pre-combine and merge
          acc = gather.createAccumulator();
        }
      }
      partials.add(acc);
      partials.add(gather.createAccumulator());
      Collections.shuffle(partials, random);
      OwnItems total = gather.extractOutput(gather.mergeAccumulators(partials));
      assertEquals(items, new TreeMap<>(total.items()));
      assertEquals(favourite(weights), total.favouriteCategory(), weights.toString());
    }
    assertNull(new OwnItems().add("x", true, null, 0).favouriteCategory());
  }

  /** Largest weight, then the smallest category id. */
  private static String favourite(Map<String, Double> weights) {
    return weights.entrySet().stream()
        .min(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).orElse(null);
  }
}
