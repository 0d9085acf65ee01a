package dev.shopbeam.runners.db;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.LoadConfig;
import dev.shopbeam.pipelines.LoadOptions;
import dev.shopbeam.pipelines.LoadPipeline;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.db.ServingTable;
import dev.shopbeam.pipelines.db.ServingTables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code load} command against a real PostgreSQL server (ci/postgres.sh): a batch output of the JSON
 * sample (Flink) is loaded, every row of every table compared value by value with the files, loaded
 * again without any change, and a changed output replaces the changed values. The tests run in order,
 * on one database schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadCommandTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @TempDir static Path dir;
  private TestDatabase db;
  private Path output;
  private Path credentials;

  @BeforeAll
  void batchOutputAndDatabase() throws Exception {
    db = TestDatabase.require();
    credentials = db.credentialsFile(dir);
    output = dir.resolve("out");
    int exit = BatchPipeline.run(new String[] {"--input=" + TestData.path("test-data/events-sample.jsonl"),
        "--format=json", "--output=" + output, "--runner=FlinkRunner"}, System.out, System.err);
    assertThat("batch exit code", exit, is(0));
  }

  @AfterAll
  void dropSchema() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  private static final class Run {
    final int exit;
    final String out;
    final String err;

    Run(int exit, String out, String err) {
      this.exit = exit;
      this.out = out;
      this.err = err;
    }
  }

  private Run load(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadPipeline.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.print(r.out);
    System.err.print(r.err);
    return r;
  }

  private Run loadOutput(Path input, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--input=" + input, "--jdbcUrl=" + db.url(),
        "--dbCredentialsFile=" + credentials, "--runner=FlinkRunner"));
    args.addAll(List.of(more));
    return load(args.toArray(new String[0]));
  }

  // ---- the rows, normalised by their Avro schema so that file and database values compare exactly ----

  /** The rows of a table in the output files, normalised and sorted. */
  private static List<String> fileRows(Path out, ServingTable t, OutputFormat format) throws Exception {
    List<String> rows = new ArrayList<>();
    for (String row : ReadTables.rows(out, t.name(), t.rowClass(), format)) {
      rows.add(normalise(t.schema(), JSON.readTree(row)));
    }
    Collections.sort(rows);
    return rows;
  }

  /** The rows of a table in the database, normalised and sorted. */
  private List<String> dbRows(ServingTable t) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_jsonb(t)::text FROM " + t.name() + " t")) {
      while (rs.next()) {
        rows.add(normalise(t.schema(), JSON.readTree(rs.getString(1))));
      }
    }
    Collections.sort(rows);
    return rows;
  }

  /**
   * One canonical text per value: instants as epoch milliseconds (files write ISO-8601 with Z, PostgreSQL
   * with +00:00), decimals at their scale, doubles by Java's shortest exact text, records field by field.
   */
  static String normalise(Schema s, JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    switch (s.getType()) {
      case UNION:
        for (Schema branch : s.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            return normalise(branch, v);
          }
        }
        throw new IllegalArgumentException(s.toString());
      case RECORD:
        StringBuilder b = new StringBuilder("{");
        for (Schema.Field f : s.getFields()) {
          assertThat("field " + f.name() + " in " + v, v.has(f.name()), is(true));
          b.append(f.name()).append('=').append(normalise(f.schema(), v.get(f.name()))).append(';');
        }
        return b.append('}').toString();
      case ARRAY:
        List<String> items = new ArrayList<>();
        v.forEach(item -> items.add(normalise(s.getElementType(), item)));
        return items.toString();
      case LONG:
        if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
          return Long.toString(OffsetDateTime.parse(v.asText()).toInstant().toEpochMilli());
        }
        return Long.toString(v.longValue());
      case INT:
        return Integer.toString(v.intValue());
      case DOUBLE:
        return Double.toString(v.doubleValue());
      case BYTES:
        int scale = ((LogicalTypes.Decimal) s.getLogicalType()).getScale();
        return v.decimalValue().setScale(scale).toPlainString();
      default:
        return v.asText();
    }
  }

  private long count(String table) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void assertDatabaseHolds(Path out, OutputFormat format) throws Exception {
    for (ServingTable t : ServingTables.ALL.values()) {
      if (t.name().equals(Tables.ANOMALIES) && !Files.isDirectory(out.resolve(t.name()))) {
        continue;
      }
      List<String> files = fileRows(out, t, format);
      assertThat(t.name() + " row count", count(t.name()), is((long) files.size()));
      assertThat(t.name() + " rows", dbRows(t), equalTo(files));
    }
  }

  // ---- the tests ----

  @Test
  @Order(1)
  @Timeout(300)
  void loadsEveryRowOfEveryTableWithItsValues() throws Exception {
    Run r = loadOutput(output);
    assertThat(r.err, r.exit, is(0));
    // Every table of a batch output is loaded, the anomalies too (none on this one-day sample).
    assertThat(r.out, not(containsString("not in the output")));
    assertThat(r.out, containsString(Tables.ANOMALIES));
    assertDatabaseHolds(output, OutputFormat.PARQUET);
    // The sample is meant to reach every table; an empty one would prove little.
    for (ServingTable t : ServingTables.ALL.values()) {
      if (!t.name().equals(Tables.ANOMALIES)) {
        assertThat(t.name(), count(t.name()), greaterThan(0L));
      }
    }
  }

  @Test
  @Order(2)
  void typesNullsAndArraysAreSql() throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      // An instant is a timestamptz equal to the file's instant.
      String first = ReadTables.rows(output, Tables.FUNNEL, dev.shopbeam.schemas.FunnelStats.class,
          OutputFormat.PARQUET).get(0);
      Instant start = Instant.parse(JSON.readTree(first).get("window_start").asText());
      try (PreparedStatement p = c.prepareStatement(
          "SELECT pg_typeof(window_start)::text, window_end - window_start FROM funnel WHERE window_start = ?")) {
        p.setObject(1, start.atOffset(java.time.ZoneOffset.UTC));
        try (ResultSet rs = p.executeQuery()) {
          assertThat(rs.next(), is(true));
          assertThat(rs.getString(1), is("timestamp with time zone"));
          assertThat(rs.getString(2), is("01:00:00"));
        }
      }
      // Batch features cover the whole input: their window columns are SQL NULL, and one row per user.
      try (ResultSet rs = s.executeQuery("SELECT count(*), count(window_start), count(DISTINCT user_id),"
          + " sum(cardinality(last_items)), sum(cardinality(category_affinity)) FROM user_features")) {
        rs.next();
        assertThat(rs.getLong(2), is(0L));
        assertThat(rs.getLong(3), is(rs.getLong(1)));
        assertThat(rs.getLong(4), greaterThan(0L));
        assertThat(rs.getLong(5), greaterThan(0L));
      }
      // category_affinity unnests to typed rows whose shares sum to 1 per user.
      try (ResultSet rs = s.executeQuery("SELECT max(abs(total - 1)) FROM (SELECT u.user_id, sum(a.share) AS total"
          + " FROM user_features u, unnest(u.category_affinity) a GROUP BY u.user_id) x")) {
        rs.next();
        assertThat(rs.getDouble(1) < 1e-9, is(true));
      }
      // Decimals keep their scale.
      try (ResultSet rs = s.executeQuery("SELECT revenue FROM item_stats WHERE revenue <> 0 LIMIT 1")) {
        assertThat(rs.next(), is(true));
        assertThat(rs.getBigDecimal(1).scale(), is(3));
      }
    }
  }

  @Test
  @Order(3)
  void theTopRecommendationsOfAUserAreOneQuery() throws Exception {
    List<JsonNode> recs = new ArrayList<>();
    for (String row : ReadTables.rows(output, Tables.USER_RECOMMENDATIONS,
        dev.shopbeam.schemas.UserRecommendation.class, OutputFormat.PARQUET)) {
      recs.add(JSON.readTree(row));
    }
    String user = recs.get(0).get("user_id").asText();
    List<String> expected = recs.stream().filter(r -> r.get("user_id").asText().equals(user))
        .sorted(java.util.Comparator.comparingInt(r -> r.get("rank").asInt()))
        .limit(3).map(r -> r.get("item_id").asText()).collect(Collectors.toList());
    List<String> top = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
        "SELECT item_id FROM user_recommendations WHERE user_id = ? ORDER BY rank LIMIT 3")) {
      p.setString(1, user);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          top.add(rs.getString(1));
        }
      }
    }
    assertThat(top.size(), greaterThan(0));
    assertThat(top, equalTo(expected));
  }

  @Test
  @Order(4)
  @Timeout(300)
  void loadingTheSameOutputAgainChangesNothing() throws Exception {
    Map<String, List<String>> before = new java.util.TreeMap<>();
    Map<String, List<String>> versionsBefore = new java.util.TreeMap<>();
    for (ServingTable t : ServingTables.ALL.values()) {
      before.put(t.name(), dbRows(t));
      versionsBefore.put(t.name(), rowVersions(t.name()));
    }
    Run r = loadOutput(output);
    assertThat(r.err, r.exit, is(0));
    for (ServingTable t : ServingTables.ALL.values()) {
      assertThat(t.name(), dbRows(t), equalTo(before.get(t.name())));
      // Not even rewritten: an unchanged row keeps its version (xmin), so a reload makes no dead rows.
      assertThat(t.name() + " row versions", rowVersions(t.name()), equalTo(versionsBefore.get(t.name())));
    }
    assertDatabaseHolds(output, OutputFormat.PARQUET);
  }

  private List<String> rowVersions(String table) throws SQLException {
    List<String> v = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ctid::text || '/' || xmin::text FROM " + table + " ORDER BY 1")) {
      while (rs.next()) {
        v.add(rs.getString(1));
      }
    }
    return v;
  }

  @Test
  @Order(5)
  @Timeout(300)
  void aChangedOutputReplacesTheChangedValuesAndReadsJsonToo() throws Exception {
    // The same recommendations as JSON lines (what batch --outputFormat=json writes: RecordJson per row),
    // with one user's first recommendation changed, as a re-run with other data would change it.
    ServingTable recs = ServingTables.ALL.get(Tables.USER_RECOMMENDATIONS);
    List<String> rows = ReadTables.rows(output, recs.name(), recs.rowClass(), OutputFormat.PARQUET);
    ObjectNode changed = (ObjectNode) JSON.readTree(rows.get(0));
    changed.put("item_id", "i-changed").put("score", 12.375).put("reason", "rule");
    rows.set(0, JSON.writeValueAsString(changed));
    Path rerun = dir.resolve("rerun");
    Files.createDirectories(rerun.resolve(recs.name()));
    Files.write(rerun.resolve(recs.name()).resolve("part-00000-of-00001.json"), rows, StandardCharsets.UTF_8);

    long before = count(recs.name());
    Run r = loadOutput(rerun, "--tables=" + recs.name());
    assertThat(r.err, r.exit, is(0));
    assertThat(r.out, containsString("(json)"));
    assertThat(count(recs.name()), is(before));
    assertThat(dbRows(recs), equalTo(fileRows(rerun, recs, OutputFormat.JSON)));
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
        "SELECT item_id, score, reason FROM user_recommendations WHERE user_id = ? AND rank = ?")) {
      p.setString(1, changed.get("user_id").asText());
      p.setInt(2, changed.get("rank").asInt());
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next(), is(true));
        assertThat(rs.getString(1), is("i-changed"));
        assertThat(rs.getDouble(2), is(12.375));
        assertThat(rs.getString(3), is("rule"));
      }
    }
  }

  @Test
  @Order(6)
  void everyColumnIsItsAvroFieldWithItsType() throws Exception {
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
        "SELECT column_name, is_nullable, data_type, udt_name, numeric_precision, numeric_scale"
            + " FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
            + " ORDER BY ordinal_position")) {
      for (ServingTable t : ServingTables.ALL.values()) {
        p.setString(1, t.name());
        List<String> actual = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            String type = rs.getString(3).equals("ARRAY") ? rs.getString(4)
                : rs.getString(3).equals("numeric") ? "numeric(" + rs.getInt(5) + "," + rs.getInt(6) + ")"
                : rs.getString(3);
            actual.add(rs.getString(1) + " " + type + (rs.getString(2).equals("YES") ? " null" : ""));
          }
        }
        List<String> expected = t.schema().getFields().stream()
            .map(f -> f.name() + " " + sqlType(f.schema()) + (f.schema().isNullable() ? " null" : ""))
            .collect(Collectors.toList());
        assertThat(t.name(), actual, equalTo(expected));
      }
    }
  }

  /** The column type serving_tables.sql promises for an Avro type. */
  private static String sqlType(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      return sqlType(s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst().get());
    }
    if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return "timestamp with time zone";
    }
    if (s.getLogicalType() instanceof LogicalTypes.Decimal) {
      LogicalTypes.Decimal d = (LogicalTypes.Decimal) s.getLogicalType();
      return "numeric(" + d.getPrecision() + "," + d.getScale() + ")";
    }
    switch (s.getType()) {
      case LONG: return "bigint";
      case INT: return "integer";
      case DOUBLE: return "double precision";
      case STRING: case ENUM: return "text";
      case ARRAY:
        return s.getElementType().getType() == Schema.Type.STRING ? "_text" : "_category_share";
      default: throw new IllegalArgumentException("no SQL type for " + s);
    }
  }

  @Test
  @Order(7)
  void credentialsNeverShowAndUnsafeOnesAreRefused() throws Exception {
    String password = db.password();
    assertThat("the test server has a password", password == null || password.isEmpty(), is(false));

    // In the URL: refused, and not echoed.
    Run r = load("--input=" + output, "--jdbcUrl=" + db.url() + "&user=" + db.user() + "&password=" + password,
        "--dbCredentialsFile=" + credentials);
    assertThat(r.exit, is(2));
    assertThat(r.err, containsString("must not carry a user or password"));
    assertThat(r.out + r.err, not(containsString(password)));

    // As a flag: there is none, and the error does not echo the value.
    r = load("--input=" + output, "--jdbcUrl=" + db.url(), "--dbPassword=" + password);
    assertThat(r.exit, is(2));
    assertThat(r.out + r.err, not(containsString(password)));

    // A file others may read: refused.
    Path open = dir.resolve("open.properties");
    Files.copy(credentials, open);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    r = load("--input=" + output, "--jdbcUrl=" + db.url(), "--dbCredentialsFile=" + open);
    assertThat(r.exit, is(2));
    assertThat(r.err, containsString("chmod 600"));

    // A wrong password: a failure naming the URL, not the password.
    Path wrong = dir.resolve("wrong.properties");
    Files.writeString(wrong, "user=" + db.user() + "\npassword=not-" + password + "\n");
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
    r = load("--input=" + output, "--jdbcUrl=" + db.url(), "--dbCredentialsFile=" + wrong, "--tables=funnel");
    assertThat(r.exit, is(1));
    assertThat(r.err, containsString("password authentication failed"));
    assertThat(r.out + r.err, not(containsString(password)));

    // The pipeline a runner gets: its options and every transform's display data (what runners log and
    // show in their UIs) name the URL and the user, never the password.
    LoadOptions options = PipelineOptionsFactory.fromArgs("--input=" + output, "--jdbcUrl=" + db.url(),
        "--dbCredentialsFile=" + credentials).as(LoadOptions.class);
    Pipeline p = Pipeline.create(options);
    LoadPipeline.build(p, LoadConfig.fromOptions(options, Map.of()));
    List<String> shown = new ArrayList<>();
    shown.add(options.toString());
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        shown.add(DisplayData.from(node.getTransform()).toString());
      }

      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (node.getTransform() != null) {
          shown.add(DisplayData.from(node.getTransform()).toString());
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }
    });
    String all = String.join("\n", shown);
    assertThat(all, containsString(db.user()));
    assertThat(all, containsString("jdbc:postgresql:"));
    assertThat(all, not(containsString(password)));
  }

  @Test
  @Order(8)
  void aTableTheOutputLacksIsAUsageError() throws Exception {
    // An output written with --tables=... lacks the others: the same output without its funnel.
    Path partial = dir.resolve("without-funnel");
    try (java.util.stream.Stream<Path> files = Files.walk(output)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path rel = output.relativize(f);
        if (!rel.startsWith(Tables.FUNNEL)) {
          Path to = partial.resolve(rel.toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.copy(f, to);
          }
        }
      }
    }
    Run r = loadOutput(partial, "--tables=funnel");
    assertThat(r.exit, is(2));
    assertThat(r.err, containsString("has no funnel table"));
    assertThat(r.out, not(containsString("done")));
  }

  private static dev.shopbeam.schemas.Anomaly anomaly(String metric, String start, double observed, String baseline) {
    Instant from = Instant.parse(start);
    return dev.shopbeam.schemas.Anomaly.newBuilder().setMetric(metric).setDimension("all")
        .setWindowStart(from).setWindowEnd(from.plusSeconds(3600)).setObserved(observed).setExpected(10.5)
        .setScore((observed - 10.5) / 2.25)
        .setDirection(observed > 10.5 ? dev.shopbeam.schemas.AnomalyDirection.UP : dev.shopbeam.schemas.AnomalyDirection.DOWN)
        .setVolume(42).setBaseline(baseline).setHistoryWindows(24).build();
  }

  private static void writeAnomalies(Path out, List<dev.shopbeam.schemas.Anomaly> rows) throws Exception {
    Path table = out.resolve(Tables.ANOMALIES);
    Files.createDirectories(table);
    try (org.apache.avro.file.DataFileWriter<dev.shopbeam.schemas.Anomaly> w = new org.apache.avro.file.DataFileWriter<>(
        new org.apache.avro.specific.SpecificDatumWriter<>(dev.shopbeam.schemas.Anomaly.class))) {
      w.create(dev.shopbeam.schemas.Anomaly.getClassSchema(), table.resolve("part-00000-of-00001.avro").toFile());
      for (dev.shopbeam.schemas.Anomaly a : rows) {
        w.append(a);
      }
    }
  }

  @Test
  @Order(9)
  @Timeout(300)
  void anomaliesLoadAndReloadByTheirKey() throws Exception {
    // The anomalies table (another part of issue 7 writes it in batch) as Avro files of Anomaly records.
    ServingTable t = ServingTables.ALL.get(Tables.ANOMALIES);
    Path out = dir.resolve("anomalies-run");
    writeAnomalies(out, List.of(anomaly("events_buy", "2010-12-01T09:00:00Z", 31.25, "recent"),
        anomaly("events_buy", "2010-12-01T09:00:00Z", 31.25, "hour_of_day"),
        anomaly("revenue", "2010-12-01T10:00:00Z", 0.5, "recent")));
    Run r = loadOutput(out, "--tables=" + t.name());
    assertThat(r.err, r.exit, is(0));
    assertThat(count(t.name()), is(3L));
    assertThat(dbRows(t), equalTo(fileRows(out, t, OutputFormat.AVRO)));
    // A re-run that saw more data: one value changed, one anomaly more; nothing doubled.
    Path rerun = dir.resolve("anomalies-rerun");
    writeAnomalies(rerun, List.of(anomaly("events_buy", "2010-12-01T09:00:00Z", 33.0, "recent"),
        anomaly("events_buy", "2010-12-01T09:00:00Z", 31.25, "hour_of_day"),
        anomaly("revenue", "2010-12-01T10:00:00Z", 0.5, "recent"),
        anomaly("revenue", "2010-12-01T11:00:00Z", 99.0, "recent")));
    r = loadOutput(rerun, "--tables=" + t.name());
    assertThat(r.err, r.exit, is(0));
    assertThat(dbRows(t), equalTo(fileRows(rerun, t, OutputFormat.AVRO)));
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT observed, direction FROM anomalies WHERE metric = 'events_buy' AND baseline = 'recent'")) {
      assertThat(rs.next(), is(true));
      assertThat(rs.getDouble(1), is(33.0));
      assertThat(rs.getString(2), is("UP"));
      assertThat(rs.next(), is(false));
    }
  }
}
