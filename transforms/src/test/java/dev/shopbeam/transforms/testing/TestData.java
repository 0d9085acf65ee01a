package dev.shopbeam.transforms.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Files under the repository's {@code test-data/}, wherever Maven runs a module's tests from. */
public final class TestData {
  private TestData() {}

  public static Path repoRoot() {
    String root = System.getProperty("shopbeam.repo.root");
    Path p = root != null ? Paths.get(root) : Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("test-data"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find test-data/ above " + Paths.get("").toAbsolutePath());
    }
    return p;
  }

  public static Path path(String relative) {
    return repoRoot().resolve(relative);
  }
}
