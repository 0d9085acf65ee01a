package dev.shopbeam.runners.bench;

import java.util.Comparator;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The reference "first Beam pipeline anyone would write": every event assigned to each of its sliding
 * windows, {@code Count.perElement}, then {@code Top.perKey}; default coders, nothing clever.
 */
public final class NaiveBeamHotItems {
  private NaiveBeamHotItems() {}

  public static void build(Pipeline p, String input, HotItemsSpec spec) {
    p.apply("Read lines", TextIO.read().from(input))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply("Sliding windows", Window.into(SlidingWindows.of(Duration.millis(spec.sizeMillis()))
            .every(Duration.millis(spec.periodMillis()))))
        .apply("Count per item", Count.perElement())
        .apply("Key by behavior", ParDo.of(new KeyByBehaviorFn()))
        .apply("Top N", Top.perKey(spec.topN(), new ByCountThenItem()))
        .apply("Count rows", ParDo.of(new CountRowsFn()));
  }

  static final class ParseFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String line, OutputReceiver<String> out) {
      HotItemsSpec.Parsed e = HotItemsSpec.parse(line);
      if (e != null) {
        out.outputWithTimestamp(e.behavior() + "," + e.item(), new Instant(e.millis()));
      }
    }
  }

  static final class KeyByBehaviorFn extends DoFn<KV<String, Long>, KV<String, KV<String, Long>>> {
    @ProcessElement
    public void process(@Element KV<String, Long> count, OutputReceiver<KV<String, KV<String, Long>>> out) {
      int comma = count.getKey().indexOf(',');
      out.output(KV.of(count.getKey().substring(0, comma), KV.of(count.getKey().substring(comma + 1), count.getValue())));
    }
  }

  static final class ByCountThenItem implements Comparator<KV<String, Long>>, Serializable {
    @Override
    public int compare(KV<String, Long> a, KV<String, Long> b) {
      int byCount = Long.compare(a.getValue(), b.getValue());
      return byCount != 0 ? byCount : b.getKey().compareTo(a.getKey());
    }
  }

  static final class CountRowsFn extends DoFn<KV<String, List<KV<String, Long>>>, Void> {
    private final Counter rows = Metrics.counter(BenchMetrics.NAMESPACE, "hot_items");

    @ProcessElement
    public void process(@Element KV<String, List<KV<String, Long>>> top) {
      rows.inc(top.getValue().size());
    }
  }
}
