package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.time.Instant;
import java.util.Locale;

/**
 * The Taobao UserBehavior layout: {@code userId,itemId,categoryId,behavior,timestamp}, no header,
 * behavior in pv/cart/fav/buy ({@code pv} is a VIEW), timestamp in epoch seconds. No prices.
 */
public final class UserBehaviorParser implements RecordParser {
  public static final String SOURCE = InputFormat.USERBEHAVIOR.cliName();
  private static final String[] NAMES = {"userId", "itemId", "categoryId", "behavior", "timestamp"};

  private final EventIds ids = new EventIds();

  @Override
  public RecordOutcome parse(String text, Instant ingestTime) {
    String[] f = CsvRecord.fields(text);
    if (f == null) {
      return RecordOutcome.rejected(Reasons.MALFORMED_CSV, CsvRecord.whyMalformed(text));
    }
    if (f.length != NAMES.length) {
      return RecordOutcome.rejected(
          Reasons.WRONG_FIELD_COUNT, "expected " + NAMES.length + " fields, found " + f.length);
    }
    for (int i = 0; i < NAMES.length; i++) {
      f[i] = f[i].strip();
      if (f[i].isEmpty()) {
        return RecordOutcome.rejected(Reasons.MISSING_FIELD, NAMES[i] + " is empty");
      }
    }
    for (int i = 0; i < 3; i++) {
      if (!isDigits(f[i])) {
        return RecordOutcome.rejected(
            Reasons.INVALID_NUMBER, NAMES[i] + " '" + f[i] + "' is not a numeric id");
      }
    }
    Behavior behavior = behavior(f[3]);
    if (behavior == null) {
      return RecordOutcome.rejected(
          Reasons.UNKNOWN_BEHAVIOR, "behavior '" + f[3] + "' is not one of pv, cart, fav, buy");
    }
    long seconds;
    try {
      seconds = Long.parseLong(f[4]);
    } catch (NumberFormatException e) {
      return RecordOutcome.rejected(
          Reasons.INVALID_TIMESTAMP, "timestamp '" + f[4] + "' is not epoch seconds");
    }
    if (Math.abs(seconds) > 100_000_000_000L) {
      return RecordOutcome.rejected(
          Reasons.INVALID_TIMESTAMP, "timestamp '" + f[4] + "' is outside any plausible epoch-seconds range");
    }
    return RecordOutcome.event(
        new CommerceEvent( // the all-args constructor: no builder, its field array and flags, per record
            ids.of("ub", text), // event_id
            f[0], // user_id
            null, // session_id
            f[1], // item_id
            f[2], // category_id
            behavior, // behavior
            1, // quantity
            null, // unit_price
            null, // currency
            null, // country
            Instant.ofEpochSecond(seconds), // event_time
            ingestTime, // ingest_time
            SOURCE)); // source
  }

  static Behavior behavior(String raw) {
    switch (raw.toLowerCase(Locale.ROOT)) {
      case "pv":
        return Behavior.VIEW;
      case "cart":
        return Behavior.CART;
      case "fav":
        return Behavior.FAV;
      case "buy":
        return Behavior.BUY;
      default:
        return null;
    }
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
