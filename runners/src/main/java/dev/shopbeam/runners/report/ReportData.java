package dev.shopbeam.runners.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shopbeam.pipelines.Tables;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything the report shows, computed in one pass over each table of a batch output. Event numbers
 * (revenue, orders, users, the series over time, the funnel, top items and categories) come from
 * {@code clean_events}, the one table that is exact over the whole input whatever windows the run used;
 * counts of what was read, rejected and filtered come from {@code _SUMMARY.json}; examples of rejected
 * records from {@code dead_letters}; per-item conversion from {@code item_features} and marked windows
 * from {@code anomalies} when the output has them.
 */
final class ReportData {
  /** Behaviors in the order the report lists them (the schema's order). */
  static final List<String> BEHAVIORS = List.of("VIEW", "CART", "FAV", "BUY", "CANCEL");
  static final int DEAD_LETTER_EXAMPLES = 20;

  // _SUMMARY.json
  boolean hasSummary;
  long read;
  long valid;
  long deadLettered;
  long filtered;
  boolean invariantHolds;
  final Map<String, Long> deadByReason = new TreeMap<>();
  final Map<String, Long> filteredByRule = new TreeMap<>();
  final Map<String, String> runSettings = new TreeMap<>();
  final Map<String, Long> tableRows = new TreeMap<>();

  // clean_events
  boolean hasEvents;
  long events;
  final Map<String, Long> eventsByBehavior = new LinkedHashMap<>();
  BigDecimal revenue = BigDecimal.ZERO; // BUY lines: quantity x unit price
  BigDecimal refunds = BigDecimal.ZERO; // CANCEL lines, as a positive amount
  long orders;
  long distinctUsers;
  final Set<String> currencies = new java.util.TreeSet<>();
  Instant firstEvent;
  Instant lastEvent;
  TimeSeries series;
  Funnel funnel;
  List<Ranked> topItems = List.of();
  List<Ranked> topCategories = List.of();
  long distinctItems;
  long distinctCategories;

  // optional tables
  boolean hasItemFeatures;
  final Map<String, Double> viewToBuyRateByItem = new HashMap<>();
  boolean hasAnomalies;
  final List<AnomalyRow> anomalies = new ArrayList<>();
  boolean hasDeadLetters;
  long deadLetterRows;
  final List<DeadLetterRow> deadLetterExamples = new ArrayList<>();

  final List<String> presentTables = new ArrayList<>();

  /** Events and revenue per time bucket, per behavior; buckets are contiguous (empty ones hold 0). */
  static final class TimeSeries {
    final Instant start;
    final Duration bucket;
    final int size;
    final Map<String, long[]> eventsByBehavior = new LinkedHashMap<>();
    final BigDecimal[] revenue;
    final BigDecimal[] refunds;

    TimeSeries(Instant start, Duration bucket, int size) {
      this.start = start;
      this.bucket = bucket;
      this.size = size;
      this.revenue = new BigDecimal[size];
      this.refunds = new BigDecimal[size];
      java.util.Arrays.fill(revenue, BigDecimal.ZERO);
      java.util.Arrays.fill(refunds, BigDecimal.ZERO);
    }

    Instant bucketStart(int i) {
      return start.plus(bucket.multipliedBy(i));
    }

    /** The bucket holding {@code t}, or -1 outside the series. */
    int indexOf(Instant t) {
      long i = Math.floorDiv(Duration.between(start, t).toMillis(), bucket.toMillis());
      return i < 0 || i >= size ? -1 : (int) i;
    }
  }

  /** Known users over the whole input: who did each step, and who did both of two steps. */
  static final class Funnel {
    long users;
    long viewers;
    long carters;
    long buyers;
    long viewedAndCarted;
    long cartedAndBought;
    long viewedAndBought;
  }

  /** An item or category with its totals. */
  static final class Ranked {
    final String id;
    final Map<String, Long> eventsByBehavior = new LinkedHashMap<>();
    long quantityBought;
    BigDecimal revenue = BigDecimal.ZERO;
    long events;

    Ranked(String id) {
      this.id = id;
    }

    long count(String behavior) {
      return eventsByBehavior.getOrDefault(behavior, 0L);
    }
  }

  static final class AnomalyRow {
    String metric;
    String dimension;
    Instant windowStart;
    Instant windowEnd;
    double observed;
    double expected;
    double score;
    String direction;
    long volume;
    String baseline;
    long historyWindows;
  }

  static final class DeadLetterRow {
    String reason;
    String stage;
    String sourceLocation;
    String errorDetail;
    String rawPayload;
  }

