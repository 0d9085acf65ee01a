package dev.shopbeam.schemas;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logical types of our schemas (timestamps, decimals, also inside nullable unions) survive Avro and Parquet. */
class LogicalTypesRoundTripTest {
  @TempDir Path dir;

  static CommerceEvent priced() {
    return CommerceEvent.newBuilder()
        .setEventId("or:1").setUserId("17850").setSessionId("536365").setItemId("85123A")
        .setBehavior(Behavior.BUY).setQuantity(6).setUnitPrice(new BigDecimal("2.550"))
        .setCurrency("GBP").setCountry("United Kingdom")
        .setEventTime(Instant.parse("2010-12-01T08:26:00Z"))
        .setIngestTime(Instant.parse("2026-11-26T23:35:57.977Z"))
        .setSource("online-retail").build();
  }

  static CommerceEvent unpriced() {
    return CommerceEvent.newBuilder(priced()).setEventId("ub:2").setUnitPrice(null).setUserId(null)
        .setBehavior(Behavior.VIEW).setQuantity(1).setEventTime(Instant.parse("1999-12-31T23:59:59.999Z")).build();
  }

  @Test
  void throughAnAvroFile() throws IOException {
    File f = dir.resolve("events.avro").toFile();
    try (DataFileWriter<CommerceEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(CommerceEvent.class))) {
      w.create(CommerceEvent.getClassSchema(), f);
      w.append(priced());
      w.append(unpriced());
    }
    List<CommerceEvent> back = new ArrayList<>();
    try (DataFileReader<CommerceEvent> r = new DataFileReader<>(f, new SpecificDatumReader<>(CommerceEvent.class))) {
      r.forEach(back::add);
    }
    assertThat(back, contains(priced(), unpriced()));
    assertThat(back.get(0).getUnitPrice(), equalTo(new BigDecimal("2.550")));
    assertThat(back.get(1).getEventTime(), equalTo(Instant.parse("1999-12-31T23:59:59.999Z")));
  }

  @Test
  void throughAParquetFileWithParquetLogicalTypes() throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir.resolve("events.parquet").toUri());
    Configuration conf = new Configuration();
    try (ParquetWriter<CommerceEvent> w =
        AvroParquetWriter.<CommerceEvent>builder(HadoopOutputFile.fromPath(path, conf))
            .withSchema(CommerceEvent.getClassSchema())
            .withDataModel(ShopBeamAvroData.get())
            .build()) {
      w.write(priced());
      w.write(unpriced());
    }
    List<CommerceEvent> back = new ArrayList<>();
    try (ParquetReader<CommerceEvent> r =
        AvroParquetReader.<CommerceEvent>builder(HadoopInputFile.fromPath(path, conf))
            .withDataModel(ShopBeamAvroData.get())
            .build()) {
      for (CommerceEvent e = r.read(); e != null; e = r.read()) {
        back.add(e);
      }
    }
    assertThat(back, contains(priced(), unpriced()));

    // Other engines (Spark, DuckDB, Trino) read these columns as timestamps and decimals, not raw numbers.
    MessageType parquet = org.apache.parquet.hadoop.ParquetFileReader
        .open(HadoopInputFile.fromPath(path, conf)).getFooter().getFileMetaData().getSchema();
    assertThat(parquet.getType("event_time").getLogicalTypeAnnotation(),
        equalTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)));
    assertThat(parquet.getType("unit_price").getLogicalTypeAnnotation(),
        equalTo(LogicalTypeAnnotation.decimalType(3, 12)));
  }

  @Test
  void everyTableSchemaDeclaresItsTimesAndMoneyAsLogicalTypes() {
    for (Schema s : List.of(ItemStats.getClassSchema(), CategoryStats.getClassSchema())) {
      assertThat(s.getField("window_start").schema().getLogicalType().getName(), is("timestamp-millis"));
      assertThat(s.getField("revenue").schema().getLogicalType().getName(), is("decimal"));
    }
    assertThat(DeadLetter.getClassSchema().getField("rejected_at").schema().getLogicalType().getName(), is("timestamp-millis"));
    assertThat(HotItem.getClassSchema().getField("window_end").schema().getLogicalType().getName(), is("timestamp-millis"));
  }
}
