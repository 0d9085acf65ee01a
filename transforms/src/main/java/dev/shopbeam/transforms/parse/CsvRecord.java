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
    try {
      String[] fields = READER.readValue(line);
      return fields;
    } catch (IOException | RuntimeException e) {
      return null;
    }
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
