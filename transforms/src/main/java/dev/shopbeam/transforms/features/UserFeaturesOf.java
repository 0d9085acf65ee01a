package dev.shopbeam.transforms.features;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CategoryShare;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.Coders;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per known user, over the whole input (batch: the global window) or per event-time window (streaming):
 * recency, frequency and monetary value with 1-5 quintile scores among the window's users, sessions
 * (30-minute gaps), category affinity and favourite category, favourite hour, and the last items touched. The columns are defined in {@code UserFeatures.avsc}.
 *
 * <p>One user's events meet in one worker (a user's history is the unit, as in the recommender); the
 * quintiles need every user's R, F and M in one place, which holds three numbers per user.
 */
public final class UserFeaturesOf extends PTransform<PCollection<CommerceEvent>, PCollection<UserFeatures>> {
  public static final long SESSION_GAP_MILLIS = 30 * 60_000L;
  public static final int LAST_ITEMS = 5;
  private static final Map<Behavior, Integer> WEIGHT =
      Map.of(Behavior.VIEW, 1, Behavior.FAV, 2, Behavior.CART, 3, Behavior.BUY, 4, Behavior.CANCEL, 0);

  @Override
  public PCollection<UserFeatures> expand(PCollection<CommerceEvent> events) {
    // Recency is measured to the last event of the input (or window), guests' included: joined to the
    // users in the scoring stage, which sees every user of the window at once anyway.
    PCollection<KV<String, Long>> asOf = events
        .apply("Event times", ParDo.of(new EventTimeFn())).setCoder(VarLongCoder.of())
        .apply("Last event time", Combine.globally(Max.ofLongs()).withoutDefaults())
        .apply("Key last event time", WithKeys.of(""))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PCollection<KV<String, UserFeatures>> users = events
        .apply("Key by user", ParDo.of(new ByUserFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()))
        .apply("Histories", GroupByKey.create())
        .apply("Per user", ParDo.of(new PerUserFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.avro(UserFeatures.class)));
    return KeyedPCollectionTuple.of(USERS, users).and(AS_OF, asOf)
        .apply("All users together", CoGroupByKey.create())
        .apply("Recency and RFM scores", ParDo.of(new ScoreFn()))
        .setCoder(Coders.avro(UserFeatures.class));
  }

  private static final TupleTag<UserFeatures> USERS = new TupleTag<>("users") {};
  private static final TupleTag<Long> AS_OF = new TupleTag<>("asOf") {};

