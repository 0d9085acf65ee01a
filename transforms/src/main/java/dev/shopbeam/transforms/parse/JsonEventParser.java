package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * One JSON object per record, with the canonical event's field names:
 *
 * <pre>{"event_id":"e-1","user_id":"u1","session_id":"s1","item_id":"i9","category_id":"c3",
 *  "behavior":"view","quantity":1,"unit_price":"12.50","currency":"EUR","country":"France",
 *  "event_time":"2017-11-25T10:00:00Z"}</pre>
 *
 * Required: item_id, behavior, event_time (ISO-8601 with offset, or epoch milliseconds). behavior takes
 * view|pv|page_view, cart|add_to_cart, fav|favorite|favourite, buy|purchase, cancel. Without an
 * event_id the id is a hash of the record, so exact replays still dedupe.
 */
public final class JsonEventParser implements RecordParser {
  public static final String SOURCE = InputFormat.JSON.cliName();

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final EventIds ids = new EventIds();

  @Override
  public RecordOutcome parse(String text, Instant ingestTime) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return RecordOutcome.rejected(Reasons.MALFORMED_JSON, firstLine(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      return RecordOutcome.rejected(
          Reasons.MALFORMED_JSON, "expected a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
    }
    try {
      String itemId = requiredId(root, "item_id");
      String behaviorText = requiredText(root, "behavior");
      Behavior behavior = behavior(behaviorText);
      if (behavior == null) {
        return RecordOutcome.rejected(
            Reasons.UNKNOWN_BEHAVIOR,
            "behavior '" + behaviorText + "' is not one of view, cart, fav, buy, cancel");
      }
      Instant eventTime = eventTime(root);
      String eventId = optionalId(root, "event_id");
      return RecordOutcome.event(
          CommerceEvent.newBuilder()
              .setEventId(eventId != null ? eventId : ids.of("js", text))
              .setUserId(optionalId(root, "user_id"))
              .setSessionId(optionalId(root, "session_id"))
              .setItemId(itemId)
              .setCategoryId(optionalId(root, "category_id"))
              .setBehavior(behavior)
              .setQuantity(quantity(root))
              .setUnitPrice(unitPrice(root))
              .setCurrency(optionalText(root, "currency"))
              .setCountry(optionalText(root, "country"))
              .setEventTime(eventTime)
              .setIngestTime(ingestTime)
              .setSource(SOURCE)
              .build());
    } catch (FieldException e) {
      return RecordOutcome.rejected(e.reason, e.getMessage());
    }
  }

  static Behavior behavior(String raw) {
    switch (raw.strip().toLowerCase(Locale.ROOT)) {
      case "view":
      case "pv":
      case "page_view":
        return Behavior.VIEW;
      case "cart":
      case "add_to_cart":
        return Behavior.CART;
      case "fav":
      case "favorite":
      case "favourite":
        return Behavior.FAV;
      case "buy":
      case "purchase":
        return Behavior.BUY;
      case "cancel":
        return Behavior.CANCEL;
      default:
        return null;
    }
  }

  private static Instant eventTime(JsonNode root) throws FieldException {
    JsonNode n = root.get("event_time");
    if (n == null || n.isNull()) {
      throw new FieldException(Reasons.MISSING_FIELD, "event_time is missing");
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return Instant.ofEpochMilli(n.longValue());
    }
    if (n.isTextual()) {
      try {
        Instant t = OffsetDateTime.parse(n.textValue().strip()).toInstant();
        t.toEpochMilli(); // timestamps are stored as epoch millis: years beyond +-292 million do not fit
        return t;
      } catch (DateTimeParseException | ArithmeticException e) {
        // fall through
      }
    }
    throw new FieldException(
        Reasons.INVALID_TIMESTAMP,
        "event_time " + abbreviate(n.toString()) + " is not ISO-8601 with an offset or epoch milliseconds");
  }

  private static int quantity(JsonNode root) throws FieldException {
    JsonNode n = root.get("quantity");
    if (n == null || n.isNull()) {
      return 1;
    }
    if (n.isIntegralNumber() && n.canConvertToInt()) {
      return n.intValue();
    }
    if (n.isTextual()) {
      try {
        return Integer.parseInt(n.textValue().strip());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new FieldException(
        Reasons.INVALID_NUMBER, "quantity " + abbreviate(n.toString()) + " is not an integer");
  }

  private static BigDecimal unitPrice(JsonNode root) throws FieldException {
    JsonNode n = root.get("unit_price");
    if (n == null || n.isNull()) {
      return null;
    }
    BigDecimal price;
    try {
      if (n.isNumber()) {
        price = new BigDecimal(n.asText());
      } else if (n.isTextual()) {
        price = new BigDecimal(n.textValue().strip());
      } else {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new FieldException(
          Reasons.INVALID_NUMBER, "unit_price " + abbreviate(n.toString()) + " is not a number");
    }
    if (price.stripTrailingZeros().scale() > 3) {
      throw new FieldException(
          Reasons.INVALID_NUMBER, "unit_price " + abbreviate(n.toString()) + " has more than 3 decimal places");
    }
    if (price.abs().compareTo(new BigDecimal("999999999.999")) > 0) {
      throw new FieldException(
          Reasons.INVALID_NUMBER, "unit_price " + abbreviate(n.toString()) + " does not fit decimal(12,3)");
    }
    return price.setScale(3, RoundingMode.UNNECESSARY);
  }

  private static String requiredText(JsonNode root, String field) throws FieldException {
    String v = optionalText(root, field);
    if (v == null) {
      throw new FieldException(Reasons.MISSING_FIELD, field + " is missing or empty");
    }
    return v;
  }

  private static String requiredId(JsonNode root, String field) throws FieldException {
    String v = optionalId(root, field);
    if (v == null) {
      throw new FieldException(Reasons.MISSING_FIELD, field + " is missing or empty");
    }
    return v;
  }

  /** Ids may be strings or integers (trackers emit both); anything else is a type error. */
  private static String optionalId(JsonNode root, String field) throws FieldException {
    JsonNode n = root.get(field);
    if (n != null && n.isIntegralNumber()) {
      return n.asText();
    }
    return optionalText(root, field);
  }

  private static String optionalText(JsonNode root, String field) throws FieldException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new FieldException(
          Reasons.INVALID_FIELD, field + " must be a string, found " + n.getNodeType());
    }
    String v = n.textValue().strip();
    return v.isEmpty() ? null : v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unparseable JSON";
    }
    int cut = s.indexOf('\n');
    return cut > 0 ? s.substring(0, cut) : s;
  }

  private static final class FieldException extends Exception {
    private final String reason;

    FieldException(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }
}
