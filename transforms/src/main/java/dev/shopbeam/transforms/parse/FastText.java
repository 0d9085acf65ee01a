package dev.shopbeam.transforms.parse;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.chrono.IsoChronology;

/**
 * Hand-written parsers for the common shapes of a few values, for the parse stage's hot path. Each one
 * accepts only a plain, unambiguous shape, for which its result is exactly what the general parser
 * (BigDecimal, java.time's formatters) gives, and returns null for anything else: the caller then runs
 * the general parser, which decides, rejects or reports exactly as before.
 */
final class FastText {
  private FastText() {}

  /**
   * {@code new BigDecimal(s).setScale(3)} for {@code [-]digits[.1 to 3 digits]} with at most
   * {@code maxIntDigits} (at most 15) integer digits; null for any other text.
   */
  static BigDecimal decimalScale3(String s, int maxIntDigits) {
    return decimalScale3(s, 0, s.length(), maxIntDigits);
  }

  /** {@link #decimalScale3(String, int)} of s[from, to), read in place. */
  static BigDecimal decimalScale3(String s, int from, int to, int maxIntDigits) {
    int n = to;
    int i = from;
    boolean negative = false;
    if (n > from && s.charAt(from) == '-') {
      negative = true;
      i = from + 1;
    }
    long unscaled = 0;
    int intStart = i;
    while (i < n) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      unscaled = unscaled * 10 + (c - '0');
      i++;
    }
    int intDigits = i - intStart;
    if (intDigits == 0 || intDigits > maxIntDigits) {
      return null;
    }
    int fractionDigits = 0;
    if (i < n) {
      if (s.charAt(i) != '.') {
        return null;
      }
      i++;
      while (i < n) {
        char c = s.charAt(i);
        if (c < '0' || c > '9' || fractionDigits == 3) {
          return null;
        }
        unscaled = unscaled * 10 + (c - '0');
        fractionDigits++;
        i++;
      }
      if (fractionDigits == 0) {
        return null; // "5.": BigDecimal takes it, the general path decides
      }
    }
    for (int k = fractionDigits; k < 3; k++) {
      unscaled *= 10;
    }
    return BigDecimal.valueOf(negative ? -unscaled : unscaled, 3);
  }

  /** The value of the decimal digits s[from, to), or -1 when one of them is not a digit 0-9. */
  static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Whether y-m-d h:mi:s is a valid date and time, as a STRICT java.time resolver sees it. */
  static boolean isValid(int y, int m, int d, int h, int mi, int s) {
    return y >= 0 && m >= 1 && m <= 12 && d >= 1 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59
        && s >= 0 && s <= 59 && (d <= 28 || d <= monthLength(y, m));
  }

  private static int monthLength(int y, int m) {
    switch (m) {
      case 2:
        return IsoChronology.INSTANCE.isLeapYear(y) ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  /**
   * The fields {year, month, day, hour, minute, second} of s[from, to) when it is
   * {@code dddd-dd-dd dd:dd[:dd]} and valid (what {@link #localDateTime} gives for that shape), read in
   * place into {@code out}; false for anything else, {@code out} then undefined.
   */
  static boolean isoLocalFields(String s, int from, int to, int[] out) {
    int n = to - from;
    if ((n != 16 && n != 19) || s.charAt(from + 4) != '-' || s.charAt(from + 7) != '-' || s.charAt(from + 10) != ' '
        || s.charAt(from + 13) != ':' || (n == 19 && s.charAt(from + 16) != ':')) {
      return false;
    }
    out[0] = digits(s, from, from + 4);
    out[1] = digits(s, from + 5, from + 7);
    out[2] = digits(s, from + 8, from + 10);
    out[3] = digits(s, from + 11, from + 13);
    out[4] = digits(s, from + 14, from + 16);
    out[5] = n == 19 ? digits(s, from + 17, from + 19) : 0;
    return isValid(out[0], out[1], out[2], out[3], out[4], out[5]);
  }

  /**
   * {@code LocalDateTime.parse(s, ofPattern("uuuu-MM-dd HH:mm[:ss]").withResolverStyle(STRICT))} for
   * {@code dddd-dd-dd dd:dd[:dd]}, or {@code ofPattern("M/d/uuuu H:mm[:ss]")} for
   * {@code d[d]/d[d]/dddd d[d]:dd[:dd]}, when valid; null for any other text.
   */
  static LocalDateTime localDateTime(String s) {
    int n = s.length();
    if ((n == 16 || n == 19) && s.charAt(4) == '-') {
      if (s.charAt(7) != '-' || s.charAt(10) != ' ' || s.charAt(13) != ':' || (n == 19 && s.charAt(16) != ':')) {
        return null;
      }
      return validLocal(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10), digits(s, 11, 13),
          digits(s, 14, 16), n == 19 ? digits(s, 17, 19) : 0);
    }
    // M/d/uuuu H:mm[:ss]
    int slash1 = s.indexOf('/');
    if (slash1 < 1 || slash1 > 2) {
      return null;
    }
    int slash2 = s.indexOf('/', slash1 + 1);
    if (slash2 - slash1 < 2 || slash2 - slash1 > 3) {
      return null;
    }
    int space = slash2 + 5;
    if (space >= n || s.charAt(space) != ' ') {
      return null;
    }
    int colon = s.indexOf(':', space + 1);
    if (colon - space < 2 || colon - space > 3) {
      return null;
    }
    int end = colon + 3;
    if (end != n && !(end + 3 == n && s.charAt(end) == ':')) {
      return null;
    }
    return validLocal(digits(s, slash2 + 1, space), digits(s, 0, slash1), digits(s, slash1 + 1, slash2),
        digits(s, space + 1, colon), digits(s, colon + 1, end), end == n ? 0 : digits(s, end + 1, n));
  }

  private static LocalDateTime validLocal(int y, int m, int d, int h, int mi, int s) {
    return isValid(y, m, d, h, mi, s) ? LocalDateTime.of(y, m, d, h, mi, s) : null;
  }

  /**
   * {@code OffsetDateTime.parse(s).toInstant()} (ISO_OFFSET_DATE_TIME) for
   * {@code dddd-dd-ddTdd:dd:dd[.1 to 9 digits](Z|+dd:dd|-dd:dd)} when valid, with an offset below 18
   * hours; null for any other text.
   */
  static Instant isoOffsetInstant(String s) {
    return isoOffsetInstant(s, 0, s.length());
  }

  /** {@link #isoOffsetInstant(String)} of s[from, to), read in place. */
  static Instant isoOffsetInstant(String s, int from, int to) {
    int n = to - from;
    if (n < 20 || s.charAt(from + 4) != '-' || s.charAt(from + 7) != '-' || s.charAt(from + 10) != 'T'
        || s.charAt(from + 13) != ':' || s.charAt(from + 16) != ':') {
      return null;
    }
    int y = digits(s, from, from + 4);
    int m = digits(s, from + 5, from + 7);
    int d = digits(s, from + 8, from + 10);
    int h = digits(s, from + 11, from + 13);
    int mi = digits(s, from + 14, from + 16);
    int sec = digits(s, from + 17, from + 19);
    if (!isValid(y, m, d, h, mi, sec)) {
      return null;
    }
    int i = from + 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      i++;
      int start = i;
      while (i < to && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        nanos = nanos * 10 + (s.charAt(i) - '0');
        i++;
      }
      int fractionDigits = i - start;
      if (fractionDigits == 0) {
        return null;
      }
      for (int k = fractionDigits; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == to - 1 && s.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == to - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, i + 3);
      int om = digits(s, i + 4, i + 6);
      if (oh < 0 || oh > 17 || om < 0 || om > 59) {
        return null;
      }
      offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
    } else {
      return null;
    }
    long epochSecond = epochDay(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec - offsetSeconds;
    return Instant.ofEpochSecond(epochSecond, nanos);
  }

  /**
   * {@code LocalDate.of(y, m, d).toEpochDay()} for a valid date of a year 0-9999, without the LocalDate:
   * the same proleptic Gregorian day count java.time uses.
   */
  static long epochDay(int y, int m, int d) {
    long total = 365L * y;
    total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400; // leap days of the years before y (y >= 0)
    total += (367 * m - 362) / 12;
    total += d - 1;
    if (m > 2) {
      total--;
      if (!IsoChronology.INSTANCE.isLeapYear(y)) {
        total--;
      }
    }
    return total - DAYS_0000_TO_1970;
  }

  /** Days from 0000-01-01 to 1970-01-01, as java.time counts them. */
  private static final long DAYS_0000_TO_1970 = (146_097L * 5L) - (30L * 365L + 7L);
}
