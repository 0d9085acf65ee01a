package dev.shopbeam.templates;

import java.util.List;

/**
 * The {@value Templates#BACKFILL} template as a main class, for launchers that run {@code java -cp JAR
 * CLASS --option=value...} (Airflow's BeamRunJavaPipelineOperator with {@code job_class}, cron).
 */
public final class Backfill {
  private Backfill() {}

  public static void main(String[] args) {
    System.exit(TemplateRun.run(Templates.BACKFILL, List.of(args), System.out, System.err));
  }
}
