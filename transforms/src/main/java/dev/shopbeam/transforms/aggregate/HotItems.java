package dev.shopbeam.transforms.aggregate;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.transforms.Coders;
import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The top N items per behavior in each sliding event-time window, ranked by event count descending and
 * then item id ascending, so ties come out the same on every runner.
 *
 * <p>Sliding windows overlap (a 1 h window every 5 min puts each event in 12 windows), so instead of
 * assigning every event to every window we count each (behavior, item) once per 5-minute pane (the
 * greatest common divisor of size and period) and then add up the 12 pane counts of each window. The
 * pane counts are stamped at the end of their pane, which lies in exactly the sliding windows that
 * contain the whole pane, so the sums equal counting the events directly.
 */
@AutoValue
public abstract class HotItems extends PTransform<PCollection<CommerceEvent>, PCollection<HotItem>> {

  public abstract Duration windowSize();

  public abstract Duration windowPeriod();

  public abstract int topN();

  /** One hour every five minutes, top 10. */
  public static HotItems defaults() {
    return of(Duration.standardHours(1), Duration.standardMinutes(5), 10);
  }

  public static HotItems of(Duration size, Duration period, int topN) {
    if (size.getMillis() <= 0 || period.getMillis() <= 0 || period.isLongerThan(size)) {
      throw new IllegalArgumentException(
          "hot items need 0 < period <= size, got size " + size + " period " + period);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("hot items need N >= 1, got " + topN);
    }
    return new AutoValue_HotItems(size, period, topN);
  }

  /** The pane that both the window size and the period are whole multiples of. */
  public Duration pane() {
    return Duration.millis(gcd(windowSize().getMillis(), windowPeriod().getMillis()));
  }

  @Override
  public PCollection<HotItem> expand(PCollection<CommerceEvent> events) {
    return events
        .apply("Pane", Window.<CommerceEvent>into(FixedWindows.of(pane())))
        .apply(
            "Key by behavior and item",
            MapElements.into(TypeDescriptors.kvs(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()),
                    TypeDescriptors.longs()))
                .via((CommerceEvent e) -> KV.of(KV.of(e.getBehavior().name(), e.getItemId()), 1L)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), VarLongCoder.of()))
        .apply("Count per pane", Sum.longsPerKey())
        .apply("Sliding window", Window.into(SlidingWindows.of(windowSize()).every(windowPeriod())))
        .apply("Count per window", Sum.longsPerKey())
        .apply(
            "Key by behavior",
            MapElements.into(TypeDescriptors.kvs(
                    TypeDescriptors.strings(),
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs())))
                .via((KV<KV<String, String>, Long> kv) ->
                    KV.of(kv.getKey().getKey(), KV.of(kv.getKey().getValue(), kv.getValue()))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("Top " + topN(), Combine.perKey(new Top.TopCombineFn<>(topN(), new ByCountThenItem())))
        .apply("Rank", ParDo.of(new RankFn()))
        .setCoder(Coders.avro(HotItem.class));
  }

  /** Larger is hotter: higher count, then (on a tie) the smaller item id. */
  public static final class ByCountThenItem implements Comparator<KV<String, Long>>, Serializable {
    @Override
    public int compare(KV<String, Long> a, KV<String, Long> b) {
      int byCount = Long.compare(a.getValue(), b.getValue());
      return byCount != 0 ? byCount : b.getKey().compareTo(a.getKey());
    }
  }

  private static final class RankFn extends DoFn<KV<String, List<KV<String, Long>>>, HotItem> {
    @ProcessElement
    public void process(@Element KV<String, List<KV<String, Long>>> top, BoundedWindow w, OutputReceiver<HotItem> out) {
      int rank = 0;
      for (KV<String, Long> item : top.getValue()) {
        out.output(
            HotItem.newBuilder()
                .setWindowStart(StatsPerWindow.start(w))
                .setWindowEnd(StatsPerWindow.end(w))
                .setBehavior(Behavior.valueOf(top.getKey()))
                .setRank(++rank)
                .setItemId(item.getKey())
                .setEventCount(item.getValue())
                .build());
      }
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
