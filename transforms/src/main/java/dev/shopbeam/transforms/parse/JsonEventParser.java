package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
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

  /** The fields read, by slot. */
  private static final String[] FIELDS = {
    "event_id", "user_id", "session_id", "item_id", "category_id", "behavior", "quantity", "unit_price",
    "currency", "country", "event_time"
  };
  private static final int EVENT_ID = 0;
  private static final int USER_ID = 1;
  private static final int SESSION_ID = 2;
  private static final int ITEM_ID = 3;
  private static final int CATEGORY_ID = 4;
  private static final int BEHAVIOR = 5;
  private static final int QUANTITY = 6;
  private static final int UNIT_PRICE = 7;
  private static final int CURRENCY = 8;
  private static final int COUNTRY = 9;
  private static final int EVENT_TIME = 10;
  private static final char[][] FIELD_CHARS = new char[FIELDS.length][];

  static {
    for (int i = 0; i < FIELDS.length; i++) {
      FIELD_CHARS[i] = FIELDS[i].toCharArray();
    }
  }

  private static final BigDecimal MAX_PRICE = new BigDecimal("999999999.999");

  private final EventIds ids = new EventIds();
  /** The record's characters, for {@link #scanPlain}; grows to the longest record. */
  private char[] chars = new char[256];

  // What scanPlain found, by slot: the kind of value, where it is in the record (a string's content,
  // without its quotes) and an integer's value. Reused from record to record: no nodes, no substrings
  // for values that are read in place.
  private static final byte ABSENT = 0;
  private static final byte STRING = 1;
  private static final byte NUMBER = 2;
  private static final byte TRUE = 3;
  private static final byte FALSE = 4;
  private static final byte NULL = 5;
  private final byte[] kind = new byte[FIELDS.length];
  private final int[] from = new int[FIELDS.length];
  private final int[] to = new int[FIELDS.length];
  private final long[] number = new long[FIELDS.length];

  @Override
  public RecordOutcome parse(String text, Instant ingestTime) {
    return parse(text, ingestTime, true);
  }

  private RecordOutcome parse(String text, Instant ingestTime, boolean plainEvents) {
    JsonNode[] f = null;
    if (scanPlain(text)) {
      RecordOutcome event = plainEvents ? plainEvent(text, ingestTime) : null;
      if (event != null) {
        return event;
      }
      f = plainNodes(text);
    }
    if (f == null) {
      f = simpleObject(text);
    }
    if (f == null) {
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
      f = new JsonNode[FIELDS.length];
      for (int i = 0; i < FIELDS.length; i++) {
        f[i] = root.get(FIELDS[i]);
      }
    }
    try {
      String itemId = requiredId(f[ITEM_ID], "item_id");
      String behaviorText = requiredText(f[BEHAVIOR], "behavior");
      Behavior behavior = behavior(behaviorText);
      if (behavior == null) {
        return RecordOutcome.rejected(
            Reasons.UNKNOWN_BEHAVIOR,
            "behavior '" + behaviorText + "' is not one of view, cart, fav, buy, cancel");
      }
      Instant eventTime = eventTime(f[EVENT_TIME]);
      String eventId = optionalId(f[EVENT_ID], "event_id");
      return RecordOutcome.event(
          new CommerceEvent( // the all-args constructor: no builder, its field array and flags, per record
              eventId != null ? eventId : ids.of("js", text), // event_id
              optionalId(f[USER_ID], "user_id"), // user_id
              optionalId(f[SESSION_ID], "session_id"), // session_id
              itemId, // item_id
              optionalId(f[CATEGORY_ID], "category_id"), // category_id
              behavior, // behavior
              quantity(f[QUANTITY]), // quantity
              unitPrice(f[UNIT_PRICE]), // unit_price
              optionalText(f[CURRENCY], "currency"), // currency
              optionalText(f[COUNTRY], "country"), // country
              eventTime, // event_time
              ingestTime, // ingest_time
              SOURCE)); // source
    } catch (FieldException e) {
      return RecordOutcome.rejected(e.reason, e.getMessage());
    }
  }

  /**
   * Scans a record of the plainest shape by hand into {@link #kind}, {@link #from}, {@link #to} and
   * {@link #number}, by slot: one flat object (white space as JSON has it), its names and string values
   * without escapes or control characters, its other values integers of at most 18 digits (no leading
   * zero, no "-0"), true, false or null, each field read once, nothing after it. Jackson reads such a
   * record without error. False for any other record, which {@link #simpleObject} and then
   * {@code readTree} read and judge as before.
   */
  boolean scanPlain(String text) {
    int n = text.length();
    if (n > MAX_PLAIN_LENGTH) {
      return false;
    }
    if (chars.length < n) {
      chars = new char[Math.max(n, 2 * chars.length)];
    }
    char[] c = chars; // array reads are cheaper than charAt in these loops
    text.getChars(0, n, c, 0);
    int i = skipWhiteSpace(c, n, 0);
    if (i >= n || c[i] != '{') {
      return false;
    }
    Arrays.fill(kind, ABSENT);
    i = skipWhiteSpace(c, n, i + 1);
    if (i < n && c[i] == '}') {
      i++;
    } else {
      while (true) {
        // "name"
        if (i >= n || c[i] != '"') {
          return false;
        }
        int nameStart = ++i;
        i = plainStringEnd(c, n, i);
        if (i < 0) {
          return false;
        }
        int slot = slot(c, nameStart, i);
        i = skipWhiteSpace(c, n, i + 1);
        if (i >= n || c[i] != ':') {
          return false;
        }
        i = skipWhiteSpace(c, n, i + 1);
        if (i >= n) {
          return false;
        }
        // the value
        byte valueKind;
        int valueFrom = i;
        long v = 0;
        char first = c[i];
        if (first == '"') {
          valueFrom = ++i;
          i = plainStringEnd(c, n, i);
          if (i < 0) {
            return false;
          }
          valueKind = STRING;
          i++;
        } else if (first == '-' || (first >= '0' && first <= '9')) {
          boolean negative = first == '-';
          int start = negative ? i + 1 : i;
          int end = start;
          while (end < n && c[end] >= '0' && c[end] <= '9') {
            v = v * 10 + (c[end] - '0');
            end++;
          }
          int digits = end - start;
          if (digits == 0 || digits > 18 || (digits > 1 && c[start] == '0')
              || (negative && v == 0) || !endsValue(c, n, end)) {
            return false;
          }
          v = negative ? -v : v;
          valueKind = NUMBER;
          i = end;
        } else if (first == 't' && text.startsWith("true", i) && endsValue(c, n, i + 4)) {
          valueKind = TRUE;
          i += 4;
        } else if (first == 'f' && text.startsWith("false", i) && endsValue(c, n, i + 5)) {
          valueKind = FALSE;
          i += 5;
        } else if (first == 'n' && text.startsWith("null", i) && endsValue(c, n, i + 4)) {
          valueKind = NULL;
          i += 4;
        } else {
          return false;
        }
        if (slot >= 0) {
          if (kind[slot] != ABSENT) {
            return false;
          }
          kind[slot] = valueKind;
          from[slot] = valueFrom;
          to[slot] = valueKind == STRING ? i - 1 : i;
          number[slot] = v;
        }
        // , or }
        i = skipWhiteSpace(c, n, i);
        if (i >= n) {
          return false;
        }
        if (c[i] == '}') {
          i++;
          break;
        }
        if (c[i] != ',') {
          return false;
        }
        i = skipWhiteSpace(c, n, i + 1);
      }
    }
    return skipWhiteSpace(c, n, i) == n;
  }

  /**
   * The event of a record {@link #scanPlain} has just read, when every value is of the plainest kind
   * for its field: ids strings or integers, texts strings, item_id not blank, behavior one of the
   * accepted names as written, event_time epoch milliseconds or the common ISO shape, quantity an int,
   * unit_price the common decimal shape. Values are read in place; the event is the one the node route
   * builds from the same record. Null for anything else (a rejection included), which then takes the
   * node route ({@link #plainNodes}), which decides and explains.
   */
  private RecordOutcome plainEvent(String text, Instant ingestTime) {
    if (!isId(EVENT_ID) || !isId(USER_ID) || !isId(SESSION_ID) || !isId(ITEM_ID) || !isId(CATEGORY_ID)
        || kind[BEHAVIOR] != STRING || !isText(CURRENCY) || !isText(COUNTRY) || !isText(UNIT_PRICE)
        || (kind[EVENT_TIME] != STRING && kind[EVENT_TIME] != NUMBER)) {
      return null;
    }
    int quantity = 1;
    if (kind[QUANTITY] == NUMBER) {
      long q = number[QUANTITY];
      if (q != (int) q) {
        return null;
      }
      quantity = (int) q;
    } else if (kind[QUANTITY] != ABSENT && kind[QUANTITY] != NULL) {
      return null;
    }
    String itemId = plainText(text, ITEM_ID);
    Behavior behavior = plainBehavior(text, from[BEHAVIOR], to[BEHAVIOR]);
    Instant eventTime = kind[EVENT_TIME] == NUMBER
        ? Instant.ofEpochMilli(number[EVENT_TIME])
        : FastText.isoOffsetInstant(text, from[EVENT_TIME], to[EVENT_TIME]);
    BigDecimal unitPrice = null;
    if (kind[UNIT_PRICE] == STRING) {
      unitPrice = FastText.decimalScale3(text, from[UNIT_PRICE], to[UNIT_PRICE], 9);
      if (unitPrice == null) {
        return null;
      }
    }
    if (itemId == null || behavior == null || eventTime == null) {
      return null;
    }
    String eventId = plainText(text, EVENT_ID);
    return RecordOutcome.event(
        new CommerceEvent(
            eventId != null ? eventId : ids.of("js", text), // event_id
            plainText(text, USER_ID), // user_id
            plainText(text, SESSION_ID), // session_id
            itemId, // item_id
            plainText(text, CATEGORY_ID), // category_id
            behavior, // behavior
            quantity, // quantity
            unitPrice, // unit_price
            plainText(text, CURRENCY), // currency
            plainText(text, COUNTRY), // country
            eventTime, // event_time
            ingestTime, // ingest_time
            SOURCE)); // source
  }

  /** Whether the value in the slot is what {@link #optionalId} takes without complaint. */
  private boolean isId(int slot) {
    return kind[slot] != TRUE && kind[slot] != FALSE;
  }

  /** Whether the value in the slot is what {@link #optionalText} takes without complaint. */
  private boolean isText(int slot) {
    return kind[slot] == ABSENT || kind[slot] == STRING || kind[slot] == NULL;
  }

  /**
   * {@link #optionalId} of the value in the slot, of a kind {@link #isId} accepts: an integer's
   * digits, a string stripped, null when absent, null or blank.
   */
  private String plainText(String text, int slot) {
    switch (kind[slot]) {
      case STRING:
        String v = text.substring(from[slot], to[slot]).strip();
        return v.isEmpty() ? null : v;
      case NUMBER:
        return Long.toString(number[slot]);
      default:
        return null;
    }
  }

  /** {@link #behavior} of s[from, to) when it is one of the accepted names exactly as listed; else null. */
  private static Behavior plainBehavior(String s, int from, int to) {
    switch (to - from) {
      case 2:
        return s.startsWith("pv", from) ? Behavior.VIEW : null;
      case 3:
        return s.startsWith("fav", from) ? Behavior.FAV : s.startsWith("buy", from) ? Behavior.BUY : null;
      case 4:
        return s.startsWith("view", from) ? Behavior.VIEW : s.startsWith("cart", from) ? Behavior.CART : null;
      case 6:
        return s.startsWith("cancel", from) ? Behavior.CANCEL : null;
      case 8:
        return s.startsWith("favorite", from) ? Behavior.FAV : s.startsWith("purchase", from) ? Behavior.BUY : null;
      case 9:
        return s.startsWith("page_view", from) ? Behavior.VIEW : s.startsWith("favourite", from) ? Behavior.FAV : null;
      case 11:
        return s.startsWith("add_to_cart", from) ? Behavior.CART : null;
      default:
        return null;
    }
  }

  /**
   * The nodes {@code readTree} gives for the values {@link #scanPlain} has just read (TextNode,
   * IntNode when the value fits an int, else LongNode, BooleanNode, NullNode), by slot: for the node
   * route when {@link #plainEvent} does not answer.
   */
  private JsonNode[] plainNodes(String text) {
    JsonNode[] f = new JsonNode[FIELDS.length];
    for (int slot = 0; slot < FIELDS.length; slot++) {
      switch (kind[slot]) {
        case STRING:
          f[slot] = TextNode.valueOf(text.substring(from[slot], to[slot]));
          break;
        case NUMBER:
          long v = number[slot];
          f[slot] = v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
          break;
        case TRUE:
          f[slot] = BooleanNode.TRUE;
          break;
        case FALSE:
          f[slot] = BooleanNode.FALSE;
          break;
        case NULL:
          f[slot] = NullNode.getInstance();
          break;
        default:
          break;
      }
    }
    return f;
  }

  /** {@link #scanPlain} and {@link #plainNodes}: the plain record's fields as nodes, or null. */
  JsonNode[] plainObject(String text) {
    return scanPlain(text) ? plainNodes(text) : null;
  }

  /** The in-place route alone: the event, or null when it does not answer. */
  RecordOutcome plainEventOf(String text, Instant ingestTime) {
    return scanPlain(text) ? plainEvent(text, ingestTime) : null;
  }

  /** The node route alone, without {@link #plainEvent}: what the in-place route must agree with. */
  RecordOutcome parseWithNodes(String text, Instant ingestTime) {
    return parse(text, ingestTime, false);
  }

  /** Plain records are short; Jackson's length limits are far above this. */
  private static final int MAX_PLAIN_LENGTH = 100_000;

  private static int skipWhiteSpace(char[] c, int n, int i) {
    while (i < n) {
      char ch = c[i];
      if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
        break;
      }
      i++;
    }
    return i;
  }

  /** The index of the closing '"' of a string starting at i, or -1 if it has an escape or a control character. */
  private static int plainStringEnd(char[] c, int n, int i) {
    for (; i < n; i++) {
      char ch = c[i];
      if (ch == '"') {
        return i;
      }
      if (ch == '\\' || ch < ' ') {
        return -1;
      }
    }
    return -1;
  }

  /** Whether a number or literal ending before i is followed by what may follow a value in an object. */
  private static boolean endsValue(char[] c, int n, int i) {
    if (i >= n) {
      return false;
    }
    char ch = c[i];
    return ch == ',' || ch == '}' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
  }

  /** The slot of the name c[from, to), or -1 for a field this parser does not read. */
  private static int slot(char[] c, int from, int to) {
    int candidate;
    switch (to - from) {
      case 7:
        candidate = c[from] == 'u' ? USER_ID : c[from] == 'i' ? ITEM_ID : c[from] == 'c' ? COUNTRY : -1;
        break;
      case 8:
        candidate = c[from] == 'e' ? EVENT_ID : c[from] == 'b' ? BEHAVIOR : c[from] == 'q' ? QUANTITY
            : c[from] == 'c' ? CURRENCY : -1;
        break;
      case 10:
        candidate = c[from] == 's' ? SESSION_ID : c[from] == 'u' ? UNIT_PRICE : c[from] == 'e' ? EVENT_TIME : -1;
        break;
      case 11:
        candidate = CATEGORY_ID;
        break;
      default:
        return -1;
    }
    if (candidate < 0) {
      return -1;
    }
    char[] name = FIELD_CHARS[candidate];
    for (int k = 0; k < name.length; k++) {
      if (c[from + k] != name[k]) {
        return -1;
      }
    }
    return candidate;
  }

  /**
   * The fields this parser reads, by slot, of a record of the common shape (one object whose values are
   * strings, integers, booleans or null, each field once), read with Jackson's streaming parser into the
   * very nodes {@code readTree} would build for them, without building the tree: about three times
   * faster (strings with escapes, for one). Null for any other record (nested values, floats, repeated
   * fields, anything malformed or trailing), which {@code readTree} then reads and judges as before.
   */
  private static JsonNode[] simpleObject(String text) {
    try (JsonParser p = MAPPER.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonNode[] f = new JsonNode[FIELDS.length];
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        int slot = slot(p.currentName());
        JsonNode value;
        switch (p.nextToken()) {
          case VALUE_STRING:
            value = TextNode.valueOf(p.getText());
            break;
          case VALUE_NULL:
            value = NullNode.getInstance();
            break;
          case VALUE_TRUE:
            value = BooleanNode.TRUE;
            break;
          case VALUE_FALSE:
            value = BooleanNode.FALSE;
            break;
          case VALUE_NUMBER_INT:
            // As readTree's default: an int, else a long (else a BigInteger: left to readTree).
            JsonParser.NumberType type = p.getNumberType();
            if (type == JsonParser.NumberType.INT) {
              value = IntNode.valueOf(p.getIntValue());
            } else if (type == JsonParser.NumberType.LONG) {
              value = LongNode.valueOf(p.getLongValue());
            } else {
              return null;
            }
            break;
          default:
            return null;
        }
        if (slot >= 0) {
          if (f[slot] != null) {
            return null;
          }
          f[slot] = value;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return f;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static int slot(String name) {
    switch (name) {
      case "event_id":
        return EVENT_ID;
      case "user_id":
        return USER_ID;
      case "session_id":
        return SESSION_ID;
      case "item_id":
        return ITEM_ID;
      case "category_id":
        return CATEGORY_ID;
      case "behavior":
        return BEHAVIOR;
      case "quantity":
        return QUANTITY;
      case "unit_price":
        return UNIT_PRICE;
      case "currency":
        return CURRENCY;
      case "country":
        return COUNTRY;
      case "event_time":
        return EVENT_TIME;
      default:
        return -1;
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

  private static Instant eventTime(JsonNode n) throws FieldException {
    if (n == null || n.isNull()) {
      throw new FieldException(Reasons.MISSING_FIELD, "event_time is missing");
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return Instant.ofEpochMilli(n.longValue());
    }
    if (n.isTextual()) {
      String v = n.textValue().strip();
      Instant simple = FastText.isoOffsetInstant(v); // the common shape, without the formatter
      if (simple != null) {
        return simple;
      }
      try {
        Instant t = OffsetDateTime.parse(v).toInstant();
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

  private static int quantity(JsonNode n) throws FieldException {
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

  private static BigDecimal unitPrice(JsonNode n) throws FieldException {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      // The common shape, at most 9 integer and 3 decimal digits: fits decimal(12,3), nothing to reject.
      BigDecimal simple = FastText.decimalScale3(n.textValue().strip(), 9);
      if (simple != null) {
        return simple;
      }
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
    if (price.abs().compareTo(MAX_PRICE) > 0) {
      throw new FieldException(
          Reasons.INVALID_NUMBER, "unit_price " + abbreviate(n.toString()) + " does not fit decimal(12,3)");
    }
    return price.setScale(3, RoundingMode.UNNECESSARY);
  }

  private static String requiredText(JsonNode n, String field) throws FieldException {
    String v = optionalText(n, field);
    if (v == null) {
      throw new FieldException(Reasons.MISSING_FIELD, field + " is missing or empty");
    }
    return v;
  }

  private static String requiredId(JsonNode n, String field) throws FieldException {
    String v = optionalId(n, field);
    if (v == null) {
      throw new FieldException(Reasons.MISSING_FIELD, field + " is missing or empty");
    }
    return v;
  }

  /** Ids may be strings or integers (trackers emit both); anything else is a type error. */
  private static String optionalId(JsonNode n, String field) throws FieldException {
    if (n != null && n.isIntegralNumber()) {
      return n.asText();
    }
    return optionalText(n, field);
  }

  private static String optionalText(JsonNode n, String field) throws FieldException {
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
