package dev.shopbeam.runners.bench;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/** Output row counts of a benchmark run, kept in Beam counters so that no sink's cost is measured. */
public final class BenchMetrics {
  public static final String NAMESPACE = "shopbeam.bench";

  private BenchMetrics() {}

  /** Counts the elements of a collection under {@code counter}; the terminal step of a benchmark branch. */
  public static <T> PTransform<PCollection<T>, PDone> countAs(String counter) {
    return new CountAs<>(counter);
  }

  private static final class CountAs<T> extends PTransform<PCollection<T>, PDone> {
    private final String counter;

    CountAs(String counter) {
      super("Count " + counter);
      this.counter = counter;
    }

    @Override
    public PDone expand(PCollection<T> input) {
      input.apply(ParDo.of(new CountFn<T>(counter)));
      return PDone.in(input.getPipeline());
    }
  }

  static final class CountFn<T> extends DoFn<T, Void> {
    private final Counter rows;

    CountFn(String name) {
      this.rows = Metrics.counter(NAMESPACE, name);
    }

    @ProcessElement
    public void process() {
      rows.inc();
    }
  }

  /** Every counter of the benchmark namespace, by name (attempted values: what the runner executed). */
  public static Map<String, Long> of(PipelineResult result) {
    MetricQueryResults q = result.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(NAMESPACE)).build());
    Map<String, Long> counts = new TreeMap<>();
    for (MetricResult<Long> c : q.getCounters()) {
      counts.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    return counts;
  }
}
