package dev.shopbeam.runners.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark measures what it says: the references compute the same hot items as ShopBeam (same row
 * count on the same synthetic shop), every record of the parse run is accounted for, and the synthetic
 * shop is seeded and shaped as documented.
 */
class BenchTest {
  @TempDir Path work;

  @Test
  @Timeout(600)
  void theReferencesAndShopBeamAgreeOnTheHotItems() throws Exception {
    Path json = work.resolve("bench.jsonl");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int exit = Bench.run(new String[] {"--events=20000", "--seed=7", "--warmup=0", "--workDir=" + work,
        "--json=" + json, "--pipelines=plain-java,native-flink,naive-beam,hot-items,parse", "--runner=FlinkRunner"},
        new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
    System.out.print(printed.toString(StandardCharsets.UTF_8));
    assertThat(exit, is(0));
    Map<String, JsonNode> runs = new HashMap<>();
    for (String line : Files.readAllLines(json)) {
      JsonNode run = new ObjectMapper().readTree(line);
      runs.put(run.get("pipeline").asText(), run);
      assertThat(line, run.get("events").asLong(), is(20_000L));
      assertThat(line, run.get("eventsPerSecond").asLong(), greaterThan(0L));
      assertThat(line, run.has("gcSeconds"), is(true));
      assertThat(line, run.get("gcSeconds").asDouble(),
          both(greaterThanOrEqualTo(0.0)).and(lessThanOrEqualTo(run.get("seconds").asDouble())));
    }
    assertThat(runs, aMapWithSize(5));
    long hotItems = runs.get("hot-items").get("rows").get("hot_items").asLong();
    assertThat(hotItems, greaterThan(0L));
    for (String reference : List.of("plain-java", "native-flink", "naive-beam")) {
      assertThat(reference, runs.get(reference).get("rows").get("hot_items").asLong(), equalTo(hotItems));
    }
    JsonNode parse = runs.get("parse").get("rows");
    assertThat("every line (an empty one too) is an event, a dead letter or filtered",
        parse.get("clean_events").asLong() + parse.get("dead_letters").asLong() + parse.path("filtered").asLong(0),
        is(20_000L));
    assertThat("the malformed lines are dead letters", parse.get("dead_letters").asLong(), greaterThan(0L));
    assertThat(printed.toString(StandardCharsets.UTF_8).contains("hot items vs naive Beam"), is(true));
  }

  @Test
  void theSyntheticShopIsSeededAndShapedLikeARealOne() throws Exception {
    Path a = work.resolve("a.csv");
    Path b = work.resolve("b.csv");
    new SyntheticShop(100_000, 42).writeTo(a);
    new SyntheticShop(100_000, 42).writeTo(b);
    assertThat("same seed, same bytes", Files.mismatch(a, b), is(-1L));
    Map<String, Integer> behaviors = new HashMap<>();
    Map<String, Integer> items = new HashMap<>();
    int malformed = 0;
    int outOfOrder = 0;
    long previous = Long.MIN_VALUE;
    List<String> lines = Files.readAllLines(a);
    for (String line : lines) {
      HotItemsSpec.Parsed e = HotItemsSpec.parse(line);
      if (e == null) {
        malformed++;
        continue;
      }
      behaviors.merge(e.behavior(), 1, Integer::sum);
      items.merge(e.item(), 1, Integer::sum);
      outOfOrder += e.millis() < previous ? 1 : 0;
      previous = Math.max(previous, e.millis());
    }
    assertThat(lines.size(), is(100_000));
    assertThat("about 1 in 1,000 malformed", (double) malformed, closeTo(100, 50));
    assertThat("some out of order", outOfOrder, greaterThan(500));
    double n = lines.size() - malformed;
    assertThat("views ~89%", behaviors.get("VIEW") / n, closeTo(0.89, 0.03));
    assertThat("carts ~5%", behaviors.get("CART") / n, closeTo(0.05, 0.02));
    assertThat("buys ~2.5%", behaviors.get("BUY") / n, closeTo(0.025, 0.015));
    // Zipf-like: the top 1% of items take a large share of events.
    List<Integer> counts = items.values().stream().sorted(java.util.Comparator.reverseOrder()).toList();
    long top = counts.subList(0, counts.size() / 100).stream().mapToLong(Integer::longValue).sum();
    assertThat("top 1% of items take over a quarter of events", top / n, greaterThan(0.25));
  }
}
