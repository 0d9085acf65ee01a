package dev.shopbeam.pipelines.io;

import java.util.Locale;

/** How tables are written. */
public enum OutputFormat {
  PARQUET(".parquet"),
  AVRO(".avro"),
  /** JSON lines, one object per row, columns in schema order, timestamps as ISO-8601, decimals as numbers. */
  JSON(".json");

  private final String suffix;

  OutputFormat(String suffix) {
    this.suffix = suffix;
  }

  public String suffix() {
    return suffix;
  }

  public static OutputFormat fromName(String name) {
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--outputFormat='" + name + "' is not one of parquet, avro, json");
    }
  }
}
