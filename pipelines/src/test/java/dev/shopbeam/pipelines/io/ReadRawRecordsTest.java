package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Reading a file in byte ranges gives the same records, with the whole file's line numbers (header skipped). */
@ExtendWith(TestPipelineExtension.class)
class ReadRawRecordsTest {

  static String describe(RawRecord r) {
    byte[] b = new byte[r.getPayload().remaining()];
    r.getPayload().duplicate().get(b);
    String location = r.getSourceLocation();
    return location.substring(location.lastIndexOf(':') + 1) + "|" + new String(b, StandardCharsets.UTF_8) + "|"
        + r.getOriginalLength();
  }

  /**
   * An Online Retail header, then lines 2..{@code last}: some empty, some of {@code longLine} bytes, some
   * ending in '\r\n', the last without an ending; {@code expected} gets each line as {@link #describe}
   * tells it when lines are cut to {@code maxBytes}.
   */
  private static String lines(int last, int longLine, int maxBytes, List<String> expected) {
    StringBuilder file = new StringBuilder("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    for (int line = 2; line <= last; line++) {
      String text = line % 97 == 0 ? "" : line % 89 == 0 ? "x".repeat(longLine) : line + ",42,7,pv,1511604000";
      String ending = line % 13 == 0 ? "\r\n" : "\n";
      file.append(text).append(line == last ? "" : ending);
      expected.add(line + "|" + text.substring(0, Math.min(maxBytes, text.length())) + "|" + text.length());
    }
    return file.toString();
  }

  @Test
  void splitsReadEveryLineOnceWithItsLineNumber(TestPipeline p, @TempDir Path dir) throws IOException {
    List<String> expected = new ArrayList<>();
    Path csv = dir.resolve("events.csv");
    Files.write(csv, lines(1500, 300, 1 << 20, expected).getBytes(StandardCharsets.UTF_8));

    ReadRawRecords read = new ReadRawRecords(csv.toString(), InputFormat.ONLINE_RETAIL, 1 << 20);
    // ~60 ranges of ~500 bytes: cuts fall inside lines, just before and after '\r\n', on the long lines.
    assertReads(p.apply("Split read", read.withSplitBytes(500)), "split", expected);
    assertReads(p.apply("Whole read", read.withSplitBytes(Long.MAX_VALUE / 4)), "whole", expected);
    p.run().waitUntilFinish();
  }

  private static void assertReads(PCollection<RawRecord> records, String name, List<String> expected) {
    PAssert.that(records.apply("Describe " + name, MapElements.into(TypeDescriptors.strings()).via(ReadRawRecordsTest::describe)))
        .containsInAnyOrder(expected);
  }

  /** A compressed file is read by one worker and its lines spread in batches: the same records. */
  @Test
  void compressedFilesSpreadTheirLinesInBatches(TestPipeline p, @TempDir Path dir) throws IOException {
    // Lines longer than the record limit (400 bytes) keep 400 bytes and their full length.
    List<String> expected = new ArrayList<>();
    Path gz = dir.resolve("events.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(lines(700, 500, 400, expected).getBytes(StandardCharsets.UTF_8));
    }
    ReadRawRecords read = new ReadRawRecords(gz.toString(), InputFormat.ONLINE_RETAIL, 400);
    // Batches of a few lines each (one of them longer than a batch), and one batch of all.
    assertReads(p.apply("Small batches", read.withBatchBytes(100)), "small batches", expected);
    assertReads(p.apply("One batch", read.withBatchBytes(Long.MAX_VALUE / 4)), "one batch", expected);
    p.run().waitUntilFinish();
  }

  @Test
  void lineBatchesSurviveTheirCoder() throws Exception {
    ReadRawRecords.LineBatch batch = new ReadRawRecords.LineBatch("file:/d/x.csv.gz:",
        java.time.Instant.parse("2011-12-09T12:50:00Z"), 2,
        List.of(new byte[0], "ü,1".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff}), new long[] {0, 4, 5_000_000_000L});
    byte[] encoded = org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(ReadRawRecords.LineBatchCoder.INSTANCE, batch);
    ReadRawRecords.LineBatch back = org.apache.beam.sdk.util.CoderUtils.decodeFromByteArray(
        ReadRawRecords.LineBatchCoder.INSTANCE, encoded);
    org.junit.jupiter.api.Assertions.assertEquals(batch.location, back.location);
    org.junit.jupiter.api.Assertions.assertEquals(batch.ingestTime, back.ingestTime);
    org.junit.jupiter.api.Assertions.assertEquals(batch.firstLine, back.firstLine);
    org.junit.jupiter.api.Assertions.assertArrayEquals(batch.lengths, back.lengths);
    for (int i = 0; i < batch.lines.size(); i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(batch.lines.get(i), back.lines.get(i));
    }
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ReadRawRecords.LineBatchCoder.INSTANCE.decode(
        new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(encoded, encoded.length - 1))));
  }
}
