package dev.shopbeam.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary's counts are exact, however the input is cut into bundles, 0 for nothing, and the same
 * under every name a collection is counted by.
 */
@ExtendWith(TestPipelineExtension.class)
class RunSummaryTest {

  @Test
  void aCollectionCountedUnderTwoNamesIsReadOnce(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false); // the shape of the pipeline is checked, it is not run
    PCollection<Integer> numbers = p.apply("Numbers", Create.of(1, 2, 3));
    RunSummary summary = new RunSummary();
    summary.countAll("valid", numbers);
    summary.countAll("rows/clean_events", numbers);
    assertThat(countReaders(p, numbers), is(1L));
  }

  /** How many transforms take {@code pc} as a main input. */
  private static long countReaders(TestPipeline p, PCollection<?> pc) {
    long[] readers = {0};
    p.traverseTopologically(new org.apache.beam.sdk.Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        if (node.isRootNode()) {
          return CompositeBehavior.ENTER_TRANSFORM;
        }
        count(node);
        return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        count(node);
      }

      private void count(org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        if (node.getInputs().containsValue(pc)) {
          readers[0]++;
        }
      }
    });
    return readers[0];
  }

  @Test
  void countsEveryElementOnceAndZeroForNone(TestPipeline p, @TempDir Path dir) throws Exception {
    List<Integer> numbers = IntStream.range(0, 2_345).boxed().collect(Collectors.toList());
    // As created (a few large bundles) and reshuffled (many small ones).
    PCollection<Integer> created = p.apply("Numbers", Create.of(numbers).withCoder(VarIntCoder.of()));
    PCollection<Integer> reshuffled = created.apply(Reshuffle.viaRandomKey());
    PCollection<String> none = p.apply("Nothing", Create.empty(StringUtf8Coder.of()));
    RunSummary summary = new RunSummary();
    summary.countAll("read", created);
    summary.countAll("valid", reshuffled);
    summary.countAll("rows/empty_table", none);
    // The same collection under a second name: counted once, reported under both.
    summary.countAll("rows/valid_table", reshuffled);
    summary.countEach("filtered", p.apply("Rules", Create.of(List.of("duplicate", "duplicate", "zero_price"))));
    summary.write(p, dir.toString(), Map.of("runner", "DirectRunner"));
    p.run().waitUntilFinish();

    JsonNode json = RunSummary.read(dir.toString());
    assertThat(json.get("read").asLong(), is(2_345L));
    assertThat(json.get("valid").asLong(), is(2_345L));
    assertThat(json.get("tables").get("empty_table").asLong(), is(0L));
    assertThat(json.get("tables").get("valid_table").asLong(), is(2_345L));
    assertThat(json.get("filtered").get("byRule").get("duplicate").asLong(), is(2L));
    assertThat(json.get("filtered").get("total").asLong(), is(3L));
    assertThat(json.get("invariantHolds").asBoolean(), is(false));
  }
}
