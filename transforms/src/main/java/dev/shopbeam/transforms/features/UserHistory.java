package dev.shopbeam.transforms.features;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CategoryShare;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.CompactRecordCoder;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a user's features are made of, kept as it adds up rather than as the user's events: every event
 * time (sessions are cut by the gaps between them), the purchase sessions, the money, the weight per
 * category, the events per hour of day and the newest items. Two histories merge into the history of
 * both parts' events, whatever the parts, so the features are a combine, not a grouping of every event
 * under its user: on Spark that group was cached whole (each element a user with all their events,
 * which Spark sized by walking them), on Flink every event crossed a sort.
 *
 * <p>The features equal those of a plain-Java model over the user's events ({@code
 * UserFeaturesOfTest}): the sessions and their purchase occasions depend only on the times, the sums
 * on no order, and the newest items are the {@value UserFeaturesOf#LAST_ITEMS} first by (latest time,
 * newest first; item id) of all the events', which the newest items of each part contain.
 */
final class UserHistory {
  private static final int[] WEIGHT = weights();

  long[] times = new long[4];
  int events;
  /** Purchases with a session id of the source: "s:" + id, one occasion per distinct session. */
  final Set<String> buySessions = new HashSet<>();
  /** Times of purchases without one: their occasion is the gap-cut session they fall in. */
  long[] buyTimes = new long[0];
  int buys;
  BigDecimal monetary = BigDecimal.ZERO;
  final Map<String, Long> categoryWeight = new HashMap<>();
  final long[] hours = new long[24];
  /** Newest items first, at most {@link UserFeaturesOf#LAST_ITEMS}: item id -> latest time. */
  final Map<String, Long> newestItems = new HashMap<>();

  private static int[] weights() {
    int[] w = new int[Behavior.values().length];
    for (Behavior b : Behavior.values()) {
      w[b.ordinal()] = UserFeaturesOf.WEIGHT.get(b);
    }
    return w;
  }

  static UserHistory of(CommerceEvent e) {
    UserHistory h = new UserHistory();
    h.add(e);
    return h;
  }

