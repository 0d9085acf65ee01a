package dev.shopbeam.transforms.parse;

/** The stable dead-letter reason codes of the read and parse stages (see README: Dead letters). */
public final class Reasons {
  public static final String EMPTY_RECORD = "empty_record";
  public static final String INVALID_UTF8 = "invalid_utf8";
  public static final String RECORD_TOO_LARGE = "record_too_large";
  public static final String MALFORMED_CSV = "malformed_csv";
  public static final String WRONG_FIELD_COUNT = "wrong_field_count";
  public static final String MALFORMED_JSON = "malformed_json";
  public static final String MISSING_FIELD = "missing_field";
  public static final String INVALID_NUMBER = "invalid_number";
  public static final String INVALID_TIMESTAMP = "invalid_timestamp";
  public static final String INVALID_FIELD = "invalid_field";
  public static final String UNKNOWN_BEHAVIOR = "unknown_behavior";
  public static final String INCONSISTENT_CANCELLATION = "inconsistent_cancellation";
  /** A parser or rule threw: a bug of ours, reported rather than hidden or fatal. */
  public static final String INTERNAL_ERROR = "internal_error";

  private Reasons() {}
}
