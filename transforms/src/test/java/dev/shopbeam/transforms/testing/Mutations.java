package dev.shopbeam.transforms.testing;

import java.util.Random;

/** Random small edits of a record, for tests that pit a fast path against the general code. */
public final class Mutations {
  private Mutations() {}

  /** The record with one to three characters inserted, replaced or deleted, each from {@code alphabet}. */
  public static String mutate(String record, String alphabet, Random random) {
    StringBuilder line = new StringBuilder(record);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(line.length() + 1);
      char c = alphabet.charAt(random.nextInt(alphabet.length()));
      switch (random.nextInt(3)) {
        case 0 -> line.insert(at, c);
        case 1 -> {
          if (at < line.length()) {
            line.setCharAt(at, c);
          }
        }
        default -> {
          if (at < line.length()) {
            line.deleteCharAt(at);
          }
        }
      }
    }
    return line.toString();
  }
}
