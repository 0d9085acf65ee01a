package dev.shopbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.transforms.window.Durations;
import dev.shopbeam.transforms.aggregate.HotItems;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.window.WindowConfig;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** The batch pipeline's settings, checked: built from {@link BatchOptions}, or directly by tests. */
@AutoValue
public abstract class BatchConfig implements Serializable {
  public abstract String input();

  public abstract InputFormat format();

  public abstract String output();

  public abstract OutputFormat outputFormat();

  public abstract int numShards();

  public abstract int maxRecordBytes();

  public abstract CleanConfig clean();

  public abstract WindowConfig statsWindow();

  public abstract HotItems hotItems();

  public static Builder builder() {
    return new AutoValue_BatchConfig.Builder()
        .setOutputFormat(OutputFormat.PARQUET)
        .setNumShards(1)
        .setMaxRecordBytes(1 << 20)
        .setClean(CleanConfig.defaults())
        .setStatsWindow(WindowConfig.fixed(Duration.standardHours(1)))
        .setHotItems(HotItems.defaults());
  }

  public abstract Builder toBuilder();

  /**
   * @throws IllegalArgumentException with a one-line message naming the option and what it accepts
   */
  public static BatchConfig fromOptions(BatchOptions o) {
    InputFormat format = parse("format", () -> InputFormat.fromName(o.getFormat()));
    OutputFormat outputFormat = parse("outputFormat", () -> OutputFormat.fromName(o.getOutputFormat()));
    if (o.getNumShards() < 0) {
      throw new IllegalArgumentException("--numShards=" + o.getNumShards() + " must be 0 (runner decides) or more");
    }
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
    window = parse("allowedLateness", window, w -> w.withAllowedLateness(Durations.parse("allowedLateness", o.getAllowedLateness())));
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
            .build());

    return builder()
        .setInput(o.getInput())
        .setFormat(format)
        .setOutput(o.getOutput())
        .setOutputFormat(outputFormat)
        .setNumShards(o.getNumShards())
        .setMaxRecordBytes(o.getMaxRecordBytes())
        .setClean(clean)
        .setStatsWindow(window)
        .setHotItems(hot)
        .build();
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
  private static <T> T parse(String option, java.util.function.Supplier<T> step) {
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

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setInput(String v);

    public abstract Builder setFormat(InputFormat v);

    public abstract Builder setOutput(String v);

    public abstract Builder setOutputFormat(OutputFormat v);

    public abstract Builder setNumShards(int v);

    public abstract Builder setMaxRecordBytes(int v);

    public abstract Builder setClean(CleanConfig v);

    public abstract Builder setStatsWindow(WindowConfig v);

    public abstract Builder setHotItems(HotItems v);

    public abstract BatchConfig build();
  }
}
