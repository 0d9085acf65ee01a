package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.AnomalyDirection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The robust baseline of a point from its series' earlier points, and the point's score against it.
 *
 * <ul>
 *   <li>Which earlier points: when at least {@code minSeasonalDays} earlier days have a point at the same
 *       time of day (window start a whole number of days earlier), those of the last {@code seasonalDays}
 *       days ("hour_of_day": shops are busy at noon and quiet at night, so noon is compared with noon);
 *       otherwise the last {@code recentWindows} points ("recent"), and nothing is scored with fewer than
 *       {@code minHistory} of them.
 *   <li>expected = median of their values; spread = 1.4826 x the median absolute deviation from it (a
 *       standard deviation for normal data, unmoved by a few outliers in the history), floored at the
 *       sampling noise ({@link SeriesPoint#noise()}) of the point or, if larger, the baseline points'
 *       median: a few calm windows do not make chance variation an alert and at max(minSpread, minSpreadFraction x |expected|), so a
 *       flat series does not divide by ~0.
 *   <li>score = (observed - expected) / spread; an anomaly when |score| >= threshold and the point's
 *       volume or the baseline's median volume reaches minVolume.
 * </ul>
 */
public final class Baseline {
  public static final long DAY_MILLIS = 24L * 3600 * 1000;
  /** MAD to standard deviation for normally distributed data. */
  public static final double MAD_SCALE = 1.4826;
  public static final String RECENT = "recent";
  public static final String HOUR_OF_DAY = "hour_of_day";

  private Baseline() {}

  /**
   * The anomaly {@code p} is, or null when it is not one or cannot be scored yet.
   *
   * @param history the series' earlier points (window start before p's), oldest first
   */
  public static Anomaly score(List<SeriesPoint> history, SeriesPoint p, AnomalyConfig c) {
    List<SeriesPoint> base = new ArrayList<>();
    String kind;
    if (c.seasonalDays() > 0) {
      for (SeriesPoint h : history) {
        long ago = p.windowStart() - h.windowStart();
        if (ago > 0 && ago % DAY_MILLIS == 0 && ago <= c.seasonalDays() * DAY_MILLIS) {
          base.add(h);
        }
      }
    }
    if (c.seasonalDays() > 0 && base.size() >= c.minSeasonalDays()) {
      kind = HOUR_OF_DAY;
    } else {
      base = history.subList(Math.max(0, history.size() - c.recentWindows()), history.size());
      kind = RECENT;
      if (base.size() < c.minHistory()) {
        return null;
      }
    }
    double[] values = new double[base.size()];
    double[] volumes = new double[base.size()];
    double[] noises = new double[base.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = base.get(i).value();
      volumes[i] = base.get(i).volume();
      noises[i] = base.get(i).noise();
    }
    if (Math.max(p.volume(), median(volumes)) < c.minVolume()) {
      return null;
    }
    double expected = median(values);
    double[] deviations = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      deviations[i] = Math.abs(values[i] - expected);
    }
    double noise = Math.max(median(noises), p.noise());
    double floor = Math.max(noise, Math.max(c.minSpread(), c.minSpreadFraction() * Math.abs(expected)));
    double spread = Math.max(MAD_SCALE * median(deviations), floor);
    double score = (p.value() - expected) / spread;
    if (Math.abs(score) < c.threshold()) {
      return null;
    }
    return Anomaly.newBuilder()
        .setMetric(p.metric())
        .setDimension(p.dimension())
        .setWindowStart(Instant.ofEpochMilli(p.windowStart()))
        .setWindowEnd(Instant.ofEpochMilli(p.windowEnd()))
        .setObserved(p.value())
        .setExpected(expected)
        .setScore(score)
        .setDirection(score > 0 ? AnomalyDirection.UP : AnomalyDirection.DOWN)
        .setVolume(p.volume())
        .setBaseline(kind)
        .setHistoryWindows(base.size())
        .build();
  }

  /** The median; the mean of the two middle values for an even count. */
  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
