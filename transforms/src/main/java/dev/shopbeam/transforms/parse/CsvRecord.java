package dev.shopbeam.transforms.parse;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import java.io.IOException;

/** Splits one CSV record (RFC 4180 quoting, as Jackson's CSV parser reads it) into its fields. */
final class CsvRecord {
  private static final ObjectReader READER =
      new CsvMapper().readerFor(String[].class);

  private CsvRecord() {}

  /** The fields of {@code line}, or null when its quoting is broken. */
  static String[] fields(String line) {
    String[] simple = simpleFields(line);
    if (simple != null) {
      return simple;
    }
    try {
      String[] fields = READER.readValue(line);
      return fields;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The fields of a line of the common shape, split exactly as Jackson splits it, without Jackson's
   * per-record set-up (a parser, a deserialization context, a list): about ten times faster. Null for
   * any other line, which {@link #fields} then gives to Jackson (and {@link #whyMalformed} reports on).
   *
   * <p>The common shape: not empty; no control characters (so no line breaks, which Jackson reads as
   * the end of the record) and no byte-order mark; a field is either unquoted and free of '"', or
   * quoted as a whole (it starts with '"', a quote inside is doubled, and its closing '"' comes right
   * before the ',' or the end). Anything else (a '"' inside an unquoted field, text or spaces after a
   * closing quote, a quote left open) is Jackson's to read or reject.
   */
  static String[] simpleFields(String line) {
    int n = line.length();
    if (n == 0) {
      return null;
    }
    // Pass 1: check the shape and count the fields.
    int count = 1;
    boolean anyQuoted = false;
    int i = 0;
    while (true) {
      if (i < n && line.charAt(i) == '"') {
        anyQuoted = true;
        i++;
        while (true) {
          if (i >= n) {
            return null; // no closing quote
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              i++; // a doubled quote: one '"' of the value
              continue;
            }
            break;
          }
          if (c < ' ' || c == '\uFEFF') {
            return null;
          }
        }
        if (i < n && line.charAt(i) != ',') {
          return null; // text after the closing quote
        }
      } else {
        while (i < n) {
          char c = line.charAt(i);
          if (c == ',') {
            break;
          }
          if (c == '"' || c < ' ' || c == '\uFEFF') {
            return null;
          }
          i++;
        }
      }
      if (i >= n) {
        break;
      }
      i++; // the ','; a field follows, possibly empty
      count++;
    }

    // Pass 2: cut the fields out.
    String[] fields = new String[count];
    if (!anyQuoted) {
      int start = 0;
      for (int k = 0; k < count - 1; k++) {
        int comma = line.indexOf(',', start);
        fields[k] = line.substring(start, comma);
        start = comma + 1;
      }
      fields[count - 1] = line.substring(start);
      return fields;
    }
    i = 0;
    for (int k = 0; k < count; k++) {
      if (i < n && line.charAt(i) == '"') {
        int start = i + 1;
        int close = line.indexOf('"', start);
        if (close + 1 < n && line.charAt(close + 1) == '"') {
          StringBuilder value = new StringBuilder(close - start + 16);
          int j = start;
          while (true) {
            close = line.indexOf('"', j);
            value.append(line, j, close);
            if (close + 1 < n && line.charAt(close + 1) == '"') {
              value.append('"');
              j = close + 2;
            } else {
              break;
            }
          }
          fields[k] = value.toString();
        } else {
          fields[k] = line.substring(start, close);
        }
        i = close + 2; // past the closing quote and the ','
      } else {
        int comma = line.indexOf(',', i);
        int end = comma < 0 ? n : comma;
        fields[k] = line.substring(i, end);
        i = end + 1;
      }
    }
    return fields;
  }

  /** Jackson's own words on why {@code line} is not CSV, for the dead letter's detail. */
  static String whyMalformed(String line) {
    try {
      READER.readValue(line);
      return "unparseable CSV";
    } catch (IOException | RuntimeException e) {
      String msg = String.valueOf(e.getMessage());
      int cut = msg.indexOf('\n');
      return cut > 0 ? msg.substring(0, cut) : msg;
    }
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
