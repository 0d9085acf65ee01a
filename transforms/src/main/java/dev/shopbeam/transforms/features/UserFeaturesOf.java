package dev.shopbeam.transforms.features;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.UserFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.MergePartsFn;
import dev.shopbeam.transforms.SumPerBundleFn;
import dev.shopbeam.transforms.ToList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.util.VarInt;

/**
 * Per known user, over the whole input (batch: the global window) or per event-time window (streaming):
 * recency, frequency and monetary value with 1-5 quintile scores among the window's users, sessions
 * (30-minute gaps), category affinity and favourite category, favourite hour, and the last items touched. The columns are defined in {@code UserFeatures.avsc}.
 *
 * <p>One user's events meet in one worker (a user's history is the unit, as in the recommender); the
 * quintiles need every user's R, F and M in one place: three numbers per user, sorted once per window and
 * handed to the scoring step as a side input.
 */
public final class UserFeaturesOf extends PTransform<PCollection<CommerceEvent>, PCollection<UserFeatures>> {
  public static final long SESSION_GAP_MILLIS = 30 * 60_000L;
  public static final int LAST_ITEMS = 5;
  /** How much an event of each behavior says about the user's interest in its category. */
  static final Map<Behavior, Integer> WEIGHT =
      Map.of(Behavior.VIEW, 1, Behavior.FAV, 2, Behavior.CART, 3, Behavior.BUY, 4, Behavior.CANCEL, 0);

  /** Users per part of the side-input rank columns: about 1.5 MB encoded. */
  static final int DEFAULT_PART_USERS = 1 << 16;

  private final boolean ranksAsSideInput;
  private final int partUsers;

  /** Ranks every user against side-input columns: for bounded input (the whole input, any number of users). */
  public UserFeaturesOf() {
    this(true, DEFAULT_PART_USERS);
  }

  /** Side-input rank columns in parts of at most {@code partUsers} users. */
  UserFeaturesOf(int partUsers) {
    this(true, partUsers);
  }

  private UserFeaturesOf(boolean ranksAsSideInput, int partUsers) {
    if (partUsers < 1) {
      throw new IllegalArgumentException("partUsers must be at least 1, was " + partUsers);
    }
    this.ranksAsSideInput = ranksAsSideInput;
    this.partUsers = partUsers;
  }

  /**
   * Ranks each window's users together in one group (all of a window's users as one list), without side
   * inputs: for unbounded input, because Spark's streaming runner has no side inputs over unbounded
   * collections. A window's users are what one worker holds.
   */
  public static UserFeaturesOf rankedInOneGroupPerWindow() {
    return new UserFeaturesOf(false, DEFAULT_PART_USERS);
  }

