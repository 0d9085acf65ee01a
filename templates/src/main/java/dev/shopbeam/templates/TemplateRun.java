package dev.shopbeam.templates;

import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.pipelines.Tables;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs a validated template: each day's batch job writes to a staging directory under the output, and
 * only when it succeeded is each table's staged partition moved into place as
 * {@code OUTPUT/TABLE/dt=YYYY-MM-DD/}, with a {@code _SUCCESS} marker and the run's {@code _SUMMARY.json}.
 * A failed run leaves the previous partitions as they were; re-running a day replaces its partitions
 * with the same rows (JSON tables are written sorted, so their bytes are the same too).
 *
 * <p>Exit codes, for orchestrators: 0 success, 1 a run failed after launch, 2 invalid parameters.
 */
public final class TemplateRun {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final String SUCCESS_MARKER = "_SUCCESS";
  static final String STAGING = "_staging";

  /** The tables each daily job publishes as partitions. */
  public static final Map<String, List<String>> TABLES = Map.of(
      Templates.DAILY_AGGREGATES, List.of(Tables.CLEAN_EVENTS, Tables.ITEM_STATS, Tables.CATEGORY_STATS,
          Tables.FUNNEL, Tables.HOT_ITEMS, Tables.DEAD_LETTERS),
      Templates.DAILY_FEATURES_AND_RECS, List.of(Tables.USER_FEATURES, Tables.ITEM_FEATURES, Tables.ITEM_SIMILARITY,
          Tables.USER_RECOMMENDATIONS));

  private TemplateRun() {}

  public static int run(String name, List<String> args, PrintStream out, PrintStream err) {
    Map<String, Object> v;
    try {
      v = Templates.validate(name, args);
    } catch (IllegalArgumentException e) {
      err.println("templates: " + e.getMessage());
      return EXIT_USAGE;
    }
    try {
      if (name.equals(Templates.BACKFILL)) {
        String job = (String) v.get("job");
        LocalDate to = (LocalDate) v.get("to");
        for (LocalDate day = (LocalDate) v.get("from"); !day.isAfter(to); day = day.plusDays(1)) {
          int exit = runDay(job, day, v, out, err);
          if (exit != EXIT_OK) {
            err.println("templates: backfill stopped at " + day + "; the days before it are in place, the rest untouched");
            return exit;
          }
        }
        return EXIT_OK;
      }
      return runDay(name, (LocalDate) v.get("date"), v, out, err);
    } catch (Exception e) {
      err.println("templates: " + name + " failed: " + e);
      return EXIT_FAILED;
    }
  }

  /** One day of a daily job: batch into staging, then each table's partition moved into place. */
  static int runDay(String job, LocalDate day, Map<String, Object> v, PrintStream out, PrintStream err)
      throws Exception {
    Path output = Path.of((String) v.get("output"));
    Path staging = output.resolve(STAGING).resolve(job + "-" + day + "-" + UUID.randomUUID());
    LocalDate first = job.equals(Templates.DAILY_FEATURES_AND_RECS) ? day.minusDays((Integer) v.get("days") - 1) : day;
    List<String> tables = TABLES.get(job);
    List<String> batch = new ArrayList<>(List.of(
        "--input=" + v.get("input"), "--format=" + v.get("format"), "--output=" + staging,
        "--runner=" + v.get("runner"), "--outputFormat=" + v.get("outputFormat"), "--numShards=1",
        "--tables=" + String.join(",", tables), "--eventsFrom=" + first, "--eventsUntil=" + day.plusDays(1)));
    TemplateSpec spec = Templates.named(job).orElseThrow();
    for (TemplateParameter p : spec.parameters()) {
      Object value = v.get(p.name());
      boolean passedAbove = List.of("input", "format", "runner", "outputFormat").contains(p.name());
      if (p.pipelineOption() != null && !passedAbove && value != null) {
        batch.add("--" + p.pipelineOption() + "=" + raw(value));
      }
    }
    out.println("templates: " + job + " " + day + (first.equals(day) ? "" : " (events from " + first + ")"));
    try {
      int exit = BatchPipeline.run(batch.toArray(new String[0]), out, err);
      if (exit != BatchPipeline.EXIT_OK) {
        err.println("templates: " + job + " " + day + " failed (batch exit " + exit + "); its partitions are unchanged");
        return exit == BatchPipeline.EXIT_USAGE ? EXIT_USAGE : EXIT_FAILED;
      }
      byte[] summary = Files.readAllBytes(staging.resolve(RunSummary.FILE_NAME));
      for (String table : tables) {
        Path staged = staging.resolve(table);
        deleteTree(staged.resolve(".temp-beam")); // Beam's emptied temporary directory, when it leaves one
        if ("json".equals(v.get("outputFormat"))) {
          sortLines(staged);
        }
        Files.write(staged.resolve(SUCCESS_MARKER), new byte[0]);
        Files.write(staged.resolve(RunSummary.FILE_NAME), summary);
        replace(staged, output.resolve(table).resolve("dt=" + day));
      }
      out.println("templates: " + job + " " + day + " -> " + output + "/TABLE/dt=" + day + " (" + String.join(", ", tables)
          + ")");
      return EXIT_OK;
    } finally {
      deleteTree(staging);
    }
  }

  private static String raw(Object value) {
    if (value instanceof org.joda.time.Duration d) {
      return d.getMillis() + "ms";
    }
    return value.toString();
  }

  /** Sorts each JSON-lines part file of a table, so the same rows always make the same bytes. */
  static void sortLines(Path tableDir) throws IOException {
    try (Stream<Path> files = Files.list(tableDir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
        List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
        lines.sort(null);
        Files.write(f, lines, StandardCharsets.UTF_8);
      }
    }
  }

  /**
   * Puts {@code staged} where {@code target} is, by renames on one filesystem: the old partition is moved
   * aside first, then the new one in, then the old one deleted. A reader sees the old partition or the
   * new one, never a mixture, apart from the instant between the two renames when there is none.
   */
  static void replace(Path staged, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
    boolean hadOld = Files.exists(target);
    if (hadOld) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (hadOld) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // put the previous partition back
      }
      throw e;
    }
    if (hadOld) {
      deleteTree(old);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
