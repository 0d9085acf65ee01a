package dev.shopbeam.templates;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code templates list | describe NAME [--json] | validate NAME --param=value... | run NAME
 * --param=value...}: what orchestrators and people use to find a template, read its parameters, check a
 * set of them before scheduling, and run it ({@link TemplateRun}). Exit codes: 0 success, 1 a run that
 * failed after launch, 2 a usage or parameter error (one line on stderr).
 */
public final class TemplatesCommand {
  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;

  private TemplatesCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("usage: templates list | describe NAME [--json] | validate NAME --param=value... | run NAME --param=value...");
      return EXIT_USAGE;
    }
    try {
      switch (args[0]) {
        case "list":
          for (TemplateSpec t : Templates.ALL) {
            out.printf("%-26s %s%n", t.name(), t.description());
          }
          return EXIT_OK;
        case "describe":
          TemplateSpec spec = spec(args);
          out.print(args.length > 2 && args[2].equals("--json") ? spec.toJson() + "\n" : describe(spec));
          return EXIT_OK;
        case "run":
          return TemplateRun.run(spec(args).name(), List.of(Arrays.copyOfRange(args, 2, args.length)), out, err);
        case "validate":
          Map<String, Object> values = spec(args).validate(List.of(Arrays.copyOfRange(args, 2, args.length)));
          out.println("valid: " + values);
          return EXIT_OK;
        default:
          throw new IllegalArgumentException("'" + args[0] + "' is not one of list, describe, validate, run");
      }
    } catch (IllegalArgumentException e) {
      err.println("templates: " + e.getMessage());
      return EXIT_USAGE;
    }
  }

  private static TemplateSpec spec(String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException(args[0] + " needs a template name; accepted: "
          + String.join(", ", Templates.ALL.stream().map(TemplateSpec::name).toList()));
    }
    return Templates.named(args[1]).orElseThrow(() -> new IllegalArgumentException("no template '" + args[1]
        + "'; accepted: " + String.join(", ", Templates.ALL.stream().map(TemplateSpec::name).toList())));
  }

  static String describe(TemplateSpec spec) {
    StringBuilder b = new StringBuilder(spec.name()).append(": ").append(spec.description()).append('\n')
        .append("runs ").append(spec.pipeline()).append("\n\nparameters:\n");
    for (TemplateParameter p : spec.parameters()) {
      b.append(String.format("  --%-16s %s%s. %s, e.g. --%s=%s%s%n", p.name(),
          p.required() ? "required" : "optional",
          p.defaultValue() != null ? " (default " + p.defaultValue() + ")" : "",
          capitalised(p.help()) + "; " + p.accepted(), p.name(), p.example(),
          p.onlyWhen() != null ? "; only when --" + p.onlyWhen() : ""));
    }
    if (!spec.rules().isEmpty()) {
      b.append("\nrules:\n");
      spec.rules().forEach(r -> b.append("  ").append(r.description()).append('\n'));
    }
    return b.toString();
  }

  private static String capitalised(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
