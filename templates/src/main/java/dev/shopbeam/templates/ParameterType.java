package dev.shopbeam.templates;

import dev.shopbeam.transforms.window.Durations;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** The types a template parameter can have, each with its parser and the words of its error message. */
public enum ParameterType {
  STRING("a string"),
  INT("an integer"),
  DATE("a date YYYY-MM-DD"),
  DURATION("a duration such as 90s, 5m, 1h, 7d or PT1H"),
  ENUM("one of the listed values"),
  INPUT_PATH("a file or glob to read"),
  OUTPUT_PATH("a directory to write");

  private final String accepted;

  ParameterType(String accepted) {
    this.accepted = accepted;
  }

  /** What a value of this type looks like, for messages and the spec. */
  public String accepted() {
    return accepted;
  }

  /** The typed value of {@code raw}, or an IllegalArgumentException saying what is wrong, without the name. */
  Object parse(String raw) {
    switch (this) {
      case INT:
        try {
          return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("is not " + accepted);
        }
      case DATE:
        try {
          return LocalDate.parse(raw.strip());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("is not " + accepted);
        }
      case DURATION:
        try {
          return Durations.parse("value", raw);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("is not " + accepted);
        }
      default:
        if (raw.isBlank()) {
          throw new IllegalArgumentException("is empty");
        }
        return raw;
    }
  }
}
