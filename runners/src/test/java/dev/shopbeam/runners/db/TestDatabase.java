package dev.shopbeam.runners.db;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server of the tests: the one {@code ci/postgres.sh start} runs, found through the
 * environment {@code ci/postgres.sh env} prints ({@code SHOPBEAM_DB_URL}, and
 * {@code SHOPBEAM_DB_CREDENTIALS_FILE} or {@code SHOPBEAM_DB_USER}/{@code SHOPBEAM_DB_PASSWORD}). Without
 * a reachable server the tests are skipped, except in CI ({@code CI=true}), where they fail: there the
 * server is part of the build. Each instance works in a schema of its own, dropped by {@link #close()}.
 */
final class TestDatabase implements AutoCloseable {
  private final String baseUrl;
  private final String user;
  private final String password;
  private final String schema;

  private TestDatabase(String baseUrl, String user, String password, String schema) {
    this.baseUrl = baseUrl;
    this.user = user;
    this.password = password;
    this.schema = schema;
  }

  /** A fresh schema on the test server; skips the test (fails it in CI) if there is no server. */
  static TestDatabase require() throws IOException {
    String url = System.getenv("SHOPBEAM_DB_URL");
    String user = System.getenv("SHOPBEAM_DB_USER");
    String password = System.getenv("SHOPBEAM_DB_PASSWORD");
    String file = System.getenv("SHOPBEAM_DB_CREDENTIALS_FILE");
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (var r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(r);
      }
      user = p.getProperty("user");
      password = p.getProperty("password");
    }
    if (url == null || user == null) {
      unavailable("SHOPBEAM_DB_URL and credentials are not set (run: bash ci/postgres.sh start;"
          + " eval \"$(bash ci/postgres.sh env)\")");
    }
    String schema = "test_" + Long.toString(System.nanoTime(), 36);
    TestDatabase db = new TestDatabase(url, user, password, schema);
    try (Connection c = db.connect(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      unavailable("no PostgreSQL at " + url + ": " + e.getMessage());
    }
    return db;
  }

  private static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI needs the test PostgreSQL server (ci/test.sh starts it): " + why);
    }
    Assumptions.abort(why);
  }

  /** The JDBC URL of this test's schema (no credentials in it, as the load command demands). */
  String url() {
    return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** A credentials file as the load command wants it: user= and password=, mode 600. */
  Path credentialsFile(Path dir) throws IOException {
    Path f = dir.resolve("db.properties");
    Files.writeString(f, "user=" + user + "\npassword=" + password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  Connection connect() throws SQLException {
    Connection c = connect(url());
    try (Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
    }
    return c;
  }

  private Connection connect(String url) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(url, p);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = connect(baseUrl); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
