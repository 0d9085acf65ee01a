package dev.shopbeam.transforms.clean;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.parse.EventTally;
import dev.shopbeam.transforms.window.InGlobalWindow;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
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
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Keeps one copy of each event id per event-time {@code window} ({@link EventStreams#EVENTS}) and
 * filters the rest under the rule {@code duplicate} ({@link EventStreams#FILTERED}). Events keep their
 * timestamps; unbounded input's events come out in their dedupe window, bounded input's in the global
 * window (every consumer windows them its own way, and the global window costs nothing to carry).
 *
 * <p>Unbounded input: the first copy to arrive wins and is emitted at once (no waiting for the window
 * to close); one boolean per id per window is held, freed when the window expires. Bounded input: the
 * copies of an id are grouped and the earliest in event time wins (the first of equal ones), because
 * per-key state in a batch runner costs a sort and a state machine per element: on Flink the stateful
 * version was the most expensive stage of a hot-items run. Copies of an id are the same event (the id
 * is the source's or a hash of the record), so both give the same rows.
 *
 * <p>Only the events whose id {@link RepeatedIds may repeat} are grouped: a first pass over the ids
 * (a tally per bundle, read as a side input and merged where it is read) proves nearly every event a
 * single copy, and those pass straight on. Grouping every event was, on Flink's batch runtime, two
 * sorts of every whole event for the few that have copies. The rows are those of grouping every event.
 */
public final class DedupeEvents extends PTransform<PCollection<CommerceEvent>, PCollectionTuple> {
  private final Duration window;
  private final Duration allowedLateness;
  private final int idCellBits;
  private final int idSparseLimit;
  /** Bounded input: the tallies of its ids when they were worked out upstream; else null. */
  private final @Nullable PCollectionView<Iterable<RepeatedIds.Tally>> givenIdTallies;

  public DedupeEvents(Duration window, Duration allowedLateness) {
    this(window, allowedLateness, RepeatedIds.DEFAULT_CELL_BITS, RepeatedIds.DEFAULT_SPARSE_LIMIT);
  }

  /** With the {@link RepeatedIds} table's size and sparse limit of bounded input's id pass. */
  DedupeEvents(Duration window, Duration allowedLateness, int idCellBits, int idSparseLimit) {
    this(window, allowedLateness, idCellBits, idSparseLimit, null);
  }

  private DedupeEvents(Duration window, Duration allowedLateness, int idCellBits, int idSparseLimit,
      @Nullable PCollectionView<Iterable<RepeatedIds.Tally>> givenIdTallies) {
    this.window = window;
    this.allowedLateness = allowedLateness;
    this.idCellBits = idCellBits;
    this.idSparseLimit = idSparseLimit;
    this.givenIdTallies = givenIdTallies;
  }

  /**
   * Bounded input whose ids were already tallied where the events were made ({@link
   * RepeatedIds#ofEventIds} with this dedupe's table shape, over exactly these events): the id pass is
   * skipped. The tallies must be of every id of the input, or a copy would pass as a single one.
   */
  DedupeEvents withIdTallies(PCollectionView<Iterable<RepeatedIds.Tally>> idTallies) {
    return new DedupeEvents(window, allowedLateness, idCellBits, idSparseLimit, idTallies);
  }

  /** The table shape {@link #withIdTallies} expects: the default cells and sparse limit. */
  static EventTally<RepeatedIds.Tally> idTally() {
    return RepeatedIds.ofEventIds(RepeatedIds.DEFAULT_CELL_BITS, RepeatedIds.DEFAULT_SPARSE_LIMIT);
  }

  @Override
  public PCollectionTuple expand(PCollection<CommerceEvent> events) {
    boolean bounded = events.isBounded() == PCollection.IsBounded.BOUNDED;
    Window<CommerceEvent> dedupeWindow = Window.<CommerceEvent>into(FixedWindows.of(window))
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(allowedLateness)
        .discardingFiredPanes();
    if (!bounded) {
      PCollectionTuple out = events
          .apply("Dedupe window", dedupeWindow)
          .apply(
              "Key by event id",
              MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), events.getTypeDescriptor()))
                  .via((CommerceEvent e) -> KV.of(e.getEventId(), e)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()))
          .apply(
              "First copy wins",
              ParDo.of(new FirstCopyFn()).withOutputTags(EventStreams.EVENTS, TupleTagList.of(EventStreams.FILTERED)));
      out.get(EventStreams.EVENTS).setCoder(Coders.events());
      out.get(EventStreams.FILTERED).setCoder(Coders.filtered());
      return out;
    }
    PCollectionView<Iterable<RepeatedIds.Tally>> idTallies = givenIdTallies != null
        ? givenIdTallies
        : events.apply("Tally ids", RepeatedIds.tallies(CommerceEvent::getEventId, idCellBits, idSparseLimit));
    // Two steps of one output each rather than one of two outputs: Flink's batch translation hands
    // every element of a step to each of its outputs' consumers, so two outputs moved every event twice.
    // Both steps merge the same tallies into the same answer (it depends only on the ids), so each
    // event takes exactly one of them.
    PCollection<CommerceEvent> singleCopies = events
        .apply("Single copies on", ParDo.of(new SingleCopiesFn(idTallies, idCellBits, idSparseLimit))
            .withSideInputs(idTallies))
        .setCoder(Coders.events());
    // (Where the input is so windowed already, as a bounded read is, no step re-windows them.)
    singleCopies = InGlobalWindow.firedOnce(singleCopies, "Single copies in one window");
    // Only the possible copies get the dedupe window: it is how copies are grouped, and every element
    // that crosses a shuffle on Flink's batch runtime carries its window (an interval: two instants to
    // encode and decode; the global window: none). Grouped copies come out at the earliest copy's
    // timestamp: the winner's own.
    PCollection<KV<String, CommerceEvent>> maybeCopies = events
        .apply("Ids that may repeat", ParDo.of(new MaybeCopiesFn(idTallies, idCellBits, idSparseLimit))
            .withSideInputs(idTallies))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.events()))
        .apply("Dedupe window", Window.<KV<String, CommerceEvent>>into(FixedWindows.of(window))
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(allowedLateness)
            .discardingFiredPanes()
            .withTimestampCombiner(TimestampCombiner.EARLIEST));
    PCollectionTuple grouped = maybeCopies
        .apply("Group copies", GroupByKey.create())
        .apply("Earliest copy wins", ParDo.of(new EarliestCopyFn())
            .withOutputTags(EventStreams.EVENTS, TupleTagList.of(EventStreams.FILTERED)));
    grouped.get(EventStreams.EVENTS).setCoder(Coders.events());
    grouped.get(EventStreams.FILTERED).setCoder(Coders.filtered());
    // Both inputs of the flatten in one window fired once, with the default timestamp rule, so its
    // output is too: downstream windowing inherits neither the grouping's timestamp rule nor the
    // input's trigger.
    PCollection<CommerceEvent> kept = PCollectionList.of(singleCopies)
        .and(grouped.get(EventStreams.EVENTS).apply("Winners in one window", InGlobalWindow.firedOnce()))
        .apply("Single copies and winners", Flatten.pCollections())
        .setCoder(Coders.events());
    return PCollectionTuple.of(EventStreams.EVENTS, kept)
        .and(EventStreams.FILTERED, grouped.get(EventStreams.FILTERED));
  }

  /** Reads whether an event's id may repeat, from the tallies merged once per instance. */
  abstract static class ByRepeatedIdFn<OutputT> extends DoFn<CommerceEvent, OutputT> {
    private final PCollectionView<Iterable<RepeatedIds.Tally>> idTallies;
    private final int idCellBits;
    private final int idSparseLimit;
    // Built once per instance: the view has one window (the global one) and, over a bounded input,
    // one value.
    private transient RepeatedIds repeated;

    ByRepeatedIdFn(PCollectionView<Iterable<RepeatedIds.Tally>> idTallies, int idCellBits, int idSparseLimit) {
      this.idTallies = idTallies;
      this.idCellBits = idCellBits;
      this.idSparseLimit = idSparseLimit;
    }

    final boolean mayRepeat(ProcessContext c) {
      if (repeated == null) {
        repeated = RepeatedIds.of(c.sideInput(idTallies), idCellBits, idSparseLimit);
      }
      return repeated.mayRepeat(c.element().getEventId());
    }
  }

  /** The events whose id cannot repeat, as they are. */
  static final class SingleCopiesFn extends ByRepeatedIdFn<CommerceEvent> {
    SingleCopiesFn(PCollectionView<Iterable<RepeatedIds.Tally>> idTallies, int idCellBits, int idSparseLimit) {
      super(idTallies, idCellBits, idSparseLimit);
    }

    @ProcessElement
    public void process(ProcessContext c) {
      if (!mayRepeat(c)) {
        c.output(c.element());
      }
    }
  }

  /** The others, keyed by id for grouping. */
  static final class MaybeCopiesFn extends ByRepeatedIdFn<KV<String, CommerceEvent>> {
    MaybeCopiesFn(PCollectionView<Iterable<RepeatedIds.Tally>> idTallies, int idCellBits, int idSparseLimit) {
      super(idTallies, idCellBits, idSparseLimit);
    }

    @ProcessElement
    public void process(ProcessContext c) {
      if (mayRepeat(c)) {
        c.output(KV.of(c.element().getEventId(), c.element()));
      }
    }
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
