package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import java.time.Instant;

/**
 * Parses one decoded record of one input layout into a canonical event. Implementations are plain
 * Java, so the Beam transform, the plain-Java models in tests and the benchmarks share them. Not
 * thread-safe: each DoFn instance holds its own.
 */
public interface RecordParser {
  /**
   * @param text the record, already decoded as UTF-8, not empty
   * @param ingestTime when the record reached us
   */
  RecordOutcome parse(String text, Instant ingestTime);
}
