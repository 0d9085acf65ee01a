package dev.shopbeam.templates;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shopbeam.pipelines.BatchOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every invalid parameter is one line naming it and what is accepted; specs cannot drift from the options. */
class TemplatesTest {
  @TempDir static Path tmp;

  private static Path input() throws Exception {
    Path f = tmp.resolve("events-1.csv");
    if (!Files.exists(f)) {
      Files.writeString(f, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    }
    return f;
  }

  private static List<String> valid(String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--input=" + input(), "--format=online-retail",
        "--output=" + tmp.resolve("out")));
    args.addAll(List.of(more));
    return args;
  }

  private static String error(String template, List<String> args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Templates.validate(template, args));
    assertThat(e.getMessage(), e.getMessage().contains("\n"), is(false));
    return e.getMessage();
  }

  @Test
  void aValidDailyRunGetsTypedValuesAndDefaults() throws Exception {
    Map<String, Object> v = Templates.validate(Templates.DAILY_AGGREGATES, valid("--date=2011-10-01"));
    assertThat(v.get("date"), equalTo(LocalDate.of(2011, 10, 1)));
    assertThat(v.get("runner"), equalTo("FlinkRunner"));
    assertThat(v.get("hotItemsTopN"), equalTo(10));
    assertThat(v.get("windowSize"), equalTo(org.joda.time.Duration.standardHours(1)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown parameter      | --colour=red              | --colour is not a parameter of daily-aggregates; accepted: --input,",
    "missing required       |                           | --date is required: the event-time day (UTC) to aggregate (a date YYYY-MM-DD, e.g. --date=2011-10-01)",
    "bad date               | --date=2011-13-01         | --date='2011-13-01' is not a date YYYY-MM-DD",
    "wrong type             | --date=2011-10-01 --hotItemsTopN=ten | --hotItemsTopN='ten' is not an integer",
    "out of range           | --date=2011-10-01 --hotItemsTopN=0   | --hotItemsTopN='0' is not an integer in [1, 1000]",
    "not in the enum        | --date=2011-10-01 --runner=Dataflow  | --runner='Dataflow' is not one of DirectRunner, FlinkRunner, SparkRunner",
    "bad duration           | --date=2011-10-01 --windowSize=soon  | --windowSize='soon' is not a duration",
    "given twice            | --date=2011-10-01 --date=2011-10-02  | --date is given twice",
    "not name=value         | --date                    | argument '--date' is not --name=value"})
  void dailyAggregatesRejects(String what, String extra, String message) throws Exception {
    List<String> args = valid();
    if (extra != null) {
      args.addAll(List.of(extra.strip().split(" +")));
    }
    assertThat(what, error(Templates.DAILY_AGGREGATES, args), containsString(message.strip()));
  }

  @Test
  void anOutputThatIsNotWritableIsRejectedBeforeAnythingRuns() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    List<String> args = new ArrayList<>(List.of("--input=" + input(), "--format=json", "--date=2011-10-01",
        "--output=" + file.resolve("under-a-file")));
    assertThat(error(Templates.DAILY_AGGREGATES, args), containsString("--output='" + file.resolve("under-a-file")
        + "' is not a writable directory"));
    assertThat(error(Templates.DAILY_AGGREGATES, List.of("--input=" + input(), "--format=json", "--date=2011-10-01",
        "--output=gs://bucket/shopbeam")), containsString("is not a local directory"));
  }

  @Test
  void anInputThatMatchesNothingIsRejected() throws Exception {
    List<String> args = List.of("--input=" + tmp.resolve("nothing-*.csv"), "--format=json", "--date=2011-10-01",
        "--output=" + tmp.resolve("out"));
    assertThat(error(Templates.DAILY_AGGREGATES, args), containsString("matches no file"));
    input();
    assertThat(Templates.validate(Templates.DAILY_AGGREGATES, List.of("--input=" + tmp.resolve("events-*.csv"),
        "--format=json", "--date=2011-10-01", "--output=" + tmp.resolve("out"))).get("input"), notNullValue());
  }

  @Test
  void backfillRangesMustBeInOrderAndNotTooLong() throws Exception {
    assertThat(error(Templates.BACKFILL, valid("--from=2011-10-05", "--to=2011-10-01")),
        containsString("--from=2011-10-05 is after --to=2011-10-01: the range is reversed"));
    assertThat(error(Templates.BACKFILL, valid("--from=2011-01-01", "--to=2011-12-31")),
        containsString("spans 365 days; at most --maxDays=92 are accepted"));
    assertThat(Templates.validate(Templates.BACKFILL, valid("--from=2011-01-01", "--to=2011-12-31", "--maxDays=366"))
        .get("to"), equalTo(LocalDate.of(2011, 12, 31)));
  }

  @Test
  void conditionalParametersApplyOnlyWhenTheirConditionHolds() throws Exception {
    assertThat(error(Templates.BACKFILL, valid("--from=2011-10-01", "--to=2011-10-03", "--days=7")),
        containsString("--days applies only when --job=daily-features-and-recs"));
    Map<String, Object> v = Templates.validate(Templates.BACKFILL, valid("--from=2011-10-01", "--to=2011-10-03",
        "--job=daily-features-and-recs", "--days=7"));
    assertThat(v.get("days"), equalTo(7));
    assertThat(v.get("k"), equalTo(10));
  }

  /** A template parameter that sets a pipeline option names a real one, with the same default. */
  @Test
  void specsAgreeWithTheBatchPipelinesOptions() throws Exception {
    int checked = 0;
    for (TemplateSpec spec : Templates.ALL) {
      for (TemplateParameter p : spec.parameters()) {
        if (p.pipelineOption() == null || p.pipelineOption().equals("runner")) {
          continue; // the runner is Beam's own option, defaulted by our launcher
        }
        String getter = "get" + Character.toUpperCase(p.pipelineOption().charAt(0)) + p.pipelineOption().substring(1);
        Method m = BatchOptions.class.getMethod(getter);
        assertThat(spec.name() + " --" + p.name(), m.getAnnotation(Description.class), notNullValue());
        String optionDefault = defaultOf(m);
        if (p.defaultValue() != null) {
          assertThat(spec.name() + " --" + p.name() + " default", p.defaultValue(), equalTo(optionDefault));
        }
        checked++;
      }
    }
    assertThat(checked >= 10, is(true));
  }

  private static String defaultOf(Method m) {
    if (m.getAnnotation(Default.String.class) != null) {
      return m.getAnnotation(Default.String.class).value();
    }
    if (m.getAnnotation(Default.Integer.class) != null) {
      return String.valueOf(m.getAnnotation(Default.Integer.class).value());
    }
    return null;
  }

  /** The build wrote every spec (target/template-specs, by WriteSpecs in process-classes) as it is now. */
  @Test
  void theBuildWroteEachSpecAsJson() throws Exception {
    for (TemplateSpec t : Templates.ALL) {
      Path written = Path.of("target", "template-specs", t.name() + ".json");
      assertThat(written.toString(), Files.readString(written), equalTo(t.toJson() + "\n"));
    }
  }

  @Test
  void theCommandListsDescribesAndValidatesWithOrchestratorExitCodes() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(TemplatesCommand.run(new String[] {"list"}, o, e), is(0));
    for (TemplateSpec t : Templates.ALL) {
      assertThat(out.toString(StandardCharsets.UTF_8), containsString(t.name()));
    }
    out.reset();
    assertThat(TemplatesCommand.run(new String[] {"describe", "backfill", "--json"}, o, e), is(0));
    JsonNode spec = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(spec.get("name").asText(), equalTo("backfill"));
    assertThat(spec.get("parameters").size(), equalTo(Templates.BACKFILL_SPEC.parameters().size()));
    assertThat(TemplatesCommand.run(new String[] {"describe", "daily-aggregates"}, o, e), is(0));
    assertThat(TemplatesCommand.run(new String[] {"validate", "daily-aggregates", "--date=2011-10-01"}, o, e), is(2));
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines().count(), is(1L));
    assertThat(TemplatesCommand.run(new String[] {"describe", "weekly"}, o, e), is(2));
    assertThat(TemplatesCommand.run(new String[] {}, o, e), is(2));
  }
}
