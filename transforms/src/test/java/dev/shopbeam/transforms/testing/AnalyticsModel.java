package dev.shopbeam.transforms.testing;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.FunnelStats;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.schemas.ItemStats;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plain-Java, single-threaded models of the aggregate tables, written independently of the Beam
 * transforms (no shared accumulators), as Beam's Nexmark checks each query against its model. Windows
 * are fixed or sliding with their epoch-aligned starts: {@code period == size} for fixed.
 */
public final class AnalyticsModel {
  private AnalyticsModel() {}

  /** The start of every window of (size, period) that contains {@code t}. */
  static List<Long> windowStarts(long t, long size, long period) {
    List<Long> starts = new ArrayList<>();
    long last = Math.floorDiv(t, period) * period;
    for (long s = last; s > t - size; s -= period) {
      starts.add(s);
    }
    return starts;
  }

  public static List<ItemStats> itemStats(List<CommerceEvent> events, long size, long period) {
    Map<List<Object>, List<CommerceEvent>> groups = new TreeMap<>(Comparator.comparing(Object::toString));
    for (CommerceEvent e : events) {
      for (long s : windowStarts(e.getEventTime().toEpochMilli(), size, period)) {
        groups.computeIfAbsent(List.of(s, e.getItemId(), e.getBehavior()), k -> new ArrayList<>()).add(e);
      }
    }
    List<ItemStats> rows = new ArrayList<>();
    for (Map.Entry<List<Object>, List<CommerceEvent>> g : groups.entrySet()) {
      long start = (Long) g.getKey().get(0);
      List<CommerceEvent> es = g.getValue();
      long quantity = 0;
      long priced = 0;
      BigDecimal revenue = BigDecimal.ZERO.setScale(3);
      BigDecimal priceSum = BigDecimal.ZERO;
      BigDecimal min = null;
      BigDecimal max = null;
      Set<String> users = new HashSet<>();
      for (CommerceEvent e : es) {
        quantity += e.getQuantity();
        if (e.getUnitPrice() != null) {
          priced++;
          BigDecimal p = e.getUnitPrice();
          priceSum = priceSum.add(p);
          revenue = revenue.add(p.multiply(BigDecimal.valueOf(e.getQuantity())));
          min = min == null || p.compareTo(min) < 0 ? p : min;
          max = max == null || p.compareTo(max) > 0 ? p : max;
        }
        if (e.getUserId() != null) {
          users.add(e.getUserId());
        }
      }
      rows.add(ItemStats.newBuilder()
          .setWindowStart(Instant.ofEpochMilli(start))
          .setWindowEnd(Instant.ofEpochMilli(start + size))
          .setItemId((String) g.getKey().get(1))
          .setBehavior((Behavior) g.getKey().get(2))
          .setEventCount(es.size())
          .setQuantity(quantity)
          .setRevenue(revenue.setScale(3))
          .setPricedEvents(priced)
          .setAvgUnitPrice(priced == 0 ? null : priceSum.divide(BigDecimal.valueOf(priced), 3, RoundingMode.HALF_EVEN))
          .setMinUnitPrice(min == null ? null : min.setScale(3))
          .setMaxUnitPrice(max == null ? null : max.setScale(3))
          .setDistinctUsers(users.size())
          .build());
    }
    return rows;
  }

  public static List<FunnelStats> funnel(List<CommerceEvent> events, long size, long period) {
    Map<Long, Map<String, Set<Behavior>>> perWindow = new TreeMap<>();
    for (CommerceEvent e : events) {
      if (e.getUserId() == null) {
        continue;
      }
      for (long s : windowStarts(e.getEventTime().toEpochMilli(), size, period)) {
        perWindow.computeIfAbsent(s, k -> new HashMap<>())
            .computeIfAbsent(e.getUserId(), k -> new HashSet<>()).add(e.getBehavior());
      }
    }
    List<FunnelStats> rows = new ArrayList<>();
    perWindow.forEach((start, users) -> {
      long viewers = 0, carters = 0, buyers = 0, vc = 0, cb = 0, vb = 0;
      for (Set<Behavior> b : users.values()) {
        boolean v = b.contains(Behavior.VIEW), c = b.contains(Behavior.CART), p = b.contains(Behavior.BUY);
        viewers += v ? 1 : 0;
        carters += c ? 1 : 0;
        buyers += p ? 1 : 0;
        vc += v && c ? 1 : 0;
        cb += c && p ? 1 : 0;
        vb += v && p ? 1 : 0;
      }
      rows.add(FunnelStats.newBuilder()
          .setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start + size))
          .setUsers(users.size()).setViewers(viewers).setCarters(carters).setBuyers(buyers)
          .setViewedAndCarted(vc).setCartedAndBought(cb).setViewedAndBought(vb)
          .setViewToCartRate(viewers == 0 ? null : (double) vc / viewers)
          .setCartToBuyRate(carters == 0 ? null : (double) cb / carters)
          .setViewToBuyRate(viewers == 0 ? null : (double) vb / viewers)
          .build());
    });
    return rows;
  }

  /** Assigns every event to every sliding window directly (no panes), counts, sorts, cuts at N. */
  public static List<HotItem> hotItems(List<CommerceEvent> events, long size, long period, int n) {
    Map<List<Object>, Map<String, Long>> counts = new HashMap<>();
    for (CommerceEvent e : events) {
      for (long s : windowStarts(e.getEventTime().toEpochMilli(), size, period)) {
        counts.computeIfAbsent(List.of(s, e.getBehavior()), k -> new HashMap<>()).merge(e.getItemId(), 1L, Long::sum);
      }
    }
    List<HotItem> rows = new ArrayList<>();
    counts.forEach((key, perItem) -> {
      List<Map.Entry<String, Long>> sorted = new ArrayList<>(perItem.entrySet());
      sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
      for (int i = 0; i < Math.min(n, sorted.size()); i++) {
        long start = (Long) key.get(0);
        rows.add(HotItem.newBuilder()
            .setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start + size))
            .setBehavior((Behavior) key.get(1)).setRank(i + 1)
            .setItemId(sorted.get(i).getKey()).setEventCount(sorted.get(i).getValue())
            .build());
      }
    });
    return rows;
  }
}
