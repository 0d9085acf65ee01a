package dev.shopbeam.transforms.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.schemas.Anomaly;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The anomaly scoring's state, driven directly: points that an earlier version left in its unordered
 * "pending" bag are scored as if they had been pending in the ordered list, and the bag is emptied.
 * (A pipeline cannot start with saved state, so this calls the timer method with in-memory state.)
 */
class ScoreFnStateTest {
  private static final long HOUR = 3_600_000L;
  private static final long T0 = java.time.Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();
  private static final AnomalyConfig CONFIG = AnomalyConfig.builder()
      .setThreshold(3.5).setMinVolume(30).setMinHistory(4).setRecentWindows(10).setSeasonalDays(3)
      .setMinSeasonalDays(2).build();

  /** 40 hourly points of one series, a spike at hour 30. */
  private static List<SeriesPoint> series() {
    Random random = new Random(5);
    List<SeriesPoint> points = new ArrayList<>();
    for (int h = 0; h < 40; h++) {
      double value = h == 30 ? 900 : 100 + random.nextInt(10);
      points.add(SeriesPoint.of("events", "all", T0 + h * HOUR, T0 + (h + 1) * HOUR, value, 1_000));
    }
    return points;
  }

  /** What one firing at the end of hour {@code lastDue} does, with the state as given. */
  private static final class Run {
    final MemoryValue<List<SeriesPoint>> pendingByEnd = new MemoryValue<>();
    final MemoryBag<SeriesPoint> legacy = new MemoryBag<>();
    final MemoryValue<List<SeriesPoint>> history = new MemoryValue<>();
    final MemoryValue<Long> timerAt = new MemoryValue<>();
    final MemoryTimer timer = new MemoryTimer();
    final List<Anomaly> out = new ArrayList<>();

    void fire(int lastDue) {
      new DetectAnomalies.ScoreFn(CONFIG).onWindowEnded(new Instant(T0 + (lastDue + 1) * HOUR - 1), pendingByEnd,
          legacy, history, timerAt, timer, new DoFn.OutputReceiver<>() {
            @Override
            public void output(Anomaly a) {
              out.add(a);
            }

            @Override
            public void outputWithTimestamp(Anomaly a, Instant t) {
              out.add(a);
            }
          });
    }
  }

  @Test
  void pointsLeftInTheEarlierBagAreScoredLikePendingOnes() {
    List<SeriesPoint> points = series();
    Run ordered = new Run();
    ordered.pendingByEnd.write(new ArrayList<>(points));
    ordered.fire(35);

    Run migrated = new Run();
    List<SeriesPoint> old = new ArrayList<>(points.subList(0, 33));
    Collections.shuffle(old, new Random(9));
    old.forEach(migrated.legacy::add);
    migrated.pendingByEnd.write(new ArrayList<>(points.subList(33, 40)));
    migrated.fire(35);

    assertFalse(ordered.out.isEmpty(), "the spike at hour 30 is an anomaly");
    assertEquals(ordered.out, migrated.out);
    assertEquals(ordered.history.read(), migrated.history.read());
    assertEquals(points.subList(36, 40), migrated.pendingByEnd.read());
    assertEquals(ordered.pendingByEnd.read(), migrated.pendingByEnd.read());
    assertTrue(migrated.legacy.isEmpty().read(), "the earlier bag is emptied");
    assertEquals(T0 + 37 * HOUR - 1, migrated.timerAt.read());
    assertEquals(new Instant(T0 + 37 * HOUR - 1), migrated.timer.setTo);
  }

  private static final class MemoryValue<T> implements ValueState<T> {
    private T value;

    @Override
    public void write(T v) {
      value = v;
    }

    @Override
    public T read() {
      return value;
    }

    @Override
    public ValueState<T> readLater() {
      return this;
    }

    @Override
    public void clear() {
      value = null;
    }
  }

  private static final class MemoryBag<T> implements BagState<T> {
    private final List<T> values = new ArrayList<>();

    @Override
    public void add(T v) {
      values.add(v);
    }

    @Override
    public ReadableState<Boolean> isEmpty() {
      boolean empty = values.isEmpty();
      return new ReadableState<>() {
        @Override
        public Boolean read() {
          return empty;
        }

        @Override
        public ReadableState<Boolean> readLater() {
          return this;
        }
      };
    }

    @Override
    public Iterable<T> read() {
      return new ArrayList<>(values);
    }

    @Override
    public BagState<T> readLater() {
      return this;
    }

    @Override
    public void clear() {
      values.clear();
    }
  }

  private static final class MemoryTimer implements Timer {
    Instant setTo;

    @Override
    public void set(Instant t) {
      setTo = t;
    }

    @Override
    public void setRelative() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
      setTo = null;
    }

    @Override
    public Timer offset(Duration d) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Timer align(Duration d) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Timer withOutputTimestamp(Instant t) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Timer withNoOutputTimestamp() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant getCurrentRelativeTime() {
      throw new UnsupportedOperationException();
    }
  }
}
