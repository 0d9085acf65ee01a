package dev.shopbeam.transforms.anomaly;

import static dev.shopbeam.transforms.testing.TestEvents.asText;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.AnomalyDirection;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DetectAnomalies} equals its plain-Java model ({@link AnomalyModel}) on generated series, in
 * batch and as a stream with out-of-order and late points; {@link Baseline} on hand-worked numbers.
 */
@ExtendWith(TestPipelineExtension.class)
class DetectAnomaliesTest {
  private static final long HOUR = 3_600_000L;
  private static final long T0 = java.time.Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();

  /** Small limits so a few days of generated points use both baselines and every rule. */
  private static final AnomalyConfig CONFIG = AnomalyConfig.builder()
      .setThreshold(3.5)
      .setMinVolume(30)
      .setMinHistory(4)
      .setRecentWindows(10)
      .setSeasonalDays(3)
      .setMinSeasonalDays(2)
      .build();

  /**
   * Hourly series over {@code days} days: a daily shape plus noise, a few spikes and drops, one series
   * closed at night (gaps), one tiny (under the minimum volume), one flat.
   */
  static List<SeriesPoint> series(long seed, int days) {
    Random r = new Random(seed);
    List<SeriesPoint> out = new ArrayList<>();
    for (int h = 0; h < days * 24; h++) {
      long start = T0 + h * HOUR;
      int hourOfDay = h % 24;
      double shape = 1 + 0.8 * Math.sin((hourOfDay - 6) * Math.PI / 12);
      double busy = 100 * shape + r.nextGaussian() * 8;
      if (r.nextInt(40) == 0) {
        busy *= r.nextBoolean() ? 3 : 0.1;
      }
      out.add(SeriesPoint.of("events_view", "all", start, start + HOUR, Math.round(busy), Math.round(busy)));
      if (hourOfDay >= 8 && hourOfDay < 20) {
        double day = 60 + r.nextGaussian() * 6 + (r.nextInt(25) == 0 ? 80 : 0);
        out.add(SeriesPoint.of("revenue", "category=1", start, start + HOUR, day, 40 + r.nextInt(20)));
      }
      double tiny = r.nextInt(4) + (r.nextInt(20) == 0 ? 20 : 0);
      out.add(SeriesPoint.of("events_buy", "category=9", start, start + HOUR, tiny, (long) tiny));
      double flat = 50 + (r.nextInt(30) == 0 ? 1 : 0) + (h == 60 ? 30 : 0);
      out.add(SeriesPoint.of("orders", "all", start, start + HOUR, flat, 50));
    }
    return out;
  }

  private static List<TimestampedValue<SeriesPoint>> stamped(List<SeriesPoint> points) {
    return points.stream().map(p -> TimestampedValue.of(p, new Instant(p.windowEnd() - 1))).collect(Collectors.toList());
  }

  @Test
  void batchMatchesModel(TestPipeline p) {
    List<SeriesPoint> points = new ArrayList<>(series(1L, 4));
    Collections.shuffle(points, new Random(2));
    List<Anomaly> expected = AnomalyModel.detect(points, CONFIG);
    // The model must find something of each kind, or the comparison proves little.
    assertThat(expected.stream().filter(a -> a.getBaseline().equals("recent")).count(), greaterThan(0L));
    assertThat(expected.stream().filter(a -> a.getBaseline().equals("hour_of_day")).count(), greaterThan(0L));
    assertThat(expected.stream().filter(a -> a.getDirection() == AnomalyDirection.DOWN).count(), greaterThan(0L));
    assertThat(expected.stream().filter(a -> a.getDimension().equals("category=9")).count(), equalTo(0L));

    PCollection<Anomaly> found = p.apply(Create.timestamped(stamped(points)).withCoder(SeriesPoint.PointCoder.INSTANCE))
        .apply(DetectAnomalies.of(CONFIG));
    PAssert.that(asText(found)).containsInAnyOrder(asText(expected));
    p.run().waitUntilFinish();
  }

