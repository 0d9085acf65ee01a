package dev.shopbeam.runners.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.RunSummary;
import dev.shopbeam.pipelines.Tables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.schemas.ShopBeamAvroData;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * A local batch output directory, read in plain Java (no pipeline): each table's {@code part-*} files in
 * whichever format they were written (Parquet, Avro or JSON lines, told by the suffix), streamed row by
 * row so a large {@code clean_events} is never held whole, and {@code _SUMMARY.json}.
 */
final class OutputTables {
  /** The anomaly detector's table (rows of {@code Anomaly.avsc}). */
  static final String ANOMALIES = Tables.ANOMALIES;

  /** Decimals as BigDecimal, as the Avro and Parquet readers give them: money is never rounded through double. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final Path dir;

  OutputTables(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Whether this looks like a batch output: a summary, or at least one known table directory. */
  boolean isBatchOutput() {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    if (Files.isRegularFile(dir.resolve(RunSummary.FILE_NAME))) {
      return true;
    }
    return Tables.ALL.keySet().stream().anyMatch(this::has);
  }

  Optional<JsonNode> summary() throws IOException {
    Path f = dir.resolve(RunSummary.FILE_NAME);
    return Files.isRegularFile(f) ? Optional.of(JSON.readTree(f.toFile())) : Optional.empty();
  }

  /** Whether the table was written (its directory holds at least one part file, possibly empty). */
  boolean has(String table) {
    try {
      return !partFiles(table).isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** Calls {@code each} for every row of {@code table}, in file order; nothing when it is absent. */
  void forEachRow(String table, Consumer<Row> each) throws IOException {
    Class<? extends SpecificRecordBase> rowClass = rowClass(table);
    for (Path f : partFiles(table)) {
      String name = f.getFileName().toString();
      if (name.endsWith(OutputFormat.PARQUET.suffix())) {
        readParquet(f, each);
      } else if (name.endsWith(OutputFormat.AVRO.suffix())) {
        readAvro(f, rowClass, each);
      } else {
        readJsonLines(f, each);
      }
    }
  }

  private static Class<? extends SpecificRecordBase> rowClass(String table) {
    Class<? extends SpecificRecordBase> c = Tables.ALL.get(table);
    if (c == null) {
      throw new IllegalArgumentException("unknown table " + table);
    }
    return c;
  }

  private List<Path> partFiles(String table) throws IOException {
    Path tableDir = dir.resolve(table);
    if (!Files.isDirectory(tableDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tableDir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("part") && Stream.of(OutputFormat.values()).anyMatch(f -> n.endsWith(f.suffix()));
      }).sorted().collect(Collectors.toList());
    }
  }

  private static void readParquet(Path f, Consumer<Row> each) throws IOException {
    try (ParquetReader<SpecificRecordBase> r =
        AvroParquetReader.<SpecificRecordBase>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), new Configuration()))
            .withDataModel(ShopBeamAvroData.get())
            .build()) {
      for (SpecificRecordBase rec = r.read(); rec != null; rec = r.read()) {
        each.accept(Row.of(rec));
      }
    }
  }

  private static <T extends SpecificRecordBase> void readAvro(Path f, Class<T> rowClass, Consumer<Row> each)
      throws IOException {
    try (DataFileReader<T> r = new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(rowClass))) {
      for (T rec : r) {
        each.accept(Row.of(rec));
      }
    }
  }

  private static void readJsonLines(Path f, Consumer<Row> each) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          each.accept(Row.of(JSON.readTree(line)));
        }
      }
    }
  }

  /** The names of the tables present, for the report's footer. */
  List<String> presentTables() {
    List<String> names = new ArrayList<>();
    for (String t : Tables.ALL.keySet()) {
      if (has(t)) {
        names.add(t);
      }
    }
    return names;
  }
}
