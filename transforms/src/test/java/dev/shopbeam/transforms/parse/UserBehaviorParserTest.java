package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UserBehaviorParserTest {
  private static final Instant INGEST = Instant.parse("2017-12-31T00:00:00Z");
  private final UserBehaviorParser parser = new UserBehaviorParser();

  private CommerceEvent event(String line) {
    RecordOutcome o = parser.parse(line, INGEST);
    assertThat(o.toString(), o.isEvent(), is(true));
    return o.event();
  }

  private void rejected(String line, String reason) {
    RecordOutcome o = parser.parse(line, INGEST);
    assertThat(o.toString(), o.isRejected(), is(true));
    assertThat(o.toString(), o.reason(), equalTo(reason));
  }

  @Test
  void pvIsAViewAndTimestampsAreEpochSeconds() {
    CommerceEvent e = event("1,2268318,2520377,pv,1511544070");
    assertThat(e.getBehavior(), is(Behavior.VIEW));
    assertThat(e.getUserId(), is("1"));
    assertThat(e.getItemId(), is("2268318"));
    assertThat(e.getCategoryId(), is("2520377"));
    assertThat(e.getQuantity(), is(1));
    assertThat(e.getUnitPrice(), nullValue());
    assertThat(e.getEventTime(), is(Instant.ofEpochSecond(1511544070)));
    assertThat(e.getSource(), is("userbehavior"));
  }

  @Test
  void everyBehaviorMaps() {
    assertThat(event("1,2,3,cart,1511544070").getBehavior(), is(Behavior.CART));
    assertThat(event("1,2,3,fav,1511544070").getBehavior(), is(Behavior.FAV));
    assertThat(event("1,2,3,buy,1511544070").getBehavior(), is(Behavior.BUY));
    assertThat(event("1,2,3,BUY,1511544070").getBehavior(), is(Behavior.BUY));
  }

  @Test
  void badRecordsAreRejectedWithTheirReason() {
    rejected("1,2,3,pv", Reasons.WRONG_FIELD_COUNT);
    rejected("1,2,3,pv,1511544070,extra", Reasons.WRONG_FIELD_COUNT);
    rejected("1,,3,pv,1511544070", Reasons.MISSING_FIELD);
    rejected("1,abc,3,pv,1511544070", Reasons.INVALID_NUMBER);
    rejected("1,2,3,like,1511544070", Reasons.UNKNOWN_BEHAVIOR);
    rejected("1,2,3,pv,yesterday", Reasons.INVALID_TIMESTAMP);
    rejected("1,2,3,pv,99999999999999", Reasons.INVALID_TIMESTAMP);
    rejected("1,2,\"3,pv,1511544070", Reasons.MALFORMED_CSV);
  }
}