  @Override
  public PCollection<UserFeatures> expand(PCollection<CommerceEvent> events) {
    // Recency is measured to the last event of the input (or window), guests' included.
    // Bounded input in one window: one latest time per bundle, not every event's, goes to the combine
    // (which on Flink's batch runtime sorts all its inputs under the one key).
    PCollection<Long> lastEventTime = events
        .apply("Event times", ParDo.of(SumPerBundleFn.applies(events) ? new LatestPerBundleFn() : new EventTimeFn()))
        .setCoder(VarLongCoder.of())
        .apply("Last event time", Combine.globally(Max.ofLongs()).withoutDefaults());
    // Each user's history is added up (a combine), not grouped event by event: see UserHistory. Bounded
    // input in one window starts adding up per bundle, in memory.
    PCollection<KV<String, UserHistory>> parts = SumPerBundleFn.applies(events)
        ? events.apply("Histories per bundle", ParDo.of(new HistoriesPerBundleFn()))
        : events.apply("History of each event", ParDo.of(new HistoryOfEventFn()));
    PCollection<UserFeatures> users = parts
        .setCoder(KvCoder.of(StringUtf8Coder.of(), UserHistory.HistoryCoder.INSTANCE))
        .apply("Histories", Combine.perKey(new MergeHistoriesFn()))
        .apply("Per user", ParDo.of(new PerUserFn()))
        .setCoder(Coders.avro(UserFeatures.class));
    if (!ranksAsSideInput) {
      // One value per side under the window's one key: the join never iterates a group twice.
      PCollection<KV<String, List<UserFeatures>>> all = users
          .apply("Key all users", WithKeys.of(""))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.avro(UserFeatures.class)))
          .apply("All users as one list", Combine.perKey(ToList.create()));
      PCollection<KV<String, Long>> asOf = lastEventTime
          .apply("Key last event time", WithKeys.of(""))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      return KeyedPCollectionTuple.of(USERS, all).and(AS_OF, asOf)
          .apply("All users together", CoGroupByKey.create())
          .apply("Recency and RFM scores", ParDo.of(new ScoreTogetherFn()))
          .setCoder(Coders.avro(UserFeatures.class));
    }
    PCollectionView<Long> asOf = lastEventTime.apply("Last event time as side input", View.asSingleton());
    // The quintiles rank each user among all users of the window: only three numbers per user travel,
    // not every user's row under one key, so no group is bigger than one user's history (a runner may
    // hold a group in memory; Flink's batch runtime can iterate one only once). They travel as a side
    // input of parts of at most partUsers users, merged and sorted where they are read, not as one
    // combined record: a sorting runner moves a combine's accumulator through its sort buffers whole,
    // and Flink's batch runtime failed a 10-million-event run in a 1 GB heap ("Record too large") once
    // one record held the columns of its 177,000 users.
    PCollectionView<Iterable<RankColumns>> columns = users
        .apply("R, F and M in parts", ParDo.of(new RankColumnPartsFn(partUsers)))
        .setCoder(RankColumnsCoder.INSTANCE)
        .apply("R, F and M as side input", View.asIterable());
    return users
        .apply("Recency and RFM scores", ParDo.of(new ScoreFn(asOf, columns)).withSideInputs(asOf, columns))
        .setCoder(Coders.avro(UserFeatures.class));
  }

  static final class EventTimeFn extends DoFn<CommerceEvent, Long> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<Long> out) {
      out.output(e.getEventTime().toEpochMilli());
    }
  }

  /** The latest event time of each bundle, for bounded input in the global window. */
  static final class LatestPerBundleFn extends DoFn<CommerceEvent, Long> {
    private transient long latest;
    private transient boolean any;

    @StartBundle
    public void startBundle() {
      latest = Long.MIN_VALUE;
      any = false;
    }

    @ProcessElement
    public void process(@Element CommerceEvent e) {
      latest = Math.max(latest, e.getEventTime().toEpochMilli());
      any = true;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      if (any) {
        c.output(latest, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }

  /** Each event as a history of its own, keyed by its user (guests, with no user id, have none). */
  static final class HistoryOfEventFn extends DoFn<CommerceEvent, KV<String, UserHistory>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, UserHistory>> out) {
      if (e.getUserId() != null) {
        out.output(KV.of(e.getUserId(), UserHistory.of(e)));
      }
    }
  }

  /** Each bundle's history per user (at most {@value #MAX_EVENTS_HELD} events held, then handed on). */
  static final class HistoriesPerBundleFn extends SumPerBundleFn<CommerceEvent, String, UserHistory> {
    static final int MAX_EVENTS_HELD = 1 << 18;

    HistoriesPerBundleFn() {
      super(MAX_EVENTS_HELD);
    }

    @Override
    protected UserHistory empty() {
      return new UserHistory();
    }

    @Override
    protected long add(CommerceEvent e) {
      if (e.getUserId() == null) {
        return 0;
      }
      sumOf(e.getUserId()).add(e);
      return 1;
    }
  }

  /** The history of all of a user's parts. */
  static final class MergeHistoriesFn extends MergePartsFn<UserHistory> {
    @Override
    protected UserHistory empty() {
      return new UserHistory();
    }

    @Override
    protected void mergeInto(UserHistory history, UserHistory part) {
      history.merge(part);
    }

    @Override
    public Coder<UserHistory> getAccumulatorCoder(CoderRegistry registry, Coder<UserHistory> input) {
      return UserHistory.HistoryCoder.INSTANCE;
    }

    @Override
    public Coder<UserHistory> getDefaultOutputCoder(CoderRegistry registry, Coder<UserHistory> input) {
      return UserHistory.HistoryCoder.INSTANCE;
    }
  }

  static final class PerUserFn extends DoFn<KV<String, UserHistory>, UserFeatures> {
    @ProcessElement
    public void process(@Element KV<String, UserHistory> user, OutputReceiver<UserFeatures> out) {
      out.output(user.getValue().unscored(user.getKey()));
    }
  }

  /**
   * The quintile score of a value among all users': 1 + 5 x (users strictly worse) / users, so users
   * with equal values share a score and the best fifth gets 5.
   */
  public static int quintile(long strictlyWorse, long users) {
    return (int) (1 + (5 * strictlyWorse) / users);
  }

  /**
   * Every user's last event time, frequency and monetary value, each column sorted once complete: what a
   * user's R, F and M are ranked against.
   */
  static final class RankColumns {
    long[] lastEvent;
    long[] frequency;
    BigDecimal[] monetary;
    int size;

    RankColumns(int capacity) {
      lastEvent = new long[capacity];
      frequency = new long[capacity];
      monetary = new BigDecimal[capacity];
    }

    void add(long last, long f, BigDecimal m) {
      if (size == lastEvent.length) {
        int grown = Math.max(16, size * 2);
        lastEvent = java.util.Arrays.copyOf(lastEvent, grown);
        frequency = java.util.Arrays.copyOf(frequency, grown);
        monetary = java.util.Arrays.copyOf(monetary, grown);
      }
      lastEvent[size] = last;
      frequency[size] = f;
      monetary[size] = m;
      size++;
    }

    /** The columns of all the parts together, each sorted; the parts are not changed. */
    static RankColumns mergedSorted(Iterable<RankColumns> parts) {
      int total = 0;
      for (RankColumns part : parts) {
        total = Math.addExact(total, part.size);
      }
      RankColumns all = new RankColumns(total);
      for (RankColumns part : parts) {
        System.arraycopy(part.lastEvent, 0, all.lastEvent, all.size, part.size);
        System.arraycopy(part.frequency, 0, all.frequency, all.size, part.size);
        System.arraycopy(part.monetary, 0, all.monetary, all.size, part.size);
        all.size += part.size;
      }
      java.util.Arrays.sort(all.lastEvent);
      java.util.Arrays.sort(all.frequency);
      java.util.Arrays.sort(all.monetary);
      return all;
    }
  }

  /**
   * Gathers the rank columns of each window's users in parts of at most {@code partUsers} users: a full
   * part goes on at once, the rest when the bundle finishes. Parts merge in any order ({@link
   * RankColumns#mergedSorted}).
   */
  static final class RankColumnPartsFn extends DoFn<UserFeatures, RankColumns> {
    private final int partUsers;
    private transient Map<BoundedWindow, RankColumns> parts;

    RankColumnPartsFn(int partUsers) {
      this.partUsers = partUsers;
    }

    @StartBundle
    public void startBundle() {
      parts = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element UserFeatures u, BoundedWindow window, OutputReceiver<RankColumns> out) {
      RankColumns part = parts.computeIfAbsent(window, w -> new RankColumns(Math.min(partUsers, 1024)));
      part.add(u.getLastEvent().toEpochMilli(), u.getFrequency(), u.getMonetary());
      if (part.size == partUsers) {
        out.output(part);
        parts.remove(window);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      parts.forEach((window, part) -> context.output(part, window.maxTimestamp(), window));
      parts = null;
    }
  }

  static final class RankColumnsCoder extends AtomicCoder<RankColumns> {
    static final RankColumnsCoder INSTANCE = new RankColumnsCoder();
    private static final BigDecimalCoder MONETARY = BigDecimalCoder.of();

    @Override
    public void encode(RankColumns c, OutputStream out) throws IOException {
      VarInt.encode(c.size, out);
      for (int i = 0; i < c.size; i++) {
        VarInt.encode(c.lastEvent[i], out);
        VarInt.encode(c.frequency[i], out);
        MONETARY.encode(c.monetary[i], out);
      }
    }

    @Override
    public RankColumns decode(InputStream in) throws IOException {
      int n = VarInt.decodeInt(in);
      RankColumns c = new RankColumns(n);
      for (int i = 0; i < n; i++) {
        c.add(VarInt.decodeLong(in), VarInt.decodeLong(in), MONETARY.decode(in));
      }
      return c;
    }
  }

  private static final TupleTag<List<UserFeatures>> USERS = new TupleTag<>("users") {};
  private static final TupleTag<Long> AS_OF = new TupleTag<>("asOf") {};

  /** All users of a window, joined as one list with the window's last event time. */
  static final class ScoreTogetherFn extends DoFn<KV<String, CoGbkResult>, UserFeatures> {
    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> all, BoundedWindow window, OutputReceiver<UserFeatures> out) {
      Long asOf = all.getValue().getOnly(AS_OF, null);
      List<UserFeatures> users = all.getValue().getOnly(USERS, List.of());
      if (asOf == null || users.isEmpty()) {
        return;
      }
      RankColumns columns = new RankColumns(users.size());
      for (UserFeatures u : users) {
        columns.add(u.getLastEvent().toEpochMilli(), u.getFrequency(), u.getMonetary());
      }
      RankColumns sorted = RankColumns.mergedSorted(List.of(columns));
      for (UserFeatures u : users) {
        out.output(ScoreFn.scored(u, asOf, sorted, window));
      }
    }
  }

  static final class ScoreFn extends DoFn<UserFeatures, UserFeatures> {
    private final PCollectionView<Long> asOf;
    private final PCollectionView<Iterable<RankColumns>> columns;
    // The parts merged and sorted once per window, not per user.
    private transient BoundedWindow columnsWindow;
    private transient RankColumns sortedColumns;

    ScoreFn(PCollectionView<Long> asOf, PCollectionView<Iterable<RankColumns>> columns) {
      this.asOf = asOf;
      this.columns = columns;
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      if (sortedColumns == null || !window.equals(columnsWindow)) {
        sortedColumns = RankColumns.mergedSorted(c.sideInput(columns));
        columnsWindow = window;
      }
      c.output(scored(c.element(), c.sideInput(asOf), sortedColumns, window));
    }

    /** The user with window bounds, recency and the three quintile scores among {@code all}. */
    static UserFeatures scored(UserFeatures u, long asOfMillis, RankColumns all, BoundedWindow window) {
      java.time.Instant start = null;
      java.time.Instant end = null;
      if (window instanceof IntervalWindow) {
        start = java.time.Instant.ofEpochMilli(((IntervalWindow) window).start().getMillis());
        end = java.time.Instant.ofEpochMilli(((IntervalWindow) window).end().getMillis());
      }
      long last = u.getLastEvent().toEpochMilli();
      int n = all.size;
      // Worse recency = more days since the last event = an earlier last event. (asOf - t) / 86,400,000
      // is strictly decreasing in t for millisecond times, so ranking times ranks the days exactly.
      long worseR = lowerBound(all.lastEvent, last);
      long worseF = lowerBound(all.frequency, u.getFrequency());
      long worseM = lowerBound(all.monetary, u.getMonetary());
      return UserFeatures.newBuilder(u).setWindowStart(start).setWindowEnd(end)
          .setRecencyDays((asOfMillis - last) / 86_400_000.0)
          .setRScore(quintile(worseR, n)).setFScore(quintile(worseF, n)).setMScore(quintile(worseM, n))
          .build();
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
