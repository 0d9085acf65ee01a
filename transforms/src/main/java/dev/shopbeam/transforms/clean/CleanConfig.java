package dev.shopbeam.transforms.clean;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Interval;
import org.joda.time.Instant;

/** The rules {@link CleanEvents} applies. {@link #defaults()} suits the public data sets we read. */
@AutoValue
public abstract class CleanConfig implements Serializable {

  /** Events before this are absurd for online retail (and mostly unset clocks). */
  public abstract Instant minEventTime();

  /** How far past its ingest time an event may claim to be: clock skew, not time travel. */
  public abstract Duration maxFutureSkew();

  public abstract int maxQuantity();

  public abstract java.math.BigDecimal maxUnitPrice();

  /** Item ids that are not products (postage, fees, manual adjustments), each with its filter rule. */
  public abstract List<NonProductRule> nonProductRules();

  /** Whether BUY and CANCEL lines with a zero price (free samples, placeholders) are filtered. */
  public abstract boolean filterZeroPriceSales();

  /**
   * Duplicates are looked for among events of the same event-time window of this size: a replay of an
   * event carries its event time, so it always falls in the original's window, and state is freed when
   * the window closes.
   */
  public abstract Duration dedupeWindow();

  /**
   * How late (past the end of its dedupe window, in event time) an event may arrive and still be
   * deduplicated and passed on. Set it to the windowing's allowed lateness: dedupe must not drop what
   * the windows would still accept.
   */
  public abstract Duration allowedLateness();

  /**
   * Only events in this event-time range [start, end) are kept; the others are filtered under the rule
   * {@code outside_time_range} (counted, not errors: a daily job reading a month's file). Null: all.
   */
  public abstract @Nullable Interval eventTimeRange();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_CleanConfig.Builder();
  }

  public static CleanConfig defaults() {
    return builder()
        .setMinEventTime(Instant.parse("1995-01-01T00:00:00Z"))
        .setMaxFutureSkew(Duration.standardDays(1))
        .setMaxQuantity(1_000_000)
        .setMaxUnitPrice(new java.math.BigDecimal("1000000"))
        .setNonProductRules(NonProductRule.ONLINE_RETAIL)
        .setFilterZeroPriceSales(true)
        .setDedupeWindow(Duration.standardHours(1))
        .setAllowedLateness(Duration.ZERO)
        .build();
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setMinEventTime(Instant v);

    public abstract Builder setMaxFutureSkew(Duration v);

    public abstract Builder setMaxQuantity(int v);

    public abstract Builder setMaxUnitPrice(java.math.BigDecimal v);

    public abstract Builder setNonProductRules(List<NonProductRule> v);

    public abstract Builder setFilterZeroPriceSales(boolean v);

    public abstract Builder setDedupeWindow(Duration v);

    public abstract Builder setAllowedLateness(Duration v);

    public abstract Builder setEventTimeRange(@Nullable Interval v);

    abstract CleanConfig autoBuild();

    public CleanConfig build() {
      CleanConfig c = autoBuild();
      if (c.maxQuantity() < 1) {
        throw new IllegalArgumentException("maxQuantity must be at least 1, was " + c.maxQuantity());
      }
      if (c.dedupeWindow().getMillis() <= 0) {
        throw new IllegalArgumentException("dedupeWindow must be positive, was " + c.dedupeWindow());
      }
      return c;
    }
  }

  /** An item id (exact, or a prefix when it ends in '*'), matched without regard to case. */
  @AutoValue
  public abstract static class NonProductRule implements Serializable {
    /**
     * The non-product stock codes of the UCI Online Retail data set: postage (POST, DOT, C2), manual
     * adjustments (M), discounts (D), samples (S), bank and marketplace fees, charity (CRUK), bad-debt
     * adjustments (B) and gift vouchers (gift_0001_*).
     */
    public static final List<NonProductRule> ONLINE_RETAIL =
        List.of(
            of("POST", "non_product:postage"),
            of("DOT", "non_product:postage"),
            of("C2", "non_product:postage"),
            of("M", "non_product:manual"),
            of("D", "non_product:discount"),
            of("S", "non_product:samples"),
            of("BANK CHARGES", "non_product:fee"),
            of("AMAZONFEE", "non_product:fee"),
            of("CRUK", "non_product:charity"),
            of("B", "non_product:adjustment"),
            of("GIFT_0001_*", "non_product:gift_voucher"));

    public abstract String pattern();

    public abstract String rule();

    public static NonProductRule of(String pattern, String rule) {
      return new AutoValue_CleanConfig_NonProductRule(pattern.toUpperCase(Locale.ROOT), rule);
    }

    boolean matches(String itemIdUpperCase) {
      String p = pattern();
      return p.endsWith("*")
          ? itemIdUpperCase.startsWith(p.substring(0, p.length() - 1))
          : itemIdUpperCase.equals(p);
    }
  }
}
