package dev.shopbeam.transforms.testing;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * What a consumer keeps of a stream of accumulating panes: the last pane per key (window and
 * dimensions), as text. Sinks replace rows by key, so this is the table a streaming run leaves behind.
 */
public final class LastPanes {
  private LastPanes() {}

  public static <T> PCollection<String> of(PCollection<T> rows, String name, SerializableFunction<T, String> key) {
    return panes(rows, name, key)
        .apply(name + " last pane", Combine.perKey((Iterable<KV<Long, String>> seen) -> {
          KV<Long, String> latest = null;
          for (KV<Long, String> pane : seen) {
            if (latest == null || pane.getKey() > latest.getKey()) {
              latest = pane;
            }
          }
          return latest;
        }))
        .apply(name + " rows", Values.create())
        .apply(name + " text", Values.create());
  }

  /** How many late panes the rows came in. */
  public static <T> PCollection<Long> latePanes(PCollection<T> rows, String name) {
    return rows
        .apply(name + " late only", ParDo.of(new DoFn<T, Long>() {
          @ProcessElement
          public void process(PaneInfo pane, OutputReceiver<Long> out) {
            if (pane.getTiming() == PaneInfo.Timing.LATE) {
              out.output(pane.getIndex());
            }
          }
        }))
        .apply(name + " late in one pane", atTheEnd())
        .apply(name + " count late", Count.globally());
  }

  private static <T> PCollection<KV<String, KV<Long, String>>> panes(
      PCollection<T> rows, String name, SerializableFunction<T, String> key) {
    return rows
        .apply(name + " with pane index", ParDo.of(new DoFn<T, KV<String, KV<Long, String>>>() {
          @ProcessElement
          public void process(@Element T row, PaneInfo pane, OutputReceiver<KV<String, KV<Long, String>>> out) {
            out.output(KV.of(key.apply(row), KV.of(pane.getIndex(), row.toString())));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of())))
        .apply(name + " all panes", atTheEnd());
  }

  /** Everything in the global window, one pane at the end of the stream. */
  public static <T> Window<T> atTheEnd() {
    return Window.<T>into(new GlobalWindows()).triggering(Repeatedly.forever(AfterWatermark.pastEndOfWindow()))
        .withAllowedLateness(Duration.ZERO).discardingFiredPanes();
  }
}
