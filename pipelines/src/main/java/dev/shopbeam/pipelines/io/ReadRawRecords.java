package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.LongArrayCoder;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Arrays;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.ReadableFileCoder;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads every line of the files matching a glob as a {@link RawRecord}: the line's bytes undecoded
 * (invalid UTF-8 is the parser's to report), its {@code file:line} location and the file's
 * last-modified time as ingest time. A first line that is the layout's header is skipped and not
 * counted; every other line, empty ones included, is a record. Lines longer than {@code maxRecordBytes}
 * are cut to that many bytes (the record keeps its full length, so parsing dead-letters it) and never
 * buffered whole. Compressed files are read by extension. Uncompressed files are read in parallel byte
 * ranges (line numbers are still those of the whole file).
 */
public final class ReadRawRecords extends PTransform<PBegin, PCollection<RawRecord>> {
  private final String filepattern;
  private final InputFormat format;
  private final int maxRecordBytes;
  private final long splitBytes;

  public ReadRawRecords(String filepattern, InputFormat format, int maxRecordBytes) {
    this(filepattern, format, maxRecordBytes, SPLIT_BYTES);
  }

  private ReadRawRecords(String filepattern, InputFormat format, int maxRecordBytes, long splitBytes) {
    if (splitBytes < 1) {
      throw new IllegalArgumentException("split size must be positive, got " + splitBytes);
    }
    this.filepattern = filepattern;
    this.format = format;
    this.maxRecordBytes = maxRecordBytes;
    this.splitBytes = splitBytes;
  }

  /** The same read, in byte ranges of about {@code bytes} (default {@value #SPLIT_BYTES}). */
  public ReadRawRecords withSplitBytes(long bytes) {
    return new ReadRawRecords(filepattern, format, maxRecordBytes, bytes);
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    PCollection<RawRecord> records = begin
        .apply("Match " + filepattern, FileIO.match().filepattern(filepattern)
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply(FileIO.readMatches().withCompression(Compression.AUTO))
        .apply("Split files", ParDo.of(new SplitFilesFn(splitBytes)))
        .setCoder(KvCoder.of(ReadableFileCoder.of(), LongArrayCoder.INSTANCE))
        // A few elements (the splits), so that the workers read and parse the lines where they are.
        .apply("Spread splits", Reshuffle.viaRandomKey())
        .apply("Read lines", ParDo.of(new ReadLinesFn(format, maxRecordBytes)))
        .setCoder(Coders.rawRecords());
    // A compressed file cannot be split: one worker reads it, so its records are spread before parsing.
    return Compression.detect(filepattern) == Compression.UNCOMPRESSED
        ? records
        : records.apply("Spread records", Reshuffle.viaRandomKey());
  }

  /**
   * Uncompressed files are read in byte ranges of about this size, each starting at a line, in
   * parallel; shuffling every record to spread the parse cost a tenth of a hot-items run's CPU.
   */
  public static final long SPLIT_BYTES = 4L << 20;

  /**
   * Cuts a file into byte ranges that start at line starts, each with the number of its first line,
   * so that line numbers in source locations stay those of the whole file. Finding them takes one scan
   * for '\n' over the file. A compressed or small file is one range. Emits {start, end, first line}.
   */
  static final class SplitFilesFn extends DoFn<FileIO.ReadableFile, KV<FileIO.ReadableFile, long[]>> {
    private final long splitBytes;

    SplitFilesFn(long splitBytes) {
      this.splitBytes = splitBytes;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<KV<FileIO.ReadableFile, long[]>> out)
        throws IOException {
      long size = file.getMetadata().sizeBytes();
      if (file.getCompression() != Compression.UNCOMPRESSED || !file.getMetadata().isReadSeekEfficient()
          || size < 2 * splitBytes) {
        out.output(KV.of(file, new long[] {0, Long.MAX_VALUE, 1}));
        return;
      }
      long start = 0;
      long firstLine = 1;
      long lines = 0;
      long position = 0;
      long nextCut = splitBytes;
      ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
      try (SeekableByteChannel channel = file.openSeekable()) {
        int n;
        while ((n = channel.read(chunk.clear())) != -1) {
          byte[] a = chunk.array();
          for (int i = 0; i < n; i++) {
            if (a[i] == '\n') {
              lines++;
              long lineEnd = position + i + 1;
              if (lineEnd >= nextCut && lineEnd < size) {
                out.output(KV.of(file, new long[] {start, lineEnd, firstLine}));
                start = lineEnd;
                firstLine = lines + 1;
                nextCut = lineEnd + splitBytes;
              }
            }
          }
          position += n;
        }
      }
      out.output(KV.of(file, new long[] {start, Long.MAX_VALUE, firstLine}));
    }
  }

  /** Reads the lines of one range of a file (from {@link SplitFilesFn}) as raw records. */
  static final class ReadLinesFn extends DoFn<KV<FileIO.ReadableFile, long[]>, RawRecord> {
    private final InputFormat format;
    private final int maxRecordBytes;

    ReadLinesFn(InputFormat format, int maxRecordBytes) {
      this.format = format;
      this.maxRecordBytes = maxRecordBytes;
    }

    @ProcessElement
    public void process(@Element KV<FileIO.ReadableFile, long[]> split, OutputReceiver<RawRecord> out) throws IOException {
      FileIO.ReadableFile file = split.getKey();
      long start = split.getValue()[0];
      long end = split.getValue()[1];
      long lineNo = split.getValue()[2] - 1;
      String location = "file:" + file.getMetadata().resourceId() + ":";
      Instant ingestTime = ingestTime(file.getMetadata());
      try (InputStream in = open(file, start, end)) {
        LineReader lines = new LineReader(in, maxRecordBytes);
        while (lines.next()) {
          lineNo++;
          if (lineNo == 1 && format.isHeader(new String(lines.bytes(), StandardCharsets.UTF_8))) {
            continue;
          }
          out.output(
              RawRecord.newBuilder()
                  .setPayload(ByteBuffer.wrap(lines.bytes()))
                  .setSourceLocation(location + lineNo)
                  .setIngestTime(ingestTime)
                  .setOriginalLength(lines.length())
                  .build());
        }
      }
    }

    private static InputStream open(FileIO.ReadableFile file, long start, long end) throws IOException {
      if (start == 0 && end == Long.MAX_VALUE) {
        return Channels.newInputStream(file.open());
      }
      SeekableByteChannel channel = file.openSeekable();
      channel.position(start);
      return new RangeInputStream(Channels.newInputStream(channel), end - start);
    }
  }

  /** At most {@code remaining} bytes of a stream: a split's range of its file. */
  static final class RangeInputStream extends java.io.FilterInputStream {
    private long remaining;

    RangeInputStream(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
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
   * after a final '\n' is not. Reads the stream in 64 KiB chunks and scans them for '\n' itself: a
   * {@code BufferedInputStream.read()} per byte (synchronised) was a twentieth of a hot-items run's CPU.
   */
  public static final class LineReader {
    private final InputStream in;
    private final int max;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int kept;
    private long length;
    private byte[] bytes;

    public LineReader(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    public boolean next() throws IOException {
      kept = 0;
      length = 0;
      boolean any = false;
      byte last = 0;
      while (true) {
        if (pos == limit && !refill()) {
          break;
        }
        any = true;
        int end = pos;
        while (end < limit && chunk[end] != '\n') {
          end++;
        }
        if (end > pos) {
          keep(pos, end);
          last = chunk[end - 1];
        }
        boolean newline = end < limit;
        pos = newline ? end + 1 : end;
        if (newline) {
          break;
        }
      }
      if (!any) {
        return false;
      }
      // A '\r' ending the line (before '\n' or at the end of the stream) is a line ending, not data.
      if (last == '\r') {
        if (kept == length) {
          kept--;
        }
        length--;
      }
      bytes = Arrays.copyOf(line, kept);
      return true;
    }

    private boolean refill() throws IOException {
      int n;
      do {
        n = in.read(chunk, 0, chunk.length);
      } while (n == 0);
      if (n < 0) {
        pos = limit = 0;
        return false;
      }
      pos = 0;
      limit = n;
      return true;
    }

    private void keep(int from, int to) {
      int n = to - from;
      length += n;
      int room = (int) Math.min(n, Math.max(0, max - kept));
      if (room > 0) {
        if (kept + room > line.length) {
          line = Arrays.copyOf(line, Math.max(line.length * 2, kept + room));
        }
        System.arraycopy(chunk, from, line, kept, room);
        kept += room;
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
