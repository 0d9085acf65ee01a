package dev.shopbeam.pipelines;

import dev.shopbeam.pipelines.io.ReadRawRecords;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.clean.CleanEvents;
import dev.shopbeam.transforms.recommend.EvaluateRecommender;
import dev.shopbeam.transforms.recommend.RankingMetrics;
import dev.shopbeam.transforms.recommend.RecommendItems;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The {@code evaluate} command: item-to-item recommendations against the most-popular baseline on a
 * train/test split of one input, metrics at K side by side, as JSON and a table.
 */
public final class EvaluatePipeline {
  private EvaluatePipeline() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static Instant cutoff(String value) {
    String v = value.strip();
    try {
      return v.length() == 10 ? Instant.parse(v + "T00:00:00Z") : Instant.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cutoff='" + value + "' is not an ISO-8601 instant or a date such as 2011-10-01");
    }
  }

  static EvaluateRecommender evaluation(EvaluateOptions o) {
    RecommendItems recommend = RecommendOptions.recommender(o);
    switch (o.getSplit().toLowerCase(Locale.ROOT)) {
      case "time":
        if (o.getCutoff().isBlank()) {
          throw new IllegalArgumentException("--split=time needs --cutoff, e.g. --cutoff=2011-10-01");
        }
        return EvaluateRecommender.byTime(recommend, cutoff(o.getCutoff()));
      case "random":
        return AnalyticsConfig.parse("testFraction",
            () -> EvaluateRecommender.atRandom(recommend, o.getTestFraction(), o.getSeed()));
      default:
        throw new IllegalArgumentException("--split='" + o.getSplit() + "' is not one of time, random");
    }
  }

  public static int run(String[] rawArgs, PrintStream out, PrintStream err) throws Exception {
    PipelineLauncher.Prepared<EvaluateOptions> prepared = PipelineLauncher.prepare(EvaluatePipeline.class,
        EvaluateOptions.class, "ShopBeam evaluate: item-to-item recommendations vs most popular, offline.",
        rawArgs, out, err);
    if (prepared.exitCode().isPresent()) {
      return prepared.exitCode().get();
    }
    EvaluateOptions o = prepared.options();
    AnalyticsConfig config;
    EvaluateRecommender evaluation;
    try {
      config = AnalyticsConfig.fromOptions(o, Duration.ZERO);
      evaluation = evaluation(o);
    } catch (IllegalArgumentException e) {
      return PipelineLauncher.usageError(err, e);
    }
    Path results = Files.createTempDirectory("shopbeam-evaluate");
    Pipeline p = Pipeline.create(o);
    PCollection<RawRecord> raw = p.apply("Read", new ReadRawRecords(o.getInput(), config.format(), config.maxRecordBytes()));
    raw.apply("Clean", CleanEvents.of(config.format(), config.clean())).events()
        .apply("Evaluate", evaluation)
        .apply("As JSON", MapElements.into(TypeDescriptors.strings()).via(EvaluatePipeline::json))
        .apply("Write", TextIO.write().to(results.resolve("result").toString()).withoutSharding());
    long started = System.nanoTime();
    PipelineResult.State state = PipelineLauncher.runToEnd(p, err);
    if (state != PipelineResult.State.DONE) {
      return BatchPipeline.EXIT_FAILED;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<String> rows = new ArrayList<>(Files.readAllLines(results.resolve("result"), StandardCharsets.UTF_8));
    rows.sort(null);
    String report = "[" + String.join(",\n ", rows) + "]\n";
    if (!o.getReport().isBlank()) {
      Files.writeString(Path.of(o.getReport()), report);
    }
    out.println("ShopBeam evaluate: " + o.getInput() + ", split " + o.getSplit()
        + (o.getSplit().equals("time") ? " at " + o.getCutoff() : " " + o.getTestFraction() + " seed " + o.getSeed())
        + ", K = " + o.getK() + ", on " + o.getRunner().getSimpleName() + " in " + String.format("%.1f s", seconds));
    out.print(table(rows));
    out.print(report);
    return BatchPipeline.EXIT_OK;
  }

  static String json(KV<String, double[]> system) {
    double[] v = system.getValue();
    StringBuilder b = new StringBuilder("{\"system\":\"").append(system.getKey()).append('"');
    for (int i = 0; i < RankingMetrics.NAMES.length; i++) {
      b.append(",\"").append(RankingMetrics.NAMES[i]).append("\":").append(v[i]);
    }
    b.append(",\"users\":").append((long) v[RankingMetrics.NAMES.length]);
    b.append(",\"coverage\":").append(v[RankingMetrics.NAMES.length + 1]).append('}');
    return b.toString();
  }

  /** A readable table of the JSON rows: one column per system. */
  static String table(List<String> jsonRows) throws java.io.IOException {
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    Map<String, com.fasterxml.jackson.databind.JsonNode> systems = new TreeMap<>();
    for (String r : jsonRows) {
      com.fasterxml.jackson.databind.JsonNode n = mapper.readTree(r);
      systems.put(n.get("system").asText(), n);
    }
    StringBuilder t = new StringBuilder(String.format("%-12s", "metric"));
    systems.keySet().forEach(s -> t.append(String.format("%14s", s)));
    t.append('\n');
    List<String> metrics = new ArrayList<>(List.of(RankingMetrics.NAMES));
    metrics.add("coverage");
    metrics.add("users");
    for (String m : metrics) {
      t.append(String.format("%-12s", m));
      for (com.fasterxml.jackson.databind.JsonNode n : systems.values()) {
        t.append(m.equals("users") ? String.format("%14d", n.get(m).asLong()) : String.format("%14.4f", n.get(m).asDouble()));
      }
      t.append('\n');
    }
    return t.toString();
  }
}
