package dev.shopbeam.transforms.anomaly;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.RecordOutcome;
import dev.shopbeam.transforms.parse.OnlineRetailParser;
import dev.shopbeam.transforms.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data for the anomaly tests: the real Online Retail week, and a synthetic multi-day shop. */
final class ShopData {
  private ShopData() {}

  static final String ONLINE_RETAIL_WEEK = "test-data/online-retail-2010-12-01_07.csv";

  /** The events of the Online Retail sample (2010-12-01 to 12-07, BUY and CANCEL), parsed by the real parser. */
  static List<CommerceEvent> onlineRetailWeek() {
    OnlineRetailParser parser = new OnlineRetailParser();
    List<CommerceEvent> events = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(TestData.path(ONLINE_RETAIL_WEEK));
      for (String line : lines.subList(1, lines.size())) {
        RecordOutcome o = parser.parse(line, Instant.parse("2011-01-01T00:00:00Z"));
        if (o.isEvent()) {
          events.add(o.event());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  static final Instant SHOP_START = Instant.parse("2024-03-04T00:00:00Z");

  /**
   * Four days of a seeded shop with two categories whose traffic follows the time of day (busy
   * afternoons, quiet nights): users view items, some buy. The Online Retail sample has no views and
   * no categories, so conversion and category series come from here.
   */
  static List<CommerceEvent> syntheticShop(int days) {
    Random r = new Random(20240304L);
    List<CommerceEvent> events = new ArrayList<>();
    int n = 0;
    for (int h = 0; h < days * 24; h++) {
      int hourOfDay = h % 24;
      double busy = 50 + 60 * Math.max(0, Math.sin((hourOfDay - 7) * Math.PI / 16));
      int views = (int) Math.round(busy + r.nextGaussian() * Math.sqrt(busy));
      for (int v = 0; v < views; v++) {
        long t = SHOP_START.toEpochMilli() + h * 3_600_000L + r.nextInt(3_600_000);
        String category = r.nextDouble() < 0.6 ? "c1" : "c2";
        int item = r.nextInt(40);
        String user = "u" + r.nextInt(500);
        BigDecimal price = BigDecimal.valueOf(500 + item * 25L, 2);
        events.add(event("s" + (++n), user, "i" + item, category, Behavior.VIEW, 1, price, t));
        if (r.nextDouble() < 0.25) {
          events.add(event("s" + (++n), user, "i" + item, category, Behavior.BUY, 1 + r.nextInt(2), price, t + 1000));
        }
      }
    }
    return events;
  }

  static CommerceEvent event(String id, String user, String item, String category, Behavior b, int quantity,
      BigDecimal price, long time) {
    return CommerceEvent.newBuilder()
        .setEventId(id).setUserId(user).setSessionId(null).setItemId(item).setCategoryId(category)
        .setBehavior(b).setQuantity(quantity).setUnitPrice(price.setScale(3)).setCurrency("EUR").setCountry("DE")
        .setEventTime(Instant.ofEpochMilli(time)).setIngestTime(Instant.ofEpochMilli(time)).setSource("json")
        .build();
  }
}
