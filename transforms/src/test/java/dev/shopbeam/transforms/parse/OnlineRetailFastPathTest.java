package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.testing.Mutations;
import dev.shopbeam.transforms.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Online Retail parser's in-place path for lines of the common shape gives exactly the general
 * path's outcome (Jackson's CSV split, every field checked) whenever it answers: on the real week in
 * test-data, and on mutations of it with the characters that could tell them apart (quotes, commas,
 * white space of every kind, control characters, a byte-order mark, signs, decimal points).
 */
class OnlineRetailFastPathTest {
  private static final Instant INGEST = Instant.parse("2024-01-01T00:00:00Z");
  private static final String ALPHABET =
      "\"\",,,  \t\u0000\u0001\u000B\u000C\u001F\u0085\u00A0\u1680\u2000\u2028\u3000\uFEFF\r\n-+..0123456789/:Cc eE";

  private final OnlineRetailParser fast = new OnlineRetailParser();
  private final OnlineRetailParser general = new OnlineRetailParser();

  private int answered;

  private void check(String line) {
    RecordOutcome f = fast.parseCommonShape(line, INGEST);
    RecordOutcome g = general.parseAnyShape(line, INGEST);
    if (f != null) {
      answered++;
      assertEquals(g.toString(), f.toString(), () -> "line: " + line.replace("\r", "\\r").replace("\n", "\\n"));
    }
  }

  @Test
  void theRealWeekParsesAsTheGeneralPath() throws Exception {
    List<String> lines = Files.readAllLines(TestData.path("test-data/online-retail-2010-12-01_07.csv"),
        StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      check(line);
    }
    // The fast path is for the common line: nearly every line of the real data takes it.
    assertThat(answered, greaterThan((lines.size() - 1) * 95 / 100));
  }

  @Test
  void mutatedLinesParseAsTheGeneralPathWheneverTheFastPathAnswers() throws Exception {
    List<String> lines = Files.readAllLines(TestData.path("test-data/online-retail-2010-12-01_07.csv"),
        StandardCharsets.UTF_8);
    Random random = new Random(2024);
    for (int i = 0; i < 200_000; i++) {
      check(Mutations.mutate(lines.get(1 + random.nextInt(lines.size() - 1)), ALPHABET, random));
    }
    assertThat(answered, greaterThan(20_000));
  }
}
