package dev.shopbeam.runners.report;

import dev.shopbeam.pipelines.BatchPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * {@code report --input=BATCH_OUTPUT_DIR --output=FILE.html [--top=10]}: one self-contained HTML page
 * (inline SVG charts, no scripts or outside resources) about a batch run's output. Exit 0 when written,
 * 1 when a table could not be read, 2 on bad arguments (one line naming the option).
 */
public final class ReportCommand {
  static final String HELP = String.join("\n",
      "usage: report --input=BATCH_OUTPUT_DIR --output=FILE.html [--top=10]",
      "",
      "Writes one self-contained HTML page about a batch output (any of parquet, avro, json):",
      "headline numbers, revenue and events over time (with flagged anomalies), the conversion funnel,",
      "top items and categories, and data quality (dead letters by reason, filtered records by rule).",
      "",
      "  --input   a directory `batch` wrote (_SUMMARY.json and one directory per table)   (required)",
      "  --output  the HTML file to write                                                (required)",
      "  --top     how many items and categories to list                                 (default 10)");

  private ReportCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    String input = null;
    String output = null;
    int top = 10;
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(HELP);
        return BatchPipeline.EXIT_OK;
      }
      if (a.startsWith("--input=")) {
        input = a.substring("--input=".length());
      } else if (a.startsWith("--output=")) {
        output = a.substring("--output=".length());
      } else if (a.startsWith("--top=")) {
        try {
          top = Integer.parseInt(a.substring("--top=".length()));
        } catch (NumberFormatException e) {
          top = -1;
        }
        if (top < 1) {
          return usage(err, "--top='" + a.substring("--top=".length()) + "' is not a positive whole number");
        }
      } else {
        return usage(err, "unknown option '" + a + "' (report takes --input, --output, --top)");
      }
    }
    if (input == null || input.isBlank()) {
      return usage(err, "--input is required: the directory a batch run wrote");
    }
    if (output == null || output.isBlank()) {
      return usage(err, "--output is required: the HTML file to write");
    }
    OutputTables tables = new OutputTables(Paths.get(input));
    if (!Files.isDirectory(tables.dir())) {
      return usage(err, "--input='" + input + "' is not a directory");
    }
    if (!tables.isBatchOutput()) {
      return usage(err, "--input='" + input + "' is not a batch output (no _SUMMARY.json and no table directories)");
    }
    Path target = Paths.get(output);
    if (Files.isDirectory(target)) {
      return usage(err, "--output='" + output + "' is a directory; give a file name such as report.html");
    }
    String html;
    try {
      html = ReportPage.render(ReportData.load(tables, top), input);
    } catch (IOException | RuntimeException e) {
      err.println("error: could not read " + input + ": " + e);
      return BatchPipeline.EXIT_FAILED;
    }
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      // Written beside the target and moved into place: a reader never sees half a page.
      Path tmp = Files.createTempFile(dir, ".report-", ".html.tmp");
      Files.writeString(tmp, html, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      err.println("error: could not write --output='" + output + "': " + e.getMessage());
      return BatchPipeline.EXIT_FAILED;
    }
    out.printf("report: %s (%,d bytes)%n", target, html.getBytes(StandardCharsets.UTF_8).length);
    return BatchPipeline.EXIT_OK;
  }

  private static int usage(PrintStream err, String message) {
    err.println("error: " + message);
    err.println("Run with --help to list the options.");
    return BatchPipeline.EXIT_USAGE;
  }
}
