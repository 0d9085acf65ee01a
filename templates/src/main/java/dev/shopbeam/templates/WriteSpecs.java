package dev.shopbeam.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes each template's spec as {@code DIR/NAME.json}; the build runs it into target/template-specs. */
public final class WriteSpecs {
  private WriteSpecs() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/template-specs"));
    for (TemplateSpec spec : Templates.ALL) {
      Files.writeString(dir.resolve(spec.name() + ".json"), spec.toJson() + "\n", StandardCharsets.UTF_8);
    }
  }
}
