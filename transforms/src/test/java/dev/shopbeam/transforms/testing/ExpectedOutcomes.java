package dev.shopbeam.transforms.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code test-data/malformed/expected-outcomes.tsv}: what each line of each malformed file must become. */
public final class ExpectedOutcomes {
  private ExpectedOutcomes() {}

  /** Line number -> outcome (a dead-letter reason, {@code filtered:<rule>} or {@code valid}) for one file. */
  public static Map<Integer, String> of(String file) {
    Map<Integer, String> expected = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(TestData.path("test-data/malformed/expected-outcomes.tsv"))) {
        String[] f = line.split("\t");
        if (!line.startsWith("#") && f[0].equals(file)) {
          expected.put(Integer.parseInt(f[1]), f[2]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return expected;
  }

  /** The dead-letter reasons expected for one file, sorted. */
  public static List<String> deadLetterReasons(String file) {
    List<String> reasons = new ArrayList<>();
    for (String outcome : of(file).values()) {
      if (!outcome.equals("valid") && !outcome.startsWith("filtered:")) {
        reasons.add(outcome);
      }
    }
    reasons.sort(null);
    return reasons;
  }
}
