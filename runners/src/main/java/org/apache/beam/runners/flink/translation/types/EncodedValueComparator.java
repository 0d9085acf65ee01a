/*
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements.  See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership.  The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.apache.beam.runners.flink.translation.types;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeComparator;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.core.memory.MemorySegment;

/**
 * ShopBeam's replacement for Beam 2.62's class of the same name (beam-runners-flink-1.19): the Flink
 * comparator of Beam keys encoded to bytes, which every Beam grouping and combine on Flink's batch
 * runtime sorts by. Same order as Beam's (signed bytes, lexicographically, then the shorter first),
 * with one difference: it gives Flink's sorter a normalized key.
 *
 * <p>Why: Beam's answers {@link #supportsNormalizedKey()} with false, so Flink's {@code
 * NormalizedKeySorter} resolves every comparison by reading both records' keys back out of the sort
 * buffer into new arrays ({@code compareRecords}): about a fifth of the CPU of ShopBeam's whole batch
 * pipeline on Flink. Beam turned normalized keys off in 2016 (BEAM-321) because they "did not work with
 * some coders"; its {@code putNormalizedKey} copies the key's bytes as they are, and Flink compares
 * normalized keys as <em>unsigned</em> bytes while {@link #compare} orders them as <em>signed</em>
 * ones, so any key with a byte of 0x80 or above (Avro's zig-zag varints, most multi-byte encodings)
 * was sorted inconsistently, and a group could come out split. Here each byte of the prefix has its
 * sign bit flipped, which maps the signed order onto the unsigned one, and the prefix never decides
 * alone ({@link #isNormalizedKeyPrefixOnly} is always true): equal prefixes, the zero padding of a
 * short key included, fall back to the full comparison. {@code EncodedValueComparatorTest} checks that
 * the prefix order agrees with {@link #compare} and that groups come out whole through Flink's sorter.
 *
 * <p>The class replaces Beam's on the runners module's class path (its own classes come first) and in
 * the bundled jar (the shade plugin leaves Beam's copy out). {@code BundledJarIT} checks the jar.
 */
@SuppressWarnings({"rawtypes", "nullness"})
public class EncodedValueComparator extends TypeComparator<byte[]> {
  /** Flipping the sign bit maps signed byte order onto Flink's unsigned order of normalized keys. */
  private static final int SIGN_BIT = 0x80;

  private final boolean ascending;

  /** The reference of {@link #setReference}, in encoded form. */
  private transient byte[] reference;

  public EncodedValueComparator(boolean ascending) {
    this.ascending = ascending;
  }

  /** Beam's order: signed bytes, lexicographically, and a proper prefix first; not yet reversed. */
  static int ascendingOrder(byte[] first, byte[] second) {
    return Arrays.compare(first, second);
  }

  private int ordered(int ascendingResult) {
    return ascending ? ascendingResult : -ascendingResult;
  }

  @Override
  public int hash(byte[] record) {
    return Arrays.hashCode(record);
  }

  @Override
  public void setReference(byte[] toCompare) {
    this.reference = toCompare;
  }

  @Override
  public boolean equalToReference(byte[] candidate) {
    return Arrays.equals(reference, candidate);
  }

  @Override
  public int compareToReference(TypeComparator<byte[]> referencedComparator) {
    // Flink's contract: the inverse of compare(reference, other's reference).
    return -ordered(ascendingOrder(reference, ((EncodedValueComparator) referencedComparator).reference));
  }

  @Override
  public int compare(byte[] first, byte[] second) {
    return ordered(ascendingOrder(first, second));
  }

  @Override
  public int compareSerialized(DataInputView firstSource, DataInputView secondSource) throws IOException {
    // The layout of EncodedValueSerializer: the length as an int, then the bytes.
    int firstLength = firstSource.readInt();
    int secondLength = secondSource.readInt();
    int common = Math.min(firstLength, secondLength);
    for (int i = 0; i < common; i++) {
      byte a = firstSource.readByte();
      byte b = secondSource.readByte();
      if (a != b) {
        return ordered(Byte.compare(a, b));
      }
    }
    return ordered(Integer.compare(firstLength, secondLength));
  }

  @Override
  public boolean supportsNormalizedKey() {
    return true;
  }

  @Override
  public int getNormalizeKeyLen() {
    // Keys have no fixed length; the sorter caps what it asks for (16 bytes in Flink 1.19).
    return Integer.MAX_VALUE;
  }

  @Override
  public boolean isNormalizedKeyPrefixOnly(int keyBytes) {
    // Never decisive alone: a longer key may share the prefix, and the zero padding of a short key is
    // also the image of the byte 0x80 (-128).
    return true;
  }

  @Override
  public void putNormalizedKey(byte[] record, MemorySegment target, int offset, int numBytes) {
    int copied = Math.min(numBytes, record.length);
    for (int i = 0; i < copied; i++) {
      target.put(offset + i, (byte) (record[i] ^ SIGN_BIT));
    }
    for (int i = copied; i < numBytes; i++) {
      target.put(offset + i, (byte) 0);
    }
  }

  @Override
  public boolean invertNormalizedKey() {
    return !ascending;
  }

  @Override
  public boolean supportsSerializationWithKeyNormalization() {
    return false;
  }

  @Override
  public void writeWithKeyNormalization(byte[] record, DataOutputView target) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] readWithKeyDenormalization(byte[] reuse, DataInputView source) {
    throw new UnsupportedOperationException();
  }

  @Override
  public TypeComparator<byte[]> duplicate() {
    return new EncodedValueComparator(ascending);
  }

  @Override
  public int extractKeys(Object record, Object[] target, int index) {
    target[index] = record;
    return 1;
  }

  @Override
  public TypeComparator[] getFlatComparators() {
    return new TypeComparator[] {duplicate()};
  }
}
