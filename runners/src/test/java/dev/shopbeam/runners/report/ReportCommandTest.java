package dev.shopbeam.runners.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.RecordJson;
import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.AnomalyDirection;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.ShopBeamAvroData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report of a small batch output built here row by row, with every number worked out by hand below:
 * headline figures, the charts' points and bars, anomaly marks, escaping of hostile text, no outside
 * references, missing optional tables, the three table formats, and usage errors.
 */
class ReportCommandTest {
  /** An item id no shop should have, but a CSV can: it must come out as text, never as markup. */
  static final String HOSTILE_ITEM = "<script>alert(\"x\")</script>&'i3";
  static final String HOSTILE_RAW = "536365,84029E,<img src=x onerror=alert(1)> & \"RED\" 'WOOLLY',six,2010-12-01";

  @TempDir Path tmp;

  // Three hours of a small shop, 10:00-12:59 UTC on 2017-11-25:
  //   u1 views, carts, buys i1 (2 x 5.000, order s1), later cancels 1 x 5.000
  //   u2 views i2 and i1
  //   u3 views and carts i2, then buys i2 (1 x 20.500) and i1 (1 x 5.000) in one order s2
  //   a guest buys the hostile item (3 x 1.250, order s3; no category)
  // revenue 10 + 20.5 + 5 + 3.75 = 39.25, refunds 5; orders s1, s2, s3 = 3; known users 3.
  static List<CommerceEvent> events() {
    List<CommerceEvent> e = new ArrayList<>();
    e.add(event("e1", "u1", null, "i1", "c1", Behavior.VIEW, 1, null, "10:05"));
    e.add(event("e2", "u1", null, "i1", "c1", Behavior.CART, 1, null, "10:10"));
    e.add(event("e3", "u1", "s1", "i1", "c1", Behavior.BUY, 2, "5.000", "10:15"));
    e.add(event("e4", "u2", null, "i2", "c2", Behavior.VIEW, 1, null, "10:20"));
    e.add(event("e5", "u2", null, "i1", "c1", Behavior.VIEW, 1, null, "11:05"));
    e.add(event("e6", "u3", null, "i2", "c2", Behavior.VIEW, 1, null, "11:10"));
    e.add(event("e7", "u3", null, "i2", "c2", Behavior.CART, 1, null, "11:15"));
    e.add(event("e8", "u3", "s2", "i2", "c2", Behavior.BUY, 1, "20.500", "12:01"));
    e.add(event("e9", "u3", "s2", "i1", "c1", Behavior.BUY, 1, "5.000", "12:02"));
    e.add(event("e10", null, "s3", HOSTILE_ITEM, null, Behavior.BUY, 3, "1.250", "12:30"));
    e.add(event("e11", "u1", "s4", "i1", "c1", Behavior.CANCEL, 1, "5.000", "12:40"));
    return e;
  }

  static CommerceEvent event(String id, String user, String session, String item, String category, Behavior b,
      int quantity, String price, String hhmm) {
    Instant t = Instant.parse("2017-11-25T" + hhmm + ":00Z");
    return CommerceEvent.newBuilder().setEventId(id).setUserId(user).setSessionId(session).setItemId(item)
        .setCategoryId(category).setBehavior(b).setQuantity(quantity)
        .setUnitPrice(price == null ? null : new BigDecimal(price)).setCurrency(price == null ? null : "EUR")
        .setCountry("Germany").setEventTime(t).setIngestTime(Instant.parse("2017-11-26T00:00:00Z"))
        .setSource("test").build();
  }

  static List<DeadLetter> deadLetters() {
    return List.of(
        dead(HOSTILE_RAW, "invalid_number", "Quantity 'six' is not an integer"),
        dead("536366,22633,HAND WARMER UNION JACK,6", "wrong_field_count", "expected 8 fields, found 4"));
  }

  static DeadLetter dead(String raw, String reason, String detail) {
    return DeadLetter.newBuilder().setRawPayload(raw).setRawPayloadEncoding("utf-8")
        .setSourceLocation("file:/in/retail.csv:7").setReason(reason).setErrorDetail(detail).setStage("parse")
        .setSource("online-retail").setRejectedAt(Instant.parse("2026-11-27T10:00:00Z")).build();
  }

