package dev.shopbeam.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareOutputsTest {
  @TempDir Path dir;

  private void table(String run, String table, String... rows) throws IOException {
    Path t = Files.createDirectories(dir.resolve(run).resolve(table));
    Files.write(t.resolve("part-00000-of-00001.json"), List.of(rows), StandardCharsets.UTF_8);
  }

  private int compare(ByteArrayOutputStream out) throws IOException {
    return CompareOutputs.run(new String[] {dir.resolve("a").toString(), dir.resolve("b").toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
  }

  @Test
  void sameRowsInAnyOrderAndAnyRejectionTimeAreTheSame() throws IOException {
    table("a", Tables.HOT_ITEMS, "{\"rank\":1}", "{\"rank\":2}");
    table("b", Tables.HOT_ITEMS, "{\"rank\":2}", "{\"rank\":1}");
    table("a", Tables.DEAD_LETTERS, "{\"reason\":\"x\",\"rejected_at\":\"2026-01-01T00:00:00Z\"}");
    table("b", Tables.DEAD_LETTERS, "{\"reason\":\"x\",\"rejected_at\":\"2026-02-02T00:00:00Z\"}");
    assertThat(compare(new ByteArrayOutputStream()), is(BatchPipeline.EXIT_OK));
  }

  @Test
  void aDifferentRowIsReported() throws IOException {
    table("a", Tables.HOT_ITEMS, "{\"rank\":1,\"item_id\":\"A\"}");
    table("b", Tables.HOT_ITEMS, "{\"rank\":1,\"item_id\":\"B\"}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(compare(out), is(BatchPipeline.EXIT_FAILED));
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("hot_items"));
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("DIFFERENT"));
  }

  @Test
  void aRowOnceMoreInOneRunIsReportedOnce() throws IOException {
    table("a", Tables.HOT_ITEMS, "{\"rank\":1}", "{\"rank\":1}", "{\"rank\":2}");
    table("b", Tables.HOT_ITEMS, "{\"rank\":2}", "{\"rank\":1}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(compare(out), is(BatchPipeline.EXIT_FAILED));
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("3 vs 2 rows  DIFFERENT (1 only in A, 0 only in B)"));
  }

  @Test
  void onlyInIsAOneForOneDifferenceOfSortedRows() {
    assertThat(CompareOutputs.onlyIn(List.of("a", "a", "b", "d"), List.of("a", "c", "d", "e")), is(List.of("a", "b")));
    assertThat(CompareOutputs.onlyIn(List.of("a", "c", "d", "e"), List.of("a", "a", "b", "d")), is(List.of("c", "e")));
    assertThat(CompareOutputs.onlyIn(List.of(), List.of("a")), is(List.of()));
    assertThat(CompareOutputs.onlyIn(List.of("a"), List.of()), is(List.of("a")));
  }
}
