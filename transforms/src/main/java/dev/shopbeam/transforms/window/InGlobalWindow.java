package dev.shopbeam.transforms.window;

import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;

/**
 * Bounded results in one window: the global window, fired once when all input is in (the default
 * trigger), nothing late, the default timestamp rule (end of window). What a batch table, a count of
 * the whole run or a grouping that must see everything at once reads.
 *
 * <p>{@link #firedOnce(PCollection, String)} re-windows only what is not windowed so already. A
 * re-windowing step that changes nothing is not free: on Flink's batch runtime a step whose input has
 * other readers too runs as a task of its own, so every element is encoded and decoded once more.
 */
public final class InGlobalWindow {
  private InGlobalWindow() {}

  /** The windowing itself, for a collection that needs it whatever its windowing. */
  public static <T> Window<T> firedOnce() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes()
        .withTimestampCombiner(TimestampCombiner.END_OF_WINDOW);
  }

  /** {@code pc} itself if it is windowed as {@link #firedOnce()} windows, else {@code pc} re-windowed so by a step named {@code name}. */
  public static <T> PCollection<T> firedOnce(PCollection<T> pc, String name) {
    return isFiredOnce(pc.getWindowingStrategy()) ? pc : pc.apply(name, firedOnce());
  }

  /** Whether a collection so windowed would be windowed no differently by {@link #firedOnce()}. */
  public static boolean isFiredOnce(WindowingStrategy<?, ?> strategy) {
    return strategy.getWindowFn() instanceof GlobalWindows
        && strategy.getTrigger() instanceof DefaultTrigger
        && strategy.getAllowedLateness().equals(Duration.ZERO)
        && strategy.getMode() == WindowingStrategy.AccumulationMode.DISCARDING_FIRED_PANES
        && strategy.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }
}
