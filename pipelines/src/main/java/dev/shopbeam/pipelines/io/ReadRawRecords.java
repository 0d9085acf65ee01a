package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.CompactRecordCoder;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * buffered whole. Compressed files are read by extension, each whole by one worker, their lines spread
 * over the workers in batches. Uncompressed files are read in parallel byte ranges (line numbers are
 * still those of the whole file).
 */
public final class ReadRawRecords extends PTransform<PBegin, PCollection<RawRecord>> {
  private final String filepattern;
  private final InputFormat format;
  private final int maxRecordBytes;
  private final long splitBytes;
  private final long batchBytes;

  public ReadRawRecords(String filepattern, InputFormat format, int maxRecordBytes) {
    this(filepattern, format, maxRecordBytes, SPLIT_BYTES, BATCH_BYTES);
  }

  private ReadRawRecords(String filepattern, InputFormat format, int maxRecordBytes, long splitBytes,
      long batchBytes) {
    if (splitBytes < 1 || batchBytes < 1) {
      throw new IllegalArgumentException("split and batch sizes must be positive, got " + splitBytes + " and " + batchBytes);
    }
    this.filepattern = filepattern;
    this.format = format;
    this.maxRecordBytes = maxRecordBytes;
    this.splitBytes = splitBytes;
    this.batchBytes = batchBytes;
  }

  /** The same read, in byte ranges of about {@code bytes} (default {@value #SPLIT_BYTES}). */
  public ReadRawRecords withSplitBytes(long bytes) {
    return new ReadRawRecords(filepattern, format, maxRecordBytes, bytes, batchBytes);
  }

