package org.apache.beam.runners.flink.translation.types;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.runtime.operators.sort.NormalizedKeySorter;
import org.apache.flink.runtime.operators.sort.QuickSort;
import org.apache.flink.util.MutableObjectIterator;
import org.junit.jupiter.api.Test;

/**
 * ShopBeam's {@link EncodedValueComparator}: it is the one on the class path, it keeps the order of
 * Beam's own, its normalized keys never contradict that order, and Flink's own in-memory sorter, which
 * decides most comparisons by those keys, sorts by it and keeps each key's records together.
 */
class EncodedValueComparatorTest {
  /** Beam's order, written out: signed bytes lexicographically, then the shorter first. */
  private static final Comparator<byte[]> MODEL = (a, b) -> {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] != b[i]) {
        return a[i] < b[i] ? -1 : 1;
      }
    }
    return Integer.compare(a.length, b.length);
  };

  /**
   * Keys that stress the prefix: shared prefixes longer than the sorter's 16 bytes, bytes on both sides
   * of 0x80, the byte -128 (whose normalized image is the zero padding) at the end, the empty key.
   */
  private static byte[] key(Random random) {
    byte[] shared = {3, 'p', 'v', -128, 0, 127, -1, 1, 'i', 't', 'e', 'm', '-', '0', '0', '0', '0', '1'};
    int length = random.nextInt(24);
    byte[] key = new byte[length];
    int fromShared = random.nextBoolean() ? Math.min(length, random.nextInt(shared.length + 1)) : 0;
    System.arraycopy(shared, 0, key, 0, fromShared);
    for (int i = fromShared; i < length; i++) {
      int pick = random.nextInt(4);
      key[i] = pick == 0 ? (byte) -128 : pick == 1 ? (byte) 127 : (byte) random.nextInt(256);
    }
    return key;
  }

  @Test
  void isShopBeamsAndNotBeamsOwn() {
    // Beam's class answers false; the test class path must load this module's class, not the Beam jar's.
    assertThat(new EncodedValueComparator(true).supportsNormalizedKey(), is(true));
    String location = EncodedValueComparator.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertThat(location, not(endsWith(".jar")));
  }

  @Test
  void ordersLikeBeamsComparatorInEveryMethod() throws Exception {
    Random random = new Random(7);
    EncodedValueSerializer serializer = new EncodedValueSerializer();
    for (boolean ascending : new boolean[] {true, false}) {
      EncodedValueComparator comparator = new EncodedValueComparator(ascending);
      EncodedValueComparator other = new EncodedValueComparator(ascending);
      for (int i = 0; i < 20_000; i++) {
        byte[] a = key(random);
        byte[] b = random.nextInt(10) == 0 ? a.clone() : key(random);
        int expected = Integer.signum(MODEL.compare(a, b)) * (ascending ? 1 : -1);
        assertThat(Integer.signum(comparator.compare(a, b)), is(expected));

        DataOutputSerializer first = new DataOutputSerializer(32);
        DataOutputSerializer second = new DataOutputSerializer(32);
        serializer.serialize(a, first);
        serializer.serialize(b, second);
        assertThat(Integer.signum(comparator.compareSerialized(
            new DataInputDeserializer(first.getCopyOfBuffer()), new DataInputDeserializer(second.getCopyOfBuffer()))),
            is(expected));

        // Flink's contract: compareToReference is compare(other's reference, this reference).
        comparator.setReference(a);
        other.setReference(b);
        assertThat(Integer.signum(comparator.compareToReference(other)), is(-expected));
        assertThat(comparator.equalToReference(b), is(Arrays.equals(a, b)));
        if (Arrays.equals(a, b)) {
          assertThat(comparator.hash(a), is(comparator.hash(b)));
        }
      }
    }
  }

  @Test
  void normalizedKeysNeverContradictTheOrder() {
    Random random = new Random(11);
    MemorySegment segment = MemorySegmentFactory.allocateUnpooledSegment(64);
    for (boolean ascending : new boolean[] {true, false}) {
      EncodedValueComparator comparator = new EncodedValueComparator(ascending);
      for (int numBytes : new int[] {1, 2, 4, 8, 16}) {
        assertThat(comparator.isNormalizedKeyPrefixOnly(numBytes), is(true));
        for (int i = 0; i < 20_000; i++) {
          byte[] a = key(random);
          byte[] b = key(random);
          comparator.putNormalizedKey(a, segment, 0, numBytes);
          comparator.putNormalizedKey(b, segment, 32, numBytes);
          // What Flink's sorter does with the prefixes: unsigned bytes, inverted for a descending sort.
          int byPrefix = Integer.signum(segment.compare(segment, 0, 32, numBytes))
              * (comparator.invertNormalizedKey() ? -1 : 1);
          if (byPrefix != 0) {
            assertThat(Arrays.toString(a) + " vs " + Arrays.toString(b) + " on " + numBytes + " bytes",
                byPrefix, is(Integer.signum(comparator.compare(a, b))));
          }
        }
      }
    }
  }

  @Test
  void flinksSorterSortsByTheOrderAndKeepsGroupsTogether() throws Exception {
    Random random = new Random(13);
    // Few distinct keys, many records each: groups, as a GroupByKey sorts them.
    List<byte[]> distinct = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      distinct.add(key(random));
    }
    for (boolean ascending : new boolean[] {true, false}) {
      List<MemorySegment> memory = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        memory.add(MemorySegmentFactory.allocateUnpooledSegment(32 * 1024));
      }
      NormalizedKeySorter<byte[]> sorter =
          new NormalizedKeySorter<>(new EncodedValueSerializer(), new EncodedValueComparator(ascending), memory);
      List<byte[]> written = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        byte[] record = distinct.get(random.nextInt(distinct.size()));
        assertThat("the sort buffer holds the test's records", sorter.write(record), is(true));
        written.add(record);
      }
      new QuickSort().sort(sorter);

      List<byte[]> sorted = new ArrayList<>();
      MutableObjectIterator<byte[]> it = sorter.getIterator();
      for (byte[] record = it.next(); record != null; record = it.next()) {
        sorted.add(record);
      }
      Comparator<byte[]> order = ascending ? MODEL : MODEL.reversed();
      written.sort(order);
      assertThat(sorted.size(), is(written.size()));
      Set<String> groupsSeen = new HashSet<>();
      for (int i = 0; i < sorted.size(); i++) {
        assertThat("record " + i, Arrays.equals(sorted.get(i), written.get(i)), is(true));
        if (i == 0 || !Arrays.equals(sorted.get(i), sorted.get(i - 1))) {
          assertThat("each key's records in one run", groupsSeen.add(Arrays.toString(sorted.get(i))), is(true));
        }
      }
      sorter.dispose();
    }
  }
}