  void add(CommerceEvent e) {
    long t = e.getEventTime().toEpochMilli();
    if (events == times.length) {
      times = Arrays.copyOf(times, events * 2);
    }
    times[events++] = t;
    Behavior behavior = e.getBehavior();
    if (behavior == Behavior.BUY) {
      if (e.getSessionId() != null) {
        buySessions.add("s:" + e.getSessionId());
      } else {
        if (buys == buyTimes.length) {
          buyTimes = Arrays.copyOf(buyTimes, Math.max(4, buys * 2));
        }
        buyTimes[buys++] = t;
      }
    }
    if (e.getUnitPrice() != null && (behavior == Behavior.BUY || behavior == Behavior.CANCEL)) {
      BigDecimal amount = e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity()));
      monetary = behavior == Behavior.BUY ? monetary.add(amount) : monetary.subtract(amount);
    }
    if (e.getCategoryId() != null) {
      categoryWeight.merge(e.getCategoryId(), (long) WEIGHT[behavior.ordinal()], Long::sum);
    }
    hours[(int) Math.floorMod(Math.floorDiv(t, 3_600_000L), 24L)]++;
    offerItem(e.getItemId(), t);
  }

  /** Adds another history's events to this one's. */
  void merge(UserHistory other) {
    if (events + other.events > times.length) {
      times = Arrays.copyOf(times, Math.max(events + other.events, times.length * 2));
    }
    System.arraycopy(other.times, 0, times, events, other.events);
    events += other.events;
    buySessions.addAll(other.buySessions);
    if (buys + other.buys > buyTimes.length) {
      buyTimes = Arrays.copyOf(buyTimes, buys + other.buys);
    }
    System.arraycopy(other.buyTimes, 0, buyTimes, buys, other.buys);
    buys += other.buys;
    monetary = monetary.add(other.monetary);
    other.categoryWeight.forEach((c, w) -> categoryWeight.merge(c, w, Long::sum));
    for (int h = 0; h < 24; h++) {
      hours[h] += other.hours[h];
    }
    other.newestItems.forEach(this::offerItem);
  }

  /** Keeps an item's latest time, and only the newest items (by latest time, then item id). */
  private void offerItem(String item, long time) {
    Long before = newestItems.get(item);
    if (before != null) {
      if (time > before) {
        newestItems.put(item, time);
      }
      return;
    }
    newestItems.put(item, time);
    if (newestItems.size() > UserFeaturesOf.LAST_ITEMS) {
      String oldest = null;
      long oldestTime = Long.MAX_VALUE;
      for (Map.Entry<String, Long> e : newestItems.entrySet()) {
        long t = e.getValue();
        if (oldest == null || t < oldestTime || (t == oldestTime && e.getKey().compareTo(oldest) > 0)) {
          oldest = e.getKey();
          oldestTime = t;
        }
      }
      newestItems.remove(oldest);
    }
  }

  /** Everything but recency and the three scores (left 0). */
  UserFeatures unscored(String user) {
    long[] sorted = Arrays.copyOf(times, events);
    Arrays.sort(sorted);
    // Sessions by gap: a session starts at the first event and wherever the gap to the previous one is
    // at least the session gap. starts holds each session's first time, in order.
    long[] starts = new long[events];
    int sessions = 0;
    long sessionMillis = 0;
    long sessionStart = 0;
    for (int i = 0; i < events; i++) {
      long t = sorted[i];
      if (i == 0 || t - sorted[i - 1] >= UserFeaturesOf.SESSION_GAP_MILLIS) {
        if (i > 0) {
          sessionMillis += sorted[i - 1] - sessionStart;
        }
        starts[sessions++] = t;
        sessionStart = t;
      }
    }
    sessionMillis += sorted[events - 1] - sessionStart;
    Set<String> occasions = new HashSet<>(buySessions);
    for (int i = 0; i < buys; i++) {
      // The purchase's session: how many sessions started at or before its time.
      int at = Arrays.binarySearch(starts, 0, sessions, buyTimes[i]);
      int session = at >= 0 ? at + 1 : -at - 1;
      occasions.add("g:" + session);
    }
    String favourite = null;
    long best = 0;
    long weighted = 0;
    Map<String, Long> byCategory = new TreeMap<>(categoryWeight);
    for (Map.Entry<String, Long> cw : byCategory.entrySet()) {
      weighted += cw.getValue();
      if (cw.getValue() > best) {
        best = cw.getValue();
        favourite = cw.getKey();
      }
    }
    List<CategoryShare> affinity = new ArrayList<>();
    if (weighted > 0) {
      for (Map.Entry<String, Long> cw : byCategory.entrySet()) {
        if (cw.getValue() > 0) {
          affinity.add(new CategoryShare(cw.getKey(), (double) cw.getValue() / weighted));
        }
      }
      affinity.sort(Comparator.comparingDouble(CategoryShare::getShare).reversed()
          .thenComparing(CategoryShare::getCategoryId));
    }
    int hour = 0;
    for (int h = 1; h < 24; h++) {
      if (hours[h] > hours[hour]) {
        hour = h;
      }
    }
    List<Map.Entry<String, Long>> newest = new ArrayList<>(newestItems.entrySet());
    newest.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    List<String> lastItems = new ArrayList<>();
    newest.forEach(e -> lastItems.add(e.getKey()));
    return UserFeatures.newBuilder()
        .setUserId(user)
        .setEvents(events)
        .setFirstEvent(java.time.Instant.ofEpochMilli(sorted[0]))
        .setLastEvent(java.time.Instant.ofEpochMilli(sorted[events - 1]))
        .setRecencyDays(0)
        .setFrequency(occasions.size())
        .setMonetary(monetary.setScale(3, RoundingMode.HALF_EVEN))
        .setRScore(0)
        .setFScore(0)
        .setMScore(0)
        .setSessions(sessions)
        .setMeanSessionMinutes(sessionMillis / 60_000.0 / sessions)
        .setFavouriteCategory(weighted == 0 ? null : favourite)
        .setFavouriteCategoryShare(weighted == 0 ? null : (double) best / weighted)
        .setCategoryAffinity(affinity)
        .setFavouriteHour(hour)
        .setLastItems(lastItems)
        .build();
  }

  /**
   * A history's parts as they are, through the project's compact record coding (one bulk write and one
   * bulk read per history): times sorted, as gaps; purchase times as gaps too (unsorted, so zig-zag).
   */
  static final class HistoryCoder extends CompactRecordCoder<UserHistory> {
    static final HistoryCoder INSTANCE = new HistoryCoder();

    @Override
    protected void write(UserHistory h, Writer w) {
      long[] sorted = Arrays.copyOf(h.times, h.events); // sorted, the gaps are small; order carries nothing
      Arrays.sort(sorted);
      writeGaps(w, sorted, h.events);
      writeGaps(w, h.buyTimes, h.buys);
      // Sets and maps in key order, so that the same history always has the same bytes (deterministic).
      w.writeVarLong(h.buySessions.size());
      h.buySessions.stream().sorted().forEach(w::writeString);
      w.writeDecimal(h.monetary);
      w.writeVarLong(h.categoryWeight.size());
      new TreeMap<>(h.categoryWeight).forEach((category, weight) -> {
        w.writeString(category);
        w.writeZigZag(weight);
      });
      for (long n : h.hours) {
        w.writeVarLong(n);
      }
      w.writeVarLong(h.newestItems.size());
      new TreeMap<>(h.newestItems).forEach((item, time) -> {
        w.writeString(item);
        w.writeZigZag(time);
      });
    }

    @Override
    protected UserHistory read(Reader r) throws IOException {
      UserHistory h = new UserHistory();
      h.times = readGaps(r);
      h.events = h.times.length;
      h.buyTimes = readGaps(r);
      h.buys = h.buyTimes.length;
      for (long i = r.readVarLong(); i > 0; i--) {
        h.buySessions.add(r.readString());
      }
      h.monetary = r.readDecimal();
      for (long i = r.readVarLong(); i > 0; i--) {
        h.categoryWeight.put(r.readString(), r.readZigZag());
      }
      for (int i = 0; i < 24; i++) {
        h.hours[i] = r.readVarLong();
      }
      for (long i = r.readVarLong(); i > 0; i--) {
        h.newestItems.put(r.readString(), r.readZigZag());
      }
      return h;
    }

    private static void writeGaps(Writer w, long[] times, int n) {
      w.writeVarLong(n);
      long previous = 0;
      for (int i = 0; i < n; i++) {
        w.writeZigZag(times[i] - previous);
        previous = times[i];
      }
    }

    private static long[] readGaps(Reader r) throws IOException {
      long n = r.readVarLong();
      if (n > Integer.MAX_VALUE) {
        throw new IOException("corrupt history: " + n + " times");
      }
      long[] times = new long[(int) n];
      long previous = 0;
      for (int i = 0; i < times.length; i++) {
        previous += r.readZigZag();
        times[i] = previous;
      }
      return times;
    }
  }
}
