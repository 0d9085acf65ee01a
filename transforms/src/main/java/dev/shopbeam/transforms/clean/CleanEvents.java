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
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Raw records of one layout in, clean events out: parse, validate, normalise, filter non-product and
 * zero-price lines, and drop duplicate event ids. Every record leaves as a clean event (stamped with its
 * event time), a dead letter with its reason, or a filtered record under its rule.
 */
@AutoValue
public abstract class CleanEvents extends PTransform<PCollection<RawRecord>, EventStreams> {

  public abstract InputFormat format();

  public abstract CleanConfig config();

  public static CleanEvents of(InputFormat format, CleanConfig config) {
    return new AutoValue_CleanEvents(format, config);
  }

  @Override
  public EventStreams expand(PCollection<RawRecord> records) {
    EventStreams parsed = records.apply("Parse and validate", ParseEvents.of(format()).withValidation(config()));
    PCollectionTuple deduped = parsed.events().apply("Dedupe", new DedupeEvents(config().dedupeWindow(), config().allowedLateness()));
    PCollection<org.apache.beam.sdk.values.KV<String, String>> filtered =
        PCollectionList.of(parsed.filtered().apply("Filtered as they come", EventStreams.rejectsWindow()))
            .and(deduped.get(EventStreams.FILTERED).apply("Duplicates out of their window", EventStreams.rejectsWindow()))
            .apply("All filtered", Flatten.pCollections())
            .setCoder(Coders.filtered());
    return EventStreams.of(deduped.get(EventStreams.EVENTS), parsed.deadLetters(), filtered);
  }
}