  /** The points of two days arriving in chunks, out of order within each, with late points among them. */
  static List<AnomalyModel.Step> streamSteps() {
    List<SeriesPoint> points = series(3L, 3);
    points.sort((a, b) -> Long.compare(a.windowStart(), b.windowStart()));
    Random r = new Random(4);
    List<AnomalyModel.Step> steps = new ArrayList<>();
    int chunkHours = 5;
    for (int h = 0; h < 3 * 24; h += chunkHours) {
      long from = T0 + h * HOUR;
      long to = from + chunkHours * HOUR;
      List<SeriesPoint> chunk = points.stream()
          .filter(x -> x.windowStart() >= from && x.windowStart() < to).collect(Collectors.toList());
      Collections.shuffle(chunk, r);
      // The chunk's last hour arrives after the watermark passed it: it is late.
      List<SeriesPoint> onTime = chunk.stream().filter(x -> x.windowStart() < to - HOUR).collect(Collectors.toList());
      List<SeriesPoint> late = chunk.stream().filter(x -> x.windowStart() >= to - HOUR).collect(Collectors.toList());
      if (h > 0) {
        // A corrected (late pane) value of an hour scored in the previous chunk, bigger than the first one.
        SeriesPoint earlier = points.stream()
            .filter(x -> x.metric().equals("events_view") && x.windowStart() == from - 2 * HOUR).findFirst().get();
        late.add(earlier.withValue(earlier.value() * 4, earlier.volume() * 4));
      }
      steps.add(new AnomalyModel.Step(onTime, to - 1));
      steps.add(new AnomalyModel.Step(late, to - 1));
    }
    return steps;
  }

  @Test
  void streamingMatchesModel(TestPipeline p) {
    List<AnomalyModel.Step> steps = streamSteps();
    List<Anomaly> expected = AnomalyModel.detectStream(steps, CONFIG);
    assertThat(expected, not(empty()));
    // The late points matter: scoring their windows or ignoring them would give other anomalies.
    List<SeriesPoint> lastValues = new ArrayList<>();
    steps.forEach(s -> lastValues.addAll(s.points));
    assertThat(asText(expected), not(equalTo(asText(AnomalyModel.detectStream(
        List.of(new AnomalyModel.Step(dropLate(steps), Long.MAX_VALUE)), CONFIG)))));

    TestStream.Builder<SeriesPoint> stream = TestStream.create(SeriesPoint.PointCoder.INSTANCE);
    for (AnomalyModel.Step s : steps) {
      if (!s.points.isEmpty()) {
        stream = stream.addElements(stamped(s.points).get(0),
            stamped(s.points).subList(1, s.points.size()).toArray(new TimestampedValue[0]));
      }
      stream = stream.advanceWatermarkTo(new Instant(s.watermark));
    }
    PCollection<Anomaly> found = p.apply(stream.advanceWatermarkToInfinity()).apply(DetectAnomalies.of(CONFIG));
    PAssert.that(asText(found)).containsInAnyOrder(asText(expected));
    p.run().waitUntilFinish();
  }

  private static List<SeriesPoint> dropLate(List<AnomalyModel.Step> steps) {
    List<SeriesPoint> firstOfEach = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (AnomalyModel.Step s : steps) {
      for (SeriesPoint x : s.points) {
        if (seen.add(x.seriesKey() + x.windowStart())) {
          firstOfEach.add(x);
        }
      }
    }
    return firstOfEach;
  }

