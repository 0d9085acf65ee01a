package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.RecommendModel;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Users' histories summed from partial interests, against a plain-Java model of the strengths; packed item lists. */
@ExtendWith(TestPipelineExtension.class)
class InterestsTest {
  private static final List<CommerceEvent> SHOP = TestEvents.shop(9L, 40, 25, 150);
  private static final Map<Behavior, Double> WEIGHTS =
      Map.of(Behavior.VIEW, 1.0, Behavior.FAV, 2.0, Behavior.CART, 3.0, Behavior.BUY, 4.0);

  /** User -> item -> "weight@millis" of the model's interest. */
  private static Map<String, Map<String, String>> model(List<CommerceEvent> events) {
    Map<String, Map<String, String>> text = new TreeMap<>();
    RecommendModel.interest(events, WEIGHTS).forEach((user, items) -> items.forEach((item, s) ->
        text.computeIfAbsent(user, u -> new TreeMap<>()).put(item, s[0] + "@" + (long) s[1])));
    return text;
  }

  private static Map<String, String> asMap(Iterable<KV<String, KV<Double, Long>>> history) {
    Map<String, String> items = new TreeMap<>();
    for (KV<String, KV<Double, Long>> item : history) {
      if (items.put(item.getKey(), item.getValue().getKey() + "@" + item.getValue().getValue()) != null) {
        throw new AssertionError("item twice in a history: " + item.getKey());
      }
    }
    return items;
  }

  @Test
  void historiesFromAnyPartsInAnyOrderGiveTheModelsStrengths() throws Exception {
    Map<String, Map<String, String>> expected = model(SHOP);
    Random random = new Random(13);
    for (int round = 0; round < 5; round++) {
      Map<String, List<Interests>> parts = new TreeMap<>();
      for (CommerceEvent e : SHOP) {
        Double w = WEIGHTS.get(e.getBehavior());
        if (e.getUserId() == null || w == null || w <= 0) {
          continue;
        }
        List<Interests> ofUser = parts.computeIfAbsent(e.getUserId(), u -> new ArrayList<>());
        if (ofUser.isEmpty() || random.nextInt(4) == 0) {
          ofUser.add(new Interests());
        }
        ofUser.get(random.nextInt(ofUser.size())).add(e.getItemId(), w, e.getEventTime().toEpochMilli());
      }
      Map<String, Map<String, String>> actual = new TreeMap<>();
      Interests.Merge merge = new Interests.Merge();
      for (Map.Entry<String, List<Interests>> u : parts.entrySet()) {
        List<Interests> coded = new ArrayList<>();
        for (Interests part : u.getValue()) {
          coded.add(CoderUtils.clone(Interests.InterestsCoder.INSTANCE, part));
        }
        Collections.shuffle(coded, random);
        Iterable<KV<String, KV<Double, Long>>> history = merge.extractOutput(merge.mergeAccumulators(coded));
        actual.put(u.getKey(), asMap(CoderUtils.clone(PackedItems.ItemsCoder.INSTANCE, history)));
      }
      assertEquals(expected, actual);
    }
  }

  /** Bounded input goes the per-bundle way; a window the strengths' way: both give the model's histories. */
  @Test
  void historiesOfBoundedAndWindowedEventsAreTheModels(TestPipeline p) {
    List<String> expected = new ArrayList<>();
    model(SHOP).forEach((user, items) -> expected.add(user + " " + items));
    PCollection<CommerceEvent> events = p.apply(Create.of(SHOP).withCoder(Coders.events()));
    PAssert.that(asText(ItemSimilarity.historiesOf(events, WEIGHTS), "Bounded")).containsInAnyOrder(expected);
    PCollection<CommerceEvent> windowed = events
        .apply("At event time", org.apache.beam.sdk.transforms.WithTimestamps.of(
            (CommerceEvent e) -> new org.joda.time.Instant(e.getEventTime().toEpochMilli())))
        .apply("One long window", org.apache.beam.sdk.transforms.windowing.Window.into(
            org.apache.beam.sdk.transforms.windowing.FixedWindows.of(org.joda.time.Duration.standardDays(36500))));
    PAssert.that(asText(windowed.apply("Windowed", new org.apache.beam.sdk.transforms.PTransform<
            PCollection<CommerceEvent>, PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>>>() {
          @Override
          public PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> expand(PCollection<CommerceEvent> in) {
            return ItemSimilarity.historiesOf(in, WEIGHTS);
          }
        }), "Windowed")).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  private static PCollection<String> asText(PCollection<KV<String, Iterable<KV<String, KV<Double, Long>>>>> histories,
      String name) {
    return histories.apply(name + " as text", MapElements.into(TypeDescriptors.strings())
        .via((KV<String, Iterable<KV<String, KV<Double, Long>>>> h) -> h.getKey() + " " + asMap(h.getValue())));
  }

  @Test
  void itemListsAreCodedPackedOrNotInTheirOrder() throws Exception {
    List<KV<String, KV<Double, Long>>> items = List.of(
        KV.of("b", KV.of(1.0, 5L)), KV.of("ä-é", KV.of(4.0, -3L)), KV.of("", KV.of(2.5, Long.MAX_VALUE)));
    Iterable<KV<String, KV<Double, Long>>> decoded = CoderUtils.clone(PackedItems.ItemsCoder.INSTANCE, items);
    List<KV<String, KV<Double, Long>>> again = new ArrayList<>();
    decoded.forEach(again::add);
    assertEquals(items, again);
    List<KV<String, KV<Double, Long>>> twice = new ArrayList<>();
    CoderUtils.clone(PackedItems.ItemsCoder.INSTANCE, decoded).forEach(twice::add);
    assertEquals(items, twice);
    assertEquals(List.of(), toList(CoderUtils.clone(PackedItems.ItemsCoder.INSTANCE, List.of())));

    Interests interests = new Interests();
    assertEquals(1, interests.add("z", 1.0, 10));
    assertEquals(1, interests.add("a", 3.0, 5));
    assertEquals(0, interests.add("z", 2.0, 7));
    assertEquals(List.of(KV.of("a", KV.of(3.0, 5L)), KV.of("z", KV.of(2.0, 10L))), toList(interests.history()));
  }

  @Test
  void aCorruptItemListIsRefused() throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(PackedItems.ItemsCoder.INSTANCE,
        List.of(KV.of("item", KV.of(1.0, 1L))));
    // The one item's id length (after the ids and the count) made longer than the ids.
    int at = 1 + 1 + 4 + 1; // after the record's length, the ids' length, "item" and the count
    bytes[at] = 9;
    assertThrows(Exception.class, () -> CoderUtils.decodeFromByteArray(PackedItems.ItemsCoder.INSTANCE, bytes));
  }

  private static List<KV<String, KV<Double, Long>>> toList(Iterable<KV<String, KV<Double, Long>>> history) {
    List<KV<String, KV<Double, Long>>> list = new ArrayList<>();
    history.forEach(list::add);
    return list;
  }
}
