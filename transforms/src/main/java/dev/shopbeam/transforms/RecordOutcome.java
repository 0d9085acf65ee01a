package dev.shopbeam.transforms;

import dev.shopbeam.schemas.CommerceEvent;
import java.util.Objects;

/**
 * What became of one record: exactly one of an event, a rejection with a reason, or a filter rule that
 * removed it on purpose. Parsers and validators return this instead of throwing so that no record can go missing.
 */
public final class RecordOutcome {
  private final CommerceEvent event;
  private final String reason;
  private final String detail;
  private final String filterRule;

  private RecordOutcome(CommerceEvent event, String reason, String detail, String filterRule) {
    this.event = event;
    this.reason = reason;
    this.detail = detail;
    this.filterRule = filterRule;
  }

  public static RecordOutcome event(CommerceEvent event) {
    return new RecordOutcome(Objects.requireNonNull(event), null, null, null);
  }

  public static RecordOutcome rejected(String reason, String detail) {
    return new RecordOutcome(null, Objects.requireNonNull(reason), Objects.requireNonNull(detail), null);
  }

  public static RecordOutcome filtered(String rule) {
    return new RecordOutcome(null, null, null, Objects.requireNonNull(rule));
  }

  public boolean isEvent() {
    return event != null;
  }

  public boolean isRejected() {
    return reason != null;
  }

  public boolean isFiltered() {
    return filterRule != null;
  }

  public CommerceEvent event() {
    return event;
  }

  public String reason() {
    return reason;
  }

  public String detail() {
    return detail;
  }

  public String filterRule() {
    return filterRule;
  }

  @Override
  public String toString() {
    if (event != null) {
      return "event " + event;
    }
    return reason != null ? "rejected " + reason + ": " + detail : "filtered " + filterRule;
  }
}
