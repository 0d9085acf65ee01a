package dev.shopbeam.transforms.anomaly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Known anomalies injected into test data are found by the whole chain (MetricsPerWindow then
 * DetectAnomalies, default settings, hourly windows), with the right metric, dimension, window and
 * direction:
 *
 * <ul>
 *   <li>the real Online Retail week (test-data/online-retail-2010-12-01_07.csv): a spike (the orders of
 *       2010-12-07 11:00 ten times over) and a drop to zero (no buy at 13:00, the
 *       cancellations still coming); to keep DirectRunner input small, the week's events become series
 *       points by the plain-Java model (equal to MetricsPerWindow: MetricsPerWindowTest) and
 *       DetectAnomalies runs on those;
 *   <li>a synthetic four-day shop ({@link ShopData#syntheticShop}: the samples have views and categories
 *       for three hours only, too short for a history): a conversion collapse (views as usual, 90% of
 *       buys gone at 15:00 on the last day).
 * </ul>
 *
 * On the unmodified synthetic shop nothing is found. The unmodified Online Retail week has real
 * outliers (hours with one very large invoice: e.g. 1,430 order lines and 42.5k revenue at 2010-12-07
 * 15:00 against 234 lines and 3.6k usually); the injections must add exactly the injected windows'
 * anomalies to them and change nothing elsewhere. Its orders series (distinct invoices) has none.
 */
class AnomalyInjectionTest {
  private static final Duration HOUR = Duration.standardHours(1);
  private static final AnomalyConfig DEFAULTS = AnomalyConfig.defaults();

  private static final Instant SPIKE = Instant.parse("2010-12-07T11:00:00Z");
  private static final Instant DROP = Instant.parse("2010-12-07T13:00:00Z");
  private static final Instant COLLAPSE = Instant.parse("2024-03-07T15:00:00Z");

  /** What the pipelines found, by run: the DirectRunner runs them in this JVM. */
  private static final java.util.Map<String, Set<String>> FOUND = new java.util.concurrent.ConcurrentHashMap<>();

  /** Runs the chain on events; returns "metric|dimension|window start|direction" of what it found. */
  private static Set<String> anomalies(List<CommerceEvent> events) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<CommerceEvent> in = p.apply(Create.timestamped(TestEvents.timestamped(events)).withCoder(Coders.events()));
    PCollection<DeadLetter> noDeadLetters = p.apply("No dead letters", Create.empty(Coders.deadLetters()));
    return run(p, MetricsPerWindow.inputs(in, noDeadLetters)
        .apply(MetricsPerWindow.of(HOUR, Duration.ZERO))
        .apply(DetectAnomalies.of(DEFAULTS)));
  }

  /** Runs DetectAnomalies on series points (stamped as MetricsPerWindow stamps them: the window's end). */
  private static Set<String> anomaliesOfPoints(List<SeriesPoint> points) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<org.apache.beam.sdk.values.TimestampedValue<SeriesPoint>> stamped = points.stream()
        .map(x -> org.apache.beam.sdk.values.TimestampedValue.of(x, new org.joda.time.Instant(x.windowEnd() - 1)))
        .collect(Collectors.toList());
    return run(p, p.apply(Create.timestamped(stamped).withCoder(SeriesPoint.PointCoder.INSTANCE))
        .apply(DetectAnomalies.of(DEFAULTS)));
  }

  private static Set<String> run(Pipeline p, PCollection<Anomaly> found) {
    String run = java.util.UUID.randomUUID().toString();
    FOUND.put(run, java.util.concurrent.ConcurrentHashMap.newKeySet());
    PAssert.that(found.apply(MapElements.into(TypeDescriptors.strings()).via(AnomalyInjectionTest::key)))
        .satisfies(it -> {
          it.forEach(FOUND.get(run)::add);
          return null;
        });
    p.run().waitUntilFinish();
    return new TreeSet<>(FOUND.remove(run));
  }

  static String key(Anomaly a) {
    return a.getMetric() + "|" + a.getDimension() + "|" + a.getWindowStart() + "|" + a.getDirection();
  }

  private static boolean in(CommerceEvent e, Instant hourStart) {
    return !e.getEventTime().isBefore(hourStart) && e.getEventTime().isBefore(hourStart.plusSeconds(3600));
  }

  @Test
  void onlineRetailWeek() {
    List<CommerceEvent> week = ShopData.onlineRetailWeek();
    List<CommerceEvent> injected = new ArrayList<>();
    for (CommerceEvent e : week) {
      if (in(e, DROP) && e.getBehavior() == Behavior.BUY) {
        continue; // drop to zero: checkout down, cancellations still processed
      }
      injected.add(e);
      if (in(e, SPIKE) && e.getBehavior() == Behavior.BUY) {
        for (int copy = 1; copy <= 9; copy++) { // spike: ten times the orders
          injected.add(CommerceEvent.newBuilder(e).setEventId(e.getEventId() + "-copy" + copy)
              .setSessionId(e.getSessionId() + "-copy" + copy).build());
        }
      }
    }
    assertThat(injected.stream().filter(e -> in(e, DROP)).count(), not(equalTo(0L))); // the window stays

    // DirectRunner is slow: the week's 17k events become series points by the plain-Java model
    // (MetricsPerWindowTest checks the transform equals it), and DetectAnomalies runs on those.
    Set<String> before = anomaliesOfPoints(AnomalyModel.points(week, List.of(), 3_600_000L));
    Set<String> after = anomaliesOfPoints(AnomalyModel.points(injected, List.of(), 3_600_000L));
    System.out.println("Online Retail week, unmodified: " + before);
    System.out.println("Online Retail week, injected: " + after);

    assertThat(before.stream().filter(k -> k.startsWith("orders|")).collect(Collectors.toList()), empty());
    assertThat(after, hasItems(
        "events_buy|all|" + SPIKE + "|UP", "orders|all|" + SPIKE + "|UP", "revenue|all|" + SPIKE + "|UP",
        "events_buy|all|" + DROP + "|DOWN"));
    assertThat(outside(after, SPIKE, DROP), equalTo(outside(before, SPIKE, DROP)));
    // The week's orders and revenue swing too much from hour to hour (a few large invoices) for their
    // drop to zero to reach the threshold: 0 against ~20 orders is about 3 spreads; only the lines are found.
    assertThat(after.stream().filter(k -> k.contains("|" + DROP + "|")).collect(Collectors.toList()),
        equalTo(List.of("events_buy|all|" + DROP + "|DOWN")));
  }

  private static Set<String> outside(Set<String> keys, Instant... windows) {
    return keys.stream().filter(k -> {
      for (Instant w : windows) {
        if (k.contains("|" + w + "|")) {
          return false;
        }
      }
      return true;
    }).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void syntheticShop() {
    List<CommerceEvent> shop = ShopData.syntheticShop(4);
    Random r = new Random(5);
    List<CommerceEvent> collapsed = shop.stream()
        .filter(e -> !(in(e, COLLAPSE) && e.getBehavior() == Behavior.BUY && r.nextDouble() < 0.9))
        .collect(Collectors.toList());

    assertThat(anomalies(shop), empty());
    assertThat(anomalies(collapsed), hasItems("conversion_rate|all|" + COLLAPSE + "|DOWN"));
  }
}
