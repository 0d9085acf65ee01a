package dev.shopbeam.transforms.anomaly;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/**
 * How {@link DetectAnomalies} scores a point against its series' history (see {@link Baseline}).
 * Built with {@link #builder()} (defaults filled in) and checked on {@code build()}.
 */
@AutoValue
public abstract class AnomalyConfig implements Serializable {
  /** |score| at or above this is an anomaly. */
  public abstract double threshold();

  /**
   * A point is scored only when its volume or its baseline's median volume reaches this, so tiny series
   * (a few events an hour) never alert, while a big series dropping to zero still does.
   */
  public abstract long minVolume();

  /**
   * Fewest earlier points the recent baseline needs before a point is scored at all. The default, a day
   * of hourly windows, spans a whole daily cycle: with less, the morning rush looks like a spike.
   */
  public abstract int minHistory();

  /** How many of the latest earlier points the recent baseline uses. */
  public abstract int recentWindows();

  /** How many earlier days the time-of-day baseline looks back (and the history state keeps). */
  public abstract int seasonalDays();

  /** The time-of-day baseline is used once the series has this many earlier days at the same time of day. */
  public abstract int minSeasonalDays();

  /** Spread floor relative to |expected|: a flat series does not turn a small wiggle into a huge score. */
  public abstract double minSpreadFraction();

  /** Absolute spread floor, for series whose expected value is 0. */
  public abstract double minSpread();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_AnomalyConfig.Builder()
        .setThreshold(5.0)
        .setMinVolume(20)
        .setMinHistory(24)
        .setRecentWindows(24)
        .setSeasonalDays(7)
        .setMinSeasonalDays(3)
        .setMinSpreadFraction(0.1)
        .setMinSpread(1e-6);
  }

  public static AnomalyConfig defaults() {
    return builder().build();
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setThreshold(double v);

    public abstract Builder setMinVolume(long v);

    public abstract Builder setMinHistory(int v);

    public abstract Builder setRecentWindows(int v);

    public abstract Builder setSeasonalDays(int v);

    public abstract Builder setMinSeasonalDays(int v);

    public abstract Builder setMinSpreadFraction(double v);

    public abstract Builder setMinSpread(double v);

    abstract AnomalyConfig autoBuild();

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public AnomalyConfig build() {
      AnomalyConfig c = autoBuild();
      check(c.threshold() > 0 && Double.isFinite(c.threshold()), "threshold must be > 0, got " + c.threshold());
      check(c.minVolume() >= 0, "minVolume must be >= 0, got " + c.minVolume());
      check(c.minHistory() >= 1, "minHistory must be >= 1, got " + c.minHistory());
      check(c.recentWindows() >= c.minHistory(),
          "recentWindows (" + c.recentWindows() + ") must be >= minHistory (" + c.minHistory() + ")");
      check(c.seasonalDays() >= 0, "seasonalDays must be >= 0 (0: no time-of-day baseline), got " + c.seasonalDays());
      check(c.minSeasonalDays() >= 1, "minSeasonalDays must be >= 1, got " + c.minSeasonalDays());
      check(c.seasonalDays() == 0 || c.minSeasonalDays() <= c.seasonalDays(),
          "minSeasonalDays (" + c.minSeasonalDays() + ") must be <= seasonalDays (" + c.seasonalDays() + ")");
      check(c.minSpreadFraction() >= 0 && Double.isFinite(c.minSpreadFraction()),
          "minSpreadFraction must be >= 0, got " + c.minSpreadFraction());
      check(c.minSpread() > 0 && Double.isFinite(c.minSpread()),
          "minSpread must be > 0 (it keeps scores finite), got " + c.minSpread());
      return c;
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
