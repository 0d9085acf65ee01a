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

/** The summary's counts are exact, however the input is cut into bundles, and 0 for nothing. */
@ExtendWith(TestPipelineExtension.class)
class RunSummaryTest {

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
    summary.countEach("filtered", p.apply("Rules", Create.of(List.of("duplicate", "duplicate", "zero_price"))));
    summary.write(p, dir.toString(), Map.of("runner", "DirectRunner"));
    p.run().waitUntilFinish();

    JsonNode json = RunSummary.read(dir.toString());
    assertThat(json.get("read").asLong(), is(2_345L));
    assertThat(json.get("valid").asLong(), is(2_345L));
    assertThat(json.get("tables").get("empty_table").asLong(), is(0L));
    assertThat(json.get("filtered").get("byRule").get("duplicate").asLong(), is(2L));
    assertThat(json.get("filtered").get("total").asLong(), is(3L));
    assertThat(json.get("invariantHolds").asBoolean(), is(false));
  }
}
