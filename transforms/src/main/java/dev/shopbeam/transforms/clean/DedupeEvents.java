package dev.shopbeam.transforms.clean;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Keeps one copy of each event id per event-time {@code window} ({@link EventStreams#EVENTS}) and
 * filters the rest under the rule {@code duplicate} ({@link EventStreams#FILTERED}). Events keep their
 * timestamps.
 *
 * <p>Unbounded input: the first copy to arrive wins and is emitted at once (no waiting for the window
 * to close); one boolean per id per window is held, freed when the window expires. Bounded input: the
 * copies of an id are grouped and the earliest in event time wins (the first of equal ones), because
 * per-key state in a batch runner costs a sort and a state machine per element: on Flink the stateful
 * version was the most expensive stage of a hot-items run. Copies of an id are the same event (the id
 * is the source's or a hash of the record), so both give the same rows.
 */
public final class DedupeEvents extends PTransform<PCollection<CommerceEvent>, PCollectionTuple> {
  private final Duration window;
  private final Duration allowedLateness;

  public DedupeEvents(Duration window, Duration allowedLateness) {
    this.window = window;
    this.allowedLateness = allowedLateness;
  }

  @Override
  public PCollectionTuple expand(PCollection<CommerceEvent> events) {
    boolean bounded = events.isBounded() == PCollection.IsBounded.BOUNDED;
    Window<CommerceEvent> dedupeWindow = Window.<CommerceEvent>into(FixedWindows.of(window))
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(allowedLateness)
        .discardingFiredPanes();
    PCollection<KV<String, CommerceEvent>> keyed =
        events
            // Grouped copies come out at the earliest copy's timestamp: the winner's own.
            .apply("Dedupe window", bounded ? dedupeWindow.withTimestampCombiner(TimestampCombiner.EARLIEST) : dedupeWindow)
            .apply(
                "Key by event id",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), events.getTypeDescriptor()))
                    .via((CommerceEvent e) -> KV.of(e.getEventId(), e)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()));
    PCollectionTuple out = bounded
        ? keyed
            .apply("Group copies", GroupByKey.create())
            .apply("Earliest copy wins", ParDo.of(new EarliestCopyFn())
                .withOutputTags(EventStreams.EVENTS, TupleTagList.of(EventStreams.FILTERED)))
        : keyed.apply(
            "First copy wins",
            ParDo.of(new FirstCopyFn()).withOutputTags(EventStreams.EVENTS, TupleTagList.of(EventStreams.FILTERED)));
    out.get(EventStreams.EVENTS).setCoder(Coders.events());
    out.get(EventStreams.FILTERED).setCoder(Coders.filtered());
    if (!bounded) {
      return out;
    }
    // Downstream windowing must not inherit the grouping's timestamp rule: both paths leave the default.
    return PCollectionTuple.of(EventStreams.EVENTS, out.get(EventStreams.EVENTS)
            .apply("Default timestamps", Window.<CommerceEvent>configure().withTimestampCombiner(TimestampCombiner.END_OF_WINDOW)))
        .and(EventStreams.FILTERED, out.get(EventStreams.FILTERED));
  }

  static final class EarliestCopyFn extends DoFn<KV<String, Iterable<CommerceEvent>>, CommerceEvent> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<CommerceEvent>> copies, MultiOutputReceiver out) {
      CommerceEvent winner = null;
      for (CommerceEvent e : copies.getValue()) {
        if (winner == null) {
          winner = e;
        } else {
          if (e.getEventTime().isBefore(winner.getEventTime())) {
            winner = e;
          }
          out.get(EventStreams.FILTERED).output(KV.of(CleanReasons.DUPLICATE_RULE, copies.getKey()));
        }
      }
      out.get(EventStreams.EVENTS).output(winner);
    }
  }

  static final class FirstCopyFn extends DoFn<KV<String, CommerceEvent>, CommerceEvent> {
    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @ProcessElement
    public void process(
        @Element KV<String, CommerceEvent> element,
        @StateId("seen") ValueState<Boolean> seen,
        MultiOutputReceiver out) {
      if (Boolean.TRUE.equals(seen.read())) {
        out.get(EventStreams.FILTERED).output(KV.of(CleanReasons.DUPLICATE_RULE, element.getKey()));
        return;
      }
      seen.write(true);
      out.get(EventStreams.EVENTS).output(element.getValue());
    }
  }
}
