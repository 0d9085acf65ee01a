package dev.shopbeam.runners.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded synthetic shop in the Taobao UserBehavior layout ({@code user,item,category,behavior,seconds}),
 * shaped like the real thing so that benchmarks meet real skew:
 * <ul>
 *   <li>item popularity is Zipf-like (exponent {@link #ITEM_SKEW}: a few items get most views), and so is
 *       user activity (heavy users and a long tail);
 *   <li>users act in sessions: a burst of events 1-30 s apart, mostly within one category, where a cart
 *       or a favourite repeats the item just seen and a purchase follows it, giving about Taobao's mix
 *       (measured at 2M events: pv 90.3%, cart 4.9%, fav 2.6%, buy 2.2%; Taobao: 89.5, 5.5, 2.9, 2.0);
 *   <li>sessions overlap, so the stream is a little out of order; besides, about 1 in 200 events arrives up
 *       to 10 minutes late, and 1 in 1,000
 *       lines is malformed in one of the ways real feeds are (a missing field, an unknown behavior, a
 *       timestamp that is not a number, an empty line).
 * </ul>
 * The same seed and size give the same bytes on every machine.
 */
public final class SyntheticShop {
  /** Zipf exponent of item popularity; about what Taobao's item views follow. */
  public static final double ITEM_SKEW = 1.05;
  public static final double USER_SKEW = 0.8;
  /** Where the synthetic clock starts: a Monday, well in the past, so no validation rule trips on it. */
  public static final long START_SECONDS = 1_761_523_200L; // 2025-10-27T00:00:00Z

  private final long events;
  private final long seed;
  private final int items;
  private final int users;
  private final int categories;
  private final long spanSeconds;

  public SyntheticShop(long events, long seed) {
    this(events, seed, (int) Math.max(1_000, Math.min(1_000_000, events / 20)),
        (int) Math.max(100, Math.min(1_000_000, events / 50)), 500, 24 * 3600);
  }

  public SyntheticShop(long events, long seed, int items, int users, int categories, long spanSeconds) {
    this.events = events;
    this.seed = seed;
    this.items = items;
    this.users = users;
    this.categories = categories;
    this.spanSeconds = spanSeconds;
  }

  public long events() {
    return events;
  }

  /** A stable file name for this shop, so that a cache of generated inputs can be reused. */
  public String fileName() {
    return "synthetic-userbehavior-" + events + "-seed" + seed + ".csv";
  }

  /** Writes the shop's lines to {@code file}, one record per line; returns the number of lines. */
  public long writeTo(Path file) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    double[] itemCdf = zipfCdf(items, ITEM_SKEW);
    double[] userCdf = zipfCdf(users, USER_SKEW);
    // Items are ranked by popularity; ids are scattered so that the hot ones are not 1, 2, 3 ...
    long[] itemIds = scatteredIds(items, random, 1_000_000L);
    long[] userIds = scatteredIds(users, random, 100_000L);
    int[] categoryOf = new int[items];
    for (int i = 0; i < items; i++) {
      categoryOf[i] = 1 + (int) Math.min(categories - 1, Math.floor(categories * Math.pow(random.nextDouble(), 2)));
    }
    double secondsPerEvent = (double) spanSeconds / Math.max(1, events);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long written = 0;
    try (BufferedWriter out = new BufferedWriter(
        new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.US_ASCII), 1 << 20)) {
      StringBuilder line = new StringBuilder(64);
      double clock = START_SECONDS;
      while (written < events) {
        // A session: one user, 1..40 events a few seconds to a minute apart, mostly in one category.
        long user = userIds[sample(userCdf, random)];
        int sessionLength = 1 + (int) Math.min(39, -Math.log(1 - random.nextDouble()) * 8);
        int anchor = sample(itemCdf, random);
        double t = clock;
        int lastItem = anchor;
        for (int k = 0; k < sessionLength && written < events; k++) {
          int item;
          String behavior;
          double r = random.nextDouble();
          if (k > 0 && r < 0.055) {
            item = lastItem;
            behavior = "cart";
          } else if (k > 0 && r < 0.085) {
            item = lastItem;
            behavior = "fav";
          } else if (k > 0 && r < 0.11) {
            item = lastItem;
            behavior = "buy";
          } else {
            item = random.nextDouble() < 0.6 ? nearInCategory(anchor, categoryOf, itemCdf, random) : sample(itemCdf, random);
            behavior = "pv";
          }
          lastItem = item;
          long seconds = (long) t;
          if (random.nextInt(200) == 0) {
            seconds -= 1 + random.nextInt(600); // out of order: behind the stream by up to 10 minutes
          }
          line.setLength(0);
          if (random.nextInt(1000) == 0) {
            malformed(line, user, itemIds[item], categoryOf[item], behavior, seconds, random);
          } else {
            line.append(user).append(',').append(itemIds[item]).append(',').append(categoryOf[item]).append(',')
                .append(behavior).append(',').append(seconds);
          }
          out.append(line).append('\n');
          written++;
          t += 1 + random.nextInt(30); // a user's events are seconds apart, so no two lines are identical

        }
        clock += secondsPerEvent * sessionLength;
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return written;
  }

  private static void malformed(StringBuilder line, long user, long item, int category, String behavior, long seconds,
      SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0 -> line.append(user).append(',').append(item).append(',').append(behavior).append(',').append(seconds);
      case 1 -> line.append(user).append(',').append(item).append(',').append(category).append(",click,").append(seconds);
      case 2 -> line.append(user).append(',').append(item).append(',').append(category).append(',').append(behavior)
          .append(",yesterday");
      default -> { } // an empty line
    }
  }

  /** Another item of the anchor's category if one is found quickly (sessions browse a category). */
  private static int nearInCategory(int anchor, int[] categoryOf, double[] cdf, SplittableRandom random) {
    for (int tries = 0; tries < 8; tries++) {
      int candidate = sample(cdf, random);
      if (categoryOf[candidate] == categoryOf[anchor]) {
        return candidate;
      }
    }
    return anchor;
  }

  static double[] zipfCdf(int n, double exponent) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, exponent);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }

  static int sample(double[] cdf, SplittableRandom random) {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
  }

  private static long[] scatteredIds(int n, SplittableRandom random, long base) {
    long[] ids = new long[n];
    java.util.HashSet<Long> used = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      long id;
      do {
        id = base + random.nextLong(Math.max(10L * n, 1000));
      } while (!used.add(id));
      ids[i] = id;
    }
    return ids;
  }
}
