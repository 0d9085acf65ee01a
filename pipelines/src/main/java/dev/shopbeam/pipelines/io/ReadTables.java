package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.ShopBeamAvroData;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Reads a table of a local batch output back as JSON lines ({@link RecordJson}), whatever format it
 * was written in: for comparing runs, runners and formats, and for tools that inspect an output.
 */
public final class ReadTables {
  private ReadTables() {}

  /** Every row of {@code <outputDir>/<table>}, as JSON, in file order (shards sorted by name). */
  public static <T extends SpecificRecordBase> List<String> rows(
      Path outputDir, String table, Class<T> rowClass, OutputFormat format) throws IOException {
    List<String> rows = new ArrayList<>();
    for (Path f : partFiles(outputDir, table, format)) {
      read(f, rowClass, format, rows::add);
    }
    return rows;
  }

  /** The files of {@code <outputDir>/<table>} a batch run wrote in {@code format}, sorted by name; none if absent. */
  public static List<Path> partFiles(Path outputDir, String table, OutputFormat format) throws IOException {
    Path dir = outputDir.resolve(table);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part") && p.toString().endsWith(format.suffix()))
          .sorted().collect(Collectors.toList());
    }
  }

  /** Hands every row of one table file to {@code row}, as JSON ({@link RecordJson}), without holding the file. */
  public static <T extends SpecificRecordBase> void forEachRow(Path file, Class<T> rowClass, OutputFormat format,
      Consumer<String> row) throws IOException {
    read(file, rowClass, format, row);
  }

  /**
   * The rows of a streaming run's {@code --output} table ({@link WriteTable#perWindowPane()}): for each
   * window, the rows of its highest-numbered pane, i.e. its latest (after the watermark: final) result.
   */
  public static <T extends SpecificRecordBase> List<String> latestPaneRows(
      Path outputDir, String table, Class<T> rowClass, OutputFormat format) throws IOException {
    Path dir = outputDir.resolve(table);
    List<String> rows = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return rows;
    }
    // window span -> (pane number -> files of that pane)
    java.util.Map<String, java.util.TreeMap<Integer, List<Path>>> panes = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : (Iterable<Path>) s.sorted()::iterator) {
        String name = f.getFileName().toString();
        int at = name.indexOf("-pane-");
        if (at < 0 || !name.endsWith(format.suffix()) || name.startsWith(".")) {
          continue;
        }
        int pane = Integer.parseInt(name.substring(at + 6, name.indexOf('-', at + 6)));
        panes.computeIfAbsent(name.substring(0, at), k -> new java.util.TreeMap<>())
            .computeIfAbsent(pane, k -> new ArrayList<>()).add(f);
      }
    }
    for (java.util.TreeMap<Integer, List<Path>> byPane : panes.values()) {
      for (Path f : byPane.lastEntry().getValue()) {
        read(f, rowClass, format, rows::add);
      }
    }
    return rows;
  }

  private static <T extends SpecificRecordBase> void read(Path f, Class<T> rowClass, OutputFormat format,
      Consumer<String> rows) throws IOException {
    switch (format) {
      case PARQUET:
        readParquet(f, rows);
        break;
      case AVRO:
        readAvro(f.toFile(), rowClass, rows);
        break;
      default:
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
          lines.filter(line -> !line.isEmpty()).forEach(rows);
        }
    }
  }

  private static void readParquet(Path f, Consumer<String> rows) throws IOException {
    Configuration conf = new Configuration();
    try (ParquetReader<SpecificRecordBase> r =
        AvroParquetReader.<SpecificRecordBase>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), conf))
            .withDataModel(ShopBeamAvroData.get())
            .build()) {
      for (SpecificRecordBase rec = r.read(); rec != null; rec = r.read()) {
        rows.accept(RecordJson.toJson(rec));
      }
    }
  }

  private static <T extends SpecificRecordBase> void readAvro(File f, Class<T> rowClass, Consumer<String> rows)
      throws IOException {
    try (DataFileReader<T> r = new DataFileReader<>(f, new SpecificDatumReader<>(rowClass))) {
      for (T rec : r) {
        rows.accept(RecordJson.toJson(rec));
      }
    }
  }
}
