package dev.shopbeam.transforms;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import java.io.IOException;
import java.util.List;

/**
 * The coder of clean events between stages: every event crosses two to four shuffles in a batch run,
 * and Avro's generic writer and reader were a fifth of the CPU of a hot-items run on Flink. Fields in
 * schema order; one byte of flags says which nullable fields are present.
 *
 * <p>{@link #FIELDS} lists the schema fields this coder writes; CommerceEventCoderTest fails when the
 * schema gains, loses or reorders one, so that the coder cannot silently drop a new field.
 */
public final class CommerceEventCoder extends CompactRecordCoder<CommerceEvent> {
  public static final List<String> FIELDS = List.of("event_id", "user_id", "session_id", "item_id", "category_id",
      "behavior", "quantity", "unit_price", "currency", "country", "event_time", "ingest_time", "source");

  private static final Behavior[] BEHAVIORS = Behavior.values();
  private static final int USER = 1;
  private static final int SESSION = 1 << 1;
  private static final int CATEGORY = 1 << 2;
  private static final int PRICE = 1 << 3;
  private static final int CURRENCY = 1 << 4;
  private static final int COUNTRY = 1 << 5;

  private static final CommerceEventCoder INSTANCE = new CommerceEventCoder();

  public static CommerceEventCoder of() {
    return INSTANCE;
  }

  private CommerceEventCoder() {}

  @Override
  protected void write(CommerceEvent e, Writer w) {
    int present = (e.getUserId() != null ? USER : 0)
        | (e.getSessionId() != null ? SESSION : 0)
        | (e.getCategoryId() != null ? CATEGORY : 0)
        | (e.getUnitPrice() != null ? PRICE : 0)
        | (e.getCurrency() != null ? CURRENCY : 0)
        | (e.getCountry() != null ? COUNTRY : 0);
    w.writeByte(present);
    w.writeString(e.getEventId());
    if (e.getUserId() != null) {
      w.writeString(e.getUserId());
    }
    if (e.getSessionId() != null) {
      w.writeString(e.getSessionId());
    }
    w.writeString(e.getItemId());
    if (e.getCategoryId() != null) {
      w.writeString(e.getCategoryId());
    }
    w.writeByte(e.getBehavior().ordinal());
    w.writeZigZag(e.getQuantity());
    if (e.getUnitPrice() != null) {
      w.writeDecimal(e.getUnitPrice());
    }
    if (e.getCurrency() != null) {
      w.writeString(e.getCurrency());
    }
    if (e.getCountry() != null) {
      w.writeString(e.getCountry());
    }
    w.writeInstant(e.getEventTime());
    w.writeInstant(e.getIngestTime());
    w.writeString(e.getSource());
  }

  @Override
  protected boolean fields(CommerceEvent e, Fields into) {
    into.object(e.getEventId()).object(e.getUserId()).object(e.getSessionId()).object(e.getItemId())
        .object(e.getCategoryId()).object(e.getBehavior()).number(e.getQuantity()).object(e.getUnitPrice())
        .object(e.getCurrency()).object(e.getCountry()).object(e.getEventTime()).object(e.getIngestTime())
        .object(e.getSource());
    return true;
  }

  @Override
  protected CommerceEvent read(Reader r) throws IOException {
    int present = r.readByte();
    CommerceEvent e = new CommerceEvent();
    e.setEventId(r.readString());
    e.setUserId((present & USER) != 0 ? r.readString() : null);
    e.setSessionId((present & SESSION) != 0 ? r.readString() : null);
    e.setItemId(r.readString());
    e.setCategoryId((present & CATEGORY) != 0 ? r.readString() : null);
    int behavior = r.readByte();
    if (behavior >= BEHAVIORS.length) {
      throw new IOException("corrupt event: behavior " + behavior);
    }
    e.setBehavior(BEHAVIORS[behavior]);
    e.setQuantity((int) r.readZigZag());
    e.setUnitPrice((present & PRICE) != 0 ? r.readDecimal() : null);
    e.setCurrency((present & CURRENCY) != 0 ? r.readString() : null);
    e.setCountry((present & COUNTRY) != 0 ? r.readString() : null);
    e.setEventTime(r.readInstant());
    e.setIngestTime(r.readInstant());
    e.setSource(r.readString());
    return e;
  }
}
