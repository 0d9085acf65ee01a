package dev.shopbeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.CompareOutputs;
import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch pipeline gives the same rows on DirectRunner, FlinkRunner (embedded cluster) and SparkRunner
 * (local[*]): every table, row for row. The one column allowed to differ is a dead letter's
 * {@code rejected_at}, the processing time of the rejection.
 */
class RunnerParityTest {
  private static final List<String> RUNNERS = List.of("DirectRunner", "FlinkRunner", "SparkRunner");

  @TempDir Path out;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "test-data/events-sample.jsonl, json",
    "test-data/online-retail-2010-12-01.csv, online-retail",
    "test-data/malformed/online-retail-malformed.csv, online-retail"})
  @Timeout(900)
  void sameRowsOnEveryRunner(String input, String format) throws Exception {
    Map<String, Map<String, List<String>>> byRunner = new LinkedHashMap<>();
    Map<String, JsonNode> summaries = new LinkedHashMap<>();
    for (String runner : RUNNERS) {
      Path dir = out.resolve(runner);
      int exit = BatchPipeline.run(new String[] {
          "--input=" + TestData.path(input), "--format=" + format, "--output=" + dir,
          "--runner=" + runner, "--maxRecordBytes=65536"}, System.out, System.err);
      assertThat(runner + " exit code", exit, is(BatchPipeline.EXIT_OK));
      Map<String, List<String>> tables = new LinkedHashMap<>();
      for (Map.Entry<String, Class<? extends SpecificRecordBase>> t : Tables.ALL.entrySet()) {
        List<String> rows = new ArrayList<>();
        for (String row : ReadTables.rows(dir, t.getKey(), t.getValue(), OutputFormat.PARQUET)) {
          rows.add(row.replaceAll("\"rejected_at\":\"[^\"]*\"", "\"rejected_at\":\"*\""));
        }
        rows.sort(null);
        tables.put(t.getKey(), rows);
      }
      byRunner.put(runner, tables);
      ObjectNode summary = (ObjectNode) RunSummary.read(dir.toString());
      summary.remove("runner");
      summaries.put(runner, summary);
    }
    Map<String, List<String>> direct = byRunner.get("DirectRunner");
    assertThat(direct.get(Tables.CLEAN_EVENTS).size(), greaterThan(0));
    for (String runner : RUNNERS) {
      for (String table : Tables.ALL.keySet()) {
        assertThat(runner + " " + table, byRunner.get(runner).get(table), equalTo(direct.get(table)));
        assertThat(runner + " " + table + " row count in summary",
            summaries.get(runner).get("tables").get(table).asInt(), is(direct.get(table).size()));
      }
      assertThat(runner + " summary", summaries.get(runner), equalTo(summaries.get("DirectRunner")));
      assertThat(summaries.get(runner).get("invariantHolds").asBoolean(), is(true));
      assertThat("compare " + runner, CompareOutputs.run(
          new String[] {out.resolve("DirectRunner").toString(), out.resolve(runner).toString()}, System.out, System.err),
          is(BatchPipeline.EXIT_OK));
    }
  }
}
