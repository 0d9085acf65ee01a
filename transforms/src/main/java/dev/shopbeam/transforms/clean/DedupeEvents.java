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
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Keeps the first copy of each event id ({@link EventStreams#EVENTS}) and filters the rest under the
 * rule {@code duplicate} ({@link EventStreams#FILTERED}). The
 * same transform serves batch and streaming: it emits the first copy at once (no waiting for a window
 * to close) and holds one boolean per id per {@code window}, freed when that event-time window expires.
 * Events keep their timestamps.
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
    PCollectionTuple out =
        events
            .apply("Dedupe window", Window.<CommerceEvent>into(FixedWindows.of(window))
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(allowedLateness)
                .discardingFiredPanes())
            .apply(
                "Key by event id",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), events.getTypeDescriptor()))
                    .via((CommerceEvent e) -> KV.of(e.getEventId(), e)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()))
            .apply(
                "First copy wins",
                ParDo.of(new FirstCopyFn())
                    .withOutputTags(EventStreams.EVENTS, TupleTagList.of(EventStreams.FILTERED)));
    out.get(EventStreams.EVENTS).setCoder(Coders.events());
    out.get(EventStreams.FILTERED).setCoder(Coders.filtered());
    return out;
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
