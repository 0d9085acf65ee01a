package dev.shopbeam.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.parse.InputFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.SourceTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's ranges: contiguous, each starting at a line start with the whole file's number of its
 * first line, and read together they give every line once (header skipped, '\r\n' and cut lines as a
 * whole-file read gives them), however finely the file is cut.
 */
class FileLinesSourceTest {
  private final PipelineOptions options = PipelineOptionsFactory.create();

  private static List<String> describe(List<RawRecord> records) {
    return records.stream().map(ReadRawRecordsTest::describe).sorted().collect(Collectors.toList());
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().collect(Collectors.toList());
  }

  @Test
  void rangesCoverTheFileFromLineStartsWithTheirFirstLineNumbers(@TempDir Path dir) throws Exception {
    List<String> expected = new ArrayList<>();
    Path csv = dir.resolve("events.csv");
    byte[] content = ReadRawRecordsTest.lines(1500, 300, 1 << 20, expected).getBytes(StandardCharsets.UTF_8);
    Files.write(csv, content);
    FileLinesSource source = FileLinesSource.of(csv.toString(), InputFormat.ONLINE_RETAIL, 1 << 20, 500);

    List<FileLinesSource.Range> ranges = source.ranges();
    assertTrue(ranges.size() > 50, "about one range per 500 bytes, got " + ranges.size());
    long start = 0;
    for (int i = 0; i < ranges.size(); i++) {
      FileLinesSource.Range r = ranges.get(i);
      assertEquals(start, r.start(), "range " + i + " starts where the one before ended");
      assertTrue(r.start() == 0 || content[(int) r.start() - 1] == '\n', "range " + i + " starts at a line start");
      long linesBefore = 0;
      for (int b = 0; b < r.start(); b++) {
        linesBefore += content[b] == '\n' ? 1 : 0;
      }
      assertEquals(linesBefore + 1, r.firstLine(), "range " + i + "'s first line number");
      start = r.end();
    }
    assertEquals(Long.MAX_VALUE, start, "the last range is open-ended");
    assertEquals(content.length, source.getEstimatedSizeBytes(options));

    List<? extends FileLinesSource> splits = source.split(1, options);
    assertEquals(ranges.size(), splits.size(), "one split per range, whatever size is asked for");
    assertEquals(sorted(expected), describe(SourceTestUtils.readFromSplitsOfSource(source, 1, options)));
    // Unsplit, the source reads every range in turn.
    assertEquals(sorted(expected), describe(SourceTestUtils.readFromSource(source, options)));
    SourceTestUtils.assertSourcesEqualReferenceSource(source, splits, options);
  }

  @Test
  void aFileShorterThanTwoRangesOrCompressedIsOneRange(@TempDir Path dir) throws Exception {
    List<String> expected = new ArrayList<>();
    String text = ReadRawRecordsTest.lines(300, 500, 400, expected);
    Path csv = dir.resolve("small.csv");
    Files.write(csv, text.getBytes(StandardCharsets.UTF_8));
    Path gz = dir.resolve("small.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    FileLinesSource plain = FileLinesSource.of(csv.toString(), InputFormat.ONLINE_RETAIL, 400, text.length() / 2 + 1);
    FileLinesSource compressed = FileLinesSource.of(gz.toString(), InputFormat.ONLINE_RETAIL, 400, 100);
    assertEquals(1, plain.split(1, options).size());
    assertEquals(1, compressed.split(1, options).size());
    // Lines longer than the record limit keep 400 bytes and their full length.
    assertEquals(sorted(expected), describe(SourceTestUtils.readFromSplitsOfSource(plain, 1, options)));
    assertEquals(sorted(expected), describe(SourceTestUtils.readFromSplitsOfSource(compressed, 1, options)));
  }

  @Test
  void everyMatchingFileIsRead(@TempDir Path dir) throws Exception {
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    Files.write(dir.resolve("a.csv"), ReadRawRecordsTest.lines(400, 50, 1 << 20, first).getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("b.csv"), ReadRawRecordsTest.lines(200, 50, 1 << 20, second).getBytes(StandardCharsets.UTF_8));
    FileLinesSource source = FileLinesSource.of(dir.resolve("*.csv").toString(), InputFormat.ONLINE_RETAIL, 1 << 20, 700);
    List<RawRecord> records = SourceTestUtils.readFromSplitsOfSource(source, 1, options);
    assertEquals(first.size() + second.size(), records.size());
    assertEquals(first.size(), records.stream().filter(r -> r.getSourceLocation().contains("a.csv:")).count());
    assertTrue(source.split(1, options).stream().anyMatch(s -> {
      try {
        return s.ranges().get(0).resource().endsWith("b.csv") && s.ranges().get(0).firstLine() > 1;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }), "the second file is cut too, its ranges numbered from its own first line");
  }

  @Test
  void aPatternMatchingNothingIsAnError(@TempDir Path dir) {
    FileLinesSource source = FileLinesSource.of(dir.resolve("none-*.csv").toString(), InputFormat.ONLINE_RETAIL, 100, 100);
    assertThrows(IOException.class, () -> source.split(1, options));
  }
}
