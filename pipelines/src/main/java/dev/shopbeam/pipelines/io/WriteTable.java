package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.ShopBeamAvroData;
import dev.shopbeam.transforms.SpecificRecordCoder;
import dev.shopbeam.transforms.window.InGlobalWindow;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.ProcessFunction;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes one table of a batch run as {@code <output>/<table>/part-SSSSS-of-NNNNN<suffix>}. The rows of
 * every window go to the same files (the window is a column), so the input is re-windowed globally
 * first. The rows travel to the writer as their bytes (see {@link #encoded}).
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
    if (perPane) {
      // Unbounded input needs a fixed number of shards.
      return rows.apply("Write " + table + " per pane", sink().to(tableDir(outputDir, table))
          .withNaming(new PaneNaming(format.suffix())).withNumShards(numShards));
    }
    return encoded(rows, table).apply(new Encoded<>(this, rows.getCoder()));
  }

  private <InputT> FileIO.Write<Void, InputT> oneFilePerShard(FileIO.Write<Void, InputT> write) {
    write = write.to(tableDir(outputDir, table)).withPrefix("part").withSuffix(format.suffix());
    return numShards > 0 ? write.withNumShards(numShards) : write;
  }

  /**
   * Bounded rows in the global window, each as its coder's bytes: what {@link #ofEncoded} writes.
   *
   * <p>Why bytes: a one-file table write groups every row under one key, and on the way there each
   * step hands the rows on in its runner's way. On Flink's batch runtime they are decoded and encoded
   * again by each step (the sharding step, the filter of its output, the sort, the group) and by each
   * other reader (the run summary's count); Avro rows with decimals and timestamps are costly to
   * decode, a byte array is copied. On Spark the sharding step has two outputs, and Beam's Spark runner
   * keeps the output of such a step in memory as objects, whose size Spark estimates by walking the
   * object graphs of sampled elements, again and again as the partition grows; a row as bytes is one
   * array, a clean event as an object about twenty. The rows are decoded once, by the writer. A reader
   * that only counts them should read this collection too.
   */
  public static <T> PCollection<byte[]> encoded(PCollection<T> rows, String table) {
    return InGlobalWindow.firedOnce(rows, "Global window for " + table)
        .apply("Encode " + table + " rows", ParDo.of(new EncodeFn<>(rows.getCoder())))
        .setCoder(ByteArrayCoder.of());
  }

  /** This table's write of {@link #encoded} rows, which {@code rowCoder} decodes. */
  public Encoded<T> ofEncoded(Coder<T> rowCoder) {
    if (perPane) {
      throw new IllegalStateException("a per-pane write takes the rows themselves");
    }
    return new Encoded<>(this, rowCoder);
  }

  /** Writes {@link #encoded} rows of one table, decoding each right before the file format encodes it. */
  public static final class Encoded<T extends SpecificRecordBase>
      extends PTransform<PCollection<byte[]>, WriteFilesResult<Void>> {
    private final WriteTable<T> table;
    private final Coder<T> rowCoder;

    private Encoded(WriteTable<T> table, Coder<T> rowCoder) {
      this.table = table;
      this.rowCoder = rowCoder;
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<byte[]> rows) {
      if (table.format == OutputFormat.PARQUET && rowCoder instanceof SpecificRecordCoder) {
        // Avro bytes go to Parquet as raw values (see RawAvroRecords): the same columns, no conversions.
        RawAvroRecords raw = new RawAvroRecords(schemaOf(table.rowClass));
        return rows.apply("Write " + table.table, table.oneFilePerShard(FileIO.<byte[]>write().via(
            Contextful.fn((ProcessFunction<byte[], GenericRecord>) raw::read),
            ParquetIO.sink(schemaOf(table.rowClass)).withAvroDataModel(ParquetWriteData.get()))));
      }
      Coder<T> coder = rowCoder;
      return rows.apply("Write " + table.table,
          table.oneFilePerShard(table.<byte[]>sink(bytes -> CoderUtils.decodeFromByteArray(coder, bytes))));
    }
  }

  private static final class EncodeFn<T> extends DoFn<T, byte[]> {
    private final Coder<T> coder;

    EncodeFn(Coder<T> coder) {
      this.coder = coder;
    }

    @ProcessElement
    public void process(@Element T row, OutputReceiver<byte[]> out) throws CoderException {
      out.output(CoderUtils.encodeToByteArray(coder, row));
    }
  }

  /** A row from what the write receives. */
  private interface RowOf<InputT, T> extends java.io.Serializable {
    T apply(InputT input) throws Exception;
  }

  private FileIO.Write<Void, T> sink() {
    return sink(r -> r);
  }

  private <InputT> FileIO.Write<Void, InputT> sink(RowOf<InputT, T> rowOf) {
    FileIO.Write<Void, InputT> write;
    switch (format) {
      case PARQUET:
        write = FileIO.<InputT>write().via(
            Contextful.fn((ProcessFunction<InputT, GenericRecord>) in -> rowOf.apply(in)),
            ParquetIO.sink(schemaOf(rowClass)).withAvroDataModel(ParquetWriteData.get()));
        break;
      case AVRO:
        // Avro's own model for the class converts no logical types: a decimal in a nullable column is
        // then "not in union". Ours converts them, as for Parquet.
        write = FileIO.<InputT>write().via(Contextful.fn((ProcessFunction<InputT, T>) rowOf::apply),
            AvroIO.sink(rowClass).withDatumWriterFactory(
                schema -> new org.apache.avro.specific.SpecificDatumWriter<>(schema, ShopBeamAvroData.get())));
        break;
      default:
        write = FileIO.<InputT>write().via(
            Contextful.fn((ProcessFunction<InputT, String>) in -> RecordJson.toJson(rowOf.apply(in))), TextIO.sink());
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
