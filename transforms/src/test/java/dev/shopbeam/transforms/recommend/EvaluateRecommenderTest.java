package dev.shopbeam.transforms.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.testing.TestPipelineExtension;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A shop where the neighbours know better than the bestseller list, scored as the definitions say. */
@ExtendWith(TestPipelineExtension.class)
class EvaluateRecommenderTest {
  private static final Instant CUTOFF = Instant.parse("2011-10-01T00:00:00Z");

  private static CommerceEvent buy(String user, String item, String when) {
    java.time.Instant t = java.time.Instant.parse(when);
    return CommerceEvent.newBuilder().setEventId(user + item + when).setUserId(user).setItemId(item)
        .setBehavior(Behavior.BUY).setQuantity(1).setUnitPrice(new BigDecimal("1.000")).setEventTime(t)
        .setIngestTime(t).setSource("test").build();
  }

  @Test
  void neighboursBeatTheBestsellerForAUserWhoseTasteIsKnown(TestPipeline p) {
    List<CommerceEvent> events = new ArrayList<>();
    for (String u : List.of("u1", "u2", "u3", "u4")) {
      events.add(buy(u, "A", "2011-09-01T10:00:00Z"));
      events.add(buy(u, "B", "2011-09-01T10:05:00Z"));
    }
    for (String u : List.of("u6", "u7", "u8", "u9", "u10")) {
      events.add(buy(u, "P", "2011-09-02T10:00:00Z")); // the bestseller: five buyers
    }
    events.add(buy("u5", "A", "2011-09-03T10:00:00Z"));
    events.add(buy("u5", "B", "2011-10-02T10:00:00Z")); // u5's discovery, after the cut-off
    events.add(buy("u1", "A", "2011-10-03T10:00:00Z")); // a repeat: u1 had A in training, not a test item

    EvaluateRecommender evaluate = EvaluateRecommender.byTime(RecommendItems.of(ItemSimilarity.defaults(), 1), CUTOFF);
    PAssert.that(p.apply(Create.of(events).withCoder(Coders.events())).apply(evaluate)).satisfies(rows -> {
      int seen = 0;
      for (KV<String, double[]> r : rows) {
        seen++;
        // precision, recall, ndcg, hit rate, map, users, coverage (of the 3 training items)
        double[] expected = r.getKey().equals(EvaluateRecommender.RECOMMENDER)
            ? new double[] {1, 1, 1, 1, 1, 1, 1.0 / 3}
            : new double[] {0, 0, 0, 0, 0, 1, 1.0 / 3};
        assertArrayEquals(expected, r.getValue(), 1e-12, r.getKey());
      }
      assertTrue(seen == 2, "one row per system");
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void theRandomSplitIsSeededAndHoldsOutAboutTheFraction() {
    int held = 0;
    for (int i = 0; i < 20_000; i++) {
      boolean out = EvaluateRecommender.heldOut("user" + (i % 500), "item" + i, 0.2, 42);
      assertTrue(out == EvaluateRecommender.heldOut("user" + (i % 500), "item" + i, 0.2, 42), "same seed, same split");
      held += out ? 1 : 0;
    }
    assertTrue(held > 3_700 && held < 4_300, "held out " + held + " of 20000 at 0.2");
  }
}