  @Test
  void baselineOnHandWorkedNumbers() {
    AnomalyConfig c = AnomalyConfig.builder().setMinVolume(0).setMinHistory(5).setRecentWindows(5)
        .setSeasonalDays(0).setThreshold(4).build();
    List<SeriesPoint> h = new ArrayList<>();
    double[] values = {10, 12, 11, 13, 9};
    for (int i = 0; i < values.length; i++) {
      h.add(SeriesPoint.of("m", "all", T0 + i * HOUR, T0 + (i + 1) * HOUR, values[i], 100));
    }
    // median 11; deviations 1,1,0,2,2 -> MAD 1 -> spread 1.4826 (the 10% floor is 1.1).
    Anomaly up = Baseline.score(h, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 17, 100), c);
    assertThat(up.getExpected(), equalTo(11.0));
    assertThat(up.getScore(), equalTo(6 / 1.4826));
    assertThat(up.getDirection(), equalTo(AnomalyDirection.UP));
    assertThat(up.getBaseline(), equalTo("recent"));
    assertThat(up.getHistoryWindows(), equalTo(5));
    assertThat(Baseline.score(h, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 16, 100), c), nullValue());
    Anomaly down = Baseline.score(h, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 0, 0), c);
    assertThat(down.getDirection(), equalTo(AnomalyDirection.DOWN));
    // Too little history: not scored.
    assertThat(Baseline.score(h.subList(0, 4), SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 99, 100), c),
        nullValue());
    // Below the minimum volume both now and in the baseline: not scored; a big series dropping to 0 is.
    AnomalyConfig volume = c.toBuilder().setMinVolume(200).build();
    assertThat(Baseline.score(h, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 99, 150), volume), nullValue());
    assertThat(Baseline.score(h, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 99, 250), volume),
        not(nullValue()));
    // A flat history: the spread is floored at 10% of expected, so 11 vs 10 is no anomaly but 15 is.
    List<SeriesPoint> flat = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      flat.add(SeriesPoint.of("m", "all", T0 + i * HOUR, T0 + (i + 1) * HOUR, 10, 100));
    }
    assertThat(Baseline.score(flat, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 11, 100), c), nullValue());
    assertThat(Baseline.score(flat, SeriesPoint.of("m", "all", T0 + 5 * HOUR, T0 + 6 * HOUR, 15, 100), c).getScore(),
        equalTo(5.0));
  }

  @Test
  void seasonalBaselineComparesTheSameHourOnEarlierDays() {
    AnomalyConfig c = AnomalyConfig.builder().setMinVolume(0).setSeasonalDays(3).setMinSeasonalDays(2).build();
    List<SeriesPoint> h = new ArrayList<>();
    for (int hour = 0; hour < 48; hour++) {
      double v = hour % 24 == 12 ? 500 + hour : 10; // a busy noon, quiet otherwise
      h.add(SeriesPoint.of("m", "all", T0 + hour * HOUR, T0 + (hour + 1) * HOUR, v, 100));
    }
    SeriesPoint noon = SeriesPoint.of("m", "all", T0 + 60 * HOUR, T0 + 61 * HOUR, 530, 100);
    assertThat(Baseline.score(h, noon, c), nullValue()); // vs 512 and 536: expected 524
    Anomaly quietNoon = Baseline.score(h, noon.withValue(10, 100), c);
    assertThat(quietNoon.getBaseline(), equalTo("hour_of_day"));
    assertThat(quietNoon.getHistoryWindows(), equalTo(2));
    assertThat(quietNoon.getExpected(), equalTo(524.0));
    assertThat(quietNoon.getDirection(), equalTo(AnomalyDirection.DOWN));
  }

  @Test
  void configIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> AnomalyConfig.builder().setThreshold(0).build());
    assertThrows(IllegalArgumentException.class, () -> AnomalyConfig.builder().setMinVolume(-1).build());
    assertThrows(IllegalArgumentException.class, () -> AnomalyConfig.builder().setMinHistory(30).build());
    assertThrows(IllegalArgumentException.class, () -> AnomalyConfig.builder().setMinSeasonalDays(8).build());
    assertThrows(IllegalArgumentException.class, () -> AnomalyConfig.builder().setMinSpread(0).build());
    assertThat(AnomalyConfig.defaults().threshold(), equalTo(5.0));
    assertThat(series(1L, 1), hasSize(24 * 3 + 12));
  }
}
