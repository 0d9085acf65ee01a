package dev.shopbeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.EvaluatePipeline;
import dev.shopbeam.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} reads a plain {@code user,item,rating,timestamp} file as well as our event formats:
 * the week's purchases as such a file score exactly as the week itself (FlinkRunner, the fast local one).
 */
class EvaluateCommandTest {
  @TempDir Path out;

  private JsonNode evaluate(String input, String format, String name) throws Exception {
    Path report = out.resolve(name + ".json");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exit = EvaluatePipeline.run(new String[] {"--input=" + TestData.path(input), "--format=" + format,
        "--cutoff=2010-12-06", "--k=10", "--runner=FlinkRunner", "--report=" + report},
        new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
    System.out.print(printed.toString(StandardCharsets.UTF_8));
    assertThat(name + " exit code", exit, is(BatchPipeline.EXIT_OK));
    return new ObjectMapper().readTree(report.toFile());
  }

  @Test
  @Timeout(600)
  void aPlainInteractionsFileScoresAsTheEventsItCameFrom() throws Exception {
    JsonNode week = evaluate("test-data/online-retail-2010-12-01_07.csv", "online-retail", "week");
    JsonNode plain = evaluate("test-data/interactions-sample.csv", "interactions", "plain");
    assertThat(plain, equalTo(week));
    assertThat(plain.size(), is(2));
    for (JsonNode system : plain) {
      assertThat(system.toString(), system.get("users").asLong(), greaterThan(100L));
    }
  }

  @Test
  @Timeout(120)
  void aBadCutoffIsAUsageError() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = EvaluatePipeline.run(new String[] {"--input=" + TestData.path("test-data/interactions-sample.csv"),
        "--format=interactions", "--cutoff=yesterday"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit, is(2));
    assertThat(err.toString(StandardCharsets.UTF_8), org.hamcrest.Matchers.containsString("--cutoff='yesterday'"));
  }
}
