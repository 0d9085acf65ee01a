package dev.shopbeam.transforms.aggregate;

import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Adding pane counts up per window before the combine gives the same top lists as combining every
 * pane count, also when the memory bound makes the adder hand on partial totals early and often.
 */
@ExtendWith(TestPipelineExtension.class)
class HotItemsPartialTotalsTest {

  static final class Describe extends DoFn<KV<String, List<KV<String, Long>>>, String> {
    @ProcessElement
    public void process(@Element KV<String, List<KV<String, Long>>> top, BoundedWindow window, OutputReceiver<String> out) {
      out.output(window + " " + top.getKey() + " " + top.getValue());
    }
  }

  static PCollection<String> topLists(PCollection<KV<String, Map<String, Long>>> partials, String name) {
    return partials
        .setCoder(KvCoder.of(StringUtf8Coder.of(), MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("Top " + name, Combine.perKey(new HotItems.TopOfTotals(3)))
        .apply("Describe " + name, ParDo.of(new Describe()));
  }

  @Test
  void partialTotalsHandedOnEarlyAddUpToTheSameTopLists(TestPipeline p) {
    Random random = new Random(11);
    List<TimestampedValue<KV<String, KV<String, Long>>>> paneCounts = new ArrayList<>();
    Instant start = Instant.parse("2017-11-25T00:00:00Z");
    for (int i = 0; i < 400; i++) {
      String behavior = random.nextBoolean() ? "VIEW" : "BUY";
      String item = "i" + random.nextInt(12);
      Instant paneEnd = start.plus(Duration.standardMinutes(5L * random.nextInt(30))).minus(Duration.millis(1));
      paneCounts.add(TimestampedValue.of(KV.of(behavior, KV.of(item, 1L + random.nextInt(5))), paneEnd));
    }
    PCollection<KV<String, KV<String, Long>>> windowed = p
        .apply(Create.timestamped(paneCounts)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))))
        .apply(Window.into(SlidingWindows.of(Duration.standardHours(1)).every(Duration.standardMinutes(5))));

    PCollection<String> eachAlone = topLists(windowed.apply("One per pane count",
        MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                TypeDescriptors.maps(TypeDescriptors.strings(), TypeDescriptors.longs())))
            .via(kv -> KV.of(kv.getKey(), Map.of(kv.getValue().getKey(), kv.getValue().getValue())))), "alone");
    PCollection<String> boundedTo3 = topLists(windowed.apply("Add up, 3 entries held",
        ParDo.of(new HotItems.PartialTotalsFn(3))), "bounded");
    PCollection<String> unbounded = topLists(windowed.apply("Add up",
        ParDo.of(new HotItems.PartialTotalsFn(Integer.MAX_VALUE))), "unbounded");

    List<String> expected = model(paneCounts);
    PAssert.that(eachAlone).containsInAnyOrder(expected);
    PAssert.that(boundedTo3).containsInAnyOrder(expected);
    PAssert.that(unbounded).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  /** Plain Java: each pane count added to every 1 h window (every 5 min) holding it; top 3 per window and behavior. */
  static List<String> model(List<TimestampedValue<KV<String, KV<String, Long>>>> paneCounts) {
    Map<String, Map<String, Long>> totals = new java.util.TreeMap<>();
    long size = Duration.standardHours(1).getMillis();
    long period = Duration.standardMinutes(5).getMillis();
    for (TimestampedValue<KV<String, KV<String, Long>>> c : paneCounts) {
      long ts = c.getTimestamp().getMillis();
      for (long windowStart = ts - Math.floorMod(ts, period); windowStart > ts - size; windowStart -= period) {
        String key = new org.apache.beam.sdk.transforms.windowing.IntervalWindow(new Instant(windowStart), new Instant(windowStart + size))
            + " " + c.getValue().getKey();
        totals.computeIfAbsent(key, k -> new java.util.HashMap<>())
            .merge(c.getValue().getValue().getKey(), c.getValue().getValue().getValue(), Long::sum);
      }
    }
    List<String> lines = new ArrayList<>();
    totals.forEach((key, items) -> {
      List<KV<String, Long>> ranked = new ArrayList<>();
      items.forEach((item, count) -> ranked.add(KV.of(item, count)));
      ranked.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Long.compare(b.getValue(), a.getValue()));
      lines.add(key + " " + ranked.subList(0, Math.min(3, ranked.size())));
    });
    return lines;
  }
}
