package dev.shopbeam.runners.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * The reference for what one core can do: the hot-items computation in plain single-threaded Java, with
 * ordinary (boxed) hash maps. It counts each (behavior, item) once per pane (the gcd of window size and
 * period) and sums a window's panes, the same pre-aggregation ShopBeam's {@code HotItems} does.
 */
public final class PlainJavaHotItems {
  private PlainJavaHotItems() {}

  /** Returns the number of rows (window, behavior, rank) the computation produces. */
  public static long run(Path input, HotItemsSpec spec) throws IOException {
    long pane = gcd(spec.sizeMillis(), spec.periodMillis());
    int panesPerWindow = (int) (spec.sizeMillis() / pane);
    // (behavior, pane index) -> item -> count
    Map<String, Map<Long, Map<String, long[]>>> counts = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        HotItemsSpec.Parsed e = HotItemsSpec.parse(line);
        if (e == null) {
          continue;
        }
        counts.computeIfAbsent(e.behavior(), b -> new HashMap<>())
            .computeIfAbsent(Math.floorDiv(e.millis(), pane), p -> new HashMap<>())
            .computeIfAbsent(e.item(), i -> new long[1])[0]++;
      }
    }
    long rows = 0;
    for (Map<Long, Map<String, long[]>> panes : counts.values()) {
      // A window is named by its last pane; every pane lies in panesPerWindow windows (periods of one pane
      // each here; a longer period keeps only the windows that start on a period boundary).
      TreeSet<Long> lastPanes = new TreeSet<>();
      long panesPerPeriod = spec.periodMillis() / pane;
      for (long p : panes.keySet()) {
        for (long last = p; last < p + panesPerWindow; last++) {
          if (Math.floorMod(last + 1, panesPerPeriod) == 0) {
            lastPanes.add(last);
          }
        }
      }
      for (long last : lastPanes) {
        Map<String, long[]> window = new HashMap<>();
        for (long p = last - panesPerWindow + 1; p <= last; p++) {
          Map<String, long[]> c = panes.get(p);
          if (c != null) {
            c.forEach((item, n) -> window.computeIfAbsent(item, i -> new long[1])[0] += n[0]);
          }
        }
        rows += top(window, spec.topN()).size();
      }
    }
    return rows;
  }

  static List<Map.Entry<String, long[]>> top(Map<String, long[]> totals, int n) {
    PriorityQueue<Map.Entry<String, long[]>> top = new PriorityQueue<>(n + 1, (a, b) -> {
      int byCount = Long.compare(a.getValue()[0], b.getValue()[0]);
      return byCount != 0 ? byCount : b.getKey().compareTo(a.getKey());
    });
    for (Map.Entry<String, long[]> e : totals.entrySet()) {
      top.add(e);
      if (top.size() > n) {
        top.poll();
      }
    }
    return new ArrayList<>(top);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
