package dev.shopbeam.transforms.clean;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.parse.InputFormat;
import dev.shopbeam.transforms.parse.ParseEvents;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Raw records of one layout in, clean events out: parse, validate, normalise, filter non-product and
 * zero-price lines, and drop duplicate event ids. Every record leaves as a clean event (stamped with its
 * event time), a dead letter with its reason, or a filtered record under its rule. Over bounded input
 * the result also holds the parse step's counts of the records it read ({@link EventStreams#RECORDS_IN}).
 */
@AutoValue
public abstract class CleanEvents extends PTransform<PCollection<RawRecord>, EventStreams> {

  public abstract InputFormat format();

  public abstract CleanConfig config();

  public static CleanEvents of(InputFormat format, CleanConfig config) {
    return new AutoValue_CleanEvents(format, config);
  }

  /** The parse step's tallies of the ids of the events it emits, one per bundle (bounded input). */
  private static final TupleTag<RepeatedIds.Tally> ID_TALLIES = new TupleTag<>("idTallies") {};

  @Override
  public EventStreams expand(PCollection<RawRecord> records) {
    ParseEvents parse = ParseEvents.of(format()).withValidation(config());
    DedupeEvents dedupe = new DedupeEvents(config().dedupeWindow(), config().allowedLateness());
    // Bounded input, in its one (global) window: the parse step also counts the records it reads and
    // tallies the ids of the events it emits, so that neither the run's count of records read nor the
    // dedupe's id pass is one more reader of every record or event (on Flink's batch runtime every
    // reader is handed its own copy of each: an encode and a decode).
    boolean perBundle = records.isBounded() == PCollection.IsBounded.BOUNDED
        && records.getWindowingStrategy().getWindowFn() instanceof GlobalWindows;
    if (perBundle) {
      parse = parse.countingRecords().tallyingEvents(DedupeEvents.idTally(), ID_TALLIES);
    }
    EventStreams parsed = records.apply("Parse and validate", parse);
    if (perBundle) {
      dedupe = dedupe.withIdTallies(parsed.get(ID_TALLIES).apply("Id tallies as side input", View.asIterable()));
    }
    PCollectionTuple deduped = parsed.events().apply("Dedupe", dedupe);
    PCollection<org.apache.beam.sdk.values.KV<String, String>> filtered =
        PCollectionList.of(parsed.filtered().apply("Filtered as they come", EventStreams.rejectsWindow()))
            .and(deduped.get(EventStreams.FILTERED).apply("Duplicates out of their window", EventStreams.rejectsWindow()))
            .apply("All filtered", Flatten.pCollections())
            .setCoder(Coders.filtered());
    EventStreams clean = EventStreams.of(deduped.get(EventStreams.EVENTS), parsed.deadLetters(), filtered);
    return perBundle ? clean.and(EventStreams.RECORDS_IN, parsed.get(EventStreams.RECORDS_IN)) : clean;
  }
}
