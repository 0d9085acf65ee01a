package dev.shopbeam.runners.report;

import static dev.shopbeam.runners.report.Html.count;
import static dev.shopbeam.runners.report.Html.esc;
import static dev.shopbeam.runners.report.Html.money;

import dev.shopbeam.pipelines.Tables;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@link ReportData} as one self-contained HTML page: inline CSS and SVG only, no scripts,
 * fonts, images or links to anything outside the file. Every data value is escaped ({@link Html#esc}).
 */
final class ReportPage {
  private static final Map<String, String> BEHAVIOR_COLORS = Map.of(
      "VIEW", "#4e79a7", "CART", "#f28e2b", "FAV", "#59a14f", "BUY", "#e15759", "CANCEL", "#9c755f");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MONTH_DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final ReportData d;
  private final String inputLabel;
  private final StringBuilder b = new StringBuilder(64 * 1024);

  private ReportPage(ReportData d, String inputLabel) {
    this.d = d;
    this.inputLabel = inputLabel;
  }

  static String render(ReportData d, String inputLabel) {
    return new ReportPage(d, inputLabel).page();
  }

  private String page() {
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>ShopBeam report: ").append(esc(inputLabel)).append("</title>\n<style>\n").append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
    b.append("<h1>ShopBeam report</h1>\n<p class=\"sub\">Batch output <code>").append(esc(inputLabel)).append("</code>");
    if (d.firstEvent != null) {
      b.append(", events from ").append(esc(MINUTE.format(d.firstEvent))).append(" to ")
          .append(esc(MINUTE.format(d.lastEvent))).append(" UTC");
    }
    b.append(".</p>\n");
    headline();
    overTime();
    funnel();
    topTables();
    anomalies();
    dataQuality();
    about();
    b.append("</main>\n</body>\n</html>\n");
    return b.toString();
  }

  // ---- sections

  private void headline() {
    b.append("<section id=\"headline\"><h2>Headline</h2>\n<div class=\"cards\" data-group=\"records\">\n");
    card("read", d.hasSummary ? count(d.read) : "n/a", "events read");
    card("valid", d.hasSummary ? count(d.valid) : "n/a", "valid");
    card("dead-lettered", d.hasSummary || d.hasDeadLetters ? count(d.deadLettered) : "n/a", "dead-lettered");
    card("filtered", d.hasSummary ? count(d.filtered) : "n/a", "filtered");
    b.append("</div>\n<div class=\"cards\" data-group=\"shop\">\n");
    if (d.hasEvents) {
      card("revenue", money(d.revenue), "revenue" + (d.currencies.isEmpty() ? " (the input has no prices)"
          : " (" + d.currencyLabel() + ")"));
      card("orders", count(d.orders), "orders");
      card("users", count(d.distinctUsers), "distinct users");
    } else {
      card("revenue", "n/a", "revenue");
      card("orders", "n/a", "orders");
      card("users", "n/a", "distinct users");
    }
    b.append("</div>\n");
    if (!d.hasSummary) {
      note("This output has no _SUMMARY.json: read, valid and filtered are unknown; dead-lettered counts the dead_letters table.");
    }
    if (d.hasEvents) {
      b.append("<p class=\"explain\">Revenue is quantity \u00d7 unit price of purchases");
      if (d.refunds.signum() > 0) {
        b.append(" (cancellations refunded ").append(esc(money(d.refunds))).append(", net ")
            .append(esc(money(d.revenue.subtract(d.refunds)))).append(")");
      }
      b.append("; an order is a checkout (an invoice, or a purchase event where the layout has no sessions); ")
          .append("distinct users are known users (guests have no id). ")
          .append(esc(count(d.events))).append(" clean events, ").append(esc(count(d.distinctItems)))
          .append(" items, ").append(esc(count(d.distinctCategories))).append(" categories.</p>\n");
    } else {
      note("This output has no clean_events table, which revenue, orders, users, the series over time, the funnel "
          + "and the top lists are computed from: run batch with --tables=all (the default).");
    }
    b.append("</section>\n");
  }

  private void card(String metric, String value, String label) {
    b.append("<div class=\"card\" data-metric=\"").append(esc(metric)).append("\"><div class=\"value\">")
        .append(esc(value)).append("</div><div class=\"label\">").append(esc(label)).append("</div></div>\n");
  }

  private void overTime() {
    b.append("<section id=\"over-time\"><h2>Over time</h2>\n");
    ReportData.TimeSeries s = d.series;
    if (s == null) {
      note("No clean events, so no series over time.");
      b.append("</section>\n");
      return;
    }
    b.append("<p class=\"explain\">Per ").append(esc(bucketName(s.bucket)))
        .append(" (UTC); the first and last may be partial. Hover a point for its value")
        .append(d.hasAnomalies ? "; red rings and shaded bands are windows the anomalies table flags" : "")
        .append(".</p>\n");
    List<String> ticks = new ArrayList<>();
    List<String> full = new ArrayList<>();
    labels(s, ticks, full);

    LineChart revenue = new LineChart("revenue", "Revenue per " + bucketName(s.bucket), "revenue", ticks, full,
        v -> money(BigDecimal.valueOf(v)));
    revenue.add(new LineChart.Series("revenue", "#4e79a7", toDoubles(s.revenue), true));
    boolean refunds = d.refunds.signum() > 0;
    if (refunds) {
      revenue.add(new LineChart.Series("refunds", "#e15759", toDoubles(s.refunds), true));
    }
    LineChart events = new LineChart("events", "Events per " + bucketName(s.bucket) + " by behavior", "events",
        ticks, full, v -> count((long) v));
    List<String> shown = new ArrayList<>();
    for (String behavior : ReportData.BEHAVIORS) {
      if (d.eventsByBehavior.getOrDefault(behavior, 0L) > 0) {
        long[] c = s.eventsByBehavior.get(behavior);
        double[] v = new double[c.length];
        for (int i = 0; i < c.length; i++) {
          v[i] = c[i];
        }
        events.add(new LineChart.Series(behavior, BEHAVIOR_COLORS.get(behavior), v, false));
        shown.add(behavior);
      }
    }
    int unplaced = 0;
    for (ReportData.AnomalyRow a : d.anomalies) {
      int i = a.windowStart == null ? -1 : s.indexOf(a.windowStart);
      if (i < 0 || !"all".equals(a.dimension)) {
        unplaced++;
        continue;
      }
      String tip = anomalyTooltip(a);
      if ("revenue".equals(a.metric)) {
        revenue.mark(new LineChart.Marker(i, 0, tip));
      } else if ("orders".equals(a.metric)) {
        revenue.mark(new LineChart.Marker(i, -1, tip));
      } else if (a.metric != null && a.metric.startsWith("events_")
          && shown.contains(a.metric.substring(7).toUpperCase(Locale.ROOT))) {
        events.mark(new LineChart.Marker(i, shown.indexOf(a.metric.substring(7).toUpperCase(Locale.ROOT)), tip));
      } else {
        events.mark(new LineChart.Marker(i, -1, tip));
      }
    }
    b.append("<h3>Revenue").append(d.currencyLabel().isEmpty() ? "" : " (" + esc(d.currencyLabel()) + ")")
        .append(refunds ? " and refunds" : "").append("</h3>\n");
    if (d.revenue.signum() == 0 && !refunds) {
      note("This input has no priced purchases: no revenue to chart.");
    } else {
      b.append("<div class=\"chart-box\">").append(revenue.svg()).append("</div>\n");
    }
    b.append("<h3>Events by behavior</h3>\n<div class=\"chart-box\">").append(events.svg()).append("</div>\n");
    if (d.hasAnomalies && unplaced > 0) {
      b.append("<p class=\"explain\">").append(unplaced)
          .append(" flagged windows concern one category or fall outside the events' span: they are in the anomalies table below, not on the charts.</p>\n");
    }
    b.append("</section>\n");
  }

  private void funnel() {
    b.append("<section id=\"funnel\"><h2>Conversion funnel</h2>\n");
    ReportData.Funnel f = d.funnel;
    if (f == null) {
      note("No clean events, so no funnel.");
      b.append("</section>\n");
      return;
    }
    b.append("<p class=\"explain\">Known users over the whole input who did each step (at any time).</p>\n");
    BarChart chart = new BarChart("funnel", "Conversion funnel", "#4e79a7");
    chart.add(bar("users", f.users, "all known users"));
    chart.add(bar("viewed", f.viewers, share(f.viewers, f.users) + " of users"));
    chart.add(bar("added to cart", f.carters, share(f.carters, f.users) + " of users"));
    chart.add(bar("bought", f.buyers, share(f.buyers, f.users) + " of users"));
    b.append("<div class=\"chart-box\">").append(chart.svg()).append("</div>\n");
    b.append("<table class=\"rates\"><thead><tr><th>step</th><th class=\"num\">users who did both</th><th class=\"num\">rate</th></tr></thead><tbody>\n");
    rate("view \u2192 cart", f.viewedAndCarted, f.viewers);
    rate("cart \u2192 buy", f.cartedAndBought, f.carters);
    rate("view \u2192 buy", f.viewedAndBought, f.viewers);
    b.append("</tbody></table>\n");
    if (f.viewers == 0 && f.carters == 0) {
      note("This input has no views or carts (Online Retail records purchases only), so the funnel has its last step only.");
    }
    b.append("</section>\n");
  }

  private BarChart.Bar bar(String label, long v, String detail) {
    return new BarChart.Bar(label, v, count(v), label + ": " + count(v) + " (" + detail + ")");
  }

  private void rate(String step, long both, long from) {
    b.append("<tr><td>").append(esc(step)).append("</td><td class=\"num\">").append(esc(count(both)))
        .append("</td><td class=\"num\">").append(from == 0 ? "n/a" : esc(Html.percent((double) both / from)))
        .append("</td></tr>\n");
  }

  private static String share(long part, long whole) {
    return whole == 0 ? "n/a" : Html.percent((double) part / whole);
  }

  private void topTables() {
    b.append("<section id=\"top-items\"><h2>Top items</h2>\n");
    if (!d.hasEvents) {
      note("No clean events, so no top items.");
    } else {
      String measure = d.rankMeasure();
      b.append("<p class=\"explain\">The ").append(d.topItems.size()).append(" items with the most ").append(esc(measure))
          .append(" (net of cancellations).</p>\n");
      ranked("top-items", "item", d.topItems, measure, true);
      if (!d.hasItemFeatures) {
        note("This output has no item_features table: per-item view \u2192 buy conversion is not shown.");
      }
    }
    b.append("</section>\n<section id=\"top-categories\"><h2>Top categories</h2>\n");
    if (!d.hasEvents) {
      note("No clean events, so no top categories.");
    } else if (d.topCategories.isEmpty()) {
      note("This input has no categories (Online Retail's layout has none).");
    } else {
      b.append("<p class=\"explain\">The ").append(d.topCategories.size()).append(" categories with the most ")
          .append(esc(d.rankMeasure())).append(".</p>\n");
      ranked("top-categories", "category", d.topCategories, d.rankMeasure(), false);
    }
    b.append("</section>\n");
  }

  private void ranked(String id, String what, List<ReportData.Ranked> rows, String measure, boolean items) {
    BarChart chart = new BarChart(id, "Top " + what + "s by " + measure, items ? "#59a14f" : "#76b7b2");
    for (ReportData.Ranked r : rows) {
      double v = measure.equals("revenue") ? r.revenue.doubleValue()
          : measure.equals("purchases") ? r.count("BUY") : r.events;
      String text = measure.equals("revenue") ? money(r.revenue) : count((long) v);
      chart.add(new BarChart.Bar(r.id, Math.max(v, 0), text, what + " " + r.id + ": " + text + " " + measure));
    }
    b.append("<div class=\"chart-box\">").append(chart.svg()).append("</div>\n");
    List<String> behaviors = new ArrayList<>();
    for (String behavior : ReportData.BEHAVIORS) {
      if (d.eventsByBehavior.getOrDefault(behavior, 0L) > 0) {
        behaviors.add(behavior);
      }
    }
    boolean rates = items && rows.stream().anyMatch(r -> d.viewToBuyRateByItem.containsKey(r.id));
    boolean money = d.revenue.signum() != 0 || d.refunds.signum() != 0;
    b.append("<table class=\"top\" data-table=\"").append(esc(id)).append("\"><thead><tr><th class=\"num\">#</th><th>")
        .append(esc(what)).append("</th>");
    for (String behavior : behaviors) {
      b.append("<th class=\"num\">").append(esc(behavior.toLowerCase(Locale.ROOT))).append("</th>");
    }
    b.append("<th class=\"num\">quantity bought</th>").append(money ? "<th class=\"num\">revenue</th>" : "")
        .append(rates ? "<th class=\"num\">view \u2192 buy</th>" : "")
        .append("</tr></thead><tbody>\n");
    int rank = 1;
    for (ReportData.Ranked r : rows) {
      b.append("<tr><td class=\"num\">").append(rank++).append("</td><td class=\"id\">").append(esc(r.id)).append("</td>");
      for (String behavior : behaviors) {
        b.append("<td class=\"num\">").append(esc(count(r.count(behavior)))).append("</td>");
      }
      b.append("<td class=\"num\">").append(esc(count(r.quantityBought))).append("</td>");
      if (money) {
        b.append("<td class=\"num\">").append(esc(money(r.revenue))).append("</td>");
      }
      if (rates) {
        Double rate = d.viewToBuyRateByItem.get(r.id);
        b.append("<td class=\"num\">").append(rate == null ? "n/a" : esc(Html.percent(rate))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  private void anomalies() {
    b.append("<section id=\"anomalies\"><h2>Anomalies</h2>\n");
    if (!d.hasAnomalies) {
      note("This output has no anomalies table: no windows are flagged.");
    } else if (d.anomalies.isEmpty()) {
      note("The anomalies table is empty: no window was far from its series' recent history.");
    } else {
      b.append("<p class=\"explain\">").append(d.anomalies.size())
          .append(" flagged windows, largest deviation first (score: robust deviation from the baseline in standard deviations).</p>\n");
      b.append("<table class=\"anomalies\"><thead><tr><th>metric</th><th>series</th><th>window (UTC)</th><th class=\"num\">observed</th>"
          + "<th class=\"num\">expected</th><th class=\"num\">score</th><th>direction</th><th class=\"num\">events</th><th>baseline</th></tr></thead><tbody>\n");
      for (ReportData.AnomalyRow a : d.anomalies) {
        b.append("<tr><td>").append(esc(a.metric)).append("</td><td>").append(esc(a.dimension)).append("</td><td>")
            .append(esc(window(a))).append("</td><td class=\"num\">").append(esc(decimal(a.observed)))
            .append("</td><td class=\"num\">").append(esc(decimal(a.expected))).append("</td><td class=\"num\">")
            .append(esc(String.format(Locale.ROOT, "%+.1f", a.score))).append("</td><td>").append(esc(a.direction))
            .append("</td><td class=\"num\">").append(esc(count(a.volume))).append("</td><td>")
            .append(esc(a.baseline)).append(" (").append(a.historyWindows).append(" windows)</td></tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    b.append("</section>\n");
  }

  private void dataQuality() {
    b.append("<section id=\"data-quality\"><h2>Data quality</h2>\n");
    if (d.hasSummary) {
      b.append("<p class=\"explain\">Every record read leaves as a valid event, a dead letter or a filtered record: ")
          .append(esc(count(d.read))).append(" read = ").append(esc(count(d.valid))).append(" valid + ")
          .append(esc(count(d.deadLettered))).append(" dead-lettered + ").append(esc(count(d.filtered)))
          .append(" filtered \u2014 ")
          .append(d.invariantHolds ? "<span class=\"ok\">holds</span>" : "<span class=\"bad\">DOES NOT HOLD</span>")
          .append(".</p>\n");
      BarChart outcome = new BarChart("outcomes", "Records by outcome", "#4e79a7");
      outcome.add(bar("valid", d.valid, share(d.valid, d.read) + " of read"));
      outcome.add(bar("dead-lettered", d.deadLettered, share(d.deadLettered, d.read) + " of read"));
      outcome.add(bar("filtered", d.filtered, share(d.filtered, d.read) + " of read"));
      b.append("<div class=\"chart-box\">").append(outcome.svg()).append("</div>\n");
    }
    b.append("<h3>Dead-lettered by reason</h3>\n");
    countsChart("dead-letter-reasons", "Dead letters by reason", "#e15759", d.deadByReason,
        "No record was dead-lettered.");
    b.append("<h3>Filtered by rule</h3>\n");
    if (d.hasSummary) {
      countsChart("filter-rules", "Filtered records by rule", "#f28e2b", d.filteredByRule, "No record was filtered.");
    } else {
      note("Without _SUMMARY.json the filtered records are not known.");
    }
    b.append("<h3>Examples of dead letters</h3>\n");
    if (!d.hasDeadLetters) {
      note("This output has no dead_letters table.");
    } else if (d.deadLetterExamples.isEmpty()) {
      note("The dead_letters table is empty.");
    } else {
      if (d.hasSummary && d.deadLetterRows != d.deadLettered) {
        note("The dead_letters table holds " + count(d.deadLetterRows) + " rows, the summary counts "
            + count(d.deadLettered) + ".");
      }
      b.append("<p class=\"explain\">The first ").append(d.deadLetterExamples.size()).append(" of ")
          .append(esc(count(d.deadLetterRows))).append(", as read (raw records cut at 160 characters).</p>\n");
      b.append("<table class=\"dead-letters\"><thead><tr><th>reason</th><th>stage</th><th>where</th><th>detail</th>"
          + "<th>raw record</th></tr></thead><tbody>\n");
      for (ReportData.DeadLetterRow r : d.deadLetterExamples) {
        b.append("<tr><td>").append(esc(r.reason)).append("</td><td>").append(esc(r.stage)).append("</td><td class=\"id\">")
            .append(esc(r.sourceLocation)).append("</td><td>").append(esc(Html.cut(r.errorDetail, 160)))
            .append("</td><td class=\"raw\"><code>").append(esc(Html.cut(r.rawPayload, 160))).append("</code></td></tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    b.append("</section>\n");
  }

  private void countsChart(String id, String title, String color, Map<String, Long> counts, String none) {
    if (counts.isEmpty() || counts.values().stream().allMatch(v -> v == 0)) {
      note(none);
      return;
    }
    BarChart chart = new BarChart(id, title, color);
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> chart.add(bar(e.getKey(), e.getValue(), share(e.getValue(), total))));
    b.append("<div class=\"chart-box\">").append(chart.svg()).append("</div>\n");
  }

  private void about() {
    b.append("<section id=\"about\"><h2>About this output</h2>\n<table class=\"about\"><tbody>\n");
    b.append("<tr><th>tables</th><td>");
    List<String> tables = new ArrayList<>();
    for (String t : d.presentTables) {
      Long rows = d.tableRows.get(t);
      tables.add(t + (rows == null ? "" : " (" + count(rows) + " rows)"));
    }
    b.append(esc(tables.isEmpty() ? "none" : String.join(", ", tables))).append("</td></tr>\n");
    for (Map.Entry<String, String> e : d.runSettings.entrySet()) {
      b.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>\n");
    }
    b.append("</tbody></table>\n");
    List<String> missing = new ArrayList<>();
    for (String t : List.of(Tables.ITEM_FEATURES, Tables.USER_FEATURES, OutputTables.ANOMALIES)) {
      if (!d.presentTables.contains(t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      note("Optional tables not in this output: " + String.join(", ", missing) + ".");
    }
    b.append("</section>\n");
  }

  // ---- helpers

  private void note(String text) {
    b.append("<p class=\"note\">").append(esc(text)).append("</p>\n");
  }

  private static double[] toDoubles(BigDecimal[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i].doubleValue();
    }
    return out;
  }

  private static String bucketName(Duration bucket) {
    return bucket.equals(Duration.ofHours(1)) ? "hour" : bucket.equals(Duration.ofDays(1)) ? "day" : "week";
  }

  /**
   * Full labels for tooltips, and x-axis labels on round times only: every 1, 2, 3, 6, 12 or 24 hours,
   * 1, 2, 7 (Mondays), 14 or 28 days, or 1, 2, 4, 13 or 26 weeks, the finest that fits the axis; the
   * date (or year) on a second line where it changes.
   */
  private static void labels(ReportData.TimeSeries s, List<String> ticks, List<String> full) {
    boolean hourly = s.bucket.equals(Duration.ofHours(1));
    boolean daily = s.bucket.equals(Duration.ofDays(1));
    long[] steps = hourly ? new long[] {1, 2, 3, 6, 12, 24, 48, 96, 168}
        : daily ? new long[] {1, 2, 7, 14, 28, 56, 112} : new long[] {1, 2, 4, 13, 26, 52, 104};
    long step = steps[steps.length - 1];
    for (long candidate : steps) {
      if ((s.size + candidate - 1) / candidate <= LineChart.MAX_TICK_LABELS) {
        step = candidate;
        break;
      }
    }
    String lastSecondLine = null;
    for (int i = 0; i < s.size; i++) {
      Instant t = s.bucketStart(i);
      ZonedDateTime z = t.atZone(ZoneOffset.UTC);
      // buckets since the epoch's first hour or first Monday (1970-01-05), so labels fall on round times
      long epochDay = Math.floorDiv(t.getEpochSecond(), 86400);
      long ordinal = hourly ? Math.floorDiv(t.getEpochSecond(), 3600) : daily ? epochDay - 4 : Math.floorDiv(epochDay - 4, 7);
      boolean labelled = Math.floorMod(ordinal, step) == 0;
      if (hourly) {
        full.add(DAY.format(t) + " " + HOUR.format(t) + "\u2013" + HOUR.format(t.plus(s.bucket)) + " UTC");
      } else {
        full.add(daily ? DAY.format(t) : "week of " + DAY.format(t));
      }
      if (!labelled) {
        ticks.add("");
        continue;
      }
      // hourly labels a day or more apart show the date itself, as daily ones do
      boolean clock = hourly && step < 24;
      String first = clock ? HOUR.format(t) : MONTH_DAY.format(t);
      String second = clock ? MONTH_DAY.format(t) : String.valueOf(z.getYear());
      ticks.add(first + (second.equals(lastSecondLine) ? "" : "\n" + second));
      lastSecondLine = second;
    }
  }

  private static String window(ReportData.AnomalyRow a) {
    if (a.windowStart == null) {
      return "";
    }
    return MINUTE.format(a.windowStart) + (a.windowEnd == null ? "" : " \u2013 " + MINUTE.format(a.windowEnd));
  }

  private static String anomalyTooltip(ReportData.AnomalyRow a) {
    return "Anomaly: " + a.metric + " (" + a.dimension + "), " + window(a) + " UTC: observed " + decimal(a.observed)
        + ", expected " + decimal(a.expected) + ", score " + String.format(Locale.ROOT, "%+.1f", a.score)
        + " (" + a.direction + ", baseline " + a.baseline + ")";
  }

  private static String decimal(double v) {
    return Math.rint(v) == v && Math.abs(v) < 1e15 ? count((long) v) : String.format(Locale.ROOT, "%,.3f", v);
  }

  private static final String CSS = String.join("\n",
      "body{margin:0;background:#f6f7f9;color:#1f2328;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Liberation Sans',Arial,sans-serif}",
      "main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}",
      "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:0 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}",
      "h3{font-size:15px;margin:16px 0 6px}",
      "section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:16px 18px;margin:16px 0}",
      ".sub{color:#57606a;margin:0 0 8px}.explain{color:#57606a;margin:4px 0 8px}",
      ".note{background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:6px 10px;margin:8px 0}",
      ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;margin-bottom:10px}",
      ".card{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;background:#fafbfc}",
      ".card .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}.card .label{color:#57606a}",
      ".chart-box{overflow-x:auto}svg.chart{display:block;max-width:100%;height:auto;font-size:12px}",
      "svg.chart text{fill:#1f2328}svg.chart .tick{fill:#57606a}svg.chart .axis-title{fill:#57606a}",
      "svg.chart .grid{stroke:#e5e8eb;stroke-width:1}svg.chart .axis{stroke:#8c959f;stroke-width:1}",
      "svg.chart .line{fill:none;stroke-width:2}svg.chart .area{fill-opacity:.18;stroke:none}",
      "svg.chart .point:hover{r:5}svg.chart .bar:hover rect{opacity:.8}",
      "svg.chart .anomaly{fill:none;stroke:#d1242f;stroke-width:2.5}svg.chart .anomaly-band{fill:#d1242f;fill-opacity:.10}",
      "table{border-collapse:collapse;width:100%;margin:8px 0;font-variant-numeric:tabular-nums}",
      "th,td{border-bottom:1px solid #e5e8eb;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}th.num{text-align:right}",
      "td.num{text-align:right}td.id{word-break:break-all}td.raw code{white-space:pre-wrap;word-break:break-all}",
      "code{font-family:ui-monospace,'DejaVu Sans Mono','Liberation Mono',monospace;font-size:12px}",
      ".ok{color:#1a7f37;font-weight:600}.bad{color:#d1242f;font-weight:600}",
      "table.about th{width:180px}",
      "");
}
