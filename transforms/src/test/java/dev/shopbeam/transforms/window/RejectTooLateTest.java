package dev.shopbeam.transforms.window;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.LastPanes;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records past their windows' allowed lateness are dead-lettered as {@code too_late}, never lost. */
@ExtendWith(TestPipelineExtension.class)
class RejectTooLateTest {
  private static final Instant NOON = Instant.parse("2017-11-25T12:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);

  private static TimestampedValue<RawRecord> recordAt(String name, Duration sinceNoon) {
    Instant t = NOON.plus(sinceNoon);
    RawRecord r = RawRecord.newBuilder()
        .setPayload(ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)))
        .setSourceLocation("kafka:events/0@" + name)
        .setIngestTime(java.time.Instant.ofEpochMilli(t.getMillis()))
        .setOriginalLength(name.length())
        .build();
    return TimestampedValue.of(r, t);
  }

  private static Duration seconds(int s) {
    return Duration.standardSeconds(s);
  }

  private static PCollection<String> names(PCollection<RawRecord> records) {
    return records.apply("Names", MapElements.into(TypeDescriptors.strings())
        .via((RawRecord r) -> StandardCharsets.UTF_8.decode(r.getPayload().duplicate()).toString()));
  }

  private static PCollection<String> rejected(PCollection<DeadLetter> letters) {
    return letters.apply("Rejected", MapElements.into(TypeDescriptors.strings())
        .via((DeadLetter d) -> d.getRawPayload() + ":" + d.getReason() + ":" + d.getStage()));
  }

  @Test
  void onTimeAndLateWithinLatenessPassTooLateIsDeadLettered(TestPipeline p) {
    // One-minute grid, two minutes of lateness: a record in 12:00-12:01 is on time until the
    // watermark passes 12:02:59.999.
    TestStream<RawRecord> stream = TestStream.create(Coders.rawRecords())
        .addElements(recordAt("on-time", seconds(30)))
        .advanceWatermarkTo(NOON.plus(seconds(150)))
        .addElements(recordAt("late-within-lateness", seconds(40)))
        .advanceWatermarkTo(NOON.plus(seconds(210)))
        .addElements(recordAt("too-late", seconds(50)), recordAt("next-minutes-on-time", seconds(130)))
        .advanceWatermarkToInfinity();

    PCollectionTuple gated = p.apply(stream).apply(RejectTooLate.of(MINUTE, Duration.standardMinutes(2), "json").withShards(1));
    PAssert.that(names(gated.get(RejectTooLate.ON_TIME)))
        .containsInAnyOrder("on-time", "late-within-lateness", "next-minutes-on-time");
    PAssert.that(rejected(gated.get(RejectTooLate.TOO_LATE))).containsInAnyOrder("too-late:too_late:window");
    p.run().waitUntilFinish();
  }

  /**
   * A seeded, disordered stream with the watermark moving in jumps: everything the gate passes must be
   * counted by sliding windows with the same lateness (none dropped by the runner), and every record
   * leaves by exactly one door.
   */
  private static PCollection<KV<String, Long>> tagged(PCollection<Long> count, String name) {
    return count.apply("Tag " + name, MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
        .via((Long n) -> KV.of(name, n)));
  }

  /** Gathers the named counts into one map. */
  static final class MapOf extends Combine.CombineFn<KV<String, Long>, HashMap<String, Long>, Map<String, Long>> {
    @Override
    public HashMap<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public HashMap<String, Long> addInput(HashMap<String, Long> acc, KV<String, Long> in) {
      acc.merge(in.getKey(), in.getValue(), Long::sum);
      return acc;
    }

    @Override
    public HashMap<String, Long> mergeAccumulators(Iterable<HashMap<String, Long>> accs) {
      HashMap<String, Long> merged = new HashMap<>();
      accs.forEach(a -> a.forEach((k, v) -> merged.merge(k, v, Long::sum)));
      return merged;
    }

    @Override
    public Map<String, Long> extractOutput(HashMap<String, Long> acc) {
      return acc;
    }
  }

  @Test
  void whatPassesIsNeverDroppedByTheWindows(TestPipeline p) {
    Random random = new Random(42);
    Duration lateness = Duration.standardMinutes(3);
    TestStream.Builder<RawRecord> stream = TestStream.create(Coders.rawRecords());
    int total = 0;
    Instant watermark = NOON;
    for (int step = 0; step < 40; step++) {
      List<TimestampedValue<RawRecord>> batch = new ArrayList<>();
      if (step == 0) {
        // Before the watermark moves, every key sees records from the last 10 minutes: a key learns the
        // watermark from its first tick, at the earliest deadline it has seen (see RejectTooLate).
        for (int i = 0; i < 30; i++) {
          batch.add(recordAt("r" + total++, new Duration(-i * 20_000L)));
        }
      }
      for (int i = 0; i < 5; i++) {
        // Mostly near the watermark, some well behind it (up to 10 minutes): late and too late.
        long behind = random.nextInt(10) < 7 ? -random.nextInt(120_000) : random.nextInt(600_000);
        batch.add(recordAt("r" + total++, new Duration(watermark.getMillis() - behind - NOON.getMillis())));
      }
      stream = stream.addElements(batch.get(0), batch.subList(1, batch.size()).toArray(new TimestampedValue[0]));
      watermark = watermark.plus(random.nextInt(90_000));
      stream = stream.advanceWatermarkTo(watermark);
    }
    PCollectionTuple gated = p.apply(stream.advanceWatermarkToInfinity())
        .apply(RejectTooLate.of(MINUTE, lateness, "json").withShards(3));

    // Sliding windows of 5 minutes every minute, firing once per late record: each record is counted
    // in 5 windows, so the final panes sum to 5 x what passed.
    PCollection<Long> countedInWindows = gated.get(RejectTooLate.ON_TIME)
        .apply(Window.<RawRecord>into(SlidingWindows.of(Duration.standardMinutes(5)).every(MINUTE))
            .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(lateness)
            .discardingFiredPanes())
        .apply(Combine.globally(Count.<RawRecord>combineFn()).withoutDefaults())
        .apply("Gather panes", LastPanes.<Long>atTheEnd())
        .apply("Sum windows", Sum.longsGlobally());
    PCollection<Long> passed = gated.get(RejectTooLate.ON_TIME)
        .apply("Passed global", LastPanes.<RawRecord>atTheEnd()).apply("Count passed", Count.globally());
    PCollection<Long> tooLate = gated.get(RejectTooLate.TOO_LATE)
        .apply("Too late global", LastPanes.<DeadLetter>atTheEnd()).apply("Count too late", Count.globally());
    int records = total;
    PCollection<Map<String, Long>> ledger = PCollectionList.of(tagged(passed, "passed"))
        .and(tagged(tooLate, "too_late")).and(tagged(countedInWindows, "window_counts"))
        .apply(Flatten.pCollections())
        .apply(Combine.globally(new MapOf()));
    PAssert.thatSingleton(ledger).satisfies(counts -> {
      long through = counts.getOrDefault("passed", 0L);
      long rejected = counts.getOrDefault("too_late", 0L);
      assertEquals(records, through + rejected, "every record leaves by exactly one door: " + counts);
      assertEquals(5 * through, counts.getOrDefault("window_counts", 0L), "windows dropped a record: " + counts);
      // The seeded stream must exercise both doors, or this test proves nothing.
      org.junit.jupiter.api.Assertions.assertTrue(rejected > 0 && through > 0, counts.toString());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
