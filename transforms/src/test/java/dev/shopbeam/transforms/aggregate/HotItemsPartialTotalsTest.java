package dev.shopbeam.transforms.aggregate;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.HotItem;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.AnalyticsModel;
import dev.shopbeam.transforms.testing.TestEvents;
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
 * pane count, also when the memory bound makes the adder hand on partial totals early and often; the
 * same for bounded input added up in memory.
 */
@ExtendWith(TestPipelineExtension.class)
class HotItemsPartialTotalsTest {
  private static final long HOUR = 3_600_000L;
  private static final long FIVE_MINUTES = 300_000L;


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

  /**
   * Bounded input added up in memory: with room for 3 entries the adder hands panes on after nearly
   * every event (the events arrive in no particular order), and the rows still equal the plain-Java
   * model's, as they do with room for everything; for windows a whole number of periods long (1 h
   * every 5 min), for windows that are not (10 min every 4 min: 2-minute panes, blocks of 12 minutes),
   * and for tumbling windows (size = period).
   */
  @Test
  void paneTotalsHandedOnEarlyGiveTheModelsRows(TestPipeline p) {
    List<CommerceEvent> events = TestEvents.shop(3L, 20, 25, 40);
    List<TimestampedValue<CommerceEvent>> shuffled = new ArrayList<>(TestEvents.timestamped(events));
    java.util.Collections.shuffle(shuffled, new Random(5));
    PCollection<CommerceEvent> input = p.apply(Create.timestamped(shuffled).withCoder(Coders.events()));
    long[][] shapes = {{HOUR, FIVE_MINUTES}, {600_000L, 240_000L}, {HOUR, HOUR}};
    for (long[] shape : shapes) {
      String name = shape[0] + " every " + shape[1];
      List<String> expected = TestEvents.asText(AnalyticsModel.hotItems(events, shape[0], shape[1], 3));
      PAssert.that(TestEvents.asText(rankedInMemory(input, shape, 3, "bounded " + name)))
          .containsInAnyOrder(expected);
      PAssert.that(TestEvents.asText(rankedInMemory(input, shape, Integer.MAX_VALUE, "unbounded " + name)))
          .containsInAnyOrder(expected);
    }
    p.run().waitUntilFinish();
  }

  private static PCollection<HotItem> rankedInMemory(PCollection<CommerceEvent> events, long[] shape, int maxEntries,
      String name) {
    return events.apply("Rank " + name, new HotItems.RankInMemory(shape[0], shape[1], 3, maxEntries));
  }

  /** Pane totals cross a shuffle as a start and two arrays: they come back as they went, of any size; corrupt bytes fail. */
  @Test
  void paneTotalsSurviveTheirCoder() throws Exception {
    HotItems.PaneTotalsCoder coder = HotItems.PaneTotalsCoder.INSTANCE;
    for (int n : new int[] {0, 1, 3, 70_000}) {
      String[] items = new String[n];
      long[] counts = new long[n];
      for (int i = 0; i < n; i++) {
        items[i] = (i % 7 == 0 ? "ü-" : "item-") + i;
        counts[i] = i % 5 == 0 ? Long.MAX_VALUE - i : i;
      }
      long start = n % 2 == 0 ? -300_000L * n : 1_511_568_000_000L;
      HotItems.PaneTotals back = org.apache.beam.sdk.util.CoderUtils.decodeFromByteArray(coder,
          org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(coder, new HotItems.PaneTotals(start, items, counts)));
      org.junit.jupiter.api.Assertions.assertEquals(start, back.start(), n + " items' start");
      org.junit.jupiter.api.Assertions.assertArrayEquals(items, back.items(), n + " items");
      org.junit.jupiter.api.Assertions.assertArrayEquals(counts, back.counts(), n + " counts");
    }
    byte[] three = org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(coder,
        new HotItems.PaneTotals(0L, new String[] {"a", "b", "c"}, new long[] {1, 2, 3}));
    byte[] cut = java.util.Arrays.copyOf(three, three.length - 1);
    cut[0]--; // the record's length, so that the record ends early rather than the stream
    org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> org.apache.beam.sdk.util.CoderUtils.decodeFromByteArray(coder, cut));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new HotItems.PaneTotals(0L, new String[] {"a"}, new long[0]));
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