  /** Reads everything the report needs from {@code tables}. */
  static ReportData load(OutputTables tables, int topN) throws IOException {
    ReportData d = new ReportData();
    d.presentTables.addAll(tables.presentTables());
    Optional<JsonNode> summary = tables.summary();
    if (summary.isPresent()) {
      d.readSummary(summary.get());
    }
    if (tables.has(Tables.CLEAN_EVENTS)) {
      d.readEvents(tables, topN);
    }
    if (tables.has(Tables.ITEM_FEATURES)) {
      d.hasItemFeatures = true;
      tables.forEachRow(Tables.ITEM_FEATURES, r -> {
        Double rate = r.dbl("view_to_buy_rate");
        if (rate != null) {
          d.viewToBuyRateByItem.put(r.str("item_id"), rate);
        }
      });
    }
    if (tables.has(OutputTables.ANOMALIES)) {
      d.hasAnomalies = true;
      tables.forEachRow(OutputTables.ANOMALIES, r -> {
        AnomalyRow a = new AnomalyRow();
        a.metric = r.str("metric");
        a.dimension = r.str("dimension");
        a.windowStart = r.time("window_start");
        a.windowEnd = r.time("window_end");
        a.observed = orZero(r.dbl("observed"));
        a.expected = orZero(r.dbl("expected"));
        a.score = orZero(r.dbl("score"));
        a.direction = r.str("direction");
        a.volume = r.lng("volume");
        a.baseline = r.str("baseline");
        a.historyWindows = r.lng("history_windows");
        d.anomalies.add(a);
      });
      d.anomalies.sort(Comparator.comparing((AnomalyRow a) -> -Math.abs(a.score))
          .thenComparing(a -> a.windowStart).thenComparing(a -> a.metric));
    }
    if (tables.has(Tables.DEAD_LETTERS)) {
      d.hasDeadLetters = true;
      Map<String, Long> byReason = new TreeMap<>();
      tables.forEachRow(Tables.DEAD_LETTERS, r -> {
        d.deadLetterRows++;
        byReason.merge(String.valueOf(r.str("reason")), 1L, Long::sum);
        if (d.deadLetterExamples.size() < DEAD_LETTER_EXAMPLES) {
          DeadLetterRow dl = new DeadLetterRow();
          dl.reason = r.str("reason");
          dl.stage = r.str("stage");
          dl.sourceLocation = r.str("source_location");
          dl.errorDetail = r.str("error_detail");
          dl.rawPayload = r.str("raw_payload");
          d.deadLetterExamples.add(dl);
        }
      });
      if (!d.hasSummary) {
        // Without a summary the dead letters themselves are the only account of what was rejected.
        d.deadByReason.putAll(byReason);
        d.deadLettered = d.deadLetterRows;
      }
    }
    return d;
  }

  private static double orZero(Double v) {
    return v == null ? 0.0 : v;
  }

