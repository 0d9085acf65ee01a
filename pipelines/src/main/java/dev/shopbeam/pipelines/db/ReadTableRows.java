package dev.shopbeam.pipelines.db;

import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The rows of one table's files of a local batch output, as JSON objects ({@code RecordJson}), whatever
 * format they were written in: each file is read by a worker ({@link ReadTables#forEachRow}), and the rows
 * are spread over the workers again, so that one large file does not make one writer. Counts the rows
 * in the counter {@code rows_read} of namespace {@code load/<table>}.
 */
public final class ReadTableRows extends PTransform<PBegin, PCollection<String>> {
  public static final String ROWS_READ = "rows_read";

  private final ServingTable table;
  private final List<String> files;
  private final OutputFormat format;

  private ReadTableRows(ServingTable table, List<String> files, OutputFormat format) {
    this.table = table;
    this.files = files;
    this.format = format;
  }

  /** The files of {@code table} under {@code outputDir}, read as {@code format}. */
  public static ReadTableRows of(ServingTable table, List<Path> files, OutputFormat format) {
    return new ReadTableRows(table, files.stream().map(Path::toString).collect(Collectors.toList()), format);
  }

  public static String metricsNamespace(String table) {
    return "load/" + table;
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    return begin
        .apply("Files", Create.of(files).withCoder(StringUtf8Coder.of()))
        .apply("Read rows", ParDo.of(new ReadFileFn(table.name(), table.rowClass(), format)))
        .setCoder(StringUtf8Coder.of())
        .apply("Spread", Reshuffle.viaRandomKey());
  }

  private static final class ReadFileFn extends DoFn<String, String> {
    private final Class<? extends SpecificRecordBase> rowClass;
    private final OutputFormat format;
    private final Counter rowsRead;

    ReadFileFn(String table, Class<? extends SpecificRecordBase> rowClass, OutputFormat format) {
      this.rowClass = rowClass;
      this.format = format;
      this.rowsRead = Metrics.counter(metricsNamespace(table), ROWS_READ);
    }

    @ProcessElement
    public void process(@Element String file, OutputReceiver<String> out) throws IOException {
      ReadTables.forEachRow(Path.of(file), rowClass, format, row -> {
        rowsRead.inc();
        out.output(row);
      });
    }
  }
}