  static List<ItemFeatures> itemFeatures() {
    return List.of(ItemFeatures.newBuilder().setWindowStart(null).setWindowEnd(null).setItemId("i2")
        .setCategoryId("c2").setViews(2).setCarts(1).setFavs(0).setBuys(1).setCancels(0)
        .setRevenue(new BigDecimal("20.500")).setViewers(2).setCarters(1).setDistinctBuyers(1)
        .setViewToCartRate(0.5).setCartToBuyRate(1.0).setViewToBuyRate(0.5).setRankInCategory(1).build());
  }

  static List<Anomaly> anomalies() {
    return List.of(
        anomaly("revenue", "all", "12:00", 29.25, 10.0, 4.5),
        anomaly("events_view", "all", "11:00", 2, 6, -3.2),
        anomaly("orders", "category=c1", "12:00", 2, 0.5, 3.9));
  }

  static Anomaly anomaly(String metric, String dimension, String hh, double observed, double expected, double score) {
    Instant start = Instant.parse("2017-11-25T" + hh + ":00Z");
    return Anomaly.newBuilder().setMetric(metric).setDimension(dimension).setWindowStart(start)
        .setWindowEnd(start.plusSeconds(3600)).setObserved(observed).setExpected(expected).setScore(score)
        .setDirection(score > 0 ? AnomalyDirection.UP : AnomalyDirection.DOWN).setVolume(4).setBaseline("recent")
        .setHistoryWindows(6).build();
  }

  static final String SUMMARY = "{\"format\":\"online-retail\",\"runner\":\"FlinkRunner\",\"read\":15,\"valid\":11,"
      + "\"deadLettered\":{\"total\":2,\"byReason\":{\"invalid_number\":1,\"wrong_field_count\":1}},"
      + "\"filtered\":{\"total\":2,\"byRule\":{\"duplicate\":2}},\"tables\":{\"clean_events\":11,\"dead_letters\":2},"
      + "\"invariant\":\"read == valid + deadLettered.total + filtered.total\",\"invariantHolds\":true}";

