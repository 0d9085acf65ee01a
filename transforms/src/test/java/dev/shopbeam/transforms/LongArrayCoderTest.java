package dev.shopbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Chunked coding of long arrays: the bytes of one writeLong per long, at chunk edges too. */
class LongArrayCoderTest {
  private static final int C = LongArrayCoder.CHUNK_LONGS;

  private static long[] random(int n, long seed) {
    return new Random(seed).longs(n).toArray();
  }

  /** The layout the coder had before it copied in chunks (and that encoded state may hold). */
  private static byte[] oneLongAtATime(long[] v) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(v.length);
    for (long x : v) {
      out.writeLong(x);
    }
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void roundTripsAndKeepsTheLayoutAtEveryChunkEdge() throws Exception {
    for (int n : new int[] {0, 1, 7, C - 1, C, C + 1, 3 * C, 3 * C + 5}) {
      long[] v = random(n, n);
      byte[] encoded = CoderUtils.encodeToByteArray(LongArrayCoder.INSTANCE, v);
      assertArrayEquals(oneLongAtATime(v), encoded, "layout of " + n + " longs");
      assertArrayEquals(v, CoderUtils.decodeFromByteArray(LongArrayCoder.INSTANCE, encoded), n + " longs");
      CoderProperties.coderDecodeEncodeEqual(LongArrayCoder.INSTANCE, v);
    }
  }

  @Test
  void aCutShortArrayIsAnError() throws Exception {
    byte[] encoded = CoderUtils.encodeToByteArray(LongArrayCoder.INSTANCE, random(C + 3, 1));
    assertThrows(java.io.EOFException.class, () -> LongArrayCoder.INSTANCE.decode(
        new java.io.ByteArrayInputStream(Arrays.copyOf(encoded, encoded.length - 1))));
  }
}
