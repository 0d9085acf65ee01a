package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.transforms.Combine;

/**
 * What one dimension ('all', or a category) did in one window, from which its metric points are read:
 * events per behavior, gross revenue of BUY events, the distinct orders bought, and the dead letters.
 *
 * <p>Definitions (the README repeats them):
 * <ul>
 *   <li>revenue: sum of unit_price x quantity over BUY events (gross: cancels are their own series,
 *       events_cancel); kept in thousandths (unit prices have 3 decimals) so sums are exact.
 *   <li>orders: distinct session ids of BUY events (Online Retail's session id is the invoice number);
 *       a BUY without a session id is an order of its own.
 *   <li>conversion_rate: BUY events / VIEW events (events, not users, so partial tallies merge by
 *       addition); no point when the window has no view.
 *   <li>dead_letter_rate ('all' only): dead letters / (dead letters + clean events) in the window.
 * </ul>
 */
public final class WindowTally {
  private static final Behavior[] BEHAVIORS = Behavior.values();

  final long[] events = new long[BEHAVIORS.length];
  long deadLetters;
  long revenueThousandths;
  final Set<String> orders = new HashSet<>();

  public static WindowTally of(CommerceEvent e) {
    WindowTally t = new WindowTally();
    t.add(e);
    return t;
  }

  public static WindowTally ofDeadLetter() {
    WindowTally t = new WindowTally();
    t.deadLetters = 1;
    return t;
  }

  public void add(CommerceEvent e) {
    events[e.getBehavior().ordinal()]++;
    if (e.getBehavior() == Behavior.BUY) {
      BigDecimal price = e.getUnitPrice();
      if (price != null) {
        revenueThousandths += price.movePointRight(3).longValueExact() * e.getQuantity();
      }
      orders.add(e.getSessionId() != null ? "s:" + e.getSessionId() : "e:" + e.getEventId());
    }
  }

  public WindowTally merge(WindowTally o) {
    for (int i = 0; i < events.length; i++) {
      events[i] += o.events[i];
    }
    deadLetters += o.deadLetters;
    revenueThousandths += o.revenueThousandths;
    orders.addAll(o.orders);
    return this;
  }

  long count(Behavior b) {
    return events[b.ordinal()];
  }

  long totalEvents() {
    long n = 0;
    for (long c : events) {
      n += c;
    }
    return n;
  }

  /** Metric name of the per-behavior event count, e.g. events_view. */
  public static String eventsMetric(Behavior b) {
    return "events_" + b.name().toLowerCase(Locale.ROOT);
  }

  /** The points of this dimension in window [start, end); every metric, zeros included, so drops show. */
  public List<SeriesPoint> points(String dimension, long start, long end) {
    List<SeriesPoint> out = new ArrayList<>();
    for (Behavior b : BEHAVIORS) {
      out.add(SeriesPoint.of(eventsMetric(b), dimension, start, end, count(b), count(b), Math.sqrt(count(b))));
    }
    long buys = count(Behavior.BUY);
    double revenue = revenueThousandths / 1000.0;
    // A sum of n purchases whose amounts vary about as much as their mean: relative noise 1/sqrt(n).
    out.add(SeriesPoint.of(MetricsPerWindow.REVENUE, dimension, start, end, revenue, buys,
        buys == 0 ? 0 : Math.abs(revenue) / Math.sqrt(buys)));
    out.add(SeriesPoint.of(MetricsPerWindow.ORDERS, dimension, start, end, orders.size(), buys,
        Math.sqrt(orders.size())));
    long views = count(Behavior.VIEW);
    if (views > 0) {
      out.add(SeriesPoint.of(MetricsPerWindow.CONVERSION_RATE, dimension, start, end, (double) buys / views, views,
          rateNoise((double) buys / views, views)));
    }
    if (MetricsPerWindow.ALL.equals(dimension)) {
      long records = deadLetters + totalEvents();
      if (records > 0) {
        double rate = (double) deadLetters / records;
        out.add(SeriesPoint.of(MetricsPerWindow.DEAD_LETTER_RATE, dimension, start, end, rate, records,
            rateNoise(rate, records)));
      }
    }
    return out;
  }

  /** Binomial standard deviation of a proportion; a ratio above 1 (more buys than views) counts as 1. */
  static double rateNoise(double p, long n) {
    double q = Math.min(1, p);
    return Math.sqrt(q * (1 - q) / n);
  }

  /** Merges tallies; runners lift it into partial aggregation before the shuffle. */
  public static final class CombineFn extends Combine.CombineFn<WindowTally, WindowTally, WindowTally> {
    @Override
    public WindowTally createAccumulator() {
      return new WindowTally();
    }

    @Override
    public WindowTally addInput(WindowTally acc, WindowTally input) {
      return acc.merge(input);
    }

    @Override
    public WindowTally mergeAccumulators(Iterable<WindowTally> accs) {
      WindowTally merged = new WindowTally();
      for (WindowTally a : accs) {
        merged.merge(a);
      }
      return merged;
    }

    @Override
    public WindowTally extractOutput(WindowTally acc) {
      return acc;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<WindowTally> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<WindowTally> in) {
      return TallyCoder.INSTANCE;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<WindowTally> getDefaultOutputCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<WindowTally> in) {
      return TallyCoder.INSTANCE;
    }
  }

  /** Binary coder for tallies crossing the shuffle. */
  public static final class TallyCoder extends AtomicCoder<WindowTally> {
    public static final TallyCoder INSTANCE = new TallyCoder();

    @Override
    public void encode(WindowTally t, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      for (long c : t.events) {
        out.writeLong(c);
      }
      out.writeLong(t.deadLetters);
      out.writeLong(t.revenueThousandths);
      out.writeInt(t.orders.size());
      for (String o : t.orders) {
        out.writeUTF(o);
      }
      out.flush();
    }

    @Override
    public WindowTally decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      WindowTally t = new WindowTally();
      for (int i = 0; i < t.events.length; i++) {
        t.events[i] = in.readLong();
      }
      t.deadLetters = in.readLong();
      t.revenueThousandths = in.readLong();
      int n = in.readInt();
      if (n < 0) {
        throw new CoderException("negative order count " + n);
      }
      for (int i = 0; i < n; i++) {
        t.orders.add(in.readUTF());
      }
      return t;
    }
  }
}
