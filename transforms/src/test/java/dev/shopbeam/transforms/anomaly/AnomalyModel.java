package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.AnomalyDirection;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Plain-Java models of the anomaly transforms, written without their code (no state, no timers, full
 * history kept), in the manner of Nexmark's query models: the pipelines must produce exactly these.
 */
final class AnomalyModel {
  static final long DAY = 24L * 3600 * 1000;

  private AnomalyModel() {}

  /** Points that arrive together, after which the watermark passes {@code watermark}. */
  static final class Step {
    final List<SeriesPoint> points;
    final long watermark;

    Step(List<SeriesPoint> points, long watermark) {
      this.points = points;
      this.watermark = watermark;
    }
  }

  /** Batch: everything arrives, then the watermark passes every window. */
  static List<Anomaly> detect(List<SeriesPoint> points, AnomalyConfig c) {
    return detectStream(List.of(new Step(points, Long.MAX_VALUE)), c);
  }

  /**
   * Streaming: a window's point is scored once the watermark passes its end, in window order, against
   * every earlier point of its series; a point for a window at or before the newest scored one is not
   * scored, it replaces that window in the history.
   */
  static List<Anomaly> detectStream(List<Step> steps, AnomalyConfig c) {
    Map<String, TreeMap<Long, SeriesPoint>> history = new HashMap<>();
    Map<String, TreeMap<Long, SeriesPoint>> pending = new HashMap<>();
    List<Anomaly> out = new ArrayList<>();
    for (Step step : steps) {
      for (SeriesPoint p : step.points) {
        TreeMap<Long, SeriesPoint> h = history.computeIfAbsent(p.seriesKey(), k -> new TreeMap<>());
        if (!h.isEmpty() && p.windowStart() <= h.lastKey()) {
          h.put(p.windowStart(), p);
        } else {
          pending.computeIfAbsent(p.seriesKey(), k -> new TreeMap<>())
              .merge(p.windowStart(), p, (a, b) -> b.volume() >= a.volume() ? b : a);
        }
      }
      for (Map.Entry<String, TreeMap<Long, SeriesPoint>> e : pending.entrySet()) {
        TreeMap<Long, SeriesPoint> h = history.get(e.getKey());
        for (SeriesPoint p : new ArrayList<>(e.getValue().values())) {
          if (p.windowEnd() - 1 > step.watermark) {
            break;
          }
          e.getValue().remove(p.windowStart());
          Anomaly a = score(new ArrayList<>(h.values()), p, c);
          if (a != null) {
            out.add(a);
          }
          h.put(p.windowStart(), p);
        }
      }
    }
    return out;
  }

