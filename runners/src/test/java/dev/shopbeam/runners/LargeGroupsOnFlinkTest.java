package dev.shopbeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.BatchPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joins with more than 10,000 values under one key on Flink: user features score every user under one
 * key, and Beam's CoGroupByKey iterates such a group twice, which Flink's batch runtime refuses unless
 * the launcher asks for re-iterable groups. Found by the 1M-event benchmark, where the batch run failed.
 */
class LargeGroupsOnFlinkTest {
  @TempDir Path tmp;

  @Test
  @Timeout(300)
  void userFeaturesOfMoreThanTenThousandUsersOnFlink() throws Exception {
    int users = 12_000;
    List<String> lines = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      // Taobao UserBehavior layout: user, item, category, behavior, unix seconds.
      lines.add(u + "," + (u % 97) + "," + (u % 7) + ",pv," + (1511568000L + u));
    }
    Path input = tmp.resolve("users.csv");
    Files.write(input, lines);
    Path out = tmp.resolve("out");
    int exit = BatchPipeline.run(new String[] {"--input=" + input, "--format=userbehavior", "--output=" + out,
        "--runner=FlinkRunner", "--tables=user_features"}, System.out, System.err);
    assertThat(exit, is(0));
    JsonNode summary = new ObjectMapper().readTree(out.resolve("_SUMMARY.json").toFile());
    assertThat(summary.get("tables").get("user_features").asLong(), is((long) users));
  }
}
