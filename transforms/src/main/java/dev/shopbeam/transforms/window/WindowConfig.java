package dev.shopbeam.transforms.window;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Event-time windowing, the same for bounded and unbounded input. The trigger fires when the watermark
 * passes the end of the window, optionally early every {@link #earlyFiringInterval()} of processing
 * time, and once more for every late element within {@link #allowedLateness()}. Panes accumulate, so
 * each firing carries the window's full result so far (sinks replace, they never add). Data later
 * than the allowed lateness is dropped by the runner; streaming pipelines count and dead-letter it
 * before it gets here.
 */
@AutoValue
public abstract class WindowConfig implements Serializable {

  public enum Type {
    FIXED,
    SLIDING,
    SESSION
  }

  public abstract Type type();

  /** Window length (fixed, sliding) or the inactivity gap that closes a session. */
  public abstract Duration size();

  /** How often a sliding window starts; ignored by the other types. */
  public abstract Duration period();

  public abstract Duration allowedLateness();

  public abstract @Nullable Duration earlyFiringInterval();

  public static WindowConfig fixed(Duration size) {
    return builder().setType(Type.FIXED).setSize(size).setPeriod(size).build();
  }

  public static WindowConfig sliding(Duration size, Duration period) {
    return builder().setType(Type.SLIDING).setSize(size).setPeriod(period).build();
  }

  public static WindowConfig sessions(Duration gap) {
    return builder().setType(Type.SESSION).setSize(gap).setPeriod(gap).build();
  }

  public static Builder builder() {
    return new AutoValue_WindowConfig.Builder().setAllowedLateness(Duration.ZERO);
  }

  public abstract Builder toBuilder();

  public WindowConfig withAllowedLateness(Duration lateness) {
    return toBuilder().setAllowedLateness(lateness).build();
  }

  public WindowConfig withEarlyFirings(@Nullable Duration interval) {
    return toBuilder().setEarlyFiringInterval(interval).build();
  }

  public WindowFn<Object, ?> windowFn() {
    switch (type()) {
      case FIXED:
        return FixedWindows.of(size());
      case SLIDING:
        return SlidingWindows.of(size()).every(period());
      case SESSION:
        return Sessions.withGapDuration(size());
      default:
        throw new IllegalStateException(type().toString());
    }
  }

  public Trigger trigger() {
    AfterWatermark.FromEndOfWindow onTime = AfterWatermark.pastEndOfWindow();
    AfterWatermark.AfterWatermarkEarlyAndLate withLate =
        onTime.withLateFirings(AfterPane.elementCountAtLeast(1));
    Duration early = earlyFiringInterval();
    return early == null
        ? withLate
        : withLate.withEarlyFirings(
            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(early));
  }

  /**
   * The {@link Window} transform for elements of type {@code T}.
   *
   * <p>The on-time pane fires only when the window has data ({@code FIRE_IF_NON_EMPTY}): with Beam's
   * default ({@code FIRE_ALWAYS}) the Flink runner in streaming mode emits a second, empty on-time pane
   * when a window expires (its end-of-window and garbage-collection timers both fire after the state is
   * cleared), which a sink would take as the window's final result: a row of zeros.
   */
  public <T> Window<T> window() {
    return Window.<T>into(windowFn())
        .triggering(trigger())
        .withAllowedLateness(allowedLateness())
        .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
        .accumulatingFiredPanes();
  }

  /** A short human description, e.g. {@code fixed 1h}, for logs and the run summary. */
  public String describe() {
    switch (type()) {
      case SLIDING:
        return "sliding " + Durations.format(size()) + " every " + Durations.format(period());
      case SESSION:
        return "session gap " + Durations.format(size());
      default:
        return "fixed " + Durations.format(size());
    }
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setType(Type v);

    public abstract Builder setSize(Duration v);

    public abstract Builder setPeriod(Duration v);

    public abstract Builder setAllowedLateness(Duration v);

    public abstract Builder setEarlyFiringInterval(@Nullable Duration v);

    abstract WindowConfig autoBuild();

    public WindowConfig build() {
      WindowConfig c = autoBuild();
      if (c.size().getMillis() <= 0) {
        throw new IllegalArgumentException("window size must be positive, was " + c.size());
      }
      if (c.type() == Type.SLIDING
          && (c.period().getMillis() <= 0 || c.period().isLongerThan(c.size()))) {
        throw new IllegalArgumentException(
            "sliding period must be positive and at most the size, was " + c.period());
      }
      if (c.allowedLateness().getMillis() < 0) {
        throw new IllegalArgumentException("allowed lateness must not be negative");
      }
      return c;
    }
  }
}