  static Anomaly score(List<SeriesPoint> earlier, SeriesPoint p, AnomalyConfig c) {
    List<SeriesPoint> sameTime = earlier.stream()
        .filter(h -> (p.windowStart() - h.windowStart()) % DAY == 0)
        .filter(h -> p.windowStart() - h.windowStart() <= c.seasonalDays() * DAY)
        .collect(Collectors.toList());
    List<SeriesPoint> base;
    String kind;
    if (c.seasonalDays() > 0 && sameTime.size() >= c.minSeasonalDays()) {
      base = sameTime;
      kind = "hour_of_day";
    } else {
      base = earlier.subList(Math.max(0, earlier.size() - c.recentWindows()), earlier.size());
      kind = "recent";
      if (base.size() < c.minHistory()) {
        return null;
      }
    }
    double medianVolume = median(base.stream().map(h -> (double) h.volume()).collect(Collectors.toList()));
    if (p.volume() < c.minVolume() && medianVolume < c.minVolume()) {
      return null;
    }
    double expected = median(base.stream().map(SeriesPoint::value).collect(Collectors.toList()));
    double mad = median(base.stream().map(h -> Math.abs(h.value() - expected)).collect(Collectors.toList()));
    double noise = Math.max(p.noise(), median(base.stream().map(SeriesPoint::noise).collect(Collectors.toList())));
    double spread = Math.max(1.4826 * mad,
        Math.max(noise, Math.max(c.minSpread(), c.minSpreadFraction() * Math.abs(expected))));
    double score = (p.value() - expected) / spread;
    if (!(Math.abs(score) >= c.threshold())) {
      return null;
    }
    return Anomaly.newBuilder()
        .setMetric(p.metric()).setDimension(p.dimension())
        .setWindowStart(Instant.ofEpochMilli(p.windowStart())).setWindowEnd(Instant.ofEpochMilli(p.windowEnd()))
        .setObserved(p.value()).setExpected(expected).setScore(score)
        .setDirection(score > 0 ? AnomalyDirection.UP : AnomalyDirection.DOWN)
        .setVolume(p.volume()).setBaseline(kind).setHistoryWindows(base.size())
        .build();
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** The series points of events in fixed windows of {@code size} millis (every record on time). */
  static List<SeriesPoint> points(List<CommerceEvent> events, List<Long> deadLetterTimes, long size) {
    Map<String, Map<Long, List<CommerceEvent>>> byDim = new HashMap<>();
    Map<Long, Long> dead = new HashMap<>();
    for (CommerceEvent e : events) {
      long start = Math.floorDiv(e.getEventTime().toEpochMilli(), size) * size;
      byDim.computeIfAbsent("all", k -> new HashMap<>()).computeIfAbsent(start, k -> new ArrayList<>()).add(e);
      if (e.getCategoryId() != null) {
        byDim.computeIfAbsent("category=" + e.getCategoryId(), k -> new HashMap<>())
            .computeIfAbsent(start, k -> new ArrayList<>()).add(e);
      }
    }
    for (long t : deadLetterTimes) {
      long start = Math.floorDiv(t, size) * size;
      dead.merge(start, 1L, Long::sum);
      byDim.computeIfAbsent("all", k -> new HashMap<>()).computeIfAbsent(start, k -> new ArrayList<>());
    }
    List<SeriesPoint> out = new ArrayList<>();
    byDim.forEach((dim, windows) -> windows.forEach((start, es) -> {
      long end = start + size;
      Map<Behavior, Long> counts = new HashMap<>();
      BigDecimal revenue = BigDecimal.ZERO;
      Set<String> orders = new HashSet<>();
      for (CommerceEvent e : es) {
        counts.merge(e.getBehavior(), 1L, Long::sum);
        if (e.getBehavior() == Behavior.BUY) {
          if (e.getUnitPrice() != null) {
            revenue = revenue.add(e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity())));
          }
          orders.add(e.getSessionId() != null ? "session " + e.getSessionId() : "event " + e.getEventId());
        }
      }
      for (Behavior b : Behavior.values()) {
        long n = counts.getOrDefault(b, 0L);
        out.add(SeriesPoint.of("events_" + b.name().toLowerCase(Locale.ROOT), dim, start, end, n, n, Math.sqrt(n)));
      }
      long buys = counts.getOrDefault(Behavior.BUY, 0L);
      long views = counts.getOrDefault(Behavior.VIEW, 0L);
      double r = revenue.doubleValue();
      out.add(SeriesPoint.of("revenue", dim, start, end, r, buys, buys == 0 ? 0 : r / Math.sqrt(buys)));
      out.add(SeriesPoint.of("orders", dim, start, end, orders.size(), buys, Math.sqrt(orders.size())));
      if (views > 0) {
        double p = Math.min(1.0, (double) buys / views);
        out.add(SeriesPoint.of("conversion_rate", dim, start, end, (double) buys / views, views,
            Math.sqrt(p * (1 - p) / views)));
      }
      if (dim.equals("all")) {
        long d = dead.getOrDefault(start, 0L);
        long n = d + es.size();
        double p = (double) d / n;
        out.add(SeriesPoint.of("dead_letter_rate", dim, start, end, p, n, Math.sqrt(p * (1 - p) / n)));
      }
    }));
    return out;
  }
}
