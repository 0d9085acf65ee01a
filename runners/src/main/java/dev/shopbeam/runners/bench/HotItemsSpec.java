package dev.shopbeam.runners.bench;

import java.io.Serializable;

/**
 * What every hot-items implementation in the benchmark computes, so that their row counts can be compared:
 * the top {@link #topN} items per behavior in each sliding event-time window of {@link #sizeMillis} every
 * {@link #periodMillis}, by count descending and then item id ascending, over the lines of a UserBehavior
 * file ({@code user,item,category,behavior,seconds}); a line that does not parse is skipped.
 */
public record HotItemsSpec(long sizeMillis, long periodMillis, int topN) implements Serializable {
  public static final HotItemsSpec DEFAULT = new HotItemsSpec(3_600_000L, 300_000L, 10);

  /** A parsed line, or null when it is malformed. Deliberately plain: split on commas. */
  public static Parsed parse(String line) {
    String[] f = line.split(",", -1);
    if (f.length != 5 || f[1].isEmpty()) {
      return null;
    }
    String behavior;
    switch (f[3]) {
      case "pv" -> behavior = "VIEW";
      case "cart" -> behavior = "CART";
      case "fav" -> behavior = "FAV";
      case "buy" -> behavior = "BUY";
      default -> {
        return null;
      }
    }
    try {
      return new Parsed(f[1], behavior, Long.parseLong(f[4]) * 1000L);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** One usable line: item, behavior (our enum's name) and event time in epoch millis. */
  public record Parsed(String item, String behavior, long millis) implements Serializable {}
}
