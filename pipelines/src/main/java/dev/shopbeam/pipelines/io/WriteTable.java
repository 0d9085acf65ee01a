package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.ShopBeamAvroData;
import dev.shopbeam.transforms.window.InGlobalWindow;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes one table of a batch run as {@code <output>/<table>/part-SSSSS-of-NNNNN<suffix>}. The rows of
 * every window go to the same files (the window is a column), so the input is re-windowed globally
 * first.
 *
 * <p>{@link #perWindowPane()} is the streaming form: each firing of a window writes its own files,
 * {@code <output>/<table>/<start>_<end>-pane-<NNN>-<timing>-<shard>-of-<n><suffix>}; as panes
 * accumulate, the highest pane number of a window holds its latest (after the watermark: final) rows.
 */
public final class WriteTable<T extends SpecificRecordBase>
    extends PTransform<PCollection<T>, WriteFilesResult<Void>> {
  private final String table;
  private final Class<T> rowClass;
  private final String outputDir;
  private final OutputFormat format;
  private final int numShards;
  private final boolean perPane;

  public WriteTable(String table, Class<T> rowClass, String outputDir, OutputFormat format, int numShards) {
    this(table, rowClass, outputDir, format, numShards, false);
  }

  private WriteTable(String table, Class<T> rowClass, String outputDir, OutputFormat format, int numShards,
      boolean perPane) {
    this.table = table;
    this.rowClass = rowClass;
    this.outputDir = outputDir;
    this.format = format;
    this.numShards = numShards;
    this.perPane = perPane;
  }

  /** The same table written per window and pane, for unbounded input (one file per pane by default). */
  public WriteTable<T> perWindowPane() {
    return new WriteTable<>(table, rowClass, outputDir, format, numShards > 0 ? numShards : 1, true);
  }

  public static String tableDir(String outputDir, String table) {
    return outputDir.endsWith("/") ? outputDir + table : outputDir + "/" + table;
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<T> rows) {
    FileIO.Write<Void, T> write = sink().to(tableDir(outputDir, table));
    if (perPane) {
      // Unbounded input needs a fixed number of shards.
      return rows.apply("Write " + table + " per pane",
          write.withNaming(new PaneNaming(format.suffix())).withNumShards(numShards));
    }
    write = write.withPrefix("part").withSuffix(format.suffix());
    if (numShards > 0) {
      write = write.withNumShards(numShards);
    }
    return InGlobalWindow.firedOnce(rows, "Global window").apply("Write " + table, write);
  }

  private FileIO.Write<Void, T> sink() {
    FileIO.Write<Void, T> write;
    switch (format) {
      case PARQUET:
        write = FileIO.<T>write().via(
            Contextful.fn(r -> (GenericRecord) r),
            ParquetIO.sink(schemaOf(rowClass)).withAvroDataModel(ShopBeamAvroData.get()));
        break;
      case AVRO:
        write = FileIO.<T>write().via(AvroIO.sink(rowClass));
        break;
      default:
        write = FileIO.<T>write().via(Contextful.fn(RecordJson::toJson), TextIO.sink());
        break;
    }
    return write;
  }

  /** {@code <start>_<end>-pane-<NNN>-<timing>-<shard>-of-<n><suffix>}, times as {@code yyyyMMdd'T'HHmmss'Z'}. */
  static final class PaneNaming implements FileIO.Write.FileNaming {
    private static final java.time.format.DateTimeFormatter COMPACT =
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);
    private final String suffix;

    PaneNaming(String suffix) {
      this.suffix = suffix;
    }

    @Override
    public String getFilename(BoundedWindow window, PaneInfo pane, int numShards, int shardIndex,
        Compression compression) {
      String span = window instanceof IntervalWindow
          ? compact(((IntervalWindow) window).start()) + "_" + compact(((IntervalWindow) window).end())
          : "global";
      return String.format("%s-pane-%03d-%s-%d-of-%d%s", span, pane.getIndex(),
          pane.getTiming().name().toLowerCase(java.util.Locale.ROOT), shardIndex, numShards, suffix);
    }

    private static String compact(org.joda.time.Instant t) {
      return COMPACT.format(java.time.Instant.ofEpochMilli(t.getMillis()));
    }
  }

  /**
   * Writes one empty file, with the table's schema, into a table directory that got no rows: Beam's
   * file writes create no file for empty input, and readers such as Spark cannot infer a schema from an
   * empty directory. Local directories only; elsewhere an empty table is simply absent.
   */
  public static void writeEmpty(java.nio.file.Path tableDir, Class<? extends SpecificRecordBase> rowClass,
      OutputFormat format) throws java.io.IOException {
    java.nio.file.Files.createDirectories(tableDir);
    java.nio.file.Path file = tableDir.resolve("part-00000-of-00001" + format.suffix());
    org.apache.avro.Schema schema = schemaOf(rowClass);
    switch (format) {
      case PARQUET:
        try (org.apache.parquet.hadoop.ParquetWriter<Object> w =
            org.apache.parquet.avro.AvroParquetWriter.builder(
                    org.apache.parquet.hadoop.util.HadoopOutputFile.fromPath(
                        new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.conf.Configuration()))
                .withSchema(schema)
                .withDataModel(ShopBeamAvroData.get())
                .build()) {
          // no rows
        }
        break;
      case AVRO:
        try (org.apache.avro.file.DataFileWriter<Object> w =
            new org.apache.avro.file.DataFileWriter<>(new org.apache.avro.specific.SpecificDatumWriter<>(schema))) {
          w.create(schema, file.toFile());
        }
        break;
      default:
        java.nio.file.Files.write(file, new byte[0]);
    }
  }

  private static org.apache.avro.Schema schemaOf(Class<? extends SpecificRecordBase> cls) {
    return org.apache.avro.specific.SpecificData.get().getSchema(cls);
  }
}
