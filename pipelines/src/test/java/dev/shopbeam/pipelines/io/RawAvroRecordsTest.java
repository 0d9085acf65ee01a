package dev.shopbeam.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.ItemStats;
import dev.shopbeam.transforms.SpecificRecordCoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows read raw from their Avro bytes make the same Parquet file, byte for byte, as the rows themselves. */
class RawAvroRecordsTest {
  @TempDir Path dir;

  private static List<ItemStats> rows() {
    return WriteTableTest.itemStats(400);
  }

  private Path write(String name, List<?> rows) throws IOException {
    Path file = dir.resolve(name);
    try (ParquetWriter<Object> w = AvroParquetWriter.builder(
            HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
        .withSchema(ItemStats.getClassSchema()).withDataModel(ParquetWriteData.get()).build()) {
      for (Object row : rows) {
        w.write(row);
      }
    }
    return file;
  }

  @Test
  void rawRowsMakeTheSameParquetBytes() throws Exception {
    SpecificRecordCoder<ItemStats> coder = SpecificRecordCoder.of(ItemStats.class);
    RawAvroRecords raw = new RawAvroRecords(ItemStats.getClassSchema());
    List<Object> rawRows = new ArrayList<>();
    for (ItemStats row : rows()) {
      rawRows.add(raw.read(CoderUtils.encodeToByteArray(coder, row)));
    }
    assertThat(Files.readAllBytes(write("raw.parquet", rawRows)),
        equalTo(Files.readAllBytes(write("rows.parquet", rows()))));
  }

  @Test
  void extraOrMissingBytesAreAnError() throws Exception {
    RawAvroRecords raw = new RawAvroRecords(ItemStats.getClassSchema());
    byte[] bytes = CoderUtils.encodeToByteArray(SpecificRecordCoder.of(ItemStats.class), rows().get(1));
    assertThrows(IOException.class, () -> raw.read(Arrays.copyOf(bytes, bytes.length + 1)));
    assertThrows(IOException.class, () -> raw.read(Arrays.copyOf(bytes, bytes.length - 1)));
  }
}
