package dev.shopbeam.transforms.parse;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OnlineRetailParserTest {
  private static final Instant INGEST = Instant.parse("2011-12-10T00:00:00Z");
  private final OnlineRetailParser parser = new OnlineRetailParser();

  private CommerceEvent event(String line) {
    RecordOutcome o = parser.parse(line, INGEST);
    assertThat(o.toString(), o.isEvent(), is(true));
    return o.event();
  }

  private RecordOutcome rejected(String line, String reason) {
    RecordOutcome o = parser.parse(line, INGEST);
    assertThat(o.toString(), o.isRejected(), is(true));
    assertThat(o.reason(), equalTo(reason));
    return o;
  }

  @Test
  void aLineIsABuyInLondonTime() {
    CommerceEvent e = event("536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom");
    assertThat(e.getBehavior(), is(Behavior.BUY));
    assertThat(e.getItemId(), is("85123A"));
    assertThat(e.getUserId(), is("17850"));
    assertThat(e.getSessionId(), is("536365"));
    assertThat(e.getQuantity(), is(6));
    assertThat(e.getUnitPrice(), is(new BigDecimal("2.550")));
    assertThat(e.getCurrency(), is("GBP"));
    assertThat(e.getCountry(), is("United Kingdom"));
    // December: London is on GMT.
    assertThat(e.getEventTime(), is(Instant.parse("2010-12-01T08:26:00Z")));
    assertThat(e.getIngestTime(), is(INGEST));
    assertThat(e.getSource(), is("online-retail"));
    assertThat(e.getEventId(), startsWith("or:"));
  }

  @Test
  void summerTimeIsBritishSummerTime() {
    CommerceEvent e = event("562046,22423,REGENCY CAKESTAND 3 TIER,2,2011-08-02 10:29:00,12.75,13089,United Kingdom");
    assertThat(e.getEventTime(), is(Instant.parse("2011-08-02T09:29:00Z")));
  }

  @Test
  void fullyQuotedExportsParse() {
    CommerceEvent e = event("\"536365\",\"85123A\",\"WHITE HANGING HEART T-LIGHT HOLDER\",6,\"2010-12-01 08:26:00\",2.55,17850,\"United Kingdom\"");
    assertThat(e.getItemId(), is("85123A"));
    assertThat(e.getQuantity(), is(6));
  }

  @Test
  void spreadsheetDatesAreAccepted() {
    CommerceEvent e = event("536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom");
    assertThat(e.getEventTime(), is(Instant.parse("2010-12-01T08:26:00Z")));
  }

  @Test
  void quotedDescriptionsMayContainCommas() {
    CommerceEvent e = event("536520,21123,\"SET/10 IVORY POLKADOT PARTY CANDLES, BOXED\",1,2010-12-01 12:43:00,1.25,14729,United Kingdom");
    assertThat(e.getItemId(), is("21123"));
    assertThat(e.getQuantity(), is(1));
  }

  @Test
  void aCInvoiceIsACancelOfThePositiveQuantity() {
    CommerceEvent e = event("C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527,United Kingdom");
    assertThat(e.getBehavior(), is(Behavior.CANCEL));
    assertThat(e.getQuantity(), is(1));
  }

  @Test
  void aGuestHasNoUserAndExportedFloatIdsAreNormalised() {
    assertThat(event("536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom").getUserId(), nullValue());
    assertThat(event("536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom").getUserId(), is("17850"));
  }

  @Test
  void identicalLinesShareAnIdAndOthersDoNot() {
    String line = "536409,22866,HAND WARMER SCOTTY DOG DESIGN,1,2010-12-01 11:45:00,2.10,17908,United Kingdom";
    assertThat(event(line).getEventId(), equalTo(event(line).getEventId()));
    assertThat(event(line).getEventId().equals(event(line.replace(",1,", ",2,")).getEventId()), is(false));
  }

  @Test
  void aNegativeQuantityOnAnOrdinaryInvoiceIsAStockAdjustment() {
    RecordOutcome o = parser.parse("536589,21777,,-10,2010-12-01 16:50:00,0,,United Kingdom", INGEST);
    assertThat(o.isFiltered(), is(true));
    assertThat(o.filterRule(), is(OnlineRetailParser.STOCK_ADJUSTMENT_RULE));
  }

  @Test
  void malformedLinesAreRejectedWithTheirReason() {
    rejected("536365,85123A,\"BROKEN QUOTE,6,2010-12-01 08:26:00,2.55,17850,United Kingdom", Reasons.MALFORMED_CSV);
    rejected("536365,85123A,ONLY SEVEN,6,2010-12-01 08:26:00,2.55,17850", Reasons.WRONG_FIELD_COUNT);
    rejected("536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850,United Kingdom", Reasons.INVALID_NUMBER);
    rejected("536365,85123A,X,6,2010-12-01 08:26:00,cheap,17850,United Kingdom", Reasons.INVALID_NUMBER);
    rejected("536365,85123A,X,6,2010-13-45 08:26:00,2.55,17850,United Kingdom", Reasons.INVALID_TIMESTAMP);
    rejected(",85123A,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom", Reasons.MISSING_FIELD);
    rejected("536365,,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom", Reasons.MISSING_FIELD);
    RecordOutcome o = rejected("C536379,D,Discount,1,2010-12-01 09:41:00,27.50,14527,United Kingdom", Reasons.INCONSISTENT_CANCELLATION);
    assertThat(o.detail(), containsString("positive"));
  }

  @Test
  void theHeaderIsRecognised() {
    assertThat(InputFormat.ONLINE_RETAIL.isHeader("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"), is(true));
    assertThat(InputFormat.ONLINE_RETAIL.isHeader("\uFEFFInvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r"), is(true));
    assertThat(InputFormat.ONLINE_RETAIL.isHeader("536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom"), is(false));
    assertThat(InputFormat.ONLINE_RETAIL.isHeader("\"InvoiceNo\",\"StockCode\",\"Description\",\"Quantity\",\"InvoiceDate\",\"UnitPrice\",\"CustomerID\",\"Country\""), is(true));
    assertThat(InputFormat.USERBEHAVIOR.isHeader("userId,itemId,categoryId,behavior,timestamp"), is(false));
  }
}
