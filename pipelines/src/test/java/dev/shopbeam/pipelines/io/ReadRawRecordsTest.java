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

  @Test
  void splitsReadEveryLineOnceWithItsLineNumber(TestPipeline p, @TempDir Path dir) throws IOException {
    StringBuilder file = new StringBuilder("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    List<String> expected = new ArrayList<>();
    for (int line = 2; line <= 1500; line++) {
      String text = line % 97 == 0 ? "" : line % 89 == 0 ? "x".repeat(300) : line + ",42,7,pv,1511604000";
      String ending = line % 13 == 0 ? "\r\n" : "\n";
      file.append(text).append(line == 1500 ? "" : ending);
      expected.add(line + "|" + text + "|" + text.length());
    }
    Path csv = dir.resolve("events.csv");
    Files.write(csv, file.toString().getBytes(StandardCharsets.UTF_8));

    ReadRawRecords read = new ReadRawRecords(csv.toString(), InputFormat.ONLINE_RETAIL, 1 << 20);
    // ~60 ranges of ~500 bytes: cuts fall inside lines, just before and after '\r\n', on the long lines.
    PCollection<RawRecord> split = p.apply("Split read", read.withSplitBytes(500));
    PCollection<RawRecord> whole = p.apply("Whole read", read.withSplitBytes(Long.MAX_VALUE / 4));
    PAssert.that(split.apply("Describe split", MapElements.into(TypeDescriptors.strings()).via(ReadRawRecordsTest::describe)))
        .containsInAnyOrder(expected);
    PAssert.that(whole.apply("Describe whole", MapElements.into(TypeDescriptors.strings()).via(ReadRawRecordsTest::describe)))
        .containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }
}
