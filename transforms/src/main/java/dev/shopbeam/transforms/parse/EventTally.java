package dev.shopbeam.transforms.parse;

import dev.shopbeam.schemas.CommerceEvent;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;

/**
 * A summary of the events one bundle of a parse step emits, worked out inside that step
 * ({@link ParseEvents#tallyingEvents}): a pass of its own over the events would be one more reader of
 * every event, and on Flink's batch runtime every reader of a collection is handed its own copy of each
 * element (an encode and a decode).
 *
 * @param <T> the mutable tally of one bundle
 */
public interface EventTally<T> extends Serializable {
  /** An empty tally, for a new bundle. */
  T create();

  /** Adds one event the step emits. */
  void add(T tally, CommerceEvent event);

  /** How a bundle's tally travels to its readers. */
  Coder<T> coder();
}
