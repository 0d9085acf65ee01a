package dev.shopbeam.transforms.parse;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A plain interactions or ratings file, the layout of public recommender benchmarks (MovieLens
 * {@code ratings.csv}, Amazon ratings, RetailRocket exports): {@code user,item[,rating][,timestamp]},
 * a header optional. So that {@code evaluate} runs on them as on our own events.
 *
 * <p>Every row is a positive interaction (a BUY: evaluation holds out and predicts these), except a row
 * whose rating is below {@link #POSITIVE_RATING}, which is kept as a weak one (a VIEW): the user saw the
 * item and did not like it, so it is history but not a hit. 4 is the usual cut on five-star scales.
 * The timestamp is epoch seconds (MovieLens), epoch milliseconds (13 digits or more), or ISO-8601; a
 * row without one gets its ingest time (a file's modification time), so a file without timestamps is
 * evaluated with {@code --split=random}.
 */
public final class InteractionsParser implements RecordParser {
  public static final String SOURCE = InputFormat.INTERACTIONS.cliName();
  public static final double POSITIVE_RATING = 4.0;
  private static final String[] NAMES = {"user", "item", "rating", "timestamp"};
  private static final Pattern HEADER_NAME =
      Pattern.compile("(user|customer|visitor|member)[ _]?(id)?", Pattern.CASE_INSENSITIVE);

  private final EventIds ids = new EventIds();

  /**
   * A header is a first line naming its columns: its first field is a user column name (user, userId,
   * user_id, customerId, visitorid...), or it has a rating or timestamp field that is not a number.
   */
  public static boolean isHeader(String line) {
    String[] f = CsvRecord.fields(line.startsWith("\uFEFF") ? line.substring(1) : line);
    if (f == null || f.length < 2 || f.length > NAMES.length) {
      return false;
    }
    if (HEADER_NAME.matcher(f[0].strip()).matches()) {
      return true;
    }
    for (int i = 2; i < f.length; i++) {
      String v = f[i].strip();
      if (!v.isEmpty() && !isNumber(v) && !(i == 3 && isInstant(v))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public RecordOutcome parse(String text, Instant ingestTime) {
    String[] f = CsvRecord.fields(text);
    if (f == null) {
      return RecordOutcome.rejected(Reasons.MALFORMED_CSV, CsvRecord.whyMalformed(text));
    }
    if (f.length < 2 || f.length > NAMES.length) {
      return RecordOutcome.rejected(Reasons.WRONG_FIELD_COUNT, "expected 2 to 4 fields (user,item[,rating][,timestamp]), found " + f.length);
    }
    for (int i = 0; i < f.length; i++) {
      f[i] = f[i].strip();
      if (i < 2 && f[i].isEmpty()) {
        return RecordOutcome.rejected(Reasons.MISSING_FIELD, NAMES[i] + " is empty");
      }
    }
    Behavior behavior = Behavior.BUY;
    if (f.length >= 3 && !f[2].isEmpty()) {
      double rating;
      try {
        rating = Double.parseDouble(f[2]);
      } catch (NumberFormatException e) {
        return RecordOutcome.rejected(Reasons.INVALID_NUMBER, "rating '" + f[2] + "' is not a number");
      }
      if (!Double.isFinite(rating)) {
        return RecordOutcome.rejected(Reasons.INVALID_NUMBER, "rating '" + f[2] + "' is not a finite number");
      }
      behavior = rating >= POSITIVE_RATING ? Behavior.BUY : Behavior.VIEW;
    }
    Instant time = ingestTime; // no time of its own: when we got it (the file's modification time)
    if (f.length == 4 && !f[3].isEmpty()) {
      time = time(f[3]);
      if (time == null) {
        return RecordOutcome.rejected(Reasons.INVALID_TIMESTAMP,
            "timestamp '" + f[3] + "' is not epoch seconds, epoch milliseconds or ISO-8601");
      }
    }
    return RecordOutcome.event(
        new CommerceEvent( // the all-args constructor: no builder, its field array and flags, per record
            ids.of("ix", text), // event_id
            f[0], // user_id
            null, // session_id
            f[1], // item_id
            null, // category_id
            behavior, // behavior
            1, // quantity
            null, // unit_price
            null, // currency
            null, // country
            time, // event_time
            ingestTime, // ingest_time
            SOURCE)); // source
  }

  /** Epoch seconds, or milliseconds from 13 digits on (seconds that large are after the year 5000). */
  static Instant time(String v) {
    if (isDigits(v)) {
      if (v.length() > 18) {
        return null;
      }
      long n = Long.parseLong(v);
      return v.length() >= 13 ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
    }
    try {
      return Instant.parse(v.length() == 10 ? v + "T00:00:00Z" : v);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static boolean isInstant(String v) {
    return time(v) != null;
  }

  private static boolean isNumber(String v) {
    try {
      Double.parseDouble(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
