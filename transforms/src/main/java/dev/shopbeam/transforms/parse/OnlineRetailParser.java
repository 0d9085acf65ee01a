package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The UCI Online Retail layout: {@code InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
 * CustomerID,Country}. A line is a BUY; an invoice starting with 'C' is a CANCEL of the (negative)
 * quantity. InvoiceDate is Europe/London wall-clock time, as {@code yyyy-MM-dd HH:mm[:ss]} or the
 * spreadsheet's {@code M/d/yyyy H:mm}. Prices are GBP.
 */
public final class OnlineRetailParser implements RecordParser {
  public static final String SOURCE = InputFormat.ONLINE_RETAIL.cliName();
  /** A negative quantity on an ordinary invoice is a stock write-off, not a sale. */
  public static final String STOCK_ADJUSTMENT_RULE = "stock_adjustment";

  private static final ZoneId LONDON = ZoneId.of("Europe/London");
  // STRICT: 2010-02-30 is an error, not silently 2010-02-28.
  private static final DateTimeFormatter ISO_LOCAL =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss]").withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter SPREADSHEET =
      DateTimeFormatter.ofPattern("M/d/uuuu H:mm[:ss]").withResolverStyle(ResolverStyle.STRICT);
  private static final int FIELDS = 8;

  private static final ZoneRules LONDON_RULES = LONDON.getRules();

  private final EventIds ids = new EventIds();
  /** Where the seven commas of a common-shape line are (this parser is not shared between threads). */
  private final int[] commas = new int[FIELDS - 1];
  /** Year, month, day, hour, minute, second of the common-shape line being read. */
  private final int[] timeFields = new int[6];
  /** The last local day (epoch day) whose times all have one offset, and that offset in seconds. */
  private long uniformDay = Long.MIN_VALUE;
  private int uniformDayOffset;

  @Override
  public RecordOutcome parse(String text, Instant ingestTime) {
    RecordOutcome common = parseCommonShape(text, ingestTime);
    return common != null ? common : parseAnyShape(text, ingestTime);
  }

  /**
   * The general path's outcome for a line of the common shape, read in place: eight fields, no quotes,
   * line breaks or byte-order mark, and every field this parser reads already stripped and of its usual
   * form. Null for any other line (the general path then decides). The description is never cut out
   * (an event does not carry it), and numbers and times are read from the line without substrings.
   */
  RecordOutcome parseCommonShape(String text, Instant ingestTime) {
    if (text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\uFEFF') >= 0) {
      return null;
    }
    int[] c = commas;
    int from = 0;
    for (int k = 0; k < FIELDS - 1; k++) {
      int comma = text.indexOf(',', from);
      if (comma < 0) {
        return null;
      }
      c[k] = comma;
      from = comma + 1;
    }
    int n = text.length();
    if (text.indexOf(',', from) >= 0) {
      return null;
    }
    // InvoiceNo, StockCode: non-empty, nothing to strip.
    if (!stripped(text, 0, c[0]) || !stripped(text, c[0] + 1, c[1])) {
      return null;
    }
    int quantity = smallInt(text, c[2] + 1, c[3]);
    if (quantity == Integer.MIN_VALUE) {
      return null;
    }
    Instant eventTime;
    int[] t = timeFields;
    if (FastText.isoLocalFields(text, c[3] + 1, c[4], t)) {
      eventTime = london(t[0], t[1], t[2], t[3], t[4], t[5]);
    } else {
      LocalDateTime local = FastText.localDateTime(text.substring(c[3] + 1, c[4]));
      if (local == null) {
        return null;
      }
      eventTime = london(local);
    }
    BigDecimal unitPrice = FastText.decimalScale3(text, c[4] + 1, c[5], 15);
    if (unitPrice == null) {
      return null;
    }
    // CustomerID and Country: empty, or nothing to strip.
    if ((c[6] > c[5] + 1 && !stripped(text, c[5] + 1, c[6])) || (n > c[6] + 1 && !stripped(text, c[6] + 1, n))) {
      return null;
    }
    String customer = c[6] == c[5] + 1 ? null : customerId(text.substring(c[5] + 1, c[6]));
    String country = n == c[6] + 1 ? null : text.substring(c[6] + 1);
    return outcome(text, text.substring(0, c[0]), text.substring(c[0] + 1, c[1]), quantity, eventTime,
        unitPrice, customer, country, ingestTime);
  }

  /** Whether s[from, to) is non-empty and starts and ends with a character {@code strip} keeps. */
  private static boolean stripped(String s, int from, int to) {
    return to > from && !Character.isWhitespace(s.charAt(from)) && !Character.isWhitespace(s.charAt(to - 1));
  }

  /** {@code Integer.parseInt} of s[from, to) for [-]1 to 9 digits; Integer.MIN_VALUE for anything else. */
  private static int smallInt(String s, int from, int to) {
    int i = from < to && s.charAt(from) == '-' ? from + 1 : from;
    if (i == to || to - i > 9) {
      return Integer.MIN_VALUE;
    }
    int v = FastText.digits(s, i, to);
    if (v < 0) {
      return Integer.MIN_VALUE;
    }
    return i == from ? v : -v;
  }

  /** Any line: split as Jackson's CSV reader splits it, every field checked with its own reason. */
  RecordOutcome parseAnyShape(String text, Instant ingestTime) {
    String[] f = CsvRecord.fields(text);
    if (f == null) {
      return RecordOutcome.rejected(Reasons.MALFORMED_CSV, CsvRecord.whyMalformed(text));
    }
    if (f.length != FIELDS) {
      return RecordOutcome.rejected(
          Reasons.WRONG_FIELD_COUNT, "expected " + FIELDS + " fields, found " + f.length);
    }
    String invoice = f[0].strip();
    String stockCode = f[1].strip();
    if (invoice.isEmpty()) {
      return RecordOutcome.rejected(Reasons.MISSING_FIELD, "InvoiceNo is empty");
    }
    if (stockCode.isEmpty()) {
      return RecordOutcome.rejected(Reasons.MISSING_FIELD, "StockCode is empty");
    }
    int quantity;
    try {
      quantity = Integer.parseInt(f[3].strip());
    } catch (NumberFormatException e) {
      return RecordOutcome.rejected(Reasons.INVALID_NUMBER, "Quantity '" + f[3] + "' is not an integer");
    }
    Instant eventTime;
    try {
      eventTime = parseInvoiceDate(f[4].strip());
    } catch (DateTimeParseException e) {
      return RecordOutcome.rejected(
          Reasons.INVALID_TIMESTAMP,
          "InvoiceDate '" + f[4] + "' is not yyyy-MM-dd HH:mm[:ss] or M/d/yyyy H:mm");
    }
    String priceText = f[5].strip();
    BigDecimal unitPrice = FastText.decimalScale3(priceText, 15); // the common shape, by hand
    if (unitPrice == null) {
      try {
        unitPrice = new BigDecimal(priceText);
      } catch (NumberFormatException e) {
        return RecordOutcome.rejected(Reasons.INVALID_NUMBER, "UnitPrice '" + f[5] + "' is not a number");
      }
      if (unitPrice.scale() > 3) {
        return RecordOutcome.rejected(
            Reasons.INVALID_NUMBER, "UnitPrice '" + f[5] + "' has more than 3 decimal places");
      }
    }

    return outcome(text, invoice, stockCode, quantity, eventTime, unitPrice, customerId(f[6]),
        CsvRecord.isBlank(f[7]) ? null : f[7].strip(), ingestTime);
  }

  /** The outcome of a line whose fields were read: a BUY, a CANCEL, a stock write-off or a rejection. */
  private RecordOutcome outcome(String text, String invoice, String stockCode, int quantity, Instant eventTime,
      BigDecimal unitPrice, String customer, String country, Instant ingestTime) {
    boolean cancellation = invoice.charAt(0) == 'C' || invoice.charAt(0) == 'c';
    Behavior behavior;
    if (cancellation) {
      if (quantity > 0) {
        return RecordOutcome.rejected(
            Reasons.INCONSISTENT_CANCELLATION,
            "cancellation invoice " + invoice + " has a positive Quantity " + quantity);
      }
      behavior = Behavior.CANCEL;
      quantity = -quantity;
    } else {
      if (quantity < 0) {
        return RecordOutcome.filtered(STOCK_ADJUSTMENT_RULE);
      }
      behavior = Behavior.BUY;
    }

    return RecordOutcome.event(
        new CommerceEvent( // the all-args constructor: no builder, its field array and flags, per record
            ids.of("or", text), // event_id
            customer, // user_id
            invoice, // session_id
            stockCode, // item_id
            null, // category_id
            behavior, // behavior
            quantity, // quantity
            unitPrice.setScale(3, RoundingMode.UNNECESSARY), // unit_price
            "GBP", // currency
            country, // country
            eventTime, // event_time
            ingestTime, // ingest_time
            SOURCE)); // source
  }

  /** Customer ids come as {@code 17850} or, from some exports, {@code 17850.0}; empty means a guest. */
  private static String customerId(String raw) {
    String id = raw.strip();
    if (id.isEmpty()) {
      return null;
    }
    return id.endsWith(".0") ? id.substring(0, id.length() - 2) : id;
  }

  Instant parseInvoiceDate(String s) {
    LocalDateTime simple = FastText.localDateTime(s); // the common shapes, without the formatters
    if (simple != null) {
      return london(simple);
    }
    DateTimeFormatter fmt = s.indexOf('/') >= 0 ? SPREADSHEET : ISO_LOCAL;
    // In the autumn DST overlap atZone picks the earlier offset: the shop's clock cannot tell us more.
    return LocalDateTime.parse(s, fmt).atZone(LONDON).toInstant();
  }

  /**
   * {@code t.atZone(LONDON).toInstant()}, remembering the offset of the last day without a clock change
   * nearby (records come roughly in time order): then every time of that day has that one offset.
   */
  Instant london(LocalDateTime t) {
    long day = t.toLocalDate().toEpochDay();
    if (day == uniformDay) {
      return Instant.ofEpochSecond(day * 86_400 + t.toLocalTime().toSecondOfDay() - uniformDayOffset, t.getNano());
    }
    return londonOfAnotherDay(t, day);
  }

  /** {@link #london(LocalDateTime)} of valid fields, without a LocalDateTime on the cached day. */
  Instant london(int y, int m, int d, int h, int mi, int s) {
    long day = java.time.LocalDate.of(y, m, d).toEpochDay();
    if (day == uniformDay) {
      return Instant.ofEpochSecond(day * 86_400 + h * 3600 + mi * 60 + s - uniformDayOffset);
    }
    return londonOfAnotherDay(LocalDateTime.of(y, m, d, h, mi, s), day);
  }

  private Instant londonOfAnotherDay(LocalDateTime t, long day) {
    Instant instant = t.atZone(LONDON).toInstant();
    // No transition from two days before the day to two days after it (offsets are under a day).
    ZoneOffsetTransition next = LONDON_RULES.nextTransition(Instant.ofEpochSecond((day - 2) * 86_400));
    if (next == null || next.toEpochSecond() >= (day + 3) * 86_400) {
      uniformDay = day;
      uniformDayOffset = LONDON_RULES.getOffset(instant).getTotalSeconds();
    }
    return instant;
  }
}
