package dev.shopbeam.pipelines.db;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where credentials come from, in which order, and what is refused. */
class DbCredentialsTest {
  @TempDir Path dir;

  private Path file(String text, String perms) throws Exception {
    Path f = dir.resolve("c-" + perms + ".properties");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    return f;
  }

  @Test
  void aPrivateFileWinsOverTheEnvironment() throws Exception {
    Path f = file("user=alice\npassword=s3cret\n", "rw-------");
    DbCredentials c = DbCredentials.resolve(f.toString(), Map.of("SHOPBEAM_DB_USER", "bob", "SHOPBEAM_DB_PASSWORD", "x"));
    assertThat(c.user(), is("alice"));
    assertThat(c.password(), is("s3cret"));
    assertThat(c.toString(), not(containsString("s3cret")));
    // The same file named by the environment.
    c = DbCredentials.resolve("", Map.of(DbCredentials.FILE_ENV, f.toString(), "PGUSER", "carol"));
    assertThat(c.user(), is("alice"));
  }

  @Test
  void thenShopBeamsVariablesThenLibpqs() {
    DbCredentials c = DbCredentials.resolve(null, Map.of("SHOPBEAM_DB_USER", "bob", "SHOPBEAM_DB_PASSWORD", "pw",
        "PGUSER", "carol", "PGPASSWORD", "pg"));
    assertThat(c.user(), is("bob"));
    assertThat(c.password(), is("pw"));
    c = DbCredentials.resolve(null, Map.of("PGUSER", "carol", "PGPASSWORD", "pg"));
    assertThat(c.user(), is("carol"));
    assertThat(c.password(), is("pg"));
    c = DbCredentials.resolve(null, Map.of("PGUSER", "carol"));
    assertThat(c.password(), is(nullValue()));
  }

  @Test
  void refusesFilesOthersMayReadAndMissingCredentials() throws Exception {
    Path open = file("user=alice\npassword=s3cret\n", "rw-r-----");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DbCredentials.resolve(open.toString(), Map.of()));
    assertThat(e.getMessage(), containsString("chmod 600"));
    Path noUser = file("password=s3cret\n", "rw-------");
    e = assertThrows(IllegalArgumentException.class, () -> DbCredentials.resolve(noUser.toString(), Map.of()));
    assertThat(e.getMessage(), containsString("no user="));
    assertThat(e.getMessage(), not(containsString("s3cret")));
    e = assertThrows(IllegalArgumentException.class, () -> DbCredentials.resolve(null, Map.of()));
    assertThat(e.getMessage(), containsString("SHOPBEAM_DB_USER"));
  }

  @Test
  void urlsWithCredentialsAreRefused() {
    DbCredentials c = DbCredentials.resolve(null, Map.of("PGUSER", "carol"));
    assertThat(JdbcTarget.of("jdbc:postgresql://db:5432/shop?ssl=true", c).url(),
        is("jdbc:postgresql://db:5432/shop?ssl=true"));
    for (String url : new String[] {"jdbc:postgresql://db/shop?password=x", "jdbc:postgresql://db/shop?ssl=true&PASSWORD=x",
        "jdbc:postgresql://db/shop?user=carol", "jdbc:postgresql://carol:x@db/shop"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcTarget.of(url, c), url);
      assertThat(e.getMessage(), not(containsString("x@")));
    }
    assertThrows(IllegalArgumentException.class, () -> JdbcTarget.of("jdbc:mysql://db/shop", c));
  }

  @Test
  void theUpsertNamesEveryColumnAndTheKeyConstraint() {
    String sql = ServingTables.ALL.get("user_recommendations").upsertSql();
    assertThat(sql, is("INSERT INTO user_recommendations AS t (user_id, rank, item_id, score, reason)"
        + " SELECT user_id, rank, item_id, score, reason FROM jsonb_populate_record(NULL::user_recommendations, ?::jsonb)"
        + " ON CONFLICT ON CONSTRAINT user_recommendations_key DO UPDATE SET user_id = EXCLUDED.user_id,"
        + " rank = EXCLUDED.rank, item_id = EXCLUDED.item_id, score = EXCLUDED.score, reason = EXCLUDED.reason"
        + " WHERE (t.user_id, t.rank, t.item_id, t.score, t.reason)"
        + " IS DISTINCT FROM (EXCLUDED.user_id, EXCLUDED.rank, EXCLUDED.item_id, EXCLUDED.score, EXCLUDED.reason)"));
  }
}
