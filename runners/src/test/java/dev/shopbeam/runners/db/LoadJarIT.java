package dev.shopbeam.runners.db;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar shopbeam-bundled.jar load} as a user runs it, with the credentials in the
 * environment: everything the process prints (our messages, Beam's, Flink's and the driver's logs)
 * is free of the password, and the rows arrive.
 */
class LoadJarIT {
  private static final Path JAR = Paths.get(System.getProperty("shopbeam.bundled.jar", "target/shopbeam-bundled.jar"));
  @TempDir Path dir;

  @Test
  @Timeout(600)
  void loadsWithCredentialsFromTheEnvironmentAndNeverPrintsThePassword() throws Exception {
    try (TestDatabase db = TestDatabase.require()) {
      Path out = dir.resolve("out");
      assertThat(BatchPipeline.run(new String[] {"--input=" + TestData.path("test-data/userbehavior-sample.csv"),
          "--format=userbehavior", "--output=" + out, "--outputFormat=avro", "--runner=FlinkRunner"},
          System.out, System.err), is(0));

      Path log = dir.resolve("load.log");
      ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", JAR.toString(), "load", "--input=" + out, "--jdbcUrl=" + db.url(),
          "--tables=user_recommendations,item_stats")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().remove("SHOPBEAM_DB_CREDENTIALS_FILE");
      pb.environment().put("SHOPBEAM_DB_USER", db.user());
      pb.environment().put("SHOPBEAM_DB_PASSWORD", db.password());
      Process p = pb.start();
      assertThat("finished in time", p.waitFor(300, TimeUnit.SECONDS), is(true));
      String printed = Files.readString(log, StandardCharsets.UTF_8);
      System.out.print(printed);
      assertThat(printed, p.exitValue(), is(0));
      assertThat(printed, containsString("$SHOPBEAM_DB_USER/$SHOPBEAM_DB_PASSWORD"));
      assertThat(printed, containsString("(avro)"));
      assertThat(printed, not(containsString(db.password())));
      // Nor on the command line that process lists show.
      assertThat(String.join(" ", pb.command()), not(containsString(db.password())));

      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        for (String table : List.of("user_recommendations", "item_stats")) {
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            long rows = rs.getLong(1);
            assertThat(printed, containsString(String.format("%-22s %,10d rows read (avro), %,10d rows in the table",
                table, rows, rows)));
            assertThat(table, rows > 0, is(true));
          }
        }
      }
    }
  }
}
