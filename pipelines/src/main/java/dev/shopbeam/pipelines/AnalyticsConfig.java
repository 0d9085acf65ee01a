package dev.shopbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.shopbeam.transforms.aggregate.HotItems;
import dev.shopbeam.transforms.anomaly.AnomalyConfig;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.window.Durations;
import dev.shopbeam.transforms.window.RejectTooLate;
import dev.shopbeam.transforms.window.WindowConfig;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** The parse, clean, window and aggregate settings both pipelines share, checked. */
@AutoValue
public abstract class AnalyticsConfig implements Serializable {
  public abstract InputFormat format();

  public abstract int maxRecordBytes();

  public abstract CleanConfig clean();

  public abstract WindowConfig statsWindow();

  public abstract HotItems hotItems();

  /** Fixed event-time window of the anomaly metric series. */
  public abstract Duration anomalyWindow();

  public abstract AnomalyConfig anomalies();

  /**
   * The event-time grid on which streaming's late-data gate checks deadlines: it divides every window
   * size and period downstream (stats, hot items, dedupe, and the {@code more} a pipeline adds, e.g.
   * feature windows) and is no longer than a session gap.
   */
  public Duration lateDataGrid(Duration... more) {
    WindowConfig w = statsWindow();
    List<Duration> all = new ArrayList<>(List.of(w.period(), hotItems().windowSize(), hotItems().windowPeriod(),
        clean().dedupeWindow()));
    all.addAll(List.of(more));
    return RejectTooLate.gridFor(w.size(), all.toArray(new Duration[0]));
  }

  /** Streaming's gate for data later than the allowed lateness: too-late records become dead letters. */
  public RejectTooLate lateDataGate(Duration... moreWindows) {
    return RejectTooLate.of(lateDataGrid(moreWindows), clean().allowedLateness(), format().cliName());
  }

  /**
   * @param defaultLateness used when {@code --allowedLateness} is empty
   * @throws IllegalArgumentException with a one-line message naming the option and what it accepts
   */
  public static AnalyticsConfig fromOptions(AnalyticsOptions o, Duration defaultLateness) {
    InputFormat format = parse("format", () -> InputFormat.fromName(o.getFormat()));
    if (o.getMaxRecordBytes() < 64) {
      throw new IllegalArgumentException("--maxRecordBytes=" + o.getMaxRecordBytes() + " must be at least 64");
    }
    Duration size = Durations.parse("windowSize", o.getWindowSize());
    WindowConfig window;
    switch (o.getWindow().toLowerCase(Locale.ROOT)) {
      case "fixed":
        window = WindowConfig.fixed(size);
        break;
      case "sliding":
        window = parse("windowPeriod", () -> WindowConfig.sliding(size, Durations.parse("windowPeriod", o.getWindowPeriod())));
        break;
      case "session":
        window = WindowConfig.sessions(size);
        break;
      default:
        throw new IllegalArgumentException("--window='" + o.getWindow() + "' is not one of fixed, sliding, session");
    }
    Duration lateness = o.getAllowedLateness().isBlank()
        ? defaultLateness : Durations.parse("allowedLateness", o.getAllowedLateness());
    window = parse("allowedLateness", window, w -> w.withAllowedLateness(lateness));
    if (!o.getEarlyFirings().isBlank()) {
      window = window.withEarlyFirings(Durations.parse("earlyFirings", o.getEarlyFirings()));
    }
    Duration hotSize = Durations.parse("hotItemsWindow", o.getHotItemsWindow());
    Duration hotPeriod = Durations.parse("hotItemsPeriod", o.getHotItemsPeriod());
    HotItems hot = parse("hotItemsPeriod", () -> HotItems.of(hotSize, hotPeriod, o.getHotItemsTopN()));

    Instant minEventTime = parse("minEventTime", () -> Instant.parse(o.getMinEventTime()));
    CleanConfig clean =
        parse("dedupeWindow", () -> CleanConfig.defaults().toBuilder()
            .setMinEventTime(minEventTime)
            .setMaxFutureSkew(Durations.parse("maxFutureSkew", o.getMaxFutureSkew()))
            .setMaxQuantity(o.getMaxQuantity())
            .setMaxUnitPrice(new BigDecimal("1000000"))
            .setNonProductRules(nonProductRules(o.getNonProductItems()))
            .setFilterZeroPriceSales(o.getFilterZeroPrice())
            .setDedupeWindow(Durations.parse("dedupeWindow", o.getDedupeWindow()))
            .setAllowedLateness(lateness)
            .build());

    Duration anomalyWindow = Durations.parse("anomalyWindow", o.getAnomalyWindow());
    AnomalyConfig anomalies = anomalies(o);
    return new AutoValue_AnalyticsConfig(format, o.getMaxRecordBytes(), clean, window, hot, anomalyWindow, anomalies);
  }

  /** The anomaly settings; a bad value's message names its option. */
  static AnomalyConfig anomalies(AnalyticsOptions o) {
    try {
      return AnomalyConfig.builder()
          .setThreshold(o.getAnomalyThreshold())
          .setMinVolume(o.getAnomalyMinVolume())
          .setMinHistory(o.getAnomalyHistory())
          .setRecentWindows(o.getAnomalyHistory())
          .setSeasonalDays(o.getAnomalySeasonalDays())
          .setMinSeasonalDays(o.getAnomalySeasonalMinDays())
          .build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage()
          .replace("threshold", "--anomalyThreshold")
          .replace("minVolume", "--anomalyMinVolume")
          .replace("recentWindows", "--anomalyHistory")
          .replace("minHistory", "--anomalyHistory")
          .replace("minSeasonalDays", "--anomalySeasonalMinDays")
          .replace("seasonalDays", "--anomalySeasonalDays"));
    }
  }

  static List<CleanConfig.NonProductRule> nonProductRules(String spec) {
    String s = spec.strip();
    if (s.equalsIgnoreCase("online-retail")) {
      return CleanConfig.NonProductRule.ONLINE_RETAIL;
    }
    if (s.equalsIgnoreCase("none") || s.isEmpty()) {
      return List.of();
    }
    List<CleanConfig.NonProductRule> rules = new ArrayList<>();
    for (String part : s.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new IllegalArgumentException(
            "--nonProductItems: '" + part + "' is not ID=rule; accepted: online-retail, none, or ID=rule,PREFIX*=rule");
      }
      rules.add(CleanConfig.NonProductRule.of(part.substring(0, eq).strip(), part.substring(eq + 1).strip()));
    }
    return List.copyOf(rules);
  }

  /** Runs a parse step, prefixing a bare message with the option's name. */
  static <T> T parse(String option, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      throw new IllegalArgumentException(msg != null && msg.startsWith("--") ? msg : "--" + option + ": " + msg);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + option + ": " + e.getMessage());
    }
  }

  private static <A, T> T parse(String option, A arg, java.util.function.Function<A, T> step) {
    return parse(option, () -> step.apply(arg));
  }

}
