package dev.shopbeam.pipelines;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What every ShopBeam main does before building a pipeline, so that users never have to know it: pick
 * the default runner, point Spark at a local master, and give Spark on Java 17 the module access it
 * needs. {@code java -jar} gets that access from the jar's manifest; a plain {@code java -cp} launch
 * (as orchestrators do) is re-executed once with the flags added.
 */
public final class PipelineLauncher {
  /**
   * The runner used when {@code --runner} is not given. Flink's embedded local cluster: on the full
   * Online Retail year it is many times faster than DirectRunner (figures in the README).
   */
  public static final String DEFAULT_RUNNER = "FlinkRunner";

  /** The JVM flags Spark needs on Java 17 (Spark's own list). */
  public static final List<String> JAVA17_FLAGS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  private static final String RELAUNCHED = "shopbeam.relaunched";

  private PipelineLauncher() {}

  /** What {@link #prepare} decided: go on with these options, or exit with this code. */
  public static final class Prepared<T extends PipelineOptions> {
    private final T options;
    private final Integer exitCode;

    private Prepared(T options, Integer exitCode) {
      this.options = options;
      this.exitCode = exitCode;
    }

    public Optional<Integer> exitCode() {
      return Optional.ofNullable(exitCode);
    }

    public T options() {
      return options;
    }
  }

