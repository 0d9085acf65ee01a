package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads every line of the files matching a glob as a {@link RawRecord}: the line's bytes undecoded
 * (invalid UTF-8 is the parser's to report), its {@code file:line} location and the file's
 * last-modified time as ingest time. A first line that is the layout's header is skipped and not
 * counted; every other line, empty ones included, is a record. Lines longer than {@code maxRecordBytes}
 * are cut to that many bytes (the record keeps its full length, so parsing dead-letters it) and never
 * buffered whole. Compressed files are read by extension.
 */
public final class ReadRawRecords extends PTransform<PBegin, PCollection<RawRecord>> {
  private final String filepattern;
  private final InputFormat format;
  private final int maxRecordBytes;

  public ReadRawRecords(String filepattern, InputFormat format, int maxRecordBytes) {
    this.filepattern = filepattern;
    this.format = format;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    return begin
        .apply("Match " + filepattern, FileIO.match().filepattern(filepattern)
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply(FileIO.readMatches().withCompression(Compression.AUTO))
        .apply("Read lines", ParDo.of(new ReadLinesFn(format, maxRecordBytes)))
        .setCoder(Coders.rawRecords())
        // A gzipped file is read by one worker; spread its records before the heavy lifting.
        .apply("Spread records", Reshuffle.viaRandomKey());
  }

  static final class ReadLinesFn extends DoFn<FileIO.ReadableFile, RawRecord> {
    private final InputFormat format;
    private final int maxRecordBytes;

    ReadLinesFn(InputFormat format, int maxRecordBytes) {
      this.format = format;
      this.maxRecordBytes = maxRecordBytes;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<RawRecord> out) throws IOException {
      String path = file.getMetadata().resourceId().toString();
      Instant ingestTime = ingestTime(file.getMetadata());
      try (InputStream in = new BufferedInputStream(Channels.newInputStream(file.open()), 1 << 16)) {
        LineReader lines = new LineReader(in, maxRecordBytes);
        long lineNo = 0;
        while (lines.next()) {
          lineNo++;
          if (lineNo == 1 && format.isHeader(new String(lines.bytes(), StandardCharsets.UTF_8))) {
            continue;
          }
          out.output(
              RawRecord.newBuilder()
                  .setPayload(ByteBuffer.wrap(lines.bytes()))
                  .setSourceLocation("file:" + path + ":" + lineNo)
                  .setIngestTime(ingestTime)
                  .setOriginalLength(lines.length())
                  .build());
        }
      }
    }
  }

  /**
   * The file's last-modified time: when its records reached us. Some filesystems do not report it in
   * the match (Beam's local one reports 0); local files are then asked directly.
   */
  static Instant ingestTime(MatchResult.Metadata metadata) throws IOException {
    long millis = metadata.lastModifiedMillis();
    if (millis <= 0 && "file".equals(metadata.resourceId().getScheme())) {
      millis = Files.getLastModifiedTime(Paths.get(metadata.resourceId().toString())).toMillis();
    }
    if (millis <= 0) {
      throw new IOException("no last-modified time for " + metadata.resourceId()
          + ": the filesystem does not report one, and ingest time is required");
    }
    return Instant.ofEpochMilli(millis);
  }

  /**
   * Splits a byte stream at '\n' (dropping a '\r' before it), keeping at most {@code max} bytes of a
   * line while still counting its full length. A final line without '\n' is a line; the empty tail
   * after a final '\n' is not.
   */
  public static final class LineReader {
    private final InputStream in;
    private final int max;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
    private long length;
    private byte[] bytes;

    public LineReader(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    public boolean next() throws IOException {
      buf.reset();
      length = 0;
      int b;
      boolean any = false;
      boolean pendingCr = false;
      while ((b = in.read()) != -1) {
        any = true;
        if (b == '\n') {
          break;
        }
        if (pendingCr) {
          append('\r');
        }
        pendingCr = b == '\r';
        if (!pendingCr) {
          append(b);
        }
      }
      if (!any) {
        return false;
      }
      // A lone trailing '\r' before EOF or '\n' is a line ending, not data.
      bytes = buf.toByteArray();
      return true;
    }

    private void append(int b) {
      length++;
      if (buf.size() < max) {
        buf.write(b);
      }
    }

    public byte[] bytes() {
      return bytes;
    }

    public long length() {
      return length;
    }
  }
}
