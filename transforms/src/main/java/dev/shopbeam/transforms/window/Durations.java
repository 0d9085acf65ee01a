package dev.shopbeam.transforms.window;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;
import org.joda.time.Period;

/** Parses option values such as {@code 90s}, {@code 5m}, {@code 1h}, {@code 7d} or ISO-8601 {@code PT1H}. */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * @param option the option's name, for the error message
   * @throws IllegalArgumentException naming the option and what it accepts
   */
  public static Duration parse(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + option + " is empty; give a duration such as 5m, 1h or PT1H");
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.millis(n);
        case "s":
          return Duration.standardSeconds(n);
        case "m":
          return Duration.standardMinutes(n);
        case "h":
          return Duration.standardHours(n);
        default:
          return Duration.standardDays(n);
      }
    }
    try {
      return Period.parse(value.strip().toUpperCase(Locale.ROOT)).toStandardDuration();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--" + option + "='" + value + "' is not a duration; accepted: <n>ms|s|m|h|d (e.g. 5m, 1h) or ISO-8601 (PT1H)");
    }
  }

  /** The short form, e.g. {@code 1h}, {@code 90s}, for logs and summaries. */
  public static String format(Duration d) {
    long ms = d.getMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
