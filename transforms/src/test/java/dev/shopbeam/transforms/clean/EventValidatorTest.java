package dev.shopbeam.transforms.clean;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventValidatorTest {
  private static final Instant T = Instant.parse("2011-06-01T12:00:00Z");
  private final EventValidator validator = new EventValidator(CleanConfig.defaults());

  static CommerceEvent.Builder event() {
    return CommerceEvent.newBuilder()
        .setEventId("e1").setUserId("u1").setItemId("85123A").setBehavior(Behavior.BUY)
        .setQuantity(3).setUnitPrice(new BigDecimal("2.550")).setCurrency("GBP").setCountry("United Kingdom")
        .setEventTime(T).setIngestTime(T.plusSeconds(3600)).setSource("test");
  }

  private void rejected(CommerceEvent.Builder e, String reason) {
    RecordOutcome o = validator.check(e.build());
    assertThat(o.toString(), o.isRejected(), is(true));
    assertThat(o.toString(), o.reason(), equalTo(reason));
  }

  private void filtered(CommerceEvent.Builder e, String rule) {
    RecordOutcome o = validator.check(e.build());
    assertThat(o.toString(), o.isFiltered(), is(true));
    assertThat(o.filterRule(), equalTo(rule));
  }

  @Test
  void aGoodEventPassesNormalised() {
    RecordOutcome o = validator.check(event().setItemId(" 85123A ").setCurrency("gbp").setCountry(" ").build());
    assertThat(o.isEvent(), is(true));
    assertThat(o.event().getItemId(), is("85123A"));
    assertThat(o.event().getCurrency(), is("GBP"));
    assertThat(o.event().getCountry(), is((String) null));
  }

  @Test
  void eventTimeMustBeSane() {
    rejected(event().setEventTime(Instant.parse("1970-01-01T00:00:00Z")), CleanReasons.EVENT_TIME_OUT_OF_RANGE);
    rejected(event().setEventTime(T.plusSeconds(3 * 86_400)), CleanReasons.EVENT_TIME_OUT_OF_RANGE);
    assertThat(validator.check(event().setEventTime(T.plusSeconds(86_400)).build()).isEvent(), is(true));
  }

  @Test
  void quantitiesAndPricesMustBeInRange() {
    rejected(event().setQuantity(0), CleanReasons.INVALID_QUANTITY);
    rejected(event().setQuantity(2_000_000), CleanReasons.INVALID_QUANTITY);
    rejected(event().setUnitPrice(new BigDecimal("-11062.060")), CleanReasons.NEGATIVE_PRICE);
    rejected(event().setUnitPrice(new BigDecimal("2000000.000")), CleanReasons.PRICE_OUT_OF_RANGE);
    rejected(event().setCurrency("POUNDS"), CleanReasons.INVALID_CURRENCY);
    rejected(event().setItemId("  "), CleanReasons.MISSING_FIELD);
  }

  @Test
  void nonProductLinesAreFilteredByRule() {
    filtered(event().setItemId("POST"), "non_product:postage");
    filtered(event().setItemId("DOT"), "non_product:postage");
    filtered(event().setItemId("m"), "non_product:manual");
    filtered(event().setItemId("BANK CHARGES"), "non_product:fee");
    filtered(event().setItemId("AMAZONFEE"), "non_product:fee");
    filtered(event().setItemId("gift_0001_20"), "non_product:gift_voucher");
    filtered(event().setItemId("CRUK").setBehavior(Behavior.CANCEL), "non_product:charity");
    assertThat(validator.check(event().setItemId("POSTER").build()).isEvent(), is(true));
  }

  @Test
  void zeroPriceSalesAreFilteredButZeroPriceViewsAreNot() {
    filtered(event().setUnitPrice(new BigDecimal("0.000")), CleanReasons.ZERO_PRICE_RULE);
    assertThat(validator.check(event().setBehavior(Behavior.VIEW).setUnitPrice(BigDecimal.ZERO).build()).isEvent(), is(true));
    EventValidator lenient = new EventValidator(CleanConfig.defaults().toBuilder().setFilterZeroPriceSales(false).build());
    assertThat(lenient.check(event().setUnitPrice(BigDecimal.ZERO).build()).isEvent(), is(true));
  }
}
