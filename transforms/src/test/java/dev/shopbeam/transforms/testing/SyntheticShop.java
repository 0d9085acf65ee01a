package dev.shopbeam.transforms.testing;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small, seeded, shop-like event stream: users in sessions who view items (popularity skewed like a
 * real catalogue), some of whom cart, favourite and buy; out-of-order arrival and a few exact replays.
 * It writes the UserBehavior and JSON sample files in {@code test-data/}; {@code SampleFilesTest} checks
 * the committed files are exactly what this generates, so they cannot drift from it.
 *
 * <p>Regenerate with {@code SyntheticShop.main(repoRoot)} (e.g. from an IDE, or see SampleFilesTest).
 */
public final class SyntheticShop {
  public static final long SEED = 20171125L;
  public static final Instant START = Instant.parse("2017-11-25T08:00:00Z");

  /** One generated interaction. */
  public static final class Interaction {
    public final String eventId;
    public final int user;
    public final int item;
    public final int category;
    public final String behavior; // pv, cart, fav, buy
    public final long epochSecond;
    public final BigDecimal price;
    public final int quantity;

    Interaction(String eventId, int user, int item, int category, String behavior, long epochSecond, BigDecimal price, int quantity) {
      this.eventId = eventId;
      this.user = user;
      this.item = item;
      this.category = category;
      this.behavior = behavior;
      this.epochSecond = epochSecond;
      this.price = price;
      this.quantity = quantity;
    }
  }

  /** {@code sessions} sessions over three hours, in arrival order (slightly out of event-time order). */
  public static List<Interaction> generate(long seed, int users, int items, int sessions) {
    Random r = new Random(seed);
    List<Interaction> out = new ArrayList<>();
    int n = 0;
    for (int s = 0; s < sessions; s++) {
      int user = 1 + r.nextInt(users);
      long t = START.getEpochSecond() + r.nextInt(3 * 3600);
      int views = 1 + r.nextInt(6);
      for (int v = 0; v < views; v++) {
        int item = zipf(r, items);
        int category = 1 + item % 7;
        BigDecimal price = BigDecimal.valueOf(99 + (item * 37L) % 4900, 2).setScale(2, RoundingMode.UNNECESSARY);
        t += 5 + r.nextInt(120);
        out.add(new Interaction("e" + (++n), user, item, category, "pv", t, price, 1));
        double p = r.nextDouble();
        if (p < 0.30) {
          t += 5 + r.nextInt(60);
          out.add(new Interaction("e" + (++n), user, item, category, "cart", t, price, 1 + r.nextInt(3)));
          if (r.nextDouble() < 0.5) {
            t += 5 + r.nextInt(300);
            out.add(new Interaction("e" + (++n), user, item, category, "buy", t, price, 1 + r.nextInt(3)));
          }
        } else if (p < 0.38) {
          t += 5 + r.nextInt(60);
          out.add(new Interaction("e" + (++n), user, item, category, "fav", t, price, 1));
        }
      }
    }
    // Arrival order: event time plus up to two minutes of jitter, as collectors deliver it.
    List<long[]> order = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      order.add(new long[] {out.get(i).epochSecond + r.nextInt(120), i});
    }
    order.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    List<Interaction> arrived = new ArrayList<>();
    for (long[] o : order) {
      arrived.add(out.get((int) o[1]));
    }
    // A few exact replays, as at-least-once collectors produce.
    for (int i = 0; i < arrived.size() / 100; i++) {
      int at = r.nextInt(arrived.size());
      arrived.add(Math.min(arrived.size(), at + 1 + r.nextInt(20)), arrived.get(at));
    }
    return arrived;
  }

  private static int zipf(Random r, int items) {
    // Inverse-CDF draw from a 1/k distribution.
    double h = 0;
    for (int k = 1; k <= items; k++) {
      h += 1.0 / k;
    }
    double u = r.nextDouble() * h;
    double acc = 0;
    for (int k = 1; k <= items; k++) {
      acc += 1.0 / k;
      if (u <= acc) {
        return 1000 + k;
      }
    }
    return 1000 + items;
  }

  public static String userBehaviorLine(Interaction i) {
    return i.user + "," + i.item + "," + i.category + "," + i.behavior + "," + i.epochSecond;
  }

  public static String jsonLine(Interaction i) {
    String behavior = i.behavior.equals("pv") ? "view" : i.behavior;
    return "{\"event_id\":\"" + i.eventId + "\",\"user_id\":\"u" + i.user + "\",\"session_id\":null,"
        + "\"item_id\":\"i" + i.item + "\",\"category_id\":\"c" + i.category + "\",\"behavior\":\"" + behavior
        + "\",\"quantity\":" + i.quantity + ",\"unit_price\":\"" + i.price.toPlainString()
        + "\",\"currency\":\"EUR\",\"country\":\"Germany\",\"event_time\":\""
        + Instant.ofEpochSecond(i.epochSecond) + "\"}";
  }

  public static List<String> userBehaviorSample() {
    List<String> lines = new ArrayList<>();
    for (Interaction i : generate(SEED, 40, 60, 150)) {
      lines.add(userBehaviorLine(i));
    }
    return lines;
  }

  public static List<String> jsonSample() {
    List<String> lines = new ArrayList<>();
    for (Interaction i : generate(SEED + 1, 30, 40, 100)) {
      lines.add(jsonLine(i));
    }
    return lines;
  }

  public static final String USERBEHAVIOR_SAMPLE = "test-data/userbehavior-sample.csv";
  public static final String JSON_SAMPLE = "test-data/events-sample.jsonl";

  /** Writes the sample files under {@code args[0]} (the repository root; default "."). */
  public static void main(String[] args) throws IOException {
    Path root = Paths.get(args.length > 0 ? args[0] : ".");
    Files.write(root.resolve(USERBEHAVIOR_SAMPLE), userBehaviorSample(), StandardCharsets.UTF_8);
    Files.write(root.resolve(JSON_SAMPLE), jsonSample(), StandardCharsets.UTF_8);
  }
}
