package dev.shopbeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.EvaluatePipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys with more than 10,000 values on Flink, whose batch runtime hands a group over as a stream that can
 * be iterated once: Beam's CoGroupByKey iterates a key of more than 10,000 values twice, so no join of
 * ours may see such a key. Here every user touches one hot item (12,000 users under that item), one
 * heavy user touches 12,000 items, and all users are ranked together for the quintiles; the runs pass
 * {@code --reIterableGroupByKeyResult=false} themselves, so that they keep testing the joins whatever the
 * launcher's defaults. Found by the 1M-event benchmark (user features failed; the launcher then asked
 * Flink for re-iterable groups, which keeps every group of the job in memory, and was dropped for this).
 */
class LargeGroupsOnFlinkTest {
  private static final int USERS = 12_000;
  private static final int HEAVY_USER_ITEMS = 12_000;
  private static final long START = 1511568000L; // 2017-11-25, Taobao UserBehavior's first day

  @TempDir Path tmp;

  /** Taobao UserBehavior layout: user, item, category, behavior, unix seconds. */
  private Path shop() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      lines.add(u + ",1000000," + (u % 7) + ",pv," + (START + u)); // the hot item
      lines.add(u + "," + (u % 97) + "," + (u % 7) + ",cart," + (START + u + 60));
      if (u % 3 == 0) {
        lines.add(u + "," + (u % 89) + "," + (u % 7) + ",buy," + (START + 7 * 86_400 + u));
      }
    }
    for (int i = 0; i < HEAVY_USER_ITEMS; i++) {
      lines.add("99999," + (2_000_000 + i) + ",3,pv," + (START + i));
    }
    Path input = tmp.resolve("shop.csv");
    Files.write(input, lines);
    return input;
  }

  @Test
  @Timeout(600)
  void featuresAndRecommendationsWithHugeKeysOnFlink() throws Exception {
    Path out = tmp.resolve("out");
    int exit = BatchPipeline.run(new String[] {"--input=" + shop(), "--format=userbehavior", "--output=" + out,
        "--runner=FlinkRunner", "--reIterableGroupByKeyResult=false",
        "--tables=user_features,item_similarity,user_recommendations"}, System.out, System.err);
    assertThat(exit, is(0));
    JsonNode tables = new ObjectMapper().readTree(out.resolve("_SUMMARY.json").toFile()).get("tables");
    assertThat(tables.get("user_features").asLong(), is((long) USERS + 1));
    assertThat(tables.get("item_similarity").asLong(), greaterThan(0L));
    assertThat(tables.get("user_recommendations").asLong(), greaterThan((long) USERS));
  }

  @Test
  @Timeout(600)
  void evaluationWithHugeKeysOnFlink() throws Exception {
    Path report = tmp.resolve("evaluation.json");
    int exit = EvaluatePipeline.run(new String[] {"--input=" + shop(), "--format=userbehavior",
        "--cutoff=2017-12-01", "--k=10", "--runner=FlinkRunner", "--reIterableGroupByKeyResult=false",
        "--report=" + report}, System.out, System.err);
    assertThat(exit, is(0));
    assertThat(Files.size(report), greaterThan(0L));
  }
}
