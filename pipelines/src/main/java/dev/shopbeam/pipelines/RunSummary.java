package dev.shopbeam.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shopbeam.pipelines.io.WriteTable;
import dev.shopbeam.transforms.window.InGlobalWindow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Counts what a run read, kept, rejected and wrote, inside the pipeline itself (runner metrics are not
 * equally reliable on every runner), and writes them as {@code _SUMMARY.json}:
 *
 * <pre>read == valid + deadLettered.total + filtered.total</pre>
 *
 * <p>is checked there ({@code invariantHolds}); {@code read} is counted where records enter, before any
 * stage could lose one, so the check can fail.
 */
public final class RunSummary {
  public static final String FILE_NAME = "_SUMMARY.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final KvCoder<String, Long> COUNT_CODER = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());

  private final List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
  /**
   * The keys counted with {@link #countAll} or {@link #addUp}: each is reported, as 0 when nothing was
   * counted under it, so the summary lists every table, empty ones too.
   */
  private final Set<String> keys = new TreeSet<>();
  /** The per-bundle counts of each collection counted so far, so that one counted under two names is read once. */
  private final Map<PCollection<?>, PCollection<Long>> perBundle = new java.util.HashMap<>();

  /** Whether {@code pc} is counted already, under any name. */
  public boolean counts(PCollection<?> pc) {
    return perBundle.containsKey(pc);
  }

  /**
   * Counts all elements of {@code pc} under {@code key} (0 when there are none). Each bundle is counted
   * in the DoFn and only its count travels: {@code Count.globally()} hands every element to a combine,
   * and a runner that groups by sorting (Flink's batch runtime) sorts every record read to count it.
   * A collection already counted under another name (the valid events are also the clean_events
   * table's rows) is not read again: on Flink's batch runtime every reader gets its own copy of it.
   */
  public <T> void countAll(String key, PCollection<T> pc) {
    PCollection<Long> counted = perBundle.get(pc);
    if (counted == null) {
      counted = InGlobalWindow.firedOnce(pc, "Global window for " + key)
          .apply("Count " + key + " per bundle", ParDo.of(new CountPerBundleFn<T>()));
      perBundle.put(pc, counted);
    }
    addUp(key, counted);
  }

  /**
   * Counts under {@code key} the sum of {@code partialCounts} (0 when there are none): counts per bundle, say.
   * The partial counts are only keyed here; every key is added up in one combine when the summary is
   * written. A total per key ({@code Sum.longsGlobally()}) was, on Flink's batch runtime, half a dozen
   * tasks each (its combine, and the side input and empty source that give an empty input its 0), and
   * a run of the whole batch adds up thirteen (read, valid, and the rows of each of its eleven tables).
   */
  public void addUp(String key, PCollection<Long> partialCounts) {
    keys.add(key);
    counts.add(InGlobalWindow.firedOnce(partialCounts, "Global window for " + key)
        .apply("Key " + key, WithKeys.of(key))
        .setCoder(COUNT_CODER));
  }

  /** One count per bundle of the global window; none for an empty bundle. */
  static final class CountPerBundleFn<T> extends DoFn<T, Long> {
    private transient long count;

    @StartBundle
    public void startBundle() {
      count = 0;
    }

    @ProcessElement
    public void process() {
      count++;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (count > 0) {
        context.output(count, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }

  /** Counts elements per value of {@code keys}, each under {@code prefix + '/' + value}. */
  public void countEach(String prefix, PCollection<String> keys) {
    counts.add(
        InGlobalWindow.firedOnce(keys, "Global window for " + prefix)
            .apply("Count each " + prefix, Count.perElement())
            .apply("Prefix " + prefix, MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((KV<String, Long> kv) -> KV.of(prefix + "/" + kv.getKey(), kv.getValue()))));
  }

  /** Writes {@code <outputDir>/_SUMMARY.json} once every count is in. */
  public void write(org.apache.beam.sdk.Pipeline p, String outputDir, Map<String, String> runInfo) {
    List<KV<String, Long>> zeros = new ArrayList<>();
    keys.forEach(k -> zeros.add(KV.of(k, 0L)));
    PCollectionList.of(counts)
        .and(p.apply("Zero for each count", Create.of(zeros).withCoder(COUNT_CODER)))
        .apply("All counts", Flatten.pCollections())
        .apply("Sum counts", Sum.longsPerKey())
        .apply("One summary", WithKeys.of("summary"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), COUNT_CODER))
        .apply("Gather counts", GroupByKey.create())
        .apply("Write " + FILE_NAME, ParDo.of(new WriteFn(outputDir, new TreeMap<>(runInfo))));
  }

  /** Builds the summary document from the summed counts; public for tests and tools. */
  public static ObjectNode toJson(Map<String, Long> counts, Map<String, String> runInfo) {
    ObjectNode root = JSON.createObjectNode();
    runInfo.forEach(root::put);
    long read = counts.getOrDefault("read", 0L);
    long valid = counts.getOrDefault("valid", 0L);
    root.put("read", read);
    root.put("valid", valid);
    long dead = section(root, "deadLettered", "byReason", counts, "deadLettered/");
    long filtered = section(root, "filtered", "byRule", counts, "filtered/");
    ObjectNode tables = root.putObject("tables");
    counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith("rows/"))
        .forEach(e -> tables.put(e.getKey().substring(5), e.getValue()));
    root.put("invariant", "read == valid + deadLettered.total + filtered.total");
    root.put("invariantHolds", read == valid + dead + filtered);
    return root;
  }

  private static long section(ObjectNode root, String name, String by, Map<String, Long> counts, String prefix) {
    ObjectNode node = root.putObject(name);
    ObjectNode parts = JSON.createObjectNode();
    long total = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        parts.put(e.getKey().substring(prefix.length()), e.getValue());
        total += e.getValue();
      }
    }
    node.put("total", total);
    node.set(by, parts);
    return total;
  }

  public static ResourceId location(String outputDir) {
    return FileSystems.matchNewResource(WriteTable.tableDir(outputDir, FILE_NAME), false);
  }

  /** Reads back the summary a run wrote. */
  public static JsonNode read(String outputDir) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(location(outputDir)))) {
      return JSON.readTree(in);
    }
  }

  private static final class WriteFn extends DoFn<KV<String, Iterable<KV<String, Long>>>, Void> {
    private final String outputDir;
    private final TreeMap<String, String> runInfo;

    WriteFn(String outputDir, TreeMap<String, String> runInfo) {
      this.outputDir = outputDir;
      this.runInfo = runInfo;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, Long>>> all) throws IOException {
      Map<String, Long> counts = new TreeMap<>();
      for (KV<String, Long> kv : all.getValue()) {
        counts.merge(kv.getKey(), kv.getValue(), Long::sum);
      }
      byte[] json = JSON.writeValueAsBytes(toJson(counts, runInfo));
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(location(outputDir), "application/json"))) {
        out.write(json);
        out.write('\n');
      }
    }
  }
}