  static final class EventTimeFn extends DoFn<CommerceEvent, Long> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<Long> out) {
      out.output(e.getEventTime().toEpochMilli());
    }
  }

  static final class ByUserFn extends DoFn<CommerceEvent, KV<String, CommerceEvent>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, CommerceEvent>> out) {
      if (e.getUserId() != null) {
        out.output(KV.of(e.getUserId(), e));
      }
    }
  }

  static final class PerUserFn extends DoFn<KV<String, Iterable<CommerceEvent>>, KV<String, UserFeatures>> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<CommerceEvent>> user, OutputReceiver<KV<String, UserFeatures>> out) {
      List<CommerceEvent> events = new ArrayList<>();
      user.getValue().forEach(events::add);
      out.output(KV.of("", unscored(user.getKey(), events)));
    }
  }

  /** Everything but recency and the three scores (left 0), from one user's events. */
  static UserFeatures unscored(String user, List<CommerceEvent> events) {
    events.sort(Comparator.comparingLong((CommerceEvent e) -> e.getEventTime().toEpochMilli())
        .thenComparing(CommerceEvent::getEventId));
    long first = events.get(0).getEventTime().toEpochMilli();
    long last = events.get(events.size() - 1).getEventTime().toEpochMilli();
    // Sessions by gap, and the purchase occasions: sessions (the source's, else by gap) with a BUY.
    long sessions = 0;
    long sessionStart = 0;
    long previous = Long.MIN_VALUE;
    long sessionMillis = 0;
    Set<String> occasions = new HashSet<>();
    BigDecimal monetary = BigDecimal.ZERO;
    Map<String, Long> categoryWeight = new TreeMap<>();
    long[] hours = new long[24];
    for (CommerceEvent e : events) {
      long t = e.getEventTime().toEpochMilli();
      if (previous == Long.MIN_VALUE || t - previous >= SESSION_GAP_MILLIS) {
        if (previous != Long.MIN_VALUE) {
          sessionMillis += previous - sessionStart;
        }
        sessions++;
        sessionStart = t;
      }
      previous = t;
      if (e.getBehavior() == Behavior.BUY) {
        occasions.add(e.getSessionId() != null ? "s:" + e.getSessionId() : "g:" + sessions);
      }
      if (e.getUnitPrice() != null && (e.getBehavior() == Behavior.BUY || e.getBehavior() == Behavior.CANCEL)) {
        BigDecimal amount = e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity()));
        monetary = e.getBehavior() == Behavior.BUY ? monetary.add(amount) : monetary.subtract(amount);
      }
      if (e.getCategoryId() != null) {
        categoryWeight.merge(e.getCategoryId(), (long) WEIGHT.get(e.getBehavior()), Long::sum);
      }
      hours[(int) Math.floorMod(Math.floorDiv(t, 3_600_000L), 24L)]++;
    }
    sessionMillis += previous - sessionStart;
    String favourite = null;
    long best = 0;
    long weighted = 0;
    for (Map.Entry<String, Long> cw : categoryWeight.entrySet()) {
      weighted += cw.getValue();
      if (cw.getValue() > best) {
        best = cw.getValue();
        favourite = cw.getKey();
      }
    }
    List<CategoryShare> affinity = new ArrayList<>();
    if (weighted > 0) {
      for (Map.Entry<String, Long> cw : categoryWeight.entrySet()) {
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
    List<CommerceEvent> newestFirst = new ArrayList<>(events);
    newestFirst.sort(Comparator.comparingLong((CommerceEvent e) -> -e.getEventTime().toEpochMilli())
        .thenComparing(CommerceEvent::getItemId));
    Set<String> lastItems = new LinkedHashSet<>();
    for (CommerceEvent e : newestFirst) {
      if (lastItems.size() == LAST_ITEMS) {
        break;
      }
      lastItems.add(e.getItemId());
    }
    return UserFeatures.newBuilder()
        .setUserId(user)
        .setEvents(events.size())
        .setFirstEvent(java.time.Instant.ofEpochMilli(first))
        .setLastEvent(java.time.Instant.ofEpochMilli(last))
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
        .setLastItems(new ArrayList<>(lastItems))
        .build();
  }

  /**
   * The quintile score of a value among all users': 1 + 5 x (users strictly worse) / users, so users
   * with equal values share a score and the best fifth gets 5.
   */
  public static int quintile(long strictlyWorse, long users) {
    return (int) (1 + (5 * strictlyWorse) / users);
  }

  static final class ScoreFn extends DoFn<KV<String, CoGbkResult>, UserFeatures> {
    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> all, BoundedWindow window, OutputReceiver<UserFeatures> out) {
      long asOf = all.getValue().getOnly(AS_OF);
      java.time.Instant start = null;
      java.time.Instant end = null;
      if (window instanceof IntervalWindow) {
        start = java.time.Instant.ofEpochMilli(((IntervalWindow) window).start().getMillis());
        end = java.time.Instant.ofEpochMilli(((IntervalWindow) window).end().getMillis());
      }
      List<UserFeatures> users = new ArrayList<>();
      for (UserFeatures u : all.getValue().getAll(USERS)) {
        users.add(UserFeatures.newBuilder(u).setWindowStart(start).setWindowEnd(end)
            .setRecencyDays((asOf - u.getLastEvent().toEpochMilli()) / 86_400_000.0).build());
      }
      int n = users.size();
      double[] recency = new double[n];
      long[] frequency = new long[n];
      BigDecimal[] monetary = new BigDecimal[n];
      for (int i = 0; i < n; i++) {
        recency[i] = users.get(i).getRecencyDays();
        frequency[i] = users.get(i).getFrequency();
        monetary[i] = users.get(i).getMonetary();
      }
      java.util.Arrays.sort(recency);
      java.util.Arrays.sort(frequency);
      java.util.Arrays.sort(monetary);
      for (UserFeatures u : users) {
        // worse recency = more days: users after the last index of this value
        long worseR = n - upperBound(recency, u.getRecencyDays());
        long worseF = lowerBound(frequency, u.getFrequency());
        long worseM = lowerBound(monetary, u.getMonetary());
        out.output(UserFeatures.newBuilder(u).setRScore(quintile(worseR, n)).setFScore(quintile(worseF, n))
            .setMScore(quintile(worseM, n)).build());
      }
    }

    private static int upperBound(double[] sorted, double v) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] <= v) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private static int lowerBound(long[] sorted, long v) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] < v) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private static int lowerBound(BigDecimal[] sorted, BigDecimal v) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid].compareTo(v) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}
