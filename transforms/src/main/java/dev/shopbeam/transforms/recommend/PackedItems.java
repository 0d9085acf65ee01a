package dev.shopbeam.transforms.recommend;

import dev.shopbeam.transforms.CompactRecordCoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.values.KV;

/**
 * A read-only list of items, each with a score and a count: {@code (item, (score, count))}, as the
 * recommender's collections hold them (a user's history: weight and latest time; an item's nearest
 * neighbours: similarity and co-users). The items' ids are one array of UTF-8 bytes with end offsets,
 * scores and counts arrays; each item's {@code KV}s are made as it is iterated.
 *
 * <p>Why packed: a collection that several steps read is kept in memory as objects by Beam's Spark
 * runner, and Spark estimates its size by walking the object graphs of sampled elements, again and again
 * as a partition grows. As a list of {@code KV}s each item is seven objects (two KVs, a boxed score and
 * count, the id string and its bytes); packed, a list is five objects however long it is.
 */
public final class PackedItems implements Iterable<KV<String, KV<Double, Long>>> {
  private final byte[] ids;
  private final int[] ends;
  private final double[] scores;
  private final long[] counts;

  private PackedItems(byte[] ids, int[] ends, double[] scores, long[] counts) {
    this.ids = ids;
    this.ends = ends;
    this.scores = scores;
    this.counts = counts;
  }

  public int size() {
    return ends.length;
  }

  @Override
  public Iterator<KV<String, KV<Double, Long>>> iterator() {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < ends.length;
      }

      @Override
      public KV<String, KV<Double, Long>> next() {
        if (i >= ends.length) {
          throw new NoSuchElementException();
        }
        int start = i == 0 ? 0 : ends[i - 1];
        KV<String, KV<Double, Long>> item =
            KV.of(new String(ids, start, ends[i] - start, StandardCharsets.UTF_8), KV.of(scores[i], counts[i]));
        i++;
        return item;
      }
    };
  }

  /** Packs any list of items, in its order. */
  static PackedItems of(Iterable<KV<String, KV<Double, Long>>> items) {
    if (items instanceof PackedItems) {
      return (PackedItems) items;
    }
    Builder b = new Builder(16);
    for (KV<String, KV<Double, Long>> item : items) {
      b.add(item.getKey().getBytes(StandardCharsets.UTF_8), item.getValue().getKey(), item.getValue().getValue());
    }
    return b.build();
  }

  static final class Builder {
    private byte[] ids = new byte[64];
    private int idBytes;
    private int n;
    private int[] ends;
    private double[] scores;
    private long[] counts;

    Builder(int capacity) {
      int c = Math.max(capacity, 1);
      ends = new int[c];
      scores = new double[c];
      counts = new long[c];
    }

    void add(byte[] id, double score, long count) {
      if (n == ends.length) {
        ends = Arrays.copyOf(ends, n * 2);
        scores = Arrays.copyOf(scores, n * 2);
        counts = Arrays.copyOf(counts, n * 2);
      }
      if (idBytes + id.length > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, idBytes + id.length));
      }
      System.arraycopy(id, 0, ids, idBytes, id.length);
      idBytes += id.length;
      ends[n] = idBytes;
      scores[n] = score;
      counts[n++] = count;
    }

    PackedItems build() {
      return new PackedItems(Arrays.copyOf(ids, idBytes), Arrays.copyOf(ends, n), Arrays.copyOf(scores, n),
          Arrays.copyOf(counts, n));
    }
  }

  /** The packed arrays: the ids' bytes, then per item its id's length, score and count. */
  static final class ItemsCoder extends CompactRecordCoder<Iterable<KV<String, KV<Double, Long>>>> {
    static final ItemsCoder INSTANCE = new ItemsCoder();

    @Override
    protected void write(Iterable<KV<String, KV<Double, Long>>> items, Writer w) {
      PackedItems h = of(items);
      w.writeBytes(h.ids, 0, h.ids.length);
      w.writeVarLong(h.ends.length);
      for (int i = 0; i < h.ends.length; i++) {
        w.writeVarLong(h.ends[i] - (i == 0 ? 0 : h.ends[i - 1]));
        w.writeDouble(h.scores[i]);
        w.writeZigZag(h.counts[i]);
      }
    }

    @Override
    protected Iterable<KV<String, KV<Double, Long>>> read(Reader r) throws IOException {
      byte[] ids = r.readBytes();
      long n = r.readVarLong();
      if (n < 0 || n > Integer.MAX_VALUE - 8) {
        throw new IOException("corrupt item list: " + n + " items");
      }
      int[] ends = new int[(int) n];
      double[] scores = new double[(int) n];
      long[] counts = new long[(int) n];
      int end = 0;
      for (int i = 0; i < n; i++) {
        long length = r.readVarLong();
        if (length < 0 || length > ids.length - end) {
          throw new IOException("corrupt item list: an id of " + length + " bytes, " + (ids.length - end) + " left");
        }
        end += (int) length;
        ends[i] = end;
        scores[i] = r.readDouble();
        counts[i] = r.readZigZag();
      }
      return new PackedItems(ids, ends, scores, counts);
    }
  }
}
