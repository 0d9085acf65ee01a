package dev.shopbeam.transforms.clean;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Validates and normalises one canonical event, and applies the non-product and zero-price filters:
 * the per-record half of cleaning, in plain Java so that the plain-Java models in tests use the very
 * same rules. (Dedupe, the half that needs state, is {@link DedupeEvents}.)
 */
public final class EventValidator {
  private final CleanConfig config;
  private final long minMillis;
  private final long skewMillis;

  /** The non-product rules in order: the pattern (a prefix without its '*'), whether a prefix, the rule. */
  private final String[] nonProductPatterns;
  private final boolean[] nonProductIsPrefix;
  private final String[] nonProductRules;

  public EventValidator(CleanConfig config) {
    this.config = config;
    this.minMillis = config.minEventTime().getMillis();
    this.skewMillis = config.maxFutureSkew().getMillis();
    List<CleanConfig.NonProductRule> rules = config.nonProductRules();
    nonProductPatterns = new String[rules.size()];
    nonProductIsPrefix = new boolean[rules.size()];
    nonProductRules = new String[rules.size()];
    for (int i = 0; i < rules.size(); i++) {
      String p = rules.get(i).pattern();
      nonProductIsPrefix[i] = p.endsWith("*");
      nonProductPatterns[i] = nonProductIsPrefix[i] ? p.substring(0, p.length() - 1) : p;
      nonProductRules[i] = rules.get(i).rule();
    }
  }

  /**
   * {@code CommerceEvent.newBuilder(in).build()}, without Avro's generic deep copy per field. That copy
   * keeps strings, the enum and the quantity as they are (immutable), encodes and decodes the price
   * through decimal(12,3), and the instants through timestamp-millis (cutting sub-millisecond digits).
   * For an event whose price already is a decimal(12,3) at scale 3 and whose required fields are set,
   * that is: the same references, the instants cut to milliseconds. Any other event takes Avro's copy,
   * with its conversions and exceptions.
   */
  static CommerceEvent copyOf(CommerceEvent in) {
    BigDecimal price = in.getUnitPrice();
    Instant eventTime = in.getEventTime();
    Instant ingestTime = in.getIngestTime();
    if (in.getEventId() == null || in.getItemId() == null || in.getBehavior() == null || eventTime == null
        || ingestTime == null || in.getSource() == null
        || (price != null && (price.scale() != 3 || price.precision() > 12))) {
      return CommerceEvent.newBuilder(in).build();
    }
    return new CommerceEvent(
        in.getEventId(),
        in.getUserId(),
        in.getSessionId(),
        in.getItemId(),
        in.getCategoryId(),
        in.getBehavior(),
        in.getQuantity(),
        price,
        in.getCurrency(),
        in.getCountry(),
        Instant.ofEpochMilli(eventTime.toEpochMilli()),
        Instant.ofEpochMilli(ingestTime.toEpochMilli()),
        in.getSource());
  }

  public RecordOutcome check(CommerceEvent in) {
    if (config.eventTimeRange() != null && !config.eventTimeRange().contains(in.getEventTime().toEpochMilli())) {
      // Outside this run's range, whatever else may be wrong with it: another run's business.
      return RecordOutcome.filtered(CleanReasons.OUTSIDE_TIME_RANGE_RULE);
    }
    CommerceEvent e = copyOf(in);
    e.setEventId(trimToNull(e.getEventId()));
    e.setItemId(trimToNull(e.getItemId()));
    e.setUserId(trimToNull(e.getUserId()));
    e.setSessionId(trimToNull(e.getSessionId()));
    e.setCategoryId(trimToNull(e.getCategoryId()));
    e.setCountry(trimToNull(e.getCountry()));
    String currency = trimToNull(e.getCurrency());
    e.setCurrency(currency == null ? null : currency.toUpperCase(Locale.ROOT));

    if (e.getEventId() == null) {
      return RecordOutcome.rejected(CleanReasons.MISSING_FIELD, "event_id is empty");
    }
    if (e.getItemId() == null) {
      return RecordOutcome.rejected(CleanReasons.MISSING_FIELD, "item_id is empty");
    }
    Instant t = e.getEventTime();
    long millis = t.toEpochMilli();
    long latest = e.getIngestTime().toEpochMilli() + skewMillis;
    if (millis < minMillis || millis > latest) {
      return RecordOutcome.rejected(
          CleanReasons.EVENT_TIME_OUT_OF_RANGE,
          "event_time " + t + " is outside [" + Instant.ofEpochMilli(minMillis) + ", "
              + Instant.ofEpochMilli(latest) + "] (ingest time + " + config.maxFutureSkew() + ")");
    }
    if (e.getQuantity() < 1 || e.getQuantity() > config.maxQuantity()) {
      return RecordOutcome.rejected(
          CleanReasons.INVALID_QUANTITY,
          "quantity " + e.getQuantity() + " is outside [1, " + config.maxQuantity() + "]");
    }
    BigDecimal price = e.getUnitPrice();
    if (price != null) {
      if (price.signum() < 0) {
        return RecordOutcome.rejected(CleanReasons.NEGATIVE_PRICE, "unit_price " + price + " is negative");
      }
      if (price.compareTo(config.maxUnitPrice()) > 0) {
        return RecordOutcome.rejected(
            CleanReasons.PRICE_OUT_OF_RANGE,
            "unit_price " + price + " is above " + config.maxUnitPrice());
      }
    }
    if (currency != null && !isCurrencyCode(e.getCurrency())) {
      return RecordOutcome.rejected(
          CleanReasons.INVALID_CURRENCY, "currency '" + currency + "' is not a 3-letter ISO 4217 code");
    }

    String itemUpper = e.getItemId().toUpperCase(Locale.ROOT);
    for (int i = 0; i < nonProductPatterns.length; i++) {
      // NonProductRule.matches, without cutting the '*' off a prefix pattern per record
      if (nonProductIsPrefix[i]
          ? itemUpper.startsWith(nonProductPatterns[i])
          : itemUpper.equals(nonProductPatterns[i])) {
        return RecordOutcome.filtered(nonProductRules[i]);
      }
    }
    if (config.filterZeroPriceSales()
        && price != null
        && price.signum() == 0
        && (e.getBehavior() == Behavior.BUY || e.getBehavior() == Behavior.CANCEL)) {
      return RecordOutcome.filtered(CleanReasons.ZERO_PRICE_RULE);
    }
    return RecordOutcome.event(e);
  }

  private static boolean isCurrencyCode(String c) {
    if (c.length() != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      char ch = c.charAt(i);
      if (ch < 'A' || ch > 'Z') {
        return false;
      }
    }
    return true;
  }

  private static String trimToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }
}
