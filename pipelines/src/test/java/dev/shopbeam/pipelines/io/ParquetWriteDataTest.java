package dev.shopbeam.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ShopBeamAvroData;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet writer's model hands strings over as bytes: the same file, byte for byte, as the plain model's. */
class ParquetWriteDataTest {
  @TempDir Path dir;

  private static List<CommerceEvent> rows() {
    CommerceEvent priced = CommerceEvent.newBuilder()
        .setEventId("or:1").setUserId("17850").setSessionId("536365").setItemId("85123A")
        .setCategoryId("Küche & Haus ☕ 🎁").setBehavior(Behavior.BUY).setQuantity(6)
        .setUnitPrice(new BigDecimal("2.550")).setCurrency("GBP").setCountry("Côte d'Ivoire")
        .setEventTime(Instant.parse("2010-12-01T08:26:00Z"))
        .setIngestTime(Instant.parse("2026-11-26T23:35:57.977Z"))
        .setSource("online-retail").build();
    CommerceEvent sparse = CommerceEvent.newBuilder(priced).setEventId("ub:2").setUnitPrice(null).setUserId(null)
        .setCategoryId(null).setCountry("").setBehavior(Behavior.VIEW).setQuantity(1).build();
    List<CommerceEvent> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(CommerceEvent.newBuilder(i % 3 == 0 ? sparse : priced).setEventId("e" + i).build());
    }
    return rows;
  }

  private Path write(String name, GenericData model) throws IOException {
    Path file = dir.resolve(name);
    try (ParquetWriter<CommerceEvent> w = AvroParquetWriter.<CommerceEvent>builder(
            HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
        .withSchema(CommerceEvent.getClassSchema()).withDataModel(model).build()) {
      for (CommerceEvent row : rows()) {
        w.write(row);
      }
    }
    return file;
  }

  @Test
  void writesTheSameBytesAsThePlainModelAndReadsBack() throws IOException {
    Path plain = write("plain.parquet", ShopBeamAvroData.get());
    Path fast = write("fast.parquet", ParquetWriteData.get());
    assertThat(Files.readAllBytes(fast), equalTo(Files.readAllBytes(plain)));

    List<CommerceEvent> back = new ArrayList<>();
    try (ParquetReader<CommerceEvent> r = AvroParquetReader.<CommerceEvent>builder(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(fast.toUri()), new Configuration()))
        .withDataModel(ShopBeamAvroData.get()).build()) {
      for (CommerceEvent e = r.read(); e != null; e = r.read()) {
        back.add(e);
      }
    }
    assertThat(back, contains(rows().toArray(new CommerceEvent[0])));
  }
}
