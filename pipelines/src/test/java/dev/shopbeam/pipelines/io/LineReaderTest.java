package dev.shopbeam.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chunked line reader against a byte-at-a-time model of the same rules. */
class LineReaderTest {

  /** The rules, one byte at a time: split at '\n', a '\r' ending a line is dropped, keep max bytes. */
  static List<Object[]> model(byte[] input, int max) {
    List<Object[]> lines = new ArrayList<>();
    int i = 0;
    while (i < input.length) {
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      long length = 0;
      boolean pendingCr = false;
      while (i < input.length && input[i] != '\n') {
        if (pendingCr) {
          length++;
          if (kept.size() < max) {
            kept.write('\r');
          }
        }
        pendingCr = input[i] == '\r';
        if (!pendingCr) {
          length++;
          if (kept.size() < max) {
            kept.write(input[i]);
          }
        }
        i++;
      }
      i++; // the '\n', or past the end
      lines.add(new Object[] {kept.toByteArray(), length});
    }
    return lines;
  }

  /** Hands out at most {@code step} bytes per read, so lines cross every kind of chunk boundary. */
  static InputStream trickle(byte[] input, int step) {
    return new ByteArrayInputStream(input) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, step));
      }
    };
  }

  static void assertReadsLikeModel(byte[] input, int max, int step) throws IOException {
    ReadRawRecords.LineReader reader = new ReadRawRecords.LineReader(trickle(input, step), max);
    for (Object[] expected : model(input, max)) {
      assertEquals(true, reader.next());
      assertArrayEquals((byte[]) expected[0], reader.bytes());
      assertEquals((long) expected[1], reader.length());
    }
    assertFalse(reader.next());
  }

  @Test
  void edgeCases() throws IOException {
    for (String s : new String[] {"", "\n", "\n\n", "a", "a\n", "a\r\n", "a\r", "\r", "\r\r\n", "a\rb\n", "ab\r\r\nc",
        "x\n\ny\r\n\r\n"}) {
      for (int max : new int[] {0, 1, 2, 100}) {
        for (int step : new int[] {1, 2, 1 << 20}) {
          assertReadsLikeModel(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), max, step);
        }
      }
    }
  }

  @Test
  void randomInputsAcrossChunkBoundaries() throws IOException {
    Random random = new Random(42);
    byte[] alphabet = {'a', 'b', '\r', '\n', ',', (byte) 0xC3, (byte) 0xA9};
    for (int round = 0; round < 300; round++) {
      byte[] input = new byte[random.nextInt(round < 280 ? 200 : 200_000)];
      for (int i = 0; i < input.length; i++) {
        input[i] = alphabet[random.nextInt(alphabet.length)];
      }
      assertReadsLikeModel(input, 1 + random.nextInt(20), 1 + random.nextInt(round < 280 ? 7 : 100_000));
    }
  }

  @Test
  void linesLongerThanTheChunkAreCutButCounted() throws IOException {
    byte[] input = new byte[300_000];
    java.util.Arrays.fill(input, (byte) 'x');
    input[200_000] = '\n';
    assertReadsLikeModel(input, 1 << 20, 1 << 20);
    assertReadsLikeModel(input, 1000, 1 << 20);
  }
}
