package dev.shopbeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.transforms.testing.TestData;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled jar as users and orchestrators launch it, in a fresh JVM with no flags of ours: {@code java
 * -jar} (module access from the manifest) and {@code java -cp ... BatchPipeline} (re-executed with the
 * flags), both on SparkRunner, the runner that needs them; and the default runner.
 */
class BundledJarIT {
  private static final Path JAR = Paths.get(System.getProperty("shopbeam.bundled.jar", "target/shopbeam-bundled.jar"));
  @TempDir Path out;

  private static String run(List<String> command, int expectedExit) throws IOException, InterruptedException {
    Path log = Files.createTempFile("shopbeam-it", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat("finished in time", p.waitFor(600, TimeUnit.SECONDS), is(true));
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output, p.exitValue(), is(expectedExit));
    return output;
  }

  private static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void assertSummary(Path dir, int read) throws IOException {
    JsonNode summary = RunSummary.read(dir.toString());
    assertThat(summary.get("read").asInt(), is(read));
    assertThat(summary.get("invariantHolds").asBoolean(), is(true));
  }

  /** The jar carries ShopBeam's Flink key comparator (normalized keys), not Beam's, which it replaces. */
  @Test
  void flinksKeyComparatorIsShopBeams() throws Exception {
    try (URLClassLoader jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> comparator = Class.forName("org.apache.beam.runners.flink.translation.types.EncodedValueComparator", true, jar);
      Object ascending = comparator.getConstructor(boolean.class).newInstance(true);
      assertThat(comparator.getMethod("supportsNormalizedKey").invoke(ascending), is(true));
    }
  }

  /** The jar carries ShopBeam's options wrapper (JSON written once per options state), not Beam's copies. */
  @Test
  void theOptionsWrapperIsShopBeams() throws Exception {
    try (URLClassLoader jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class.forName("org.apache.beam.runners.core.construction.SerializablePipelineOptions$State", false, jar);
    }
  }

  @Test
  @Timeout(900)
  void sparkRunsFromJavaJarAndFromJavaCp() throws Exception {
    String input = TestData.path("test-data/events-sample.jsonl").toString();
    String output = run(java("-jar", JAR.toString(), "batch", "--input=" + input, "--format=json",
        "--output=" + out.resolve("jar"), "--runner=SparkRunner"), 0);
    assertThat(output, containsString("on SparkRunner"));
    assertSummary(out.resolve("jar"), 572);

    output = run(java("-cp", JAR.toString(), "dev.shopbeam.pipelines.BatchPipeline", "--input=" + input,
        "--format=json", "--output=" + out.resolve("cp"), "--runner=SparkRunner"), 0);
    assertThat(output, containsString("on SparkRunner"));
    assertSummary(out.resolve("cp"), 572);
  }

  @Test
  @Timeout(600)
  void defaultRunnerAndHelp() throws Exception {
    String input = TestData.path("test-data/userbehavior-sample.csv").toString();
    String output = run(java("-jar", JAR.toString(), "batch", "--input=" + input, "--format=userbehavior",
        "--output=" + out.resolve("default")), 0);
    assertThat(output, containsString("on FlinkRunner"));
    assertSummary(out.resolve("default"), 776);

    assertThat(run(java("-jar", JAR.toString(), "batch", "--help"), 0), containsString("--windowSize"));
    assertThat(run(java("-jar", JAR.toString(), "batch", "--input=x", "--format=xml", "--output=" + out), 2),
        containsString("unknown format 'xml'"));
  }
}
