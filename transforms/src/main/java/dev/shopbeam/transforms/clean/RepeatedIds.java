package dev.shopbeam.transforms.clean;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.LongArrayCoder;
import dev.shopbeam.transforms.parse.EventTally;
import dev.shopbeam.transforms.window.InGlobalWindow;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Which ids of a bounded input may occur more than once. Every id that does occur more than once is
 * answered "may repeat"; of the ids that occur once, all but a small fraction are answered "does not"
 * (the fraction grows with the number of ids, see {@link #DEFAULT_CELL_BITS}).
 *
 * <p>Why: deduplicating a bounded input exactly means grouping the copies of each id, and a runner
 * that groups by sorting (Flink's batch runtime, twice per grouping, on serialized keys) then sorts
 * every event although almost none has a copy. With this answer as a side input, only the events whose
 * id may repeat are grouped; the rest are single copies by proof and pass straight on. The result is
 * exactly the grouped result, whatever the answer's false positives: they are grouped alone and come
 * out unchanged.
 *
 * <p>How: ids are hashed to 64 bits. Up to {@code sparseLimit} hashes are kept as they are, and a hash
 * seen twice is the answer, exactly by hash. Past that, each hash marks {@value #CELLS_PER_ID} cells
 * of a fixed table of 2^{@code cellBits} cells, each counting 0, 1 or "2 or more" (two bit planes);
 * an id may repeat when all its cells count 2 or more. Tallies of bundles merge by adding the counts,
 * so the answer depends only on the ids, not on how the input was cut or in which order it merged:
 * the tally is dense exactly when the input has more than {@code sparseLimit} ids.
 */
public final class RepeatedIds {
  /** Cells an id marks in the dense table. */
  static final int CELLS_PER_ID = 3;

  /**
   * 2^26 cells: 16 MB per dense tally (two bit planes), 8 MB in the answer. An id that occurs once is
   * answered "may repeat" with probability about (1 - e^(-3n/2^26))^3 for n ids: 0.06% at 2 million,
   * 4.7% at 10 million.
   */
  public static final int DEFAULT_CELL_BITS = 26;

  /** Hashes kept as they are (8 bytes each) before a tally turns into the table. */
  public static final int DEFAULT_SPARSE_LIMIT = 1 << 16;

  private static final byte SPARSE = 0;
  private static final byte DENSE = 1;

  private final int cellBits;
  /** Sorted hashes seen more than once, when the tally stayed sparse; else null. */
  private final long[] repeatedHashes;
  /** The "2 or more" bit plane, when the tally was dense; else null. */
  private final long[] twice;

  private RepeatedIds(int cellBits, long[] repeatedHashes, long[] twice) {
    this.cellBits = cellBits;
    this.repeatedHashes = repeatedHashes;
    this.twice = twice;
  }

  /** True for every id that occurs more than once, and for a few that do not. */
  public boolean mayRepeat(String id) {
    long h = hash(id);
    if (twice == null) {
      return Arrays.binarySearch(repeatedHashes, h) >= 0;
    }
    long mask = (1L << cellBits) - 1;
    long step = step(h);
    for (int i = 0; i < CELLS_PER_ID; i++) {
      long cell = (h + i * step) & mask;
      if ((twice[(int) (cell >>> 6)] & (1L << cell)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** 64-bit FNV-1a over the id's chars, then MurmurHash3's finalizer so that every bit is mixed. */
  static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** 64-bit words of a bit plane of 2^cellBits cells. */
  static int words(int cellBits) {
    return (int) Math.max(1, (1L << cellBits) >>> 6);
  }

  /** The stride between an id's cells (double hashing); odd, so it walks the whole table. */
  private static long step(long h) {
    return (h >>> 32) | 1L;
  }

  /**
   * The tallies of the ids {@code idOf} gives of each element of a bounded input, one per bundle, as a
   * side input in the global window; {@link #of(Iterable, int, int)} merges them into the answer. Each bundle
   * tallies its ids in memory. The tallies are merged where they are read, not by a combine: a dense
   * tally is megabytes, more than a sorting runner's sort buffer takes in one record (Flink's batch
   * combine fails with "Record too large").
   */
  static <T> PTransform<PCollection<T>, PCollectionView<Iterable<Tally>>> tallies(
      SerializableFunction<T, String> idOf, int cellBits, int sparseLimit) {
    checkShape(cellBits, sparseLimit);
    return new PTransform<>() {
      @Override
      public PCollectionView<Iterable<Tally>> expand(PCollection<T> input) {
        return InGlobalWindow.firedOnce(input, "Global window")
            .apply("Tally per bundle", ParDo.of(new TallyPerBundleFn<>(idOf, cellBits, sparseLimit)))
            .setCoder(TallyCoder.INSTANCE)
            .apply("As side input", View.asIterable());
      }
    };
  }

  private static void checkShape(int cellBits, int sparseLimit) {
    if (cellBits < 6 || cellBits > 30) {
      throw new IllegalArgumentException("cellBits must be within 6..30, was " + cellBits);
    }
    if (sparseLimit < 0) {
      throw new IllegalArgumentException("sparseLimit must not be negative, was " + sparseLimit);
    }
  }

  /**
   * The tallies of {@link #tallies}, of the ids of the events a parse step emits, worked out inside that
   * step ({@link dev.shopbeam.transforms.parse.ParseEvents#tallyingEvents}) rather than by a pass of
   * their own; read them as a side input with {@code View.asIterable()}.
   */
  static EventTally<Tally> ofEventIds(int cellBits, int sparseLimit) {
    checkShape(cellBits, sparseLimit);
    return new EventIdTally(cellBits, sparseLimit);
  }

  private static final class EventIdTally implements EventTally<Tally> {
    private final int cellBits;
    private final int sparseLimit;

    EventIdTally(int cellBits, int sparseLimit) {
      this.cellBits = cellBits;
      this.sparseLimit = sparseLimit;
    }

    @Override
    public Tally create() {
      return new Tally(cellBits, sparseLimit);
    }

    @Override
    public void add(Tally tally, CommerceEvent event) {
      tally.add(hash(event.getEventId()));
    }

    @Override
    public Coder<Tally> coder() {
      return TallyCoder.INSTANCE;
    }
  }

  /** The answer of all the tallies of an input; the tallies are not changed. */
  static RepeatedIds of(Iterable<Tally> tallies, int cellBits, int sparseLimit) {
    Tally merged = new Tally(cellBits, sparseLimit);
    for (Tally t : tallies) {
      merged.merge(t);
    }
    return merged.answer();
  }

  /** Counts per hash or per cell, saturating at 2. Mutable; merged into, never out of. */
  static final class Tally {
    final int cellBits;
    final int sparseLimit;
    /** Sparse: the hashes as added (equal ones repeated), the first {@code size} of them. */
    long[] hashes;
    int size;
    /** Dense: bit planes "1 or more" and "2 or more"; null while sparse. */
    long[] once;
    long[] twice;

    Tally(int cellBits, int sparseLimit) {
      this.cellBits = cellBits;
      this.sparseLimit = sparseLimit;
      this.hashes = new long[Math.min(16, Math.max(1, sparseLimit))];
    }

    boolean dense() {
      return once != null;
    }

    void add(long h) {
      if (dense()) {
        mark(h);
        return;
      }
      if (size == sparseLimit) {
        densify();
        mark(h);
        return;
      }
      if (size == hashes.length) {
        hashes = Arrays.copyOf(hashes, Math.min(sparseLimit, hashes.length * 2));
      }
      hashes[size++] = h;
    }

    /** Adds {@code other}'s counts to this tally's; {@code other} is not changed. */
    void merge(Tally other) {
      if (other.cellBits != cellBits || other.sparseLimit != sparseLimit) {
        throw new IllegalArgumentException("tallies of different shapes: " + other.cellBits + "/"
            + other.sparseLimit + " into " + cellBits + "/" + sparseLimit);
      }
      if (!other.dense()) {
        for (int i = 0; i < other.size; i++) {
          add(other.hashes[i]);
        }
        return;
      }
      if (!dense()) {
        densify();
      }
      for (int w = 0; w < once.length; w++) {
        twice[w] |= other.twice[w] | (once[w] & other.once[w]);
        once[w] |= other.once[w];
      }
    }

    private void densify() {
      once = new long[words(cellBits)];
      twice = new long[words(cellBits)];
      for (int i = 0; i < size; i++) {
        mark(hashes[i]);
      }
      hashes = null;
      size = 0;
    }

    private void mark(long h) {
      long mask = (1L << cellBits) - 1;
      long step = step(h);
      for (int i = 0; i < CELLS_PER_ID; i++) {
        long cell = (h + i * step) & mask;
        int w = (int) (cell >>> 6);
        long bit = 1L << cell;
        twice[w] |= once[w] & bit;
        once[w] |= bit;
      }
    }

    RepeatedIds answer() {
      if (dense()) {
        return new RepeatedIds(cellBits, null, twice);
      }
      long[] sorted = Arrays.copyOf(hashes, size);
      Arrays.sort(sorted);
      long[] repeated = new long[sorted.length / 2];
      int n = 0;
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i] == sorted[i - 1] && (n == 0 || repeated[n - 1] != sorted[i])) {
          repeated[n++] = sorted[i];
        }
      }
      return new RepeatedIds(cellBits, Arrays.copyOf(repeated, n), null);
    }
  }

  static final class TallyPerBundleFn<T> extends DoFn<T, Tally> {
    private final SerializableFunction<T, String> idOf;
    private final int cellBits;
    private final int sparseLimit;
    private transient Tally tally;

    TallyPerBundleFn(SerializableFunction<T, String> idOf, int cellBits, int sparseLimit) {
      this.idOf = idOf;
      this.cellBits = cellBits;
      this.sparseLimit = sparseLimit;
    }

    @StartBundle
    public void startBundle() {
      tally = null;
    }

    @ProcessElement
    public void process(@Element T element) {
      if (tally == null) {
        tally = new Tally(cellBits, sparseLimit);
      }
      tally.add(hash(idOf.apply(element)));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (tally != null) {
        context.output(tally, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
        tally = null;
      }
    }
  }

  /** Shape, then the sparse hashes or the two planes. */
  static final class TallyCoder extends AtomicCoder<Tally> {
    static final TallyCoder INSTANCE = new TallyCoder();

    @Override
    public void encode(Tally t, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeByte(t.cellBits);
      out.writeInt(t.sparseLimit);
      if (t.dense()) {
        out.writeByte(DENSE);
        LongArrayCoder.INSTANCE.encode(t.once, os);
        LongArrayCoder.INSTANCE.encode(t.twice, os);
      } else {
        out.writeByte(SPARSE);
        LongArrayCoder.INSTANCE.encode(Arrays.copyOf(t.hashes, t.size), os);
      }
    }

    @Override
    public Tally decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      Tally t = new Tally(in.readByte(), in.readInt());
      byte kind = in.readByte();
      if (kind == DENSE) {
        t.once = LongArrayCoder.INSTANCE.decode(is);
        t.twice = LongArrayCoder.INSTANCE.decode(is);
        t.hashes = null;
        if (t.once.length != words(t.cellBits) || t.twice.length != t.once.length) {
          throw new CoderException("dense tally planes of " + t.once.length + " and " + t.twice.length
              + " words for " + t.cellBits + " cell bits");
        }
      } else if (kind == SPARSE) {
        t.hashes = LongArrayCoder.INSTANCE.decode(is);
        t.size = t.hashes.length;
        if (t.size > t.sparseLimit) {
          throw new CoderException("sparse tally of " + t.size + " hashes over its limit " + t.sparseLimit);
        }
      } else {
        throw new CoderException("unknown tally kind " + kind);
      }
      return t;
    }
  }
}