  /**
   * What every pipeline main does first: {@code --help}, our defaults, the Spark re-launch, and parsing
   * the options, with a one-line error (exit code 2) for a bad one.
   */
  public static <T extends PipelineOptions> Prepared<T> prepare(Class<?> mainClass, Class<T> optionsClass,
      String description, String[] rawArgs, PrintStream out, PrintStream err)
      throws java.io.IOException, InterruptedException {
    for (String a : rawArgs) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(description);
        out.println();
        out.println("  --runner=DirectRunner|FlinkRunner|SparkRunner   (default " + DEFAULT_RUNNER
            + "; Flink runs an embedded local cluster unless --flinkMaster=host:port, Spark runs local[*] unless --sparkMaster=...)");
        PipelineOptionsFactory.printHelp(out, optionsClass);
        return new Prepared<>(null, EXIT_OK);
      }
    }
    String[] args = withDefaults(rawArgs);
    Optional<Integer> child = relaunchForSparkIfNeeded(mainClass, args);
    if (child.isPresent()) {
      return new Prepared<>(null, child.get());
    }
    PipelineOptionsFactory.register(optionsClass);
    try {
      return new Prepared<>(PipelineOptionsFactory.fromArgs(args).withValidation().as(optionsClass), null);
    } catch (IllegalArgumentException e) {
      return new Prepared<>(null, usageError(err, e));
    }
  }

  /**
   * Runs {@code p} until it ends; a failure is reported on {@code err}. Returns the final state, or
   * {@link PipelineResult.State#FAILED} when the run threw.
   */
  public static PipelineResult.State runToEnd(Pipeline p, PrintStream err) {
    try {
      PipelineResult.State state = p.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        err.println("error: the pipeline ended in state " + state);
      }
      return state;
    } catch (RuntimeException e) {
      err.println("error: the pipeline failed: " + e);
      e.printStackTrace(err);
      return PipelineResult.State.FAILED;
    }
  }

  /** Reports a bad option in one line and returns exit code 2. */
  public static int usageError(PrintStream err, IllegalArgumentException e) {
    err.println("error: " + e.getMessage());
    err.println("Run with --help to list the options.");
    return EXIT_USAGE;
  }

  /** The arguments with our defaults added where the user gave none. */
  public static String[] withDefaults(String[] args) {
    List<String> out = new ArrayList<>(Arrays.asList(args));
    String runner = runnerOf(args).orElse(null);
    if (runner == null) {
      runner = DEFAULT_RUNNER;
      out.add("--runner=" + runner);
    }
    if (runner.equals("DirectRunner")) {
      // DirectRunner re-checks every element's immutability and encoding and walks the whole pipeline
      // graph per bundle to do so: on one day of Online Retail that is > 6 min instead of ~70 s. Tests
      // keep the checks (they pass these flags); a run for its output does not need them.
      addIfAbsent(out, args, "enforceImmutability", "false");
      addIfAbsent(out, args, "enforceEncodability", "false");
    }
    if (runner.equals("FlinkRunner") || runner.endsWith(".FlinkRunner")) {
      // Without object reuse Flink copies every element between chained operators by encoding and
      // decoding it with its coder (3% of a hot-items run's CPU samples; the gain is within our
      // measurement noise). Beam's model already forbids a DoFn to change its input (the DirectRunner
      // tests enforce it), so the copies protect nothing.
      addIfAbsent(out, args, "objectReuse", "true");
      // A checkpoint finishes each operator's open bundle. By default Beam then keeps what the bundle's
      // end emits (our per-bundle partial totals) in the checkpoint and sends it on only when the next
      // bundle starts or the watermark moves: on a stream that has gone quiet, with a watermark that
      // does not advance, never. Hot items then lacked the last events' counts until more input came
      // (the restore test failed so, now and then, and always when every bundle ended at a checkpoint).
      // Finishing the bundle before the barrier sends the output at once, and it is still exactly once:
      // downstream state includes it before it snapshots.
      addIfAbsent(out, args, "finishBundleBeforeCheckpointing", "true");
      // Not --reIterableGroupByKeyResult: it makes Flink's batch runtime copy every group of the job into
      // a list on the heap, including the one-shard table writes (a whole table under one key: every row
      // of clean_events at once). Flink hands a group over as a stream instead, and our joins never need to
      // iterate one twice: a key's many values join as one list (ToList), the quintiles use side inputs
      // (LargeGroupsOnFlinkTest).
      configureLocalFlink(out);
    }
    if (isSpark(runner)) {
      if (valueOf(args, "sparkMaster").isEmpty()) {
        out.add("--sparkMaster=local[*]");
      }
      String master = valueOf(out.toArray(new String[0]), "sparkMaster").orElse("local[*]");
      if (master.startsWith("local")) {
        // Bind the embedded Spark driver to loopback, whatever the host's interfaces are.
        setIfAbsent("spark.driver.bindAddress", "127.0.0.1");
        setIfAbsent("spark.driver.host", "127.0.0.1");
        setIfAbsent("spark.ui.enabled", "false");
      }
    }
    return out.toArray(new String[0]);
  }

  /** Flink's setting for the memory its batch sorts, hash tables and spills work in (off-heap). */
  static final String MANAGED_MEMORY = "taskmanager.memory.managed.size";

  /**
   * For a run on the embedded Flink cluster ({@code [local]}, {@code [auto]}: the default), writes a
   * configuration directory that adds our settings to the user's own ({@code --flinkConfDir}, if any;
   * a setting of theirs wins) and points {@code --flinkConfDir} at it:
   *
   * <ul>
   *   <li>Managed memory, unless the user set it: 40% of the maximum heap. Flink's embedded cluster
   *       otherwise gets 128 MB for every sort of the job ({@code [auto]}, Beam's default master, leaves
   *       Flink's local default in place), which our batch job, with about a hundred sorting operators,
   *       shares out as well under a megabyte each: every grouping spilled to disk and merged back. 40%
   *       is what Beam itself gives {@code [local]} (of the free heap at start). It is off-heap: the
   *       process needs heap plus that much memory.
   *   <li>{@code --savepointPath}: Beam applies it only when it submits to a remote cluster; on the
   *       embedded cluster it ignores it and starts from nothing. Flink reads the same setting from its
   *       configuration ({@code execution.savepoint.path}), so restoring from a savepoint or a retained
   *       checkpoint works the same on a laptop as on a cluster.
   * </ul>
   */
  static void configureLocalFlink(List<String> args) {
    String[] a = args.toArray(new String[0]);
    String master = valueOf(a, "flinkMaster").orElse("[auto]");
    if (!(master.equals("[local]") || master.equals("[auto]"))) {
      return;
    }
    // Flink 1.19 reads config.yaml (standard YAML) when a directory has one, else flink-conf.yaml; ours
    // keeps the user's file name and adds flat keys, which both accept. A key of theirs is found only
    // in its flat form ("taskmanager.memory.managed.size: ...").
    String userConf = "";
    String fileName = "flink-conf.yaml";
    Optional<String> userDir = valueOf(a, "flinkConfDir");
    if (userDir.isPresent()) {
      try {
        if (Files.exists(Path.of(userDir.get(), "config.yaml"))) {
          fileName = "config.yaml";
        }
        Path file = Path.of(userDir.get(), fileName);
        userConf = Files.exists(file) ? Files.readString(file) : "";
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the Flink configuration in " + userDir.get(), e);
      }
    }
    StringBuilder ours = new StringBuilder();
    if (!setsKey(userConf, MANAGED_MEMORY)) {
      ours.append(MANAGED_MEMORY).append(": ").append(Runtime.getRuntime().maxMemory() * 2 / 5 >> 20).append("m\n");
    }
    Optional<String> savepoint = valueOf(a, "savepointPath");
    if (savepoint.isPresent() && !savepoint.get().isBlank()) {
      String path = savepoint.get().contains("://") ? savepoint.get()
          : Path.of(savepoint.get()).toAbsolutePath().toUri().toString();
      ours.append("execution.savepoint.path: ").append(path).append('\n');
      if (valueOf(a, "allowNonRestoredState").map(Boolean::parseBoolean).orElse(false)) {
        ours.append("execution.savepoint.ignore-unclaimed-state: true\n");
      }
    }
    if (ours.length() == 0) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("shopbeam-flink-conf");
      Path conf = dir.resolve(fileName);
      Files.writeString(conf, userConf.isEmpty() ? ours.toString() : userConf + "\n" + ours);
      dir.toFile().deleteOnExit();
      conf.toFile().deleteOnExit();
      args.removeIf(x -> x.startsWith("--flinkConfDir="));
      args.add("--flinkConfDir=" + dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a Flink configuration for the embedded cluster", e);
    }
  }

  /** Whether a flat Flink YAML configuration sets {@code key} (on a line of its own, not commented out). */
  static boolean setsKey(String conf, String key) {
    for (String line : conf.split("\\R")) {
      String t = line.strip();
      if (t.startsWith(key) && t.substring(key.length()).strip().startsWith(":")) {
        return true;
      }
    }
    return false;
  }

  public static Optional<String> runnerOf(String[] args) {
    return valueOf(args, "runner").map(PipelineLauncher::runnerName);
  }

  /**
   * Beam's own runners under their class's simple name however {@code --runner} named them: Beam takes
   * the simple or the full class name, in any case, with or without "Runner" ({@code --runner=flink}
   * runs Flink), and our defaults for a runner must follow it there. Any other runner as given.
   */
  static String runnerName(String given) {
    String simple = given.startsWith("org.apache.beam.runners.") ? given.substring(given.lastIndexOf('.') + 1) : given;
    String key = simple.toLowerCase(Locale.ROOT);
    key = key.endsWith("runner") ? key : key + "runner";
    for (String known : List.of("DirectRunner", "FlinkRunner", "SparkRunner")) {
      if (known.toLowerCase(Locale.ROOT).equals(key)) {
        return known;
      }
    }
    return given;
  }

  public static boolean isSpark(String runner) {
    return runner.equals("SparkRunner") || runner.endsWith(".SparkRunner");
  }

  /**
   * When Spark is chosen and this JVM lacks the module flags, runs {@code mainClass} again in a child
   * JVM that has them and returns its exit code; otherwise empty (go on in this JVM).
   */
  public static Optional<Integer> relaunchForSparkIfNeeded(Class<?> mainClass, String[] args)
      throws java.io.IOException, InterruptedException {
    String runner = runnerOf(args).orElse(DEFAULT_RUNNER);
    if (!isSpark(runner)) {
      return Optional.empty();
    }
    return relaunchWithJava17FlagsIfNeeded(mainClass, args);
  }

  /**
   * Runs {@code mainClass} again in a child JVM with {@link #JAVA17_FLAGS} unless this JVM has them, and
   * returns its exit code; otherwise empty. For mains that need them whatever the runner (Flink's own
   * DataStream jobs serialize JDK collections with Kryo, which needs java.util opened, as Spark does).
   */
  public static Optional<Integer> relaunchWithJava17FlagsIfNeeded(Class<?> mainClass, String[] args)
      throws java.io.IOException, InterruptedException {
    if (hasJava17Flags() || Boolean.getBoolean(RELAUNCHED)) {
      return Optional.empty();
    }
    String java = ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(JAVA17_FLAGS);
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-D" + RELAUNCHED + "=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(Arrays.asList(args));
    Process child = new ProcessBuilder(cmd).inheritIO().start();
    return Optional.of(child.waitFor());
  }

  static boolean hasJava17Flags() {
    Module unnamed = PipelineLauncher.class.getModule();
    Module base = Object.class.getModule();
    return base.isOpen("sun.nio.ch", unnamed) && base.isOpen("java.nio", unnamed)
        && base.isOpen("java.lang.invoke", unnamed) && base.isOpen("java.util", unnamed);
  }

  private static Optional<String> valueOf(String[] args, String name) {
    String prefix = "--" + name + "=";
    Optional<String> found = Optional.empty();
    for (String a : args) {
      if (a.startsWith(prefix)) {
        found = Optional.of(a.substring(prefix.length()));
      }
    }
    return found;
  }

  private static void addIfAbsent(List<String> out, String[] args, String option, String value) {
    if (valueOf(args, option).isEmpty()) {
      out.add("--" + option + "=" + value);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
