package dev.shopbeam.runners.bench;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.nexmark.NexmarkConfiguration;
import org.apache.beam.sdk.nexmark.NexmarkUtils;
import org.apache.beam.sdk.nexmark.queries.NexmarkQuery;
import org.apache.beam.sdk.nexmark.queries.Query5;

/**
 * Beam's own benchmark of hot items: Nexmark Query 5 ("hot auctions": the auctions with the most bids
 * in each sliding window), from {@code beam-sdks-java-nexmark} 2.60.0 running beside our Beam 2.62.
 * It reads Nexmark's generated auction events, not our shop, so it is compared by event rate at the same
 * number of events, with Nexmark's standard configuration (10 s windows every 5 s, hand-written coders).
 */
public final class NexmarkHotItems {
  private NexmarkHotItems() {}

  public static void build(Pipeline p, long events) {
    NexmarkConfiguration config = NexmarkConfiguration.DEFAULT.copy();
    config.numEvents = events;
    config.query = org.apache.beam.sdk.nexmark.NexmarkQueryName.HOT_ITEMS;
    NexmarkUtils.setupPipeline(NexmarkUtils.CoderStrategy.HAND, p);
    p.apply("Nexmark events", NexmarkUtils.batchEventsSource(config))
        .apply("Query5", new NexmarkQuery<>(config, new Query5(config)))
        .apply(BenchMetrics.countAs("hot_auctions"));
  }
}
