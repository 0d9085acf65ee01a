package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonEventParserTest {
  private static final Instant INGEST = Instant.parse("2017-12-31T00:00:00Z");
  private final JsonEventParser parser = new JsonEventParser();

  private CommerceEvent event(String json) {
    RecordOutcome o = parser.parse(json, INGEST);
    assertThat(o.toString(), o.isEvent(), is(true));
    return o.event();
  }

  private void rejected(String json, String reason) {
    RecordOutcome o = parser.parse(json, INGEST);
    assertThat(o.toString(), o.isRejected(), is(true));
    assertThat(o.toString(), o.reason(), equalTo(reason));
  }

  @Test
  void aFullEvent() {
    CommerceEvent e = event("{\"event_id\":\"e-1\",\"user_id\":\"u1\",\"session_id\":\"s1\",\"item_id\":\"i9\","
        + "\"category_id\":\"c3\",\"behavior\":\"add_to_cart\",\"quantity\":2,\"unit_price\":\"12.50\","
        + "\"currency\":\"eur\",\"country\":\"France\",\"event_time\":\"2017-11-25T11:00:00+01:00\"}");
    assertThat(e.getEventId(), is("e-1"));
    assertThat(e.getUserId(), is("u1"));
    assertThat(e.getSessionId(), is("s1"));
    assertThat(e.getCategoryId(), is("c3"));
    assertThat(e.getBehavior(), is(Behavior.CART));
    assertThat(e.getQuantity(), is(2));
    assertThat(e.getUnitPrice(), is(new BigDecimal("12.500")));
    assertThat(e.getEventTime(), is(Instant.parse("2017-11-25T10:00:00Z")));
  }

  @Test
  void minimalEventWithNumericIdsAndEpochMillis() {
    CommerceEvent e = event("{\"user_id\":7,\"item_id\":42,\"behavior\":\"pv\",\"event_time\":1511604000000}");
    assertThat(e.getUserId(), is("7"));
    assertThat(e.getItemId(), is("42"));
    assertThat(e.getBehavior(), is(Behavior.VIEW));
    assertThat(e.getQuantity(), is(1));
    assertThat(e.getEventTime(), is(Instant.ofEpochMilli(1511604000000L)));
    assertThat(e.getEventId(), startsWith("js:"));
  }

  @Test
  void badEventsAreRejectedWithTheirReason() {
    rejected("{\"item_id\":\"i\",\"behavior\":\"view\"", Reasons.MALFORMED_JSON);
    rejected("[1,2,3]", Reasons.MALFORMED_JSON);
    rejected("{\"item_id\":\"i\",\"behavior\":\"view\",\"event_time\":1} trailing", Reasons.MALFORMED_JSON);
    rejected("{\"behavior\":\"view\",\"event_time\":1511604000000}", Reasons.MISSING_FIELD);
    rejected("{\"item_id\":\"i\",\"event_time\":1511604000000}", Reasons.MISSING_FIELD);
    rejected("{\"item_id\":\"i\",\"behavior\":\"view\"}", Reasons.MISSING_FIELD);
    rejected("{\"item_id\":\"i\",\"behavior\":\"wishlist\",\"event_time\":1511604000000}", Reasons.UNKNOWN_BEHAVIOR);
    rejected("{\"item_id\":\"i\",\"behavior\":\"view\",\"event_time\":\"last tuesday\"}", Reasons.INVALID_TIMESTAMP);
    rejected("{\"item_id\":\"i\",\"behavior\":\"buy\",\"event_time\":1511604000000,\"quantity\":\"two\"}", Reasons.INVALID_NUMBER);
    rejected("{\"item_id\":\"i\",\"behavior\":\"buy\",\"event_time\":1511604000000,\"unit_price\":\"cheap\"}", Reasons.INVALID_NUMBER);
    rejected("{\"item_id\":\"i\",\"behavior\":\"buy\",\"event_time\":1511604000000,\"unit_price\":1.23456}", Reasons.INVALID_NUMBER);
    rejected("{\"item_id\":{\"a\":1},\"behavior\":\"buy\",\"event_time\":1511604000000}", Reasons.INVALID_FIELD);
  }
}
