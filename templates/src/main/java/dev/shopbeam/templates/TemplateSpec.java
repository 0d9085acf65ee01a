package dev.shopbeam.templates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A named, parameterised batch job: its description, the pipeline it runs, its typed parameters, and the
 * rules that tie parameters together. {@link #validate} turns raw {@code --name=value} arguments into
 * typed values, or fails with one line naming the parameter and what it accepts, before anything runs.
 */
public record TemplateSpec(String name, String description, String pipeline, List<TemplateParameter> parameters,
    List<Rule> rules) {

  /** A check across parameters, e.g. a date range that is reversed or too long. */
  public record Rule(String description, Function<Map<String, Object>, Optional<String>> check) {}

  public Optional<TemplateParameter> parameter(String parameterName) {
    return parameters.stream().filter(p -> p.name().equals(parameterName)).findFirst();
  }

  /**
   * The typed values of {@code args} ({@code --name=value} each), defaults filled in.
   *
   * @throws IllegalArgumentException one line: the parameter, what was given, what is accepted
   */
  public Map<String, Object> validate(List<String> args) {
    Map<String, String> raw = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException("argument '" + a + "' is not --name=value");
      }
      String key = a.substring(2, eq);
      if (parameter(key).isEmpty()) {
        throw new IllegalArgumentException("--" + key + " is not a parameter of " + name + "; accepted: "
            + String.join(", ", parameters.stream().map(p -> "--" + p.name()).toList()));
      }
      if (raw.put(key, a.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("--" + key + " is given twice");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (TemplateParameter p : parameters) {
      String given = raw.get(p.name());
      if (p.onlyWhen() != null && !applies(p, raw)) {
        if (given != null) {
          throw new IllegalArgumentException("--" + p.name() + " applies only when --" + p.onlyWhen());
        }
        continue;
      }
      if (given == null) {
        if (p.required()) {
          throw new IllegalArgumentException("--" + p.name() + " is required: " + p.help() + " (" + p.accepted()
              + ", e.g. --" + p.name() + "=" + p.example() + ")");
        }
        if (p.defaultValue() == null) {
          continue;
        }
        given = p.defaultValue();
      }
      values.put(p.name(), typed(p, given));
    }
    for (Rule rule : rules) {
      Optional<String> error = rule.check().apply(values);
      if (error.isPresent()) {
        throw new IllegalArgumentException(error.get());
      }
    }
    return values;
  }

  private boolean applies(TemplateParameter p, Map<String, String> raw) {
    String[] cond = p.onlyWhen().split("=", 2);
    String other = raw.get(cond[0]);
    if (other == null) {
      other = parameter(cond[0]).map(TemplateParameter::defaultValue).orElse(null);
    }
    return cond[1].equals(other);
  }

  private static Object typed(TemplateParameter p, String given) {
    String shown = "--" + p.name() + "='" + given + "'";
    if (p.type() == ParameterType.ENUM && !p.allowed().contains(given.strip())) {
      throw new IllegalArgumentException(shown + " is not " + p.accepted());
    }
    if (p.pattern() != null && !Pattern.matches(p.pattern(), given.strip())) {
      throw new IllegalArgumentException(shown + " does not match " + p.pattern() + " (e.g. " + p.example() + ")");
    }
    Object value;
    try {
      value = p.type().parse(given);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(shown + " " + e.getMessage() + " (e.g. --" + p.name() + "=" + p.example() + ")");
    }
    if (value instanceof Integer i && ((p.min() != null && i < p.min()) || (p.max() != null && i > p.max()))) {
      throw new IllegalArgumentException(shown + " is not " + p.accepted());
    }
    if (p.type() == ParameterType.OUTPUT_PATH) {
      writable(shown, given);
    } else if (p.type() == ParameterType.INPUT_PATH) {
      readable(shown, given);
    }
    return p.type() == ParameterType.ENUM ? given.strip() : value;
  }

  /** A local output directory must be creatable and writable now, not after an hour of work. */
  private static void writable(String shown, String dir) {
    if (dir.contains("://")) {
      throw new IllegalArgumentException(shown + " is not a local directory: partitions are moved into place by"
          + " atomic renames, which need a local or mounted filesystem");
    }
    try {
      Path d = Files.createDirectories(Path.of(dir));
      Files.delete(Files.createTempFile(d, ".shopbeam-probe", ""));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(shown + " is not a writable directory (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
  }

  /** A local input must match at least one file. */
  private static void readable(String shown, String glob) {
    if (glob.contains("://")) {
      return;
    }
    Path p = Path.of(glob);
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    String pattern = p.getFileName().toString();
    if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) {
      if (!Files.isReadable(p) || Files.isDirectory(p)) {
        throw new IllegalArgumentException(shown + " is not a readable file");
      }
      return;
    }
    var matcher = dir.getFileSystem().getPathMatcher("glob:" + pattern);
    try (var files = Files.list(dir)) {
      if (files.noneMatch(f -> matcher.matches(f.getFileName()))) {
        throw new IllegalArgumentException(shown + " matches no file");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(shown + " matches no file (" + e.getMessage() + ")");
    }
  }

  /** The spec as JSON: what {@code templates describe NAME --json} prints and the build writes. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("description", description);
    m.put("pipeline", pipeline);
    List<Map<String, Object>> ps = new ArrayList<>();
    parameters.forEach(p -> ps.add(p.toSpec()));
    m.put("parameters", ps);
    m.put("rules", rules.stream().map(Rule::description).toList());
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
