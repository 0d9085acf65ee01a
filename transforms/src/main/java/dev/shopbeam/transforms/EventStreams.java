package dev.shopbeam.transforms;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The three ways a record leaves a stage: as an event, as a dead letter with a reason, or filtered on
 * purpose under a named rule ({@code KV<rule, where the record came from>}). Every record that enters a
 * stage leaves by exactly one of them; the batch summary checks it.
 */
public final class EventStreams implements POutput {
  public static final TupleTag<CommerceEvent> EVENTS = new TupleTag<>("events") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};
  public static final TupleTag<KV<String, String>> FILTERED = new TupleTag<>("filtered") {};

  private final PCollectionTuple tuple;

  private EventStreams(PCollectionTuple tuple) {
    this.tuple = tuple;
  }

  /** Wraps the output of a multi-output ParDo whose main tag is {@link #EVENTS}. */
  public static EventStreams of(PCollectionTuple tuple) {
    return new EventStreams(tuple);
  }

  public static EventStreams of(
      PCollection<CommerceEvent> events,
      PCollection<DeadLetter> deadLetters,
      PCollection<KV<String, String>> filtered) {
    return new EventStreams(
        PCollectionTuple.of(EVENTS, events).and(DEAD_LETTERS, deadLetters).and(FILTERED, filtered));
  }

  /**
   * Rejects (dead letters, filtered records) live in the global window, like the records they came
   * from, and are passed on as they come: nothing waits for an event-time window to close to report a
   * bad record.
   */
  public static <T> Window<T> rejectsWindow() {
    return Window.<T>into(new GlobalWindows())
        .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  /**
   * Where a stage counts the records that enter it, its counts, one per bundle (in the global window):
   * a bounded parse step counts as it parses, so that counting the records read needs no reader of its
   * own. Absent where the stage does not count.
   */
  public static final TupleTag<Long> RECORDS_IN = new TupleTag<>("recordsIn") {};

  /** The same streams with one more output of the stage (a count, a tally) under {@code tag}. */
  public <T> EventStreams and(TupleTag<T> tag, PCollection<T> pc) {
    return new EventStreams(tuple.and(tag, pc));
  }

  public boolean has(TupleTag<?> tag) {
    return tuple.has(tag);
  }

  /** The output under {@code tag}; see {@link #has}. */
  public <T> PCollection<T> get(TupleTag<T> tag) {
    return tuple.get(tag);
  }

  public PCollection<CommerceEvent> events() {
    return tuple.get(EVENTS);
  }

  public PCollection<DeadLetter> deadLetters() {
    return tuple.get(DEAD_LETTERS);
  }

  public PCollection<KV<String, String>> filtered() {
    return tuple.get(FILTERED);
  }

  @Override
  public Pipeline getPipeline() {
    return tuple.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return tuple.expand();
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, org.apache.beam.sdk.values.PInput input, PTransform<?, ?> transform) {
    tuple.finishSpecifyingOutput(transformName, input, transform);
  }
}
