package dev.shopbeam.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.shopbeam.schemas.CategoryShare;
import dev.shopbeam.schemas.UserFeatures;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
  private static UserFeatures user() {
    return UserFeatures.newBuilder().setUserId("u1").setEvents(3)
        .setFirstEvent(Instant.parse("2017-11-25T10:00:00Z")).setLastEvent(Instant.parse("2017-11-25T11:00:00Z"))
        .setRecencyDays(0.5).setFrequency(1).setMonetary(new BigDecimal("12.500")).setRScore(5).setFScore(3)
        .setMScore(4).setSessions(2).setMeanSessionMinutes(7.5).setFavouriteCategory("c1")
        .setFavouriteCategoryShare(0.75)
        .setCategoryAffinity(List.of(new CategoryShare("c1", 0.75), new CategoryShare("c2", 0.25)))
        .setFavouriteHour(10).setLastItems(List.of("i2", "i1")).build();
  }

  @Test
  void nestedRecordsListsTimesAndDecimalsAreJson() {
    String json = RecordJson.toJson(user());
    assertThat(json, containsString("\"window_start\":null,\"window_end\":null,\"user_id\":\"u1\""));
    assertThat(json, containsString("\"first_event\":\"2017-11-25T10:00:00Z\""));
    assertThat(json, containsString("\"monetary\":12.500"));
    assertThat(json, containsString(
        "\"category_affinity\":[{\"category_id\":\"c1\",\"share\":0.75},{\"category_id\":\"c2\",\"share\":0.25}]"));
    assertThat(json, containsString("\"last_items\":[\"i2\",\"i1\"]"));
  }

  @Test
  void theSameRecordGivesTheSameBytes() {
    assertThat(RecordJson.toJson(user()), equalTo(RecordJson.toJson(user())));
  }
}