  /** A batch output with every table the report reads, in {@code format}. */
  Path output(String name, OutputFormat format) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(RunSummary.FILE_NAME), SUMMARY);
    write(dir, Tables.CLEAN_EVENTS, events(), format);
    write(dir, Tables.DEAD_LETTERS, deadLetters(), format);
    write(dir, Tables.ITEM_FEATURES, itemFeatures(), format);
    write(dir, OutputTables.ANOMALIES, anomalies(), format);
    return dir;
  }

  /** Writes rows as the batch pipeline lays them out: {@code <dir>/<table>/part-00000-of-00001<suffix>}. */
  static <T extends SpecificRecordBase> void write(Path dir, String table, List<T> rows, OutputFormat format)
      throws Exception {
    Path tableDir = Files.createDirectories(dir.resolve(table));
    Path file = tableDir.resolve("part-00000-of-00001" + format.suffix());
    switch (format) {
      case PARQUET:
        try (ParquetWriter<T> w = AvroParquetWriter.<T>builder(
                HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
            .withSchema(rows.get(0).getSchema()).withDataModel(ShopBeamAvroData.get()).build()) {
          for (T r : rows) {
            w.write(r);
          }
        }
        break;
      case AVRO:
        @SuppressWarnings("unchecked")
        Class<T> cls = (Class<T>) rows.get(0).getClass();
        try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(cls))) {
          w.create(rows.get(0).getSchema(), file.toFile());
          for (T r : rows) {
            w.append(r);
          }
        }
        break;
      default:
        Files.write(file, rows.stream().map(RecordJson::toJson).collect(Collectors.toList()), StandardCharsets.UTF_8);
    }
  }

  record Run(int exit, String out, String err, String html) {}

  Run report(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String html = null;
    for (String a : args) {
      if (a.startsWith("--output=") && Files.isRegularFile(Path.of(a.substring(9)))) {
        html = Files.readString(Path.of(a.substring(9)));
      }
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), html);
  }

  String reportOf(Path dir) throws Exception {
    Path html = tmp.resolve(dir.getFileName() + ".html");
    Run r = report("--input=" + dir, "--output=" + html);
    assertThat(r.err(), r.exit(), is(0));
    assertThat(r.out(), containsString(html.toString()));
    return r.html();
  }

  static String card(String html, String metric) {
    Matcher m = Pattern.compile("data-metric=\"" + metric + "\"><div class=\"value\">([^<]*)</div>").matcher(html);
    return m.find() ? m.group(1) : "(no card " + metric + ")";
  }

  /** Every inline SVG of the page, parsed as XML: a stray {@code <} or {@code &} would fail here. */
  static List<Element> svgs(String html) throws Exception {
    List<Element> out = new ArrayList<>();
    Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
    while (m.find()) {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
      out.add(doc.getDocumentElement());
    }
    return out;
  }

  static Element chart(String html, String id) throws Exception {
    return svgs(html).stream().filter(s -> s.getAttribute("data-chart").equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no chart " + id));
  }

  static List<Element> byClass(Element root, String tag, String cls) {
    List<Element> out = new ArrayList<>();
    NodeList all = root.getElementsByTagName(tag);
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (Arrays.asList(e.getAttribute("class").split(" ")).contains(cls)) {
        out.add(e);
      }
    }
    return out;
  }

  static String title(Element e) {
    return e.getElementsByTagName("title").item(0).getTextContent();
  }

  @Test
  void headlineNumbersAreTheOutputsOwn() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    assertThat(card(html, "read"), is("15"));
    assertThat(card(html, "valid"), is("11"));
    assertThat(card(html, "dead-lettered"), is("2"));
    assertThat(card(html, "filtered"), is("2"));
    assertThat(card(html, "revenue"), is("39.25"));
    assertThat(card(html, "orders"), is("3"));
    assertThat(card(html, "users"), is("3"));
    assertThat(html, containsString("cancellations refunded 5.00, net 34.25"));
    assertThat(html, containsString("<span class=\"ok\">holds</span>"));
  }

  @Test
  void timeSeriesHaveOnePointPerHourPerBehavior() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    Element events = chart(html, "events");
    List<Element> series = byClass(events, "g", "series");
    // FAV has no events and is left out
    assertThat(series.stream().map(s -> s.getAttribute("data-series")).collect(Collectors.toList()),
        equalTo(List.of("VIEW", "CART", "BUY", "CANCEL")));
    List<String> expected = List.of("2 2 0", "1 1 0", "1 0 3", "0 0 1");
    for (int i = 0; i < series.size(); i++) {
      Element s = series.get(i);
      assertThat(byClass(s, "polyline", "line").get(0).getAttribute("points").split(" ").length, is(3));
      List<Element> points = byClass(s, "circle", "point");
      assertThat(points.size(), is(3));
      String values = points.stream().map(p -> title(p).replaceAll(".*: ", "")).collect(Collectors.joining(" "));
      assertThat(s.getAttribute("data-series"), values, is(expected.get(i)));
    }
    assertThat(title(byClass(series.get(2), "circle", "point").get(2)), is("BUY, 2017-11-25 12:00\u201313:00 UTC: 3"));
    // axes: y ticks from 0, an x label per hour, a legend entry per series (and one for anomalies)
    assertThat(byClass(events, "g", "y-axis").get(0).getTextContent(), startsWith("0"));
    assertThat(byClass(byClass(events, "g", "x-axis").get(0), "text", "tick").size(), is(3));
    assertThat(byClass(events, "g", "legend-entry").size(), is(5));

    Element revenue = chart(html, "revenue");
    List<Element> revenueSeries = byClass(revenue, "g", "series");
    assertThat(revenueSeries.size(), is(2)); // revenue and refunds
    assertThat(byClass(revenueSeries.get(0), "circle", "point").stream()
        .map(p -> title(p).replaceAll(".*: ", "")).collect(Collectors.toList()), equalTo(List.of("10.00", "0.00", "29.25")));
    assertThat(byClass(revenueSeries.get(0), "polygon", "area").size(), is(1));
  }

  @Test
  void longerSpansAreContiguousWithRoundTimeLabelsThatFit() throws Exception {
    // 2017-11-25 10:05 to 2017-11-27 20:10: 59 hourly buckets, most of them empty
    List<CommerceEvent> events = List.of(
        event("e1", "u1", null, "i1", "c1", Behavior.VIEW, 1, null, "10:05"),
        CommerceEvent.newBuilder(event("e2", "u1", "s1", "i1", "c1", Behavior.BUY, 1, "2.000", "20:10"))
            .setEventTime(Instant.parse("2017-11-27T20:10:00Z")).build());
    Path dir = tmp.resolve("days");
    write(dir, Tables.CLEAN_EVENTS, events, OutputFormat.JSON);
    Element chart = chart(reportOf(dir), "events");
    for (Element s : byClass(chart, "g", "series")) {
      assertThat(byClass(s, "circle", "point").size(), is(59));
    }
    List<String> labels = byClass(byClass(chart, "g", "x-axis").get(0), "text", "tick").stream()
        .map(Element::getTextContent).collect(Collectors.toList());
    // every 6 hours fits (10 labels); each on a multiple of 6 hours, the date where it changes
    assertThat(labels, equalTo(List.of("12:00Nov 25", "18:00", "00:00Nov 26", "06:00", "12:00", "18:00",
        "00:00Nov 27", "06:00", "12:00", "18:00")));
  }

  @Test
  void anomaliesAreMarkedOnTheirSeriesAndListed() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    List<Element> onRevenue = byClass(byClass(chart(html, "revenue"), "g", "anomaly-markers").get(0), "circle", "anomaly");
    assertThat(onRevenue.size(), is(1));
    assertThat(title(onRevenue.get(0)), containsString("revenue (all), 2017-11-25 12:00"));
    // the ring sits on the 12:00 revenue point
    Element point = byClass(byClass(chart(html, "revenue"), "g", "series").get(0), "circle", "point").get(2);
    assertThat(onRevenue.get(0).getAttribute("cx"), is(point.getAttribute("cx")));
    assertThat(onRevenue.get(0).getAttribute("cy"), is(point.getAttribute("cy")));
    List<Element> onEvents = byClass(byClass(chart(html, "events"), "g", "anomaly-markers").get(0), "circle", "anomaly");
    assertThat(onEvents.size(), is(1));
    assertThat(title(onEvents.get(0)), containsString("events_view (all)"));
    // the category anomaly is in the table only; all three rows are listed, largest |score| first
    assertThat(html, containsString("1 flagged windows concern one category"));
    String table = html.substring(html.indexOf("<table class=\"anomalies\">"));
    assertThat(table.indexOf("<td>revenue</td>") < table.indexOf("<td>orders</td>"), is(true));
    assertThat(table.indexOf("<td>orders</td>") < table.indexOf("<td>events_view</td>"), is(true));
  }

  @Test
  void funnelAndTopListsHaveTheRightBars() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    List<String> funnel = byClass(chart(html, "funnel"), "g", "bar").stream().map(ReportCommandTest::title)
        .map(t -> t.replaceAll(" \\(.*", "")).collect(Collectors.toList());
    assertThat(funnel, equalTo(List.of("users: 3", "viewed: 3", "added to cart: 2", "bought: 2")));
    assertThat(html, containsString("<tr><td>view \u2192 cart</td><td class=\"num\">2</td><td class=\"num\">66.7%</td></tr>"));
    assertThat(html, containsString("<tr><td>cart \u2192 buy</td><td class=\"num\">2</td><td class=\"num\">100.0%</td></tr>"));

    List<Element> items = byClass(chart(html, "top-items"), "g", "bar");
    assertThat(items.stream().map(ReportCommandTest::title).collect(Collectors.toList()), equalTo(List.of(
        "item i2: 20.50 revenue", "item i1: 10.00 revenue", "item " + HOSTILE_ITEM + ": 3.75 revenue")));
    List<Element> categories = byClass(chart(html, "top-categories"), "g", "bar");
    assertThat(categories.stream().map(ReportCommandTest::title).collect(Collectors.toList()), equalTo(List.of(
        "category c2: 20.50 revenue", "category c1: 10.00 revenue")));
    // item_features gives i2's view -> buy rate; the others have none
    assertThat(html, containsString("<td class=\"num\">20.50</td><td class=\"num\">50.0%</td>"));
  }

  @Test
  void dataQualityShowsReasonsRulesAndEscapedExamples() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    assertThat(byClass(chart(html, "dead-letter-reasons"), "g", "bar").size(), is(2));
    assertThat(byClass(chart(html, "filter-rules"), "g", "bar").stream().map(ReportCommandTest::title)
        .collect(Collectors.toList()), equalTo(List.of("duplicate: 2 (100.0%)")));
    assertThat(html, containsString("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;RED&quot; &#39;WOOLLY&#39;"));
  }

  @Test
  void hostileTextStaysText() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    assertThat(html, not(containsString("<script")));
    assertThat(html, not(containsString("<img")));
    assertThat(html, not(containsString("\"RED\"")));
    assertThat(html, containsString("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;i3"));
    // every SVG is well-formed XML and the hostile id reads back as the original text
    assertThat(svgs(html).size(), is(8));
    assertThat(title(byClass(chart(html, "top-items"), "g", "bar").get(2)), containsString(HOSTILE_ITEM));
  }

  @Test
  void nothingIsLoadedFromOutsideThePage() throws Exception {
    String html = reportOf(output("json", OutputFormat.JSON));
    for (String outside : List.of("http://", "https://", "url(", "@import", "<link", "<script", "<iframe", "<object",
        "<embed", "<img", "<image", "<use")) {
      assertThat(outside, html, not(containsString(outside)));
    }
    // no tag has an attribute that loads or links anything (data text may say "src=", escaped, outside tags)
    Matcher loads = Pattern.compile("<[a-zA-Z][^>]*\\s(src|href|xlink:href|srcset|action)\\s*=").matcher(html);
    assertThat(loads.find() ? loads.group() : "none", is("none"));
  }

  @Test
  void parquetAvroAndJsonOutputsGiveTheSamePage() throws Exception {
    String json = reportOf(output("json", OutputFormat.JSON));
    String parquet = reportOf(output("parquet", OutputFormat.PARQUET));
    String avro = reportOf(output("avro", OutputFormat.AVRO));
    assertThat(parquet.replace(tmp.resolve("parquet").toString(), "DIR"), equalTo(json.replace(tmp.resolve("json").toString(), "DIR")));
    assertThat(avro.replace(tmp.resolve("avro").toString(), "DIR"), equalTo(json.replace(tmp.resolve("json").toString(), "DIR")));
  }

  @Test
  void missingOptionalTablesGiveNotes() throws Exception {
    Path dir = output("bare", OutputFormat.PARQUET);
    deleteTree(dir.resolve(OutputTables.ANOMALIES));
    deleteTree(dir.resolve(Tables.ITEM_FEATURES));
    String html = reportOf(dir);
    assertThat(html, containsString("This output has no anomalies table"));
    assertThat(html, containsString("This output has no item_features table"));
    assertThat(html, containsString("Optional tables not in this output: item_features, user_features, anomalies."));
    assertThat(html, not(containsString("class=\"anomaly")));
    assertThat(card(html, "revenue"), is("39.25"));
    assertThat(svgs(html).size(), is(8));
  }

  @Test
  void anOutputWithoutEventsOrSummaryStillReports() throws Exception {
    Path dir = output("thin", OutputFormat.JSON);
    deleteTree(dir.resolve(Tables.CLEAN_EVENTS));
    Files.delete(dir.resolve(RunSummary.FILE_NAME));
    String html = reportOf(dir);
    assertThat(html, containsString("This output has no clean_events table"));
    assertThat(html, containsString("This output has no _SUMMARY.json"));
    assertThat(card(html, "read"), is("n/a"));
    assertThat(card(html, "revenue"), is("n/a"));
    assertThat(card(html, "dead-lettered"), is("2")); // counted from dead_letters itself
    assertThat(byClass(chart(html, "dead-letter-reasons"), "g", "bar").size(), is(2));
  }

  @Test
  void badArgumentsAreUsageErrors() throws Exception {
    Path html = tmp.resolve("r.html");
    Run missing = report("--input=" + tmp.resolve("no-such-dir"), "--output=" + html);
    assertThat(missing.exit(), is(2));
    assertThat(missing.err().lines().findFirst().orElse(""), startsWith("error: --input='" + tmp.resolve("no-such-dir")));
    Files.createDirectories(tmp.resolve("empty"));
    Run empty = report("--input=" + tmp.resolve("empty"), "--output=" + html);
    assertThat(empty.exit(), is(2));
    assertThat(empty.err(), containsString("is not a batch output"));
    assertThat(report("--output=" + html).exit(), is(2));
    assertThat(report("--input=" + tmp).exit(), is(2));
    assertThat(report("--input=x", "--output=y", "--colour=red").err(), startsWith("error: unknown option '--colour=red'"));
    assertThat(report("--input=x", "--output=y", "--top=0").exit(), is(2));
    assertThat(Files.exists(html), is(false));
    assertThat(report("--help").exit(), is(0));
  }

  static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(f);
      }
    }
  }
}
