package dev.shopbeam.transforms.features;

import static dev.shopbeam.transforms.testing.TestEvents.asText;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestEvents;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** User features against a plain-Java model written from the schema's definitions; quintiles by name. */
@ExtendWith(TestPipelineExtension.class)
class UserFeaturesOfTest {
  private static final long GAP = 30 * 60_000L;

  static List<UserFeatures> model(List<CommerceEvent> events) {
    long asOf = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).max().orElseThrow();
    Map<String, List<CommerceEvent>> byUser = events.stream().filter(e -> e.getUserId() != null)
        .collect(Collectors.groupingBy(CommerceEvent::getUserId, TreeMap::new, Collectors.toList()));
    List<UserFeatures> rows = new ArrayList<>();
    for (Map.Entry<String, List<CommerceEvent>> u : byUser.entrySet()) {
      List<CommerceEvent> es = new ArrayList<>(u.getValue());
      es.sort((a, b) -> a.getEventTime().equals(b.getEventTime())
          ? a.getEventId().compareTo(b.getEventId()) : a.getEventTime().compareTo(b.getEventTime()));
      // split into gap sessions
      List<List<CommerceEvent>> sessions = new ArrayList<>();
      for (CommerceEvent e : es) {
        if (sessions.isEmpty() || e.getEventTime().toEpochMilli()
            - last(sessions).get(last(sessions).size() - 1).getEventTime().toEpochMilli() >= GAP) {
          sessions.add(new ArrayList<>());
        }
        last(sessions).add(e);
      }
      java.util.Set<String> occasions = new java.util.HashSet<>();
      long sessionMillis = 0; // summed in whole milliseconds, divided once (as the definition reads)
      for (int s = 0; s < sessions.size(); s++) {
        List<CommerceEvent> session = sessions.get(s);
        sessionMillis += session.get(session.size() - 1).getEventTime().toEpochMilli()
            - session.get(0).getEventTime().toEpochMilli();
        for (CommerceEvent e : session) {
          if (e.getBehavior() == Behavior.BUY) {
            occasions.add(e.getSessionId() != null ? "s:" + e.getSessionId() : "g:" + s);
          }
        }
      }
      BigDecimal spend = BigDecimal.ZERO;
      Map<String, Long> cat = new TreeMap<>();
      long[] hours = new long[24];
      for (CommerceEvent e : es) {
        if (e.getUnitPrice() != null && e.getBehavior() == Behavior.BUY) {
          spend = spend.add(e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity())));
        } else if (e.getUnitPrice() != null && e.getBehavior() == Behavior.CANCEL) {
          spend = spend.subtract(e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity())));
        }
        if (e.getCategoryId() != null) {
          long w = Map.of(Behavior.VIEW, 1L, Behavior.FAV, 2L, Behavior.CART, 3L, Behavior.BUY, 4L, Behavior.CANCEL, 0L)
              .get(e.getBehavior());
          cat.merge(e.getCategoryId(), w, Long::sum);
        }
        hours[e.getEventTime().atZone(java.time.ZoneOffset.UTC).getHour()]++;
      }
      long total = cat.values().stream().mapToLong(Long::longValue).sum();
      String fav = null;
      for (Map.Entry<String, Long> c : cat.entrySet()) {
        if (fav == null || c.getValue() > cat.get(fav)) {
          fav = c.getKey();
        }
      }
      List<dev.shopbeam.schemas.CategoryShare> affinity = new ArrayList<>();
      for (Map.Entry<String, Long> c : cat.entrySet()) {
        if (c.getValue() > 0) {
          affinity.add(new dev.shopbeam.schemas.CategoryShare(c.getKey(), (double) c.getValue() / total));
        }
      }
      affinity.sort((a, b) -> a.getShare() == b.getShare()
          ? a.getCategoryId().compareTo(b.getCategoryId()) : Double.compare(b.getShare(), a.getShare()));
      int hour = 0;
      for (int h = 0; h < 24; h++) {
        hour = hours[h] > hours[hour] ? h : hour;
      }
      List<String> lastItems = new ArrayList<>();
      List<CommerceEvent> newest = new ArrayList<>(es);
      newest.sort((a, b) -> a.getEventTime().equals(b.getEventTime())
          ? a.getItemId().compareTo(b.getItemId()) : b.getEventTime().compareTo(a.getEventTime()));
      for (CommerceEvent e : newest) {
        if (lastItems.size() < 5 && !lastItems.contains(e.getItemId())) {
          lastItems.add(e.getItemId());
        }
      }
      rows.add(UserFeatures.newBuilder().setUserId(u.getKey()).setEvents(es.size())
          .setFirstEvent(es.get(0).getEventTime()).setLastEvent(es.get(es.size() - 1).getEventTime())
          .setRecencyDays((asOf - es.get(es.size() - 1).getEventTime().toEpochMilli()) / 86_400_000.0)
          .setFrequency(occasions.size()).setMonetary(spend.setScale(3, RoundingMode.HALF_EVEN))
          .setRScore(0).setFScore(0).setMScore(0)
          .setSessions(sessions.size()).setMeanSessionMinutes(sessionMillis / 60_000.0 / sessions.size())
          .setFavouriteCategory(total == 0 ? null : fav)
          .setFavouriteCategoryShare(total == 0 ? null : (double) cat.get(fav) / total)
          .setCategoryAffinity(affinity).setFavouriteHour(hour).setLastItems(lastItems).build());
    }
    int n = rows.size();
    List<UserFeatures> scored = new ArrayList<>();
    for (UserFeatures r : rows) {
      long worseR = rows.stream().filter(o -> o.getRecencyDays() > r.getRecencyDays()).count();
      long worseF = rows.stream().filter(o -> o.getFrequency() < r.getFrequency()).count();
      long worseM = rows.stream().filter(o -> o.getMonetary().compareTo(r.getMonetary()) < 0).count();
      scored.add(UserFeatures.newBuilder(r).setRScore((int) (1 + 5 * worseR / n)).setFScore((int) (1 + 5 * worseF / n))
          .setMScore((int) (1 + 5 * worseM / n)).build());
    }
    return scored;
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  @Test
  void matchesTheModelOnASyntheticShop(TestPipeline p) {
    List<CommerceEvent> shop = TestEvents.shop(4L, 30, 20, 120);
    PAssert.that(asText(p.apply(Create.of(shop).withCoder(Coders.events())).apply(new UserFeaturesOf())))
        .containsInAnyOrder(asText(model(shop)));
    p.run().waitUntilFinish();
  }

  /** Rank columns in parts of 3 users (30 users: ten parts or more, any split into bundles): the same rows. */
  @Test
  void rankColumnsInSmallPartsMatchTheModel(TestPipeline p) {
    List<CommerceEvent> shop = TestEvents.shop(4L, 30, 20, 120);
    PAssert.that(asText(p.apply(Create.of(shop).withCoder(Coders.events())).apply(new UserFeaturesOf(3))))
        .containsInAnyOrder(asText(model(shop)));
    p.run().waitUntilFinish();
  }

  /** The streaming variant (each window's users ranked in one group) gives the same rows. */
  @Test
  void rankedInOneGroupMatchesTheModelOnASyntheticShop(TestPipeline p) {
    List<CommerceEvent> shop = TestEvents.shop(4L, 30, 20, 120);
    PAssert.that(asText(p.apply(Create.of(shop).withCoder(Coders.events()))
            .apply(UserFeaturesOf.rankedInOneGroupPerWindow())))
        .containsInAnyOrder(asText(model(shop)));
    p.run().waitUntilFinish();
  }

  /**
   * A user's history added up from any split of their events, in any order, each part through its coder,
   * gives the model's row (before recency and scores): what a combine over bundles and workers relies on.
   */
  @Test
  void historiesFromAnyPartsInAnyOrderGiveTheModelsRows() throws Exception {
    List<CommerceEvent> shop = TestEvents.shop(7L, 40, 25, 150);
    Map<String, UserFeatures> expected = new TreeMap<>();
    for (UserFeatures row : model(shop)) {
      expected.put(row.getUserId(), UserFeatures.newBuilder(row).setRecencyDays(0).setRScore(0).setFScore(0)
          .setMScore(0).build());
    }
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 5; round++) {
      Map<String, List<UserHistory>> parts = new TreeMap<>();
      for (CommerceEvent e : shop) {
        if (e.getUserId() == null) {
          continue;
        }
        List<UserHistory> ofUser = parts.computeIfAbsent(e.getUserId(), u -> new ArrayList<>());
        if (ofUser.isEmpty() || random.nextInt(4) == 0) {
          ofUser.add(new UserHistory());
        }
        ofUser.get(random.nextInt(ofUser.size())).add(e);
      }
      Map<String, UserFeatures> actual = new TreeMap<>();
      for (Map.Entry<String, List<UserHistory>> u : parts.entrySet()) {
        java.util.Collections.shuffle(u.getValue(), random);
        UserHistory all = new UserHistory();
        for (UserHistory part : u.getValue()) {
          all.merge(org.apache.beam.sdk.util.CoderUtils.clone(UserHistory.HistoryCoder.INSTANCE, part));
        }
        actual.put(u.getKey(), all.unscored(u.getKey()));
      }
      assertEquals(expected, actual);
    }
  }

  @Test
  void quintilesGiveTheBestFifthFiveAndTiesOneScore() {
    assertEquals(1, UserFeaturesOf.quintile(0, 10));
    assertEquals(1, UserFeaturesOf.quintile(1, 10));
    assertEquals(2, UserFeaturesOf.quintile(2, 10));
    assertEquals(5, UserFeaturesOf.quintile(9, 10));
    assertEquals(5, UserFeaturesOf.quintile(8, 10));
    assertEquals(1, UserFeaturesOf.quintile(0, 1));
  }
}
