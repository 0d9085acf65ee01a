package dev.shopbeam.runners.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shopbeam.pipelines.BatchConfig;
import dev.shopbeam.pipelines.BatchOptions;
import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.PipelineLauncher;
import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.pipelines.io.ReadRawRecords;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code bench}: runs named pipelines and reference implementations on one input, on this machine, and
 * prints one line per run (runner, events, wall seconds, events per second, peak heap, output rows) plus
 * a JSON record per run for tracking over time. See the README's Performance section.
 */
public final class Bench {
  /** Everything {@code --pipelines=all} runs, in this order. */
  public static final List<String> PIPELINES = List.of(
      "plain-java", "parse", "hot-items", "naive-beam", "native-flink", "nexmark-q5", "batch", "streaming");
  static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

  static {
    DESCRIPTIONS.put("parse", "ShopBeam read + parse + validate + dedupe, nothing written");
    DESCRIPTIONS.put("hot-items", "ShopBeam batch pipeline with --tables=hot_items (clean, hot items, dead letters, summary)");
    DESCRIPTIONS.put("batch", "ShopBeam batch pipeline, every table");
    DESCRIPTIONS.put("streaming", "ShopBeam streaming pipeline reading the input from an in-process Kafka broker");
    DESCRIPTIONS.put("plain-java", "reference: hot items in plain single-threaded Java (boxed hash maps)");
    DESCRIPTIONS.put("naive-beam", "reference: hot items as a naive Beam pipeline (sliding windows, Count.perElement, Top.perKey)");
    DESCRIPTIONS.put("native-flink", "reference: hot items as a hand-written Flink DataStream job");
    DESCRIPTIONS.put("nexmark-q5", "reference: Beam's Nexmark Query 5 (hot auctions) on its own generator, same event count");
  }

  static final String USAGE = String.join("\n",
      "usage: bench [--events=2000000] [--seed=42] | [--input=FILE --format=F]",
      "             [--pipelines=hot-items,naive-beam,...|all] [--runner=FlinkRunner|SparkRunner|DirectRunner]",
      "             [--warmup=1] [--warmupEvents=50000] [--repeats=1] [--workDir=bench-work] [--json=FILE]",
      "             [--liveHeapEvery=SECONDS]",
      "             [--BEAM_OPTION=V ...]",
      "Warm-up runs (not measured) read the first --warmupEvents lines of the input, so that JIT compilation",
      "and class loading are not billed to whichever pipeline happens to run first. All warm-ups run first;",
      "the measured runs then go in rounds, each pipeline once per round (--repeats rounds), and the ratios",
      "use each pipeline's median run.",
      "--liveHeapEvery=S forces a full collection every S seconds and reports the largest heap still in use",
      "right after one (the live set) as 'live MB'; it costs each run some time. Without it 'live MB' is the",
      "heap in use after the collector's own collections, which counts garbage it has not reached yet.",
      "Synthetic input (default): a seeded UserBehavior-layout shop with Zipf item popularity, sessions, a",
      "pv/cart/fav/buy mix, out-of-order and malformed lines; generated once into the work directory.",
      "The references (plain-java, naive-beam, native-flink) read the UserBehavior layout only.");

  private final PrintStream out;
  /** Seconds between forced collections that measure the live set; 0: none (see USAGE). */
  private final int liveHeapEverySeconds;
  private final ObjectMapper json = new ObjectMapper();

