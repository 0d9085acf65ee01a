package dev.shopbeam.templates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One typed parameter of a template: what the spec documents and what validation enforces.
 *
 * @param required whether it must be given (when {@link #onlyWhen} holds)
 * @param defaultValue used when it is not given; null for none
 * @param allowed for {@link ParameterType#ENUM}: the accepted values
 * @param pattern a regular expression the raw value must match; null for none
 * @param min for {@link ParameterType#INT}: the smallest accepted value; null for none
 * @param max for {@link ParameterType#INT}: the largest accepted value; null for none
 * @param onlyWhen "other=value": the parameter applies only when that other parameter has that value
 * @param pipelineOption the batch pipeline option it sets (checked against {@code BatchOptions} in tests,
 *     so the two cannot drift); null when the template uses it itself
 */
public record TemplateParameter(String name, ParameterType type, boolean required, String defaultValue, String help,
    String example, List<String> allowed, String pattern, Integer min, Integer max, String onlyWhen,
    String pipelineOption) {

  public static TemplateParameter required(String name, ParameterType type, String help, String example) {
    return new TemplateParameter(name, type, true, null, help, example, List.of(), null, null, null, null, null);
  }

  public static TemplateParameter optional(String name, ParameterType type, String defaultValue, String help,
      String example) {
    return new TemplateParameter(name, type, false, defaultValue, help, example, List.of(), null, null, null, null,
        null);
  }

  public TemplateParameter oneOf(String... values) {
    return new TemplateParameter(name, type, required, defaultValue, help, example, List.of(values), pattern, min, max,
        onlyWhen, pipelineOption);
  }

  public TemplateParameter matching(String regex) {
    return new TemplateParameter(name, type, required, defaultValue, help, example, allowed, regex, min, max, onlyWhen,
        pipelineOption);
  }

  public TemplateParameter between(int lowest, int highest) {
    return new TemplateParameter(name, type, required, defaultValue, help, example, allowed, pattern, lowest, highest,
        onlyWhen, pipelineOption);
  }

  public TemplateParameter onlyWhen(String otherParameter, String value) {
    return new TemplateParameter(name, type, required, defaultValue, help, example, allowed, pattern, min, max,
        otherParameter + "=" + value, pipelineOption);
  }

  public TemplateParameter setsOption(String option) {
    return new TemplateParameter(name, type, required, defaultValue, help, example, allowed, pattern, min, max,
        onlyWhen, option);
  }

  /** What it accepts, in words: for messages. */
  public String accepted() {
    if (type == ParameterType.ENUM) {
      return "one of " + String.join(", ", allowed);
    }
    if (min != null || max != null) {
      return type.accepted() + " in [" + (min == null ? "" : min) + ", " + (max == null ? "" : max) + "]";
    }
    return type.accepted();
  }

  /** The spec entry, in a stable field order. */
  Map<String, Object> toSpec() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type.name().toLowerCase(java.util.Locale.ROOT));
    m.put("required", required);
    if (defaultValue != null) {
      m.put("default", defaultValue);
    }
    m.put("help", help);
    m.put("example", example);
    if (!allowed.isEmpty()) {
      m.put("enum", new ArrayList<>(allowed));
    }
    if (pattern != null) {
      m.put("pattern", pattern);
    }
    if (min != null) {
      m.put("min", min);
    }
    if (max != null) {
      m.put("max", max);
    }
    if (onlyWhen != null) {
      m.put("onlyWhen", onlyWhen);
    }
    if (pipelineOption != null) {
      m.put("pipelineOption", pipelineOption);
    }
    return m;
  }
}
