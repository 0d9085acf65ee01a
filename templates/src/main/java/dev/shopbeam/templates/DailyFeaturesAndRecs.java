package dev.shopbeam.templates;

import java.util.List;

/**
 * The {@value Templates#DAILY_FEATURES_AND_RECS} template as a main class, for launchers that run {@code java -cp JAR
 * CLASS --option=value...} (Airflow's BeamRunJavaPipelineOperator with {@code job_class}, cron).
 */
public final class DailyFeaturesAndRecs {
  private DailyFeaturesAndRecs() {}

  public static void main(String[] args) {
    System.exit(TemplateRun.run(Templates.DAILY_FEATURES_AND_RECS, List.of(args), System.out, System.err));
  }
}