  private void readSummary(JsonNode s) {
    hasSummary = true;
    read = s.path("read").asLong();
    valid = s.path("valid").asLong();
    deadLettered = s.path("deadLettered").path("total").asLong();
    filtered = s.path("filtered").path("total").asLong();
    invariantHolds = s.path("invariantHolds").asBoolean(false);
    s.path("deadLettered").path("byReason").fields().forEachRemaining(e -> deadByReason.put(e.getKey(), e.getValue().asLong()));
    s.path("filtered").path("byRule").fields().forEachRemaining(e -> filteredByRule.put(e.getKey(), e.getValue().asLong()));
    s.path("tables").fields().forEachRemaining(e -> tableRows.put(e.getKey(), e.getValue().asLong()));
    s.fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode() && !List.of("invariant", "invariantHolds", "read", "valid").contains(e.getKey())) {
        runSettings.put(e.getKey(), e.getValue().asText());
      }
    });
  }

  /**
   * Two passes over clean_events: the first finds the time span (to choose the bucket size), the second
   * counts. Per-user behavior sets (for the funnel) and per-order ids are the only per-key state.
   */
  private void readEvents(OutputTables tables, int topN) throws IOException {
    hasEvents = true;
    Instant[] span = new Instant[2];
    tables.forEachRow(Tables.CLEAN_EVENTS, r -> {
      Instant t = r.time("event_time");
      if (span[0] == null || t.isBefore(span[0])) {
        span[0] = t;
      }
      if (span[1] == null || t.isAfter(span[1])) {
        span[1] = t;
      }
    });
    firstEvent = span[0];
    lastEvent = span[1];
    if (firstEvent == null) {
      return; // an empty clean_events: nothing to count
    }
    {
      Duration bucket = bucketFor(firstEvent, lastEvent);
      Instant start = alignDown(firstEvent, bucket);
      int size = (int) (Duration.between(start, lastEvent).toMillis() / bucket.toMillis()) + 1;
      series = new TimeSeries(start, bucket, size);
      for (String b : BEHAVIORS) {
        series.eventsByBehavior.put(b, new long[size]);
      }
    }
    Map<String, Integer> userSteps = new HashMap<>(); // bit 1 view, 2 cart, 4 buy
    Set<String> orderIds = new HashSet<>();
    Map<String, Ranked> items = new HashMap<>();
    Map<String, Ranked> categories = new HashMap<>();
    tables.forEachRow(Tables.CLEAN_EVENTS, r -> {
      events++;
      String behavior = r.str("behavior");
      eventsByBehavior.merge(behavior, 1L, Long::sum);
      long quantity = r.lng("quantity");
      BigDecimal price = r.dec("unit_price");
      BigDecimal amount = price == null ? BigDecimal.ZERO : price.multiply(BigDecimal.valueOf(Math.abs(quantity)));
      int i = series.indexOf(r.time("event_time"));
      long[] counts = series.eventsByBehavior.get(behavior);
      if (counts != null) {
        counts[i]++;
      }
      if (r.str("currency") != null) {
        currencies.add(r.str("currency"));
      }
      if ("BUY".equals(behavior)) {
        revenue = revenue.add(amount);
        series.revenue[i] = series.revenue[i].add(amount);
        // An order is a checkout: the session (an invoice in Online Retail) when the layout has one,
        // else each purchase event on its own.
        String session = r.str("session_id");
        orderIds.add(session != null ? "s:" + session : "e:" + r.str("event_id"));
      } else if ("CANCEL".equals(behavior)) {
        refunds = refunds.add(amount);
        series.refunds[i] = series.refunds[i].add(amount);
      }
      String user = r.str("user_id");
      if (user != null) {
        int step = "VIEW".equals(behavior) ? 1 : "CART".equals(behavior) ? 2 : "BUY".equals(behavior) ? 4 : 0;
        userSteps.merge(user, step, (a, b) -> a | b);
      }
      count(items.computeIfAbsent(r.str("item_id"), Ranked::new), behavior, quantity, amount);
      String category = r.str("category_id");
      if (category != null) {
        count(categories.computeIfAbsent(category, Ranked::new), behavior, quantity, amount);
      }
    });
    orders = orderIds.size();
    distinctUsers = userSteps.size();
    funnel = new Funnel();
    funnel.users = userSteps.size();
    for (int steps : userSteps.values()) {
      boolean v = (steps & 1) != 0;
      boolean c = (steps & 2) != 0;
      boolean b = (steps & 4) != 0;
      funnel.viewers += v ? 1 : 0;
      funnel.carters += c ? 1 : 0;
      funnel.buyers += b ? 1 : 0;
      funnel.viewedAndCarted += v && c ? 1 : 0;
      funnel.cartedAndBought += c && b ? 1 : 0;
      funnel.viewedAndBought += v && b ? 1 : 0;
    }
    distinctItems = items.size();
    distinctCategories = categories.size();
    topItems = top(items, topN);
    topCategories = top(categories, topN);
  }

  private static void count(Ranked r, String behavior, long quantity, BigDecimal amount) {
    r.events++;
    r.eventsByBehavior.merge(behavior, 1L, Long::sum);
    if ("BUY".equals(behavior)) {
      r.quantityBought += quantity;
      r.revenue = r.revenue.add(amount);
    } else if ("CANCEL".equals(behavior)) {
      r.revenue = r.revenue.subtract(amount);
    }
  }

  /** The measure items and categories are ranked by: revenue when the input has prices, else purchases, else events. */
  String rankMeasure() {
    if (revenue.signum() > 0) {
      return "revenue";
    }
    return eventsByBehavior.getOrDefault("BUY", 0L) > 0 ? "purchases" : "events";
  }

  private List<Ranked> top(Map<String, Ranked> all, int n) {
    Comparator<Ranked> byRevenue = Comparator.comparing((Ranked r) -> r.revenue).reversed();
    Comparator<Ranked> byBuys = Comparator.comparingLong((Ranked r) -> r.count("BUY")).reversed();
    Comparator<Ranked> byEvents = Comparator.comparingLong((Ranked r) -> r.events).reversed();
    Comparator<Ranked> order = revenue.signum() > 0 ? byRevenue.thenComparing(byBuys).thenComparing(byEvents)
        : byBuys.thenComparing(byEvents);
    List<Ranked> sorted = new ArrayList<>(all.values());
    sorted.sort(order.thenComparing(r -> r.id));
    return sorted.subList(0, Math.min(n, sorted.size()));
  }

  /** Hours up to eight days, days up to about six months, weeks beyond: at most ~200 points per series. */
  static Duration bucketFor(Instant first, Instant last) {
    Duration span = Duration.between(first, last);
    if (span.compareTo(Duration.ofDays(8)) <= 0) {
      return Duration.ofHours(1);
    }
    if (span.compareTo(Duration.ofDays(200)) <= 0) {
      return Duration.ofDays(1);
    }
    return Duration.ofDays(7);
  }

  /** UTC hours and days; weeks start on Monday. */
  static Instant alignDown(Instant t, Duration bucket) {
    long ms = t.toEpochMilli();
    long size = bucket.toMillis();
    long monday = Duration.ofDays(4).toMillis(); // 1970-01-01 was a Thursday; 1970-01-05 a Monday
    long offset = bucket.equals(Duration.ofDays(7)) ? monday : 0;
    return Instant.ofEpochMilli(Math.floorDiv(ms - offset, size) * size + offset);
  }

  String currencyLabel() {
    return currencies.size() == 1 ? currencies.iterator().next() : currencies.isEmpty() ? "" : "mixed currencies";
  }
}
