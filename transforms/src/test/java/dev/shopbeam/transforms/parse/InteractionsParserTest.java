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

class InteractionsParserTest {
  private static final Instant INGEST = Instant.parse("2020-01-01T00:00:00Z");
  private final InteractionsParser parser = new InteractionsParser();

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
  void aMovieLensRatingsRowIsAnInteractionAtItsTime() {
    CommerceEvent e = event("1,31,4.5,1260759144");
    assertThat(e.getUserId(), is("1"));
    assertThat(e.getItemId(), is("31"));
    assertThat(e.getBehavior(), is(Behavior.BUY));
    assertThat(e.getQuantity(), is(1));
    assertThat(e.getUnitPrice(), nullValue());
    assertThat(e.getCategoryId(), nullValue());
    assertThat(e.getEventTime(), is(Instant.ofEpochSecond(1260759144)));
    assertThat(e.getSource(), is("interactions"));
  }

  @Test
  void ratingsBelowFourAreWeakInterestNotHits() {
    assertThat(event("1,31,3.5,1260759144").getBehavior(), is(Behavior.VIEW));
    assertThat(event("1,31,4,1260759144").getBehavior(), is(Behavior.BUY));
    assertThat(event("1,31,,1260759144").getBehavior(), is(Behavior.BUY));
  }

  @Test
  void ratingAndTimestampAreOptional() {
    CommerceEvent pair = event("u7,sku-9");
    assertThat(pair.getBehavior(), is(Behavior.BUY));
    assertThat(pair.getEventTime(), is(INGEST));
    assertThat(event("u7,sku-9,5").getEventTime(), is(INGEST));
  }

  @Test
  void timestampsInSecondsMillisecondsOrIso() {
    assertThat(event("1,2,5,1511544070").getEventTime(), is(Instant.ofEpochSecond(1511544070)));
    assertThat(event("1,2,5,1511544070123").getEventTime(), is(Instant.ofEpochMilli(1511544070123L)));
    assertThat(event("1,2,5,2011-10-01T09:30:00Z").getEventTime(), is(Instant.parse("2011-10-01T09:30:00Z")));
    assertThat(event("1,2,5,2011-10-01").getEventTime(), is(Instant.parse("2011-10-01T00:00:00Z")));
  }

  @Test
  void sameLineSameIdOtherLineOtherId() {
    assertThat(event("1,2,5,1511544070").getEventId(), is(event("1,2,5,1511544070").getEventId()));
    assertThat(event("1,2,5,1511544070").getEventId().equals(event("1,3,5,1511544070").getEventId()), is(false));
  }

  @Test
  void badRecordsAreRejectedWithTheirReason() {
    rejected("justone", Reasons.WRONG_FIELD_COUNT);
    rejected("1,2,5,1511544070,extra", Reasons.WRONG_FIELD_COUNT);
    rejected(",2,5,1511544070", Reasons.MISSING_FIELD);
    rejected("1, ,5,1511544070", Reasons.MISSING_FIELD);
    rejected("1,2,five,1511544070", Reasons.INVALID_NUMBER);
    rejected("1,2,NaN,1511544070", Reasons.INVALID_NUMBER);
    rejected("1,2,5,yesterday", Reasons.INVALID_TIMESTAMP);
    rejected("1,2,\"5,1511544070", Reasons.MALFORMED_CSV);
  }

  @Test
  void aHeaderIsRecognisedAndARecordIsNot() {
    InputFormat f = InputFormat.INTERACTIONS;
    assertThat(f.isHeader("userId,movieId,rating,timestamp"), is(true));
    assertThat(f.isHeader("user,item"), is(true));
    assertThat(f.isHeader("\uFEFFuser_id,item_id,rating"), is(true));
    assertThat(f.isHeader("visitorid,itemid,event,timestamp"), is(true));
    assertThat(f.isHeader("a,b,score,time"), is(true));
    assertThat(f.isHeader("1,31,2.5,1260759144"), is(false));
    assertThat(f.isHeader("u1,i1"), is(false));
    assertThat(f.isHeader("u1,i1,5,2011-10-01T09:30:00Z"), is(false));
    assertThat(InputFormat.fromName("interactions"), is(InputFormat.INTERACTIONS));
  }
}