  /**
   * The same read, a compressed file's lines spread in batches of about {@code bytes} (default {@value
   * #BATCH_BYTES}).
   */
  public ReadRawRecords withBatchBytes(long bytes) {
    return new ReadRawRecords(filepattern, format, maxRecordBytes, splitBytes, bytes);
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    PCollection<KV<FileIO.ReadableFile, long[]>> splits = begin
        .apply("Match " + filepattern, FileIO.match().filepattern(filepattern)
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply(FileIO.readMatches().withCompression(Compression.AUTO))
        .apply("Split files", ParDo.of(new SplitFilesFn(splitBytes)))
        .setCoder(KvCoder.of(ReadableFileCoder.of(), LongArrayCoder.INSTANCE))
        // A few elements (the splits), so that the workers read and parse the lines where they are.
        .apply("Spread splits", Reshuffle.viaRandomKey());
    if (Compression.detect(filepattern) == Compression.UNCOMPRESSED) {
      return splits.apply("Read lines", ParDo.of(new ReadLinesFn(format, maxRecordBytes))).setCoder(Coders.rawRecords());
    }
    // A compressed file cannot be split: one worker reads it, and its lines are spread before they are
    // parsed, in batches: a few large elements through the shuffle rather than one per line (on Flink's
    // batch runtime each one encoded, sorted and decoded). The workers make the records of their batches.
    return splits
        .apply("Read line batches", ParDo.of(new ReadLineBatchesFn(format, maxRecordBytes, batchBytes)))
        .setCoder(LineBatchCoder.INSTANCE)
        .apply("Spread batches", Reshuffle.viaRandomKey())
        .apply("Records of batches", ParDo.of(new RecordsOfBatchFn()))
        .setCoder(Coders.rawRecords());
  }

  /**
   * Lines of a compressed file are spread in batches of about this many bytes. Flink's batch runtime
   * sorts each batch as one record, and a record must fit one sort buffer, sized from the managed
   * memory each sort gets: 1 MiB batches failed ("The record exceeds the maximum size of a sort
   * buffer", 458,752 bytes) with Flink's local default of 128 MB for the whole job, as a cluster's
   * task slot shared out over this job's hundred-odd sorts could give too.
   */
  public static final long BATCH_BYTES = 256L << 10;

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

  /** What {@link #readLines} hands each line to. */
  interface LineSink {
    void line(long lineNo, byte[] bytes, long length);
  }

  /**
   * Reads the lines of one range of a file (from {@link SplitFilesFn}), numbered as in the whole file,
   * skipping a first line that is the layout's header.
   */
  static void readLines(KV<FileIO.ReadableFile, long[]> split, InputFormat format, int maxRecordBytes, LineSink sink)
      throws IOException {
    FileIO.ReadableFile file = split.getKey();
    long start = split.getValue()[0];
    long end = split.getValue()[1];
    long lineNo = split.getValue()[2] - 1;
    try (InputStream in = open(file, start, end)) {
      LineReader lines = new LineReader(in, maxRecordBytes);
      while (lines.next()) {
        lineNo++;
        if (lineNo == 1 && format.isHeader(new String(lines.bytes(), StandardCharsets.UTF_8))) {
          continue;
        }
        sink.line(lineNo, lines.bytes(), lines.length());
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

  /** The location of a file's lines without the line number: {@code file:<resource id>:}. */
  private static String locationPrefix(FileIO.ReadableFile file) {
    return "file:" + file.getMetadata().resourceId() + ":";
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
      String location = locationPrefix(split.getKey());
      Instant ingestTime = ingestTime(split.getKey().getMetadata());
      readLines(split, format, maxRecordBytes,
          (lineNo, bytes, length) -> out.output(record(location, lineNo, ingestTime, bytes, length)));
    }
  }

  private static RawRecord record(String location, long lineNo, Instant ingestTime, byte[] bytes, long length) {
    return RawRecord.newBuilder()
        .setPayload(ByteBuffer.wrap(bytes))
        .setSourceLocation(location + lineNo)
        .setIngestTime(ingestTime)
        .setOriginalLength(length)
        .build();
  }

  /**
   * Consecutive lines of one file: the location of its lines without the line number, its ingest time,
   * the first line's number, and each line's bytes (cut to the record limit) with its full length.
   */
  static final class LineBatch {
    final String location;
    final Instant ingestTime;
    final long firstLine;
    final List<byte[]> lines;
    final long[] lengths;

    LineBatch(String location, Instant ingestTime, long firstLine, List<byte[]> lines, long[] lengths) {
      this.location = location;
      this.ingestTime = ingestTime;
      this.firstLine = firstLine;
      this.lines = lines;
      this.lengths = lengths;
    }
  }

  /**
   * Location, ingest time, first line, line count, then per line its full length and its bytes; the
   * batch written whole into a buffer and handed to the stream in one call ({@link CompactRecordCoder}),
   * not in a few calls per line.
   */
  static final class LineBatchCoder extends CompactRecordCoder<LineBatch> {
    static final LineBatchCoder INSTANCE = new LineBatchCoder();

    @Override
    protected void write(LineBatch batch, Writer w) {
      w.writeString(batch.location);
      w.writeInstant(batch.ingestTime);
      w.writeVarLong(batch.firstLine);
      w.writeVarLong(batch.lines.size());
      for (int i = 0; i < batch.lines.size(); i++) {
        w.writeVarLong(batch.lengths[i]);
        byte[] line = batch.lines.get(i);
        w.writeBytes(line, 0, line.length);
      }
    }

    @Override
    protected LineBatch read(Reader r) throws IOException {
      String location = r.readString();
      Instant ingestTime = r.readInstant();
      long firstLine = r.readVarLong();
      long n = r.readVarLong();
      if (n < 0 || n > Integer.MAX_VALUE - 16) {
        throw new IOException("corrupt line batch: " + n + " lines");
      }
      // Grown as read, so that a corrupt count cannot allocate more than the batch holds.
      List<byte[]> lines = new ArrayList<>();
      long[] lengths = new long[(int) Math.min(n, 1024)];
      for (int i = 0; i < n; i++) {
        if (i == lengths.length) {
          lengths = Arrays.copyOf(lengths, lengths.length * 2);
        }
        lengths[i] = r.readVarLong();
        lines.add(r.readBytes());
      }
      return new LineBatch(location, ingestTime, firstLine, lines, Arrays.copyOf(lengths, lines.size()));
    }
  }

  /** Reads the lines of one range of a file in {@link LineBatch}es of about {@code batchBytes} each. */
  static final class ReadLineBatchesFn extends DoFn<KV<FileIO.ReadableFile, long[]>, LineBatch> {
    private final InputFormat format;
    private final int maxRecordBytes;
    private final long batchBytes;

    ReadLineBatchesFn(InputFormat format, int maxRecordBytes, long batchBytes) {
      this.format = format;
      this.maxRecordBytes = maxRecordBytes;
      this.batchBytes = batchBytes;
    }

    @ProcessElement
    public void process(@Element KV<FileIO.ReadableFile, long[]> split, OutputReceiver<LineBatch> out) throws IOException {
      Batcher batcher = new Batcher(locationPrefix(split.getKey()), ingestTime(split.getKey().getMetadata()),
          batchBytes, out::output);
      readLines(split, format, maxRecordBytes, batcher);
      batcher.flush();
    }
  }

  /** Gathers consecutive lines into {@link LineBatch}es, handing each on when it holds {@code batchBytes}. */
  private static final class Batcher implements LineSink {
    private final String location;
    private final Instant ingestTime;
    private final long batchBytes;
    private final java.util.function.Consumer<LineBatch> out;
    private List<byte[]> lines = new ArrayList<>();
    private long[] lengths = new long[1024];
    private long firstLine;
    private long bytes;

    Batcher(String location, Instant ingestTime, long batchBytes, java.util.function.Consumer<LineBatch> out) {
      this.location = location;
      this.ingestTime = ingestTime;
      this.batchBytes = batchBytes;
      this.out = out;
    }

    @Override
    public void line(long lineNo, byte[] line, long length) {
      if (lines.isEmpty()) {
        firstLine = lineNo;
      }
      if (lines.size() == lengths.length) {
        lengths = Arrays.copyOf(lengths, lengths.length * 2);
      }
      lengths[lines.size()] = length;
      lines.add(line);
      bytes += line.length + 8; // with a line's length and framing
      if (bytes >= batchBytes) {
        flush();
      }
    }

    void flush() {
      if (!lines.isEmpty()) {
        out.accept(new LineBatch(location, ingestTime, firstLine, lines, Arrays.copyOf(lengths, lines.size())));
        lines = new ArrayList<>();
        bytes = 0;
      }
    }
  }

  /** The raw records of a batch's lines. */
  static final class RecordsOfBatchFn extends DoFn<LineBatch, RawRecord> {
    @ProcessElement
    public void process(@Element LineBatch batch, OutputReceiver<RawRecord> out) {
      for (int i = 0; i < batch.lines.size(); i++) {
        out.output(record(batch.location, batch.firstLine + i, batch.ingestTime, batch.lines.get(i), batch.lengths[i]));
      }
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
