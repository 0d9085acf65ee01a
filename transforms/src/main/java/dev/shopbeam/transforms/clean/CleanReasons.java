package dev.shopbeam.transforms.clean;

/** The stable dead-letter reasons and filter rules of the clean stage (see README: Dead letters). */
public final class CleanReasons {
  public static final String MISSING_FIELD = "missing_field";
  public static final String EVENT_TIME_OUT_OF_RANGE = "event_time_out_of_range";
  public static final String INVALID_QUANTITY = "invalid_quantity";
  public static final String NEGATIVE_PRICE = "negative_price";
  public static final String PRICE_OUT_OF_RANGE = "price_out_of_range";
  public static final String INVALID_CURRENCY = "invalid_currency";

  /** Filter rule: BUY/CANCEL lines with price 0. */
  public static final String ZERO_PRICE_RULE = "zero_price";
  /** An event outside the run's event-time range (e.g. another day than a daily job's). */
  public static final String OUTSIDE_TIME_RANGE_RULE = "outside_time_range";
  /** Filter rule: a second (third, ...) copy of an event id. */
  public static final String DUPLICATE_RULE = "duplicate";

  private CleanReasons() {}
}
