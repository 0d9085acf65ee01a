package dev.shopbeam.transforms.testing;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemSimilarity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain-Java, single-threaded model of item-to-item similarity, written from the definition (cosine of
 * behavior-weighted user vectors over each user's most recent items), independently of the transform.
 */
public final class RecommendModel {
  private RecommendModel() {}

  /** User -> item -> {strength (the largest weight), latest time as epoch millis} of the events that count. */
  public static Map<String, Map<String, double[]>> interest(List<CommerceEvent> events, Map<Behavior, Double> weights) {
    Map<String, Map<String, double[]>> interest = new TreeMap<>();
    for (CommerceEvent e : events) {
      Double w = weights.get(e.getBehavior());
      if (e.getUserId() == null || w == null || w <= 0) {
        continue;
      }
      double[] s = interest.computeIfAbsent(e.getUserId(), u -> new TreeMap<>())
          .computeIfAbsent(e.getItemId(), i -> new double[] {0, Long.MIN_VALUE});
      s[0] = Math.max(s[0], w);
      s[1] = Math.max(s[1], e.getEventTime().toEpochMilli());
    }
    return interest;
  }

  public static List<ItemSimilarity> itemSimilarity(List<CommerceEvent> events, Map<Behavior, Double> weights,
      int maxItemsPerUser, int minCoUsers, int neighbours) {
    Map<String, Map<String, double[]>> interest = interest(events, weights);
    Map<String, Double> normSquared = new HashMap<>();
    Map<List<String>, double[]> pairs = new HashMap<>(); // (a, b), a < b -> {dot, users}
    for (Map<String, double[]> history : interest.values()) {
      List<Map.Entry<String, double[]>> items = new ArrayList<>(history.entrySet());
      items.sort(Comparator.<Map.Entry<String, double[]>>comparingDouble(x -> -x.getValue()[1])
          .thenComparing(Map.Entry::getKey));
      if (items.size() > maxItemsPerUser) {
        items = items.subList(0, maxItemsPerUser);
      }
      for (Map.Entry<String, double[]> a : items) {
        normSquared.merge(a.getKey(), a.getValue()[0] * a.getValue()[0], Double::sum);
        for (Map.Entry<String, double[]> b : items) {
          if (a.getKey().compareTo(b.getKey()) < 0) {
            double[] p = pairs.computeIfAbsent(List.of(a.getKey(), b.getKey()), k -> new double[2]);
            p[0] += a.getValue()[0] * b.getValue()[0];
            p[1] += 1;
          }
        }
      }
    }
    Map<String, List<Object[]>> neighboursOf = new TreeMap<>(); // item -> {neighbour, cosine, users}
    for (Map.Entry<List<String>, double[]> p : pairs.entrySet()) {
      if (p.getValue()[1] < minCoUsers) {
        continue;
      }
      String a = p.getKey().get(0);
      String b = p.getKey().get(1);
      double cosine = p.getValue()[0] / Math.sqrt(normSquared.get(a)) / Math.sqrt(normSquared.get(b));
      long users = (long) p.getValue()[1];
      neighboursOf.computeIfAbsent(a, k -> new ArrayList<>()).add(new Object[] {b, cosine, users});
      neighboursOf.computeIfAbsent(b, k -> new ArrayList<>()).add(new Object[] {a, cosine, users});
    }
    List<ItemSimilarity> rows = new ArrayList<>();
    for (Map.Entry<String, List<Object[]>> item : neighboursOf.entrySet()) {
      List<Object[]> ns = item.getValue();
      ns.sort(Comparator.<Object[]>comparingDouble(n -> -(Double) n[1]).thenComparing(n -> (String) n[0]));
      for (int r = 0; r < Math.min(neighbours, ns.size()); r++) {
        Object[] n = ns.get(r);
        rows.add(ItemSimilarity.newBuilder().setItemId(item.getKey()).setRank(r + 1).setNeighbourId((String) n[0])
            .setSimilarity((Double) n[1]).setCoUsers((Long) n[2]).build());
      }
    }
    return rows;
  }

  /**
   * The recommendations of {@code RecommendItems}, from the definition: candidates scored from each
   * user's recent items and the modelled neighbours, popularity as summed strengths, then the same
   * rules ({@code RecommendItems.rank}, tested by name on its own).
   */
  public static List<dev.shopbeam.schemas.UserRecommendation> recommend(List<CommerceEvent> events,
      Map<Behavior, Double> weights, int maxItemsPerUser, int minCoUsers, int neighbours, int k, boolean excludeAll,
      int maxPerCategory, java.util.Set<String> unavailable) {
    return recommend(events, weights, maxItemsPerUser, minCoUsers, neighbours, k, excludeAll, maxPerCategory,
        unavailable, true);
  }

  /** As above; {@code favouriteCategoryFill}: fill from the user's favourite category before the overall list. */
  public static List<dev.shopbeam.schemas.UserRecommendation> recommend(List<CommerceEvent> events,
      Map<Behavior, Double> weights, int maxItemsPerUser, int minCoUsers, int neighbours, int k, boolean excludeAll,
      int maxPerCategory, java.util.Set<String> unavailable, boolean favouriteCategoryFill) {
    Map<String, List<ItemSimilarity>> neighboursOf = new HashMap<>();
    for (ItemSimilarity s : itemSimilarity(events, weights, maxItemsPerUser, minCoUsers, neighbours)) {
      neighboursOf.computeIfAbsent(s.getItemId(), x -> new ArrayList<>()).add(s);
    }
    Map<String, Map<String, double[]>> interest = new TreeMap<>();
    Map<String, java.util.Set<String>> excluded = new TreeMap<>();
    Map<String, Double> popularity = new HashMap<>();
    Map<String, String> categories = new HashMap<>();
    Map<String, Map<String, Double>> categoryWeight = new HashMap<>(); // user -> category -> summed weights
    for (CommerceEvent e : events) {
      if (e.getCategoryId() != null) {
        categories.merge(e.getItemId(), e.getCategoryId(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
      if (e.getUserId() == null) {
        continue;
      }
      Double w = weights.get(e.getBehavior());
      boolean bought = e.getBehavior() == Behavior.BUY;
      if (bought || (w != null && w > 0)) {
        java.util.Set<String> ex = excluded.computeIfAbsent(e.getUserId(), u -> new java.util.HashSet<>());
        if (bought || excludeAll) {
          ex.add(e.getItemId());
        }
      }
      if (w == null || w <= 0) {
        continue;
      }
      if (e.getCategoryId() != null) {
        categoryWeight.computeIfAbsent(e.getUserId(), u -> new TreeMap<>()).merge(e.getCategoryId(), w, Double::sum);
      }
      double[] s = interest.computeIfAbsent(e.getUserId(), u -> new TreeMap<>())
          .computeIfAbsent(e.getItemId(), i -> new double[] {0, Long.MIN_VALUE});
      s[0] = Math.max(s[0], w);
      s[1] = Math.max(s[1], e.getEventTime().toEpochMilli());
    }
    for (Map<String, double[]> history : interest.values()) {
      history.forEach((item, s) -> popularity.merge(item, s[0], Double::sum));
    }
    List<org.apache.beam.sdk.values.KV<String, Double>> popular = new ArrayList<>();
    popularity.forEach((item, p) -> popular.add(org.apache.beam.sdk.values.KV.of(item, p)));
    popular.sort(new dev.shopbeam.transforms.recommend.RecommendItems.ByScoreThenId().reversed());
    List<org.apache.beam.sdk.values.KV<String, Double>> topPopular = popular.subList(0, Math.min(popular.size(), k + 200));
    Map<String, List<org.apache.beam.sdk.values.KV<String, Double>>> popularInCategory = new HashMap<>();
    for (org.apache.beam.sdk.values.KV<String, Double> item : popular) { // already most popular first
      String category = categories.get(item.getKey());
      List<org.apache.beam.sdk.values.KV<String, Double>> list =
          category == null ? null : popularInCategory.computeIfAbsent(category, c -> new ArrayList<>());
      if (list != null && list.size() < k + 200) {
        list.add(item);
      }
    }

    List<dev.shopbeam.schemas.UserRecommendation> rows = new ArrayList<>();
    for (String user : excluded.keySet()) {
      Map<String, List<Double>> contributions = new TreeMap<>();
      Map<String, double[]> history = interest.getOrDefault(user, Map.of());
      List<Map.Entry<String, double[]>> items = new ArrayList<>(history.entrySet());
      items.sort(Comparator.<Map.Entry<String, double[]>>comparingDouble(x -> -x.getValue()[1])
          .thenComparing(Map.Entry::getKey));
      for (Map.Entry<String, double[]> h : items.subList(0, Math.min(items.size(), maxItemsPerUser))) {
        for (ItemSimilarity n : neighboursOf.getOrDefault(h.getKey(), List.of())) {
          contributions.computeIfAbsent(n.getNeighbourId(), x -> new ArrayList<>()).add(h.getValue()[0] * n.getSimilarity());
        }
      }
      List<org.apache.beam.sdk.values.KV<String, Double>> candidates = new ArrayList<>();
      contributions.forEach((item, cs) -> {
        cs.sort(null); // summed smallest first, as the transform does, for a runner-independent score
        double score = 0;
        for (double c : cs) {
          score += c;
        }
        candidates.add(org.apache.beam.sdk.values.KV.of(item, score));
      });
      // The favourite category: largest summed weight, ties to the smallest id (a TreeMap walks ids in order).
      String favourite = null;
      for (Map.Entry<String, Double> c : categoryWeight.getOrDefault(user, Map.of()).entrySet()) {
        if (favourite == null || c.getValue() > categoryWeight.get(user).get(favourite)) {
          favourite = c.getKey();
        }
      }
      List<org.apache.beam.sdk.values.KV<String, Double>> inCategory = favouriteCategoryFill && favourite != null
          ? popularInCategory.getOrDefault(favourite, List.of()) : List.of();
      rows.addAll(dev.shopbeam.transforms.recommend.RecommendItems.rank(user, candidates, excluded.get(user),
          inCategory, topPopular, categories, k, maxPerCategory, unavailable));
    }
    return rows;
  }
}
