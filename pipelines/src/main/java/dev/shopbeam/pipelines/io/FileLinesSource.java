package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The lines of the files matching a glob as {@link RawRecord}s (see {@link ReadRawRecords} for what a
 * record holds), as a bounded source of byte ranges that start at line starts. The ranges are worked out
 * where the runner splits the source (Flink's job manager, Spark's driver): one scan of each file for
 * '\n', which also gives each range the number of its first line, so that line numbers stay those of
 * the whole file. A compressed file (by extension) or one shorter than two ranges is one range.
 *
 * <p>Why a source rather than a {@code ParDo} over ranges: a runner hands a source's splits to its
 * workers as each asks for more (Flink's split assigner, Spark's task queue), so a worker that is
 * ahead reads more of the file. Ranges spread by a reshuffle of random keys went to the two workers of
 * a hot-items run by chance, 10 to 6 of 16, say, and every step downstream of the read that kept them
 * (parse, the dedupe, hot items' counting) ran that unevenly.
 */
final class FileLinesSource extends BoundedSource<RawRecord> {
  private final @Nullable String filepattern;
  private final @Nullable Range range;
  private final InputFormat format;
  private final int maxRecordBytes;
  private final long splitBytes;

  /** One byte range of one file, with what its records carry besides their lines. */
  record Range(String resource, Compression compression, long start, long end, long firstLine,
      long ingestMillis) implements java.io.Serializable {
    /** The location of the file's lines without the line number: {@code file:<resource id>:}. */
    String locationPrefix() {
      return "file:" + resource + ":";
    }
  }

  /** Every line of every file matching {@code filepattern}, in ranges of about {@code splitBytes}. */
  static FileLinesSource of(String filepattern, InputFormat format, int maxRecordBytes, long splitBytes) {
    return new FileLinesSource(filepattern, null, format, maxRecordBytes, splitBytes);
  }

  private FileLinesSource(@Nullable String filepattern, @Nullable Range range, InputFormat format,
      int maxRecordBytes, long splitBytes) {
    this.filepattern = filepattern;
    this.range = range;
    this.format = format;
    this.maxRecordBytes = maxRecordBytes;
    this.splitBytes = splitBytes;
  }

  /** The ranges of every matching file; a file that matches no longer (or not yet) is an error. */
  List<Range> ranges() throws IOException {
    if (range != null) {
      return List.of(range);
    }
    MatchResult match = FileSystems.match(filepattern, EmptyMatchTreatment.DISALLOW);
    List<Range> out = new ArrayList<>();
    for (MatchResult.Metadata file : match.metadata()) {
      out.addAll(rangesOf(file, splitBytes));
    }
    return out;
  }

  /**
   * A file's byte ranges of about {@code splitBytes}, each starting at a line start, with the number of
   * its first line; the last one open-ended ({@code Long.MAX_VALUE}), so that what the file has at the
   * end when read is read.
   */
  static List<Range> rangesOf(MatchResult.Metadata file, long splitBytes) throws IOException {
    String resource = file.resourceId().toString();
    Compression compression = Compression.detect(resource);
    long ingestMillis = ReadRawRecords.ingestTime(file).toEpochMilli();
    long size = file.sizeBytes();
    if (compression != Compression.UNCOMPRESSED || !file.isReadSeekEfficient() || size < 2 * splitBytes) {
      return List.of(new Range(resource, compression, 0, Long.MAX_VALUE, 1, ingestMillis));
    }
    List<Range> out = new ArrayList<>();
    long start = 0;
    long firstLine = 1;
    long lines = 0;
    long position = 0;
    long nextCut = splitBytes;
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    try (ReadableByteChannel channel = FileSystems.open(file.resourceId())) {
      int n;
      while ((n = channel.read(chunk.clear())) != -1) {
        byte[] a = chunk.array();
        for (int i = 0; i < n; i++) {
          if (a[i] == '\n') {
            lines++;
            long lineEnd = position + i + 1;
            if (lineEnd >= nextCut && lineEnd < size) {
              out.add(new Range(resource, compression, start, lineEnd, firstLine, ingestMillis));
              start = lineEnd;
              firstLine = lines + 1;
              nextCut = lineEnd + splitBytes;
            }
          }
        }
        position += n;
      }
    }
    out.add(new Range(resource, compression, start, Long.MAX_VALUE, firstLine, ingestMillis));
    return out;
  }

  /** Splits into the files' line ranges, whatever size the runner asks for: ours are about {@code splitBytes}. */
  @Override
  public List<FileLinesSource> split(long desiredBundleSizeBytes, PipelineOptions options) throws IOException {
    if (range != null) {
      return Collections.singletonList(this);
    }
    List<FileLinesSource> out = new ArrayList<>();
    for (Range r : ranges()) {
      out.add(new FileLinesSource(null, r, format, maxRecordBytes, splitBytes));
    }
    return out;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) throws IOException {
    if (range != null) {
      // The last range of a file is open-ended; its size is not known without the file, and the
      // estimate only sizes bundles.
      return range.end() == Long.MAX_VALUE ? splitBytes : range.end() - range.start();
    }
    long total = 0;
    for (MatchResult.Metadata file : FileSystems.match(filepattern, EmptyMatchTreatment.DISALLOW).metadata()) {
      total += file.sizeBytes();
    }
    return total;
  }

  @Override
  public Coder<RawRecord> getOutputCoder() {
    return Coders.rawRecords();
  }

  @Override
  public void validate() {
    if ((filepattern == null) == (range == null)) {
      throw new IllegalStateException("a file lines source is either a file pattern or one range of a file");
    }
    if (splitBytes < 1) {
      throw new IllegalArgumentException("split size must be positive, got " + splitBytes);
    }
  }

  @Override
  public BoundedReader<RawRecord> createReader(PipelineOptions options) throws IOException {
    return new LinesReader(this, ranges());
  }

  /** Reads its ranges one after the other: one range, or every range of an unsplit source. */
  private static final class LinesReader extends BoundedReader<RawRecord> {
    private final FileLinesSource source;
    private final List<Range> ranges;
    private int next;
    private @Nullable InputStream in;
    private ReadRawRecords.@Nullable LineReader lines;
    private @Nullable Range current;
    private long lineNo;
    private String location = "";
    private Instant ingestTime = Instant.EPOCH;
    private @Nullable RawRecord record;

    LinesReader(FileLinesSource source, List<Range> ranges) {
      this.source = source;
      this.ranges = ranges;
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      while (true) {
        if (lines == null) {
          if (next == ranges.size()) {
            record = null;
            return false;
          }
          open(ranges.get(next++));
        }
        if (lines.next()) {
          lineNo++;
          if (lineNo == 1 && source.format.isHeader(new String(lines.bytes(), StandardCharsets.UTF_8))) {
            continue;
          }
          record = ReadRawRecords.record(location, lineNo, ingestTime, lines.bytes(), lines.length());
          return true;
        }
        closeRange();
      }
    }

    private void open(Range r) throws IOException {
      ResourceId file = FileSystems.matchNewResource(r.resource(), false);
      ReadableByteChannel channel = FileSystems.open(file);
      InputStream stream;
      if (r.start() == 0 && r.end() == Long.MAX_VALUE) {
        stream = Channels.newInputStream(r.compression().readDecompressed(channel));
      } else {
        // Only uncompressed files that read-seek efficiently are cut into ranges (rangesOf).
        SeekableByteChannel seekable = (SeekableByteChannel) channel;
        seekable.position(r.start());
        stream = new ReadRawRecords.RangeInputStream(Channels.newInputStream(seekable), r.end() - r.start());
      }
      current = r;
      in = stream;
      lines = new ReadRawRecords.LineReader(stream, source.maxRecordBytes);
      lineNo = r.firstLine() - 1;
      location = r.locationPrefix();
      ingestTime = Instant.ofEpochMilli(r.ingestMillis());
    }

    private void closeRange() throws IOException {
      lines = null;
      current = null;
      if (in != null) {
        InputStream s = in;
        in = null;
        s.close();
      }
    }

    @Override
    public RawRecord getCurrent() {
      if (record == null) {
        throw new NoSuchElementException();
      }
      return record;
    }

    @Override
    public void close() throws IOException {
      closeRange();
    }

    @Override
    public BoundedSource<RawRecord> getCurrentSource() {
      return source;
    }

    @Override
    public String toString() {
      return "lines of " + (current != null ? current : source.filepattern);
    }
  }
}