  private Bench(PrintStream out, int liveHeapEverySeconds) {
    this.out = out;
    this.liveHeapEverySeconds = liveHeapEverySeconds;
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** One measured run. */
  record Result(String pipeline, String runner, long events, double seconds, double cpuSeconds, long peakHeapMb,
      long peakLiveMb, double gcSeconds, Map<String, Long> rows, boolean warmup) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    List<String> beamArgs = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        out.println();
        DESCRIPTIONS.forEach((k, v) -> out.printf("  %-13s %s%n", k, v));
        return 0;
      }
      if (!a.startsWith("--") || !a.contains("=")) {
        err.println("error: expected --option=value, got '" + a + "'");
        err.println(USAGE);
        return 2;
      }
      String key = a.substring(2, a.indexOf('='));
      String value = a.substring(a.indexOf('=') + 1);
      switch (key) {
        case "events", "seed", "input", "format", "pipelines", "warmup", "warmupEvents", "repeats", "workDir", "json",
             "liveHeapEvery" ->
            o.put(key, value);
        default -> beamArgs.add(a); // runner, parallelism and every other Beam option
      }
    }
    String[] beam = PipelineLauncher.withDefaults(beamArgs.toArray(new String[0]));
    java.util.Optional<Integer> child = PipelineLauncher.relaunchWithJava17FlagsIfNeeded(Bench.class, args);
    if (child.isPresent()) {
      return child.get();
    }
    List<String> pipelines = new ArrayList<>();
    for (String name : o.getOrDefault("pipelines", "all").split(",")) {
      if (name.strip().equals("all")) {
        pipelines.addAll(PIPELINES);
      } else if (PIPELINES.contains(name.strip())) {
        pipelines.add(name.strip());
      } else {
        err.println("error: --pipelines: '" + name + "' is not one of all, " + String.join(", ", PIPELINES));
        return 2;
      }
    }
    int warmup;
    int repeats;
    long events;
    int liveHeapEverySeconds;
    try {
      liveHeapEverySeconds = Integer.parseInt(o.getOrDefault("liveHeapEvery", "0"));
      if (liveHeapEverySeconds < 0) {
        throw new NumberFormatException("out of range");
      }
      warmup = Integer.parseInt(o.getOrDefault("warmup", "1"));
      repeats = Integer.parseInt(o.getOrDefault("repeats", "1"));
      events = Long.parseLong(o.getOrDefault("events", "2000000").replace("_", ""));
      if (warmup < 0 || repeats < 1 || events < 1) {
        throw new NumberFormatException("out of range");
      }
    } catch (NumberFormatException e) {
      err.println("error: --events, --warmup, --repeats and --liveHeapEvery take whole numbers (events >= 1, warmup >= 0,"
          + " repeats >= 1, liveHeapEvery >= 0)");
      return 2;
    }
    Path work = Paths.get(o.getOrDefault("workDir", "bench-work")).toAbsolutePath();
    Files.createDirectories(work);
    Path input;
    InputFormat format;
    if (o.containsKey("input")) {
      input = Paths.get(o.get("input")).toAbsolutePath();
      format = InputFormat.fromName(o.getOrDefault("format", "userbehavior"));
      if (!Files.isRegularFile(input)) {
        err.println("error: --input=" + input + " is not a file");
        return 2;
      }
    } else {
      SyntheticShop shop = new SyntheticShop(events, Long.parseLong(o.getOrDefault("seed", "42")));
      input = work.resolve(shop.fileName());
      format = InputFormat.USERBEHAVIOR;
      if (!Files.exists(input)) {
        long t0 = System.nanoTime();
        shop.writeTo(input);
        out.printf("generated %,d events into %s in %.1f s%n", events, input, (System.nanoTime() - t0) / 1e9);
      }
    }
    long lines = countLines(input);
    long warmupLines = Math.min(lines, Long.parseLong(o.getOrDefault("warmupEvents", "50000")));
    Path warmupInput = warmupLines == lines ? input : head(input, warmupLines, work);
    String runner = PipelineLauncher.runnerOf(beam).orElse(PipelineLauncher.DEFAULT_RUNNER);
    Bench bench = new Bench(out, liveHeapEverySeconds);
    out.printf("bench: %s (%s, %,d lines) on %d cores, max heap %d MB, Java %s%n", input, format.cliName(), lines,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));
    out.printf("%-13s %-12s %12s %9s %12s %9s %12s %8s %8s %7s  %s%n", "pipeline", "runner", "events", "seconds",
        "events/s", "cpu s", "events/cpu-s", "heap MB", "live MB", "gc s", "output rows");
    List<String> runnable = new ArrayList<>();
    for (String name : pipelines) {
      if (!format.equals(InputFormat.USERBEHAVIOR) && List.of("plain-java", "naive-beam", "native-flink").contains(name)) {
        out.printf("%-13s skipped: the references read the userbehavior layout only%n", name);
      } else {
        runnable.add(name);
      }
    }
    Map<String, List<Result>> results = new LinkedHashMap<>();
    // Every pipeline's warm-ups first, then the measured runs in rounds (each pipeline once per round),
    // so that a slow or fast phase of the machine falls on every pipeline of a ratio alike rather than on
    // whichever ran its repeats then.
    for (int i = 0; i < warmup + repeats; i++) {
      boolean isWarmup = i < warmup;
      for (String name : runnable) {
        Result r = isWarmup
            ? bench.runOne(name, runner, beam, warmupInput, format, warmupLines, work, true)
            : bench.runOne(name, runner, beam, input, format, lines, work, false);
        bench.print(r);
        if (!r.warmup()) {
          results.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
        }
        if (o.containsKey("json")) {
          bench.appendJson(Paths.get(o.get("json")), r, input);
        }
      }
    }
    bench.printRatios(results);
    return 0;
  }

  private Result runOne(String name, String runner, String[] beamArgs, Path input, InputFormat format, long lines,
      Path work, boolean warmup) throws Exception {
    String input_ = input.toString();
    switch (name) {
      case "plain-java":
        return measure(name, "java", lines, warmup, () -> Map.of("hot_items", PlainJavaHotItems.run(input, HotItemsSpec.DEFAULT)));
      case "native-flink": {
        int parallelism = Runtime.getRuntime().availableProcessors();
        return measure(name, "flink-native", lines, warmup,
            () -> Map.of("hot_items", NativeFlinkHotItems.run(input_, HotItemsSpec.DEFAULT, parallelism)));
      }
      case "naive-beam":
        return measure(name, runner, lines, warmup, () -> {
          Pipeline p = Pipeline.create(options(beamArgs, PipelineOptions.class));
          NaiveBeamHotItems.build(p, input_, HotItemsSpec.DEFAULT);
          return runForCounts(p);
        });
      case "nexmark-q5":
        return measure(name, runner, lines, warmup, () -> {
          Pipeline p = Pipeline.create(options(beamArgs, PipelineOptions.class));
          NexmarkHotItems.build(p, lines);
          return runForCounts(p);
        });
      case "parse":
        return measure(name, runner, lines, warmup, () -> {
          BatchOptions o = batchOptions(beamArgs, input_, format, work.resolve("out-parse"), "all");
          BatchConfig config = BatchConfig.fromOptions(o);
          Pipeline p = Pipeline.create(o);
          PCollection<RawRecord> raw = p.apply("Read", new ReadRawRecords(config.input(), config.format(), config.maxRecordBytes()));
          EventStreams clean = raw.apply("Clean", CleanEvents.of(config.format(), config.clean()));
          clean.events().apply(BenchMetrics.countAs("clean_events"));
          clean.deadLetters().apply(BenchMetrics.countAs("dead_letters"));
          clean.filtered().apply(BenchMetrics.countAs("filtered"));
          return runForCounts(p);
        });
      case "hot-items":
      case "batch": {
        Path output = work.resolve("out-" + name);
        return measure(name, runner, lines, warmup, () -> {
          BatchOptions o = batchOptions(beamArgs, input_, format, output, name.equals("batch") ? "all" : "hot_items");
          BatchConfig config = BatchConfig.fromOptions(o);
          BatchPipeline.clearOutputs(config.output());
          Pipeline p = Pipeline.create(o);
          BatchPipeline.build(p, config, BatchPipeline.runInfo(config, runner));
          if (PipelineLauncher.runToEnd(p, System.err) != PipelineResult.State.DONE) {
            throw new IllegalStateException(name + " failed");
          }
          JsonNode tables = RunSummary.read(config.output()).get("tables");
          Map<String, Long> rows = new TreeMap<>();
          tables.fields().forEachRemaining(t -> rows.put(t.getKey(), t.getValue().asLong()));
          return rows;
        });
      }
      case "streaming":
        return StreamingBench.run(this, runner, beamArgs, input, format, lines, work, warmup);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  Result measure(String name, String runner, long events, boolean warmup, Callable<Map<String, Long>> run)
      throws Exception {
    try (HeapSampler heap = new HeapSampler(liveHeapEverySeconds)) {
      long start = System.nanoTime();
      long cpuStart = processCpuNanos();
      Map<String, Long> rows = run.call();
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
      return new Result(name, runner, events, seconds, cpuSeconds, heap.peakUsedMb(), heap.peakLiveMb(),
          heap.collectorSeconds(), rows, warmup);
    }
  }

  /** CPU time of this whole JVM (every thread): robust where wall time suffers from a busy machine. */
  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  static Map<String, Long> runForCounts(Pipeline p) {
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the pipeline ended in state " + state);
    }
    return BenchMetrics.of(result);
  }

  static <T extends PipelineOptions> T options(String[] beamArgs, Class<T> type) {
    PipelineOptionsFactory.register(type);
    return PipelineOptionsFactory.fromArgs(beamArgs).withValidation().as(type);
  }

  private static BatchOptions batchOptions(String[] beamArgs, String input, InputFormat format, Path output,
      String tables) {
    List<String> a = new ArrayList<>(Arrays.asList(beamArgs));
    a.add("--input=" + input);
    a.add("--format=" + format.cliName());
    a.add("--output=" + output);
    a.add("--tables=" + tables);
    return options(a.toArray(new String[0]), BatchOptions.class);
  }

  void print(Result r) {
    out.printf(Locale.ROOT, "%-13s %-12s %,12d %9.1f %,12.0f %9.1f %,12.0f %8d %8d %7.1f  %s%s%n", r.pipeline(),
        r.runner(), r.events(), r.seconds(), r.eventsPerSecond(), r.cpuSeconds(),
        r.events() / Math.max(1e-9, r.cpuSeconds()), r.peakHeapMb(), r.peakLiveMb(), r.gcSeconds(), r.rows(),
        r.warmup() ? "  (warm-up)" : "");
    out.flush();
  }

  private void appendJson(Path file, Result r, Path input) throws IOException {
    ObjectNode n = json.createObjectNode();
    n.put("at", Instant.now().toString());
    n.put("pipeline", r.pipeline());
    n.put("runner", r.runner());
    n.put("input", input.getFileName().toString());
    n.put("events", r.events());
    n.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
    n.put("eventsPerSecond", Math.round(r.eventsPerSecond()));
    n.put("cpuSeconds", Math.round(r.cpuSeconds() * 1000) / 1000.0);
    n.put("peakHeapMb", r.peakHeapMb());
    n.put("peakLiveHeapMb", r.peakLiveMb());
    n.put("liveHeapEverySeconds", liveHeapEverySeconds); // 0: peakLiveHeapMb is after the collector's own GCs
    n.put("gcSeconds", Math.round(r.gcSeconds() * 1000) / 1000.0); // the forced collections included
    n.put("warmup", r.warmup());
    n.put("cores", Runtime.getRuntime().availableProcessors());
    n.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
    n.put("java", System.getProperty("java.version"));
    ObjectNode rows = n.putObject("rows");
    r.rows().forEach(rows::put);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, json.writeValueAsString(n) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The ratios the README's targets are stated in, from the median run of each pipeline. */
  private void printRatios(Map<String, List<Result>> results) {
    Map<String, Double> rate = new LinkedHashMap<>();
    results.forEach((name, rs) -> {
      double[] rates = rs.stream().mapToDouble(Result::eventsPerSecond).sorted().toArray();
      rate.put(name, rates[rates.length / 2]);
    });
    if (rate.isEmpty()) {
      return;
    }
    out.println();
    ratio(rate, "hot-items", "naive-beam", "hot items vs naive Beam (target >= 10)");
    ratio(rate, "hot-items", "native-flink", "hot items vs native Flink job (target >= 1)");
    ratio(rate, "hot-items", "nexmark-q5", "hot items vs Nexmark Query 5 (target > 1)");
    ratio(rate, "hot-items", "plain-java", "hot items as a fraction of plain Java on one core");
    ratio(rate, "naive-beam", "plain-java", "naive Beam as a fraction of plain Java on one core");
    ratio(rate, "native-flink", "naive-beam", "native Flink vs naive Beam");
    ratio(rate, "hot-items", "batch", "whole batch time / hot-items time (target <= 3)");
    ratio(rate, "streaming", "batch", "streaming vs batch rate (target >= 0.33)");
    ratio(rate, "parse", "plain-java", "parse+clean vs plain-Java hot items");
  }

  private void ratio(Map<String, Double> rate, String a, String b, String label) {
    if (rate.containsKey(a) && rate.containsKey(b)) {
      out.printf(Locale.ROOT, "%-55s %8.2f%n", label, rate.get(a) / rate.get(b));
    }
  }

  /** The first {@code n} lines of {@code file}, as a plain file in the work directory. */
  private static Path head(Path file, long n, Path work) throws IOException {
    Path head = work.resolve("head-" + n + "-" + file.getFileName().toString().replaceAll("\\.gz$", ""));
    if (!Files.exists(head)) {
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(file.toString().endsWith(".gz")
              ? new java.util.zip.GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file),
              StandardCharsets.ISO_8859_1));
          var out = Files.newBufferedWriter(head, StandardCharsets.ISO_8859_1)) {
        String line;
        for (long i = 0; i < n && (line = in.readLine()) != null; i++) {
          out.write(line);
          out.write('\n');
        }
      }
    }
    return head;
  }

  private static long countLines(Path file) throws IOException {
    if (file.toString().endsWith(".gz")) {
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
          new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
        return in.lines().count();
      }
    }
    try (var lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
      return lines.count();
    }
  }
}
