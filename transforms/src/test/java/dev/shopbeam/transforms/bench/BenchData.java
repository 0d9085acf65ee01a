package dev.shopbeam.transforms.bench;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.RecordParser;
import dev.shopbeam.transforms.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Realistic benchmark inputs: the records of a sample file under {@code test-data/}, split as the file
 * source splits them (at '\n', a '\r' before it dropped, the layout's header skipped), as the
 * {@link RawRecord}s the parse stage receives.
 */
final class BenchData {
  /** Later than every sample's events, so that validation keeps them (a file's modification time). */
  static final Instant INGEST_TIME = Instant.parse("2018-01-01T00:00:00Z");

  private BenchData() {}

  static String file(InputFormat format) {
    switch (format) {
      case ONLINE_RETAIL:
        return "test-data/online-retail-2010-12-01_07.csv";
      case USERBEHAVIOR:
        return "test-data/userbehavior-sample.csv";
      case JSON:
        return "test-data/events-sample.jsonl";
      case INTERACTIONS:
        return "test-data/interactions-sample.csv";
      default:
        throw new IllegalArgumentException("no sample for " + format);
    }
  }

  static RawRecord[] records(InputFormat format) {
    String file = file(format);
    Path path = TestData.path(file);
    byte[] all;
    try {
      all = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<RawRecord> out = new ArrayList<>();
    int start = 0;
    long lineNo = 0;
    while (start < all.length) {
      int nl = start;
      while (nl < all.length && all[nl] != '\n') {
        nl++;
      }
      int end = nl > start && all[nl - 1] == '\r' ? nl - 1 : nl;
      byte[] line = Arrays.copyOfRange(all, start, end);
      lineNo++;
      start = nl + 1;
      if (lineNo == 1 && format.isHeader(new String(line, StandardCharsets.UTF_8))) {
        continue;
      }
      out.add(RawRecord.newBuilder()
          .setPayload(ByteBuffer.wrap(line))
          .setSourceLocation("file:" + path + ":" + lineNo)
          .setIngestTime(INGEST_TIME)
          .setOriginalLength(line.length)
          .build());
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(file + " has no records");
    }
    return out.toArray(new RawRecord[0]);
  }

  /** The events the format's parser makes of the records (rejections left out), in record order. */
  static CommerceEvent[] events(InputFormat format, RawRecord[] records) {
    RecordParser parser = format.newParser();
    List<CommerceEvent> parsed = new ArrayList<>();
    for (RawRecord r : records) {
      RecordOutcome o = parser.parse(
          new String(r.getPayload().array(), StandardCharsets.UTF_8), r.getIngestTime());
      if (o.isEvent()) {
        parsed.add(o.event());
      }
    }
    return parsed.toArray(new CommerceEvent[0]);
  }
}
