package dev.shopbeam.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher tells the embedded Flink cluster, and what it leaves to the user. */
class LocalFlinkConfigurationTest {
  @TempDir Path dir;

  private static Optional<Path> confDir(String[] args) {
    return Arrays.stream(args).filter(a -> a.startsWith("--flinkConfDir="))
        .map(a -> Path.of(a.substring("--flinkConfDir=".length()))).reduce((x, y) -> y);
  }

  private static String confOf(String[] args, String file) throws IOException {
    return Files.readString(confDir(args).orElseThrow().resolve(file));
  }

  @Test
  void theEmbeddedClusterGetsManagedMemoryForItsSorts() throws IOException {
    long expectedMb = Runtime.getRuntime().maxMemory() * 2 / 5 >> 20;
    for (String[] args : List.of(new String[] {"--runner=FlinkRunner"},
        new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]"}, new String[0])) {
      String[] out = PipelineLauncher.withDefaults(args);
      assertThat(Arrays.toString(args), confOf(out, "flink-conf.yaml"),
          containsString("taskmanager.memory.managed.size: " + expectedMb + "m\n"));
      assertThat(expectedMb > 128, is(true)); // more than Flink's local default, or the point is moot
    }
  }

  @Test
  void everyNameBeamTakesForARunnerGetsThatRunnersSettings() throws IOException {
    // Beam runs Flink for --runner=flink too; the settings above went missing for such a name once
    // (every sort spilled, the Online Retail year failed on a 1 MiB line batch).
    for (String given : List.of("FlinkRunner", "flink", "Flink", "FLINKRUNNER",
        "org.apache.beam.runners.flink.FlinkRunner")) {
      String[] args = {"--runner=" + given};
      assertThat(given, PipelineLauncher.runnerOf(args), is(Optional.of("FlinkRunner")));
      String[] out = PipelineLauncher.withDefaults(args);
      assertThat(given, confOf(out, "flink-conf.yaml"), containsString("taskmanager.memory.managed.size: "));
      assertThat(given, Arrays.asList(out).contains("--objectReuse=true"), is(true));
      assertThat(given, Arrays.asList(out).contains("--finishBundleBeforeCheckpointing=true"), is(true));
    }
    for (String given : List.of("spark", "SparkRunner", "org.apache.beam.runners.spark.SparkRunner")) {
      assertThat(given, PipelineLauncher.isSpark(PipelineLauncher.runnerOf(new String[] {"--runner=" + given}).get()),
          is(true));
    }
    for (String given : List.of("direct", "DirectRunner")) {
      assertThat(given, PipelineLauncher.runnerOf(new String[] {"--runner=" + given}), is(Optional.of("DirectRunner")));
    }
    // Someone else's runner keeps its name.
    assertThat(PipelineLauncher.runnerOf(new String[] {"--runner=com.example.FlinkRunner"}),
        is(Optional.of("com.example.FlinkRunner")));
  }

  @Test
  void aUsersOwnSettingsAreKeptAndTheirManagedMemoryWins() throws IOException {
    Files.writeString(dir.resolve("flink-conf.yaml"),
        "# taskmanager.memory.managed.size: 1g (commented out: not a setting)\n"
            + "taskmanager.memory.managed.size : 300m\nparallelism.default: 3\n");
    String[] out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner", "--flinkConfDir=" + dir});
    assertThat(confDir(out).get(), is(dir)); // nothing to add: the user's directory as given

    Files.writeString(dir.resolve("flink-conf.yaml"), "parallelism.default: 3\n");
    out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner", "--flinkConfDir=" + dir});
    String conf = confOf(out, "flink-conf.yaml");
    assertThat(conf, startsWith("parallelism.default: 3\n"));
    assertThat(conf, containsString("taskmanager.memory.managed.size: "));
    assertThat(confDir(out).get(), not(is(dir)));
    assertThat(Arrays.stream(out).filter(a -> a.startsWith("--flinkConfDir=")).count(), is(1L));
  }

  @Test
  void aUsersOwnBundleFinishingAtCheckpointsIsKept() {
    String[] out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner",
        "--finishBundleBeforeCheckpointing=false"});
    assertThat(Arrays.stream(out).filter(a -> a.startsWith("--finishBundleBeforeCheckpointing=")).toList(),
        is(List.of("--finishBundleBeforeCheckpointing=false")));
  }

  @Test
  void aStandardYamlConfigurationKeepsItsName() throws IOException {
    Files.writeString(dir.resolve("config.yaml"), "parallelism.default: 3\n");
    String[] out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner", "--flinkConfDir=" + dir});
    assertThat(confOf(out, "config.yaml"), containsString("taskmanager.memory.managed.size: "));
    assertThat(confOf(out, "config.yaml"), startsWith("parallelism.default: 3\n"));
  }

  @Test
  void aRemoteClusterKeepsItsOwnConfiguration() {
    String[] out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner", "--flinkMaster=localhost:8081"});
    assertThat(confDir(out).isPresent(), is(false));
    out = PipelineLauncher.withDefaults(new String[] {"--runner=SparkRunner"});
    assertThat(confDir(out).isPresent(), is(false));
  }

  @Test
  void aSavepointIsRestoredOnTheEmbeddedCluster() throws IOException {
    String[] out = PipelineLauncher.withDefaults(new String[] {"--runner=FlinkRunner",
        "--savepointPath=" + dir.resolve("sp"), "--allowNonRestoredState=true"});
    String conf = confOf(out, "flink-conf.yaml");
    assertThat(conf, containsString("execution.savepoint.path: " + dir.resolve("sp").toUri() + "\n"));
    assertThat(conf, containsString("execution.savepoint.ignore-unclaimed-state: true\n"));
    assertThat(conf, containsString("taskmanager.memory.managed.size: "));
  }
}
