package dev.shopbeam.transforms.features;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.CompactRecordCoder;
import dev.shopbeam.transforms.MergePartsFn;
import dev.shopbeam.transforms.SumPerBundleFn;
import dev.shopbeam.transforms.aggregate.ConversionFunnel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Per item, over all its input (one row per item and window: batch uses the global window, streaming
 * event-time windows, with the window's bounds in the row): events per
 * behavior, revenue, distinct viewers, carters and buyers, the user-level conversion rates between
 * them, and its popularity rank within its category. See {@link #expand} for how it is added up.
 */
public final class ItemFeaturesOf extends PTransform<PCollection<CommerceEvent>, PCollection<ItemFeatures>> {
  private final int maxHeld;

  public ItemFeaturesOf() {
    this(ItemPartsPerBundleFn.MAX_HELD);
  }

  /** With at most {@code maxHeld} items and users of items held per bundle (bounded input). */
  ItemFeaturesOf(int maxHeld) {
    this.maxHeld = maxHeld;
  }

  /**
   * Bounded input in one window reads the events once: each bundle adds up, per item, its totals and
   * each user's funnel steps in memory ({@link ItemPart}), and the parts are merged after one grouping
   * by item. Other input takes three combines (each item and user's steps, then the users per steps mask
   * of each item; each item's totals), joined by item: adding up per bundle needs every element of a
   * bundle in one window (see {@link SumPerBundleFn}). For bounded input those combines moved one
   * record per item and user (308,273 on the Online Retail year) through a shuffle, on Spark through
   * its map-side combine as objects, and then a second shuffle and the join's.
   */
  @Override
  public PCollection<ItemFeatures> expand(PCollection<CommerceEvent> events) {
    if (SumPerBundleFn.applies(events)) {
      return ranked(events
          .apply("Items per bundle", ParDo.of(new ItemPartsPerBundleFn(maxHeld)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), ItemPartCoder.INSTANCE))
          .apply("Items", SumPerBundleFn.mergedPerKey(new MergeItemPartsFn(), ItemPartCoder.INSTANCE))
          .apply("Features", ParDo.of(new FeaturesOfItemFn())));
    }
    KvCoder<String, String> itemUser = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, long[]>> usersPerMask = events
        .apply("Steps of each user on each item", ParDo.of(new StepFn()))
        .setCoder(KvCoder.of(itemUser, VarIntCoder.of()))
        .apply("Steps per item and user", Combine.perKey(ConversionFunnel::union))
        .apply("By item", ParDo.of(new MaskByItemFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
        .apply("Users per mask", Combine.perKey(new ConversionFunnel.UsersPerMaskFn()));
    PCollection<KV<String, Totals>> totals = events
        .apply("Key by item", ParDo.of(new ByItemFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()))
        .apply("Counts and revenue", Combine.perKey(new TotalsFn()));

    TupleTag<long[]> masksTag = new TupleTag<>() {};
    TupleTag<Totals> totalsTag = new TupleTag<>() {};
    return ranked(KeyedPCollectionTuple.of(masksTag, usersPerMask).and(totalsTag, totals)
        .apply("Join by item", CoGroupByKey.create())
        .apply("Features", ParDo.of(new FeaturesFn(masksTag, totalsTag))));
  }

  /** Rows keyed by category ("" for none), ranked within it. */
  private static PCollection<ItemFeatures> ranked(PCollection<KV<String, ItemFeatures>> byCategory) {
    return byCategory
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.avro(ItemFeatures.class)))
        .apply("By category", GroupByKey.create())
        .apply("Rank in category", ParDo.of(new RankFn()))
        .setCoder(Coders.avro(ItemFeatures.class));
  }

  /**
   * One item's totals and each user's funnel steps on it (user id to {@link ConversionFunnel#steps}
   * mask, or-ed together), over part of the input or all of it.
   */
  static final class ItemPart {
    final Totals totals;
    final HashMap<String, Integer> steps;

    ItemPart() {
      this(new Totals(), new HashMap<>());
    }

    ItemPart(Totals totals, HashMap<String, Integer> steps) {
      this.totals = totals;
      this.steps = steps;
    }

    /** Adds an event; returns how many users it added (0 or 1). */
    int add(CommerceEvent e) {
      totals.add(e);
      String user = e.getUserId();
      if (user == null) {
        return 0;
      }
      int step = ConversionFunnel.steps(e);
      Integer had = steps.get(user);
      if (had == null) {
        steps.put(user, step);
        return 1;
      }
      if ((had | step) != had) {
        steps.put(user, had | step);
      }
      return 0;
    }

    void merge(ItemPart o) {
      totals.merge(o.totals);
      o.steps.forEach((user, mask) -> steps.merge(user, mask, (a, b) -> a | b));
    }

    /** Users per steps mask (index = mask, 0..7). */
    long[] usersPerMask() {
      long[] perMask = new long[8];
      for (int mask : steps.values()) {
        perMask[mask]++;
      }
      return perMask;
    }
  }

  /**
   * Each bundle's parts per item (at most {@code maxHeld} items and users of items held, then handed on).
   * The default holds about 40 MB: with 1 << 19 the synthetic shop's 10 million events (339,305 items)
   * took the live heap of a run in 1 GB from 392 to 620 MB and the collectors' pauses from 5% to 14% of
   * its time, each of two instances holding most of the catalogue.
   */
  static final class ItemPartsPerBundleFn extends SumPerBundleFn<CommerceEvent, String, ItemPart> {
    static final int MAX_HELD = 1 << 17;

    ItemPartsPerBundleFn(int maxHeld) {
      super(maxHeld);
    }

    @Override
    protected ItemPart empty() {
      return new ItemPart();
    }

    @Override
    protected long add(CommerceEvent e) {
      return sumOf(e.getItemId()).add(e);
    }
  }

  /** Merges the parts of one item. */
  static final class MergeItemPartsFn extends MergePartsFn<ItemPart> {
    @Override
    protected ItemPart empty() {
      return new ItemPart();
    }

    @Override
    protected void mergeInto(ItemPart sum, ItemPart part) {
      sum.merge(part);
    }
  }

  /** The row (rank left empty) of one item's whole part; keyed by category ("" for none). */
  static final class FeaturesOfItemFn extends DoFn<KV<String, ItemPart>, KV<String, ItemFeatures>> {
    @ProcessElement
    public void process(@Element KV<String, ItemPart> item, OutputReceiver<KV<String, ItemFeatures>> out) {
      Totals t = item.getValue().totals;
      ItemFeatures row = row(item.getKey(), t.category, t.counts, t.revenue, item.getValue().usersPerMask());
      out.output(KV.of(t.category == null ? "" : t.category, row));
    }
  }

  /** An {@link ItemPart}: its totals, then its users in id order, each with its steps mask. */
  static final class ItemPartCoder extends CompactRecordCoder<ItemPart> {
    static final ItemPartCoder INSTANCE = new ItemPartCoder();

    @Override
    protected void write(ItemPart part, Writer w) {
      Totals t = part.totals;
      w.writeVarLong(t.counts.length);
      for (long c : t.counts) {
        w.writeVarLong(c);
      }
      w.writeDecimal(t.revenue);
      w.writeByte(t.category == null ? 0 : 1);
      if (t.category != null) {
        w.writeString(t.category);
      }
      w.writeVarLong(part.steps.size());
      new TreeMap<>(part.steps).forEach((user, mask) -> {
        w.writeString(user);
        w.writeByte(mask);
      });
    }

    @Override
    protected ItemPart read(Reader r) throws IOException {
      Totals t = new Totals();
      long behaviors = r.readVarLong();
      if (behaviors != t.counts.length) {
        throw new IOException("corrupt item part: " + behaviors + " behaviors, expected " + t.counts.length);
      }
      for (int i = 0; i < t.counts.length; i++) {
        t.counts[i] = r.readVarLong();
      }
      t.revenue = r.readDecimal();
      t.category = r.readByte() == 0 ? null : r.readString();
      long users = r.readVarLong();
      if (users < 0 || users > Integer.MAX_VALUE) {
        throw new IOException("corrupt item part: " + users + " users");
      }
      HashMap<String, Integer> steps = new HashMap<>((int) Math.min(users * 2, 1 << 20));
      for (long i = 0; i < users; i++) {
        String user = r.readString();
        int mask = r.readByte();
        if (mask < 0 || mask > 7) {
          throw new IOException("corrupt item part: steps mask " + mask);
        }
        steps.put(user, mask);
      }
      return new ItemPart(t, steps);
    }
  }

  static final class StepFn extends DoFn<CommerceEvent, KV<KV<String, String>, Integer>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<KV<String, String>, Integer>> out) {
      if (e.getUserId() != null) {
        out.output(KV.of(KV.of(e.getItemId(), e.getUserId()), ConversionFunnel.steps(e)));
      }
    }
  }

  static final class ByItemFn extends DoFn<CommerceEvent, KV<String, CommerceEvent>> {
    @ProcessElement
    public void process(@Element CommerceEvent e, OutputReceiver<KV<String, CommerceEvent>> out) {
      out.output(KV.of(e.getItemId(), e));
    }
  }

  static final class MaskByItemFn extends DoFn<KV<KV<String, String>, Integer>, KV<String, Integer>> {
    @ProcessElement
    public void process(@Element KV<KV<String, String>, Integer> m, OutputReceiver<KV<String, Integer>> out) {
      out.output(KV.of(m.getKey().getKey(), m.getValue()));
    }
  }

  /** Event counts per behavior (by ordinal), net revenue and the smallest category id of one item. */
  public static final class Totals {
    final long[] counts = new long[Behavior.values().length];
    BigDecimal revenue = BigDecimal.ZERO;
    String category;

    void add(CommerceEvent e) {
      counts[e.getBehavior().ordinal()]++;
      if (e.getUnitPrice() != null && (e.getBehavior() == Behavior.BUY || e.getBehavior() == Behavior.CANCEL)) {
        BigDecimal amount = e.getUnitPrice().multiply(BigDecimal.valueOf(e.getQuantity()));
        revenue = e.getBehavior() == Behavior.BUY ? revenue.add(amount) : revenue.subtract(amount);
      }
      category = smaller(category, e.getCategoryId());
    }

    void merge(Totals o) {
      for (int i = 0; i < counts.length; i++) {
        counts[i] += o.counts[i];
      }
      revenue = revenue.add(o.revenue);
      category = smaller(category, o.category);
    }

    private static String smaller(String a, String b) {
      return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }
  }

  /** Adds up {@link Totals} of one item from its inputs: events ({@link TotalsFn}) or partial totals. */
  abstract static class TotalsCombineFn<InputT> extends Combine.CombineFn<InputT, Totals, Totals> {
    @Override
    public Totals createAccumulator() {
      return new Totals();
    }

    @Override
    public Totals mergeAccumulators(Iterable<Totals> accs) {
      Totals merged = new Totals();
      accs.forEach(merged::merge);
      return merged;
    }

    @Override
    public Totals extractOutput(Totals acc) {
      return acc;
    }

    @Override
    public Coder<Totals> getAccumulatorCoder(CoderRegistry r, Coder<InputT> in) {
      return TotalsCoder.INSTANCE;
    }

    @Override
    public Coder<Totals> getDefaultOutputCoder(CoderRegistry r, Coder<InputT> in) {
      return TotalsCoder.INSTANCE;
    }
  }

  static final class TotalsFn extends TotalsCombineFn<CommerceEvent> {
    @Override
    public Totals addInput(Totals acc, CommerceEvent e) {
      acc.add(e);
      return acc;
    }
  }

  /** Builds the row (rank left empty) from users per mask and totals; keyed by category ("" for none). */
  static final class FeaturesFn extends DoFn<KV<String, CoGbkResult>, KV<String, ItemFeatures>> {
    private final TupleTag<long[]> masksTag;
    private final TupleTag<Totals> totalsTag;

    FeaturesFn(TupleTag<long[]> masksTag, TupleTag<Totals> totalsTag) {
      this.masksTag = masksTag;
      this.totalsTag = totalsTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> item, OutputReceiver<KV<String, ItemFeatures>> out) {
      Totals t = item.getValue().getOnly(totalsTag, null);
      if (t == null) {
        return;
      }
      long[] perMask = item.getValue().getOnly(masksTag, new long[8]);
      ItemFeatures row = row(item.getKey(), t.category, t.counts, t.revenue, perMask);
      out.output(KV.of(t.category == null ? "" : t.category, row));
    }
  }

  /** The row from its parts; also used by the plain-Java model in the tests. */
  public static ItemFeatures row(String item, String category, long[] countsByBehavior, BigDecimal revenue, long[] usersPerMask) {
    long[] t = ConversionFunnel.stepTotals(usersPerMask);
    long viewers = t[1], carters = t[2], buyers = t[3], vc = t[4], cb = t[5], vb = t[6];
    return ItemFeatures.newBuilder()
        .setItemId(item)
        .setCategoryId(category)
        .setViews(countsByBehavior[Behavior.VIEW.ordinal()])
        .setCarts(countsByBehavior[Behavior.CART.ordinal()])
        .setFavs(countsByBehavior[Behavior.FAV.ordinal()])
        .setBuys(countsByBehavior[Behavior.BUY.ordinal()])
        .setCancels(countsByBehavior[Behavior.CANCEL.ordinal()])
        .setRevenue(revenue.setScale(3, java.math.RoundingMode.HALF_EVEN))
        .setViewers(viewers)
        .setCarters(carters)
        .setDistinctBuyers(buyers)
        .setViewToCartRate(viewers == 0 ? null : (double) vc / viewers)
        .setCartToBuyRate(carters == 0 ? null : (double) cb / carters)
        .setViewToBuyRate(viewers == 0 ? null : (double) vb / viewers)
        .setRankInCategory(null)
        .build();
  }

  /** Ranks one category's items, most popular first ({@link #BY_POPULARITY}). */
  static final class RankFn extends DoFn<KV<String, Iterable<ItemFeatures>>, ItemFeatures> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<ItemFeatures>> category, BoundedWindow window,
        OutputReceiver<ItemFeatures> out) {
      java.time.Instant start = null;
      java.time.Instant end = null;
      if (window instanceof IntervalWindow) {
        start = java.time.Instant.ofEpochMilli(((IntervalWindow) window).start().getMillis());
        end = java.time.Instant.ofEpochMilli(((IntervalWindow) window).end().getMillis());
      }
      List<ItemFeatures> items = new ArrayList<>();
      category.getValue().forEach(items::add);
      items.sort(BY_POPULARITY);
      boolean ranked = !category.getKey().isEmpty(); // no category, no rank
      for (int i = 0; i < items.size(); i++) {
        out.output(ItemFeatures.newBuilder(items.get(i)).setWindowStart(start).setWindowEnd(end)
            .setRankInCategory(ranked ? i + 1 : null).build());
      }
    }
  }

  /** Most popular first: more distinct buyers, then more viewers, then more carters, then item id. */
  public static final Comparator<ItemFeatures> BY_POPULARITY =
      Comparator.comparingLong(ItemFeatures::getDistinctBuyers).reversed()
          .thenComparing(Comparator.comparingLong(ItemFeatures::getViewers).reversed())
          .thenComparing(Comparator.comparingLong(ItemFeatures::getCarters).reversed())
          .thenComparing(ItemFeatures::getItemId);

  static final class TotalsCoder extends AtomicCoder<Totals> {
    static final TotalsCoder INSTANCE = new TotalsCoder();

    @Override
    public void encode(Totals t, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      for (long c : t.counts) {
        out.writeLong(c);
      }
      out.writeUTF(t.revenue.toPlainString());
      out.writeBoolean(t.category != null);
      if (t.category != null) {
        out.writeUTF(t.category);
      }
      out.flush();
    }

    @Override
    public Totals decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      Totals t = new Totals();
      for (int i = 0; i < t.counts.length; i++) {
        t.counts[i] = in.readLong();
      }
      t.revenue = new BigDecimal(in.readUTF());
      t.category = in.readBoolean() ? in.readUTF() : null;
      return t;
    }
  }
}
