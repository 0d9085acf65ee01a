package dev.shopbeam.transforms.recommend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The co-occurrence rows of many users summed in place, in primitive arrays, until {@link #drain} hands
 * on one {@link CoOccurrences} row per item.
 *
 * <p>Why not a map of rows: a bundle of users' histories makes millions of pair entries (the Online
 * Retail year: 3.5 million per worker, 1.9 million distinct), and a {@code HashMap<String, double[]>}
 * per item costs a node, a boxed array and a rehash per growth for each. Items are numbered as they
 * come, and each item's partners sit in a small open-addressing table of its own (partner numbers,
 * dot products, co-users in parallel arrays, at most half full: about 32 bytes a pair), so that adding
 * one user's items and reading one item's row each touch one item's memory, not slots spread over the
 * whole table.
 */
final class CoOccurrenceTable {
  private static final int FIRST_ITEMS = 256;
  private static final int FIRST_PARTNERS = 8;

  private final HashMap<String, Integer> numbers = new HashMap<>();
  private final List<String> items = new ArrayList<>();
  private double[] normSquared = new double[FIRST_ITEMS];
  /** Per item: partner number + 1 per slot (0: free), the dot products, the co-users; how many held. */
  private int[][] partnerKeys = new int[FIRST_ITEMS][];
  private double[][] dots = new double[FIRST_ITEMS][];
  private int[][] coUsers = new int[FIRST_ITEMS][];
  private int[] partnerCounts = new int[FIRST_ITEMS];
  private long pairs;

  /** The item's number in this table, given on first sight. */
  int number(String item) {
    Integer n = numbers.get(item);
    if (n != null) {
      return n;
    }
    int next = items.size();
    numbers.put(item, next);
    items.add(item);
    if (next == normSquared.length) {
      int more = next * 2;
      normSquared = Arrays.copyOf(normSquared, more);
      partnerKeys = Arrays.copyOf(partnerKeys, more);
      dots = Arrays.copyOf(dots, more);
      coUsers = Arrays.copyOf(coUsers, more);
      partnerCounts = Arrays.copyOf(partnerCounts, more);
    }
    return next;
  }

  /** Adds a user's squared strength on the item numbered {@code item}. */
  void addNormSquared(int item, double square) {
    normSquared[item] += square;
  }

  /** Adds one user's product of strengths on {@code item} and {@code partner} (two different items). */
  void add(int item, int partner, double dot) {
    int[] keys = partnerKeys[item];
    if (keys == null) {
      keys = partnerKeys[item] = new int[FIRST_PARTNERS];
      dots[item] = new double[FIRST_PARTNERS];
      coUsers[item] = new int[FIRST_PARTNERS];
    }
    int key = partner + 1;
    int mask = keys.length - 1;
    int slot = spread(key) & mask;
    while (keys[slot] != 0) {
      if (keys[slot] == key) {
        dots[item][slot] += dot;
        coUsers[item][slot]++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    dots[item][slot] = dot;
    coUsers[item][slot] = 1;
    pairs++;
    if (++partnerCounts[item] * 2 > keys.length) {
      grow(item);
    }
  }

  /** Distinct pairs held. */
  long pairs() {
    return pairs;
  }

  /** Distinct items held (each has a row, if only its squared norm). */
  int items() {
    return items.size();
  }

  /** Hands on one row per item held, in the order the items came, and empties the table. */
  void drain(BiConsumer<String, CoOccurrences> out) {
    for (int item = 0; item < items.size(); item++) {
      int n = partnerCounts[item];
      String[] ids = new String[n];
      double[] rowDots = new double[n];
      long[] rowCoUsers = new long[n];
      int[] keys = partnerKeys[item];
      int k = 0;
      for (int slot = 0; keys != null && slot < keys.length; slot++) {
        if (keys[slot] != 0) {
          ids[k] = items.get(keys[slot] - 1);
          rowDots[k] = dots[item][slot];
          rowCoUsers[k++] = coUsers[item][slot];
        }
      }
      out.accept(items.get(item), CoOccurrences.packed(normSquared[item], ids, rowDots, rowCoUsers, n));
    }
    numbers.clear();
    items.clear();
    normSquared = new double[FIRST_ITEMS];
    partnerKeys = new int[FIRST_ITEMS][];
    dots = new double[FIRST_ITEMS][];
    coUsers = new int[FIRST_ITEMS][];
    partnerCounts = new int[FIRST_ITEMS];
    pairs = 0;
  }

  private void grow(int item) {
    int[] oldKeys = partnerKeys[item];
    double[] oldDots = dots[item];
    int[] oldCoUsers = coUsers[item];
    int[] keys = new int[oldKeys.length * 2];
    double[] newDots = new double[keys.length];
    int[] newCoUsers = new int[keys.length];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        int slot = spread(oldKeys[i]) & mask;
        while (keys[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[i];
        newDots[slot] = oldDots[i];
        newCoUsers[slot] = oldCoUsers[i];
      }
    }
    partnerKeys[item] = keys;
    dots[item] = newDots;
    coUsers[item] = newCoUsers;
  }

  /** Consecutive item numbers must not fall into consecutive slots. */
  private static int spread(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
