package dev.shopbeam.templates;

import static dev.shopbeam.templates.TemplateParameter.optional;
import static dev.shopbeam.templates.TemplateParameter.required;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The templates ShopBeam ships, by name. */
public final class Templates {
  public static final String DAILY_AGGREGATES = "daily-aggregates";
  public static final String DAILY_FEATURES_AND_RECS = "daily-features-and-recs";
  public static final String BACKFILL = "backfill";
  private static final String BATCH = "dev.shopbeam.pipelines.BatchPipeline";

  private Templates() {}

  private static List<TemplateParameter> common() {
    return List.of(
        required("input", ParameterType.INPUT_PATH, "the events to read: a file or glob, plain or compressed",
            "/data/shop/events-*.csv.gz").setsOption("input"),
        required("format", ParameterType.ENUM, "the input layout", "online-retail")
            .oneOf("online-retail", "userbehavior", "json", "interactions").setsOption("format"),
        required("output", ParameterType.OUTPUT_PATH,
            "root of the partitioned tables: each table goes to OUTPUT/TABLE/dt=YYYY-MM-DD/", "/data/shopbeam"),
        optional("runner", ParameterType.ENUM, "FlinkRunner", "the Beam runner", "SparkRunner")
            .oneOf("DirectRunner", "FlinkRunner", "SparkRunner").setsOption("runner"),
        optional("outputFormat", ParameterType.ENUM, "parquet", "the file format of the tables", "json")
            .oneOf("parquet", "avro", "json").setsOption("outputFormat"));
  }

  private static List<TemplateParameter> with(List<TemplateParameter> base, TemplateParameter... more) {
    List<TemplateParameter> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }

  private static TemplateParameter date(String help) {
    return required("date", ParameterType.DATE, help, "2011-10-01");
  }

  private static TemplateParameter days() {
    return optional("days", ParameterType.INT, "30", "trailing days of events the features and recommendations use",
        "90").between(1, 366);
  }

  private static TemplateParameter k() {
    return optional("k", ParameterType.INT, "10", "recommendations per user", "20").between(1, 1000).setsOption("k");
  }

  private static TemplateParameter maxItemsPerUser() {
    return optional("maxItemsPerUser", ParameterType.INT, "100",
        "most recent items per user that enter similarity and scoring", "50").between(2, 10_000)
        .setsOption("maxItemsPerUser");
  }

  public static final TemplateSpec DAILY_AGGREGATES_SPEC = new TemplateSpec(DAILY_AGGREGATES,
      "One event-time day (UTC): item and category stats, the funnel and hot items, written as that day's partition.",
      BATCH,
      with(common(), date("the event-time day (UTC) to aggregate"),
          optional("windowSize", ParameterType.DURATION, "1h", "window of the stats and funnel within the day", "15m")
              .setsOption("windowSize"),
          optional("hotItemsTopN", ParameterType.INT, "10", "hot items per behavior and window", "20")
              .between(1, 1000).setsOption("hotItemsTopN")),
      List.of());

  public static final TemplateSpec DAILY_FEATURES_AND_RECS_SPEC = new TemplateSpec(DAILY_FEATURES_AND_RECS,
      "User and item features, item similarity and recommendations over the trailing --days ending with --date,"
          + " written as --date's partition.",
      BATCH,
      with(common(), date("the last event-time day (UTC) of the trailing window"), days(), k(), maxItemsPerUser()),
      List.of());

  public static final TemplateSpec BACKFILL_SPEC = new TemplateSpec(BACKFILL,
      "A range of days, one partition per day, by re-running a daily template for each: for a first load, or to"
          + " take in late-arriving input for old days.",
      BATCH,
      with(common(),
          required("from", ParameterType.DATE, "the first day (UTC) of the range", "2011-09-01"),
          required("to", ParameterType.DATE, "the last day (UTC) of the range, included", "2011-09-30"),
          optional("maxDays", ParameterType.INT, "92", "the longest range accepted, in days", "366").between(1, 3660),
          optional("job", ParameterType.ENUM, DAILY_AGGREGATES, "the daily template to run for each day",
              DAILY_FEATURES_AND_RECS).oneOf(DAILY_AGGREGATES, DAILY_FEATURES_AND_RECS),
          days().onlyWhen("job", DAILY_FEATURES_AND_RECS),
          k().onlyWhen("job", DAILY_FEATURES_AND_RECS)),
      List.of(
          new TemplateSpec.Rule("--from is not after --to", v -> {
            LocalDate from = (LocalDate) v.get("from");
            LocalDate to = (LocalDate) v.get("to");
            return from.isAfter(to)
                ? Optional.of("--from=" + from + " is after --to=" + to + ": the range is reversed")
                : Optional.empty();
          }),
          new TemplateSpec.Rule("the range spans at most --maxDays days", v -> {
            long span = ChronoUnit.DAYS.between((LocalDate) v.get("from"), (LocalDate) v.get("to")) + 1;
            int max = (Integer) v.get("maxDays");
            return span > max
                ? Optional.of("--from=" + v.get("from") + " to --to=" + v.get("to") + " spans " + span
                    + " days; at most --maxDays=" + max + " are accepted (raise --maxDays to allow more)")
                : Optional.empty();
          })));

  public static final List<TemplateSpec> ALL = List.of(DAILY_AGGREGATES_SPEC, DAILY_FEATURES_AND_RECS_SPEC, BACKFILL_SPEC);

  public static Optional<TemplateSpec> named(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The typed values of a template's arguments; see {@link TemplateSpec#validate}. */
  public static Map<String, Object> validate(String name, List<String> args) {
    TemplateSpec spec = named(name).orElseThrow(() -> new IllegalArgumentException("no template '" + name
        + "'; accepted: " + String.join(", ", ALL.stream().map(TemplateSpec::name).toList())));
    return spec.validate(args);
  }
}
