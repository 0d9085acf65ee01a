package dev.shopbeam.runners.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Samples this JVM's heap while a run goes on. Two figures: the peak of heap in use (what the collector
 * let accumulate, which depends on the heap size it was given) and the peak of what was still in use
 * right after a collection. The collector's own young collections leave the old generation as it is,
 * garbage included, so that second figure grows with a run's length until an old-generation cycle
 * runs; given an interval, the sampler forces a full collection that often and takes the heap in use
 * right after it instead: the live set at that moment, which is what "memory stays flat" is about.
 */
final class HeapSampler implements AutoCloseable {
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakUsed;
  private volatile long peakLive;
  private final long forceEveryNanos;

  /** @param liveSetEverySeconds seconds between forced full collections; 0 for none */
  HeapSampler(int liveSetEverySeconds) {
    forceEveryNanos = liveSetEverySeconds * 1_000_000_000L;
    System.gc(); // what an earlier run left behind is not this run's
    thread = new Thread(this::sample, "heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    long lastForced = System.nanoTime();
    while (running) {
      long used = 0;
      long live = 0;
      for (MemoryPoolMXBean p : heapPools) {
        used += p.getUsage().getUsed();
        MemoryUsage afterGc = p.getCollectionUsage();
        if (afterGc != null && forceEveryNanos == 0) {
          live += afterGc.getUsed();
        }
      }
      if (forceEveryNanos > 0 && System.nanoTime() - lastForced >= forceEveryNanos) {
        System.gc(); // a full, stop-the-world collection with G1 (unless -XX:+ExplicitGCInvokesConcurrent)
        live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        lastForced = System.nanoTime();
      }
      peakUsed = Math.max(peakUsed, used);
      peakLive = Math.max(peakLive, live);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  long peakUsedMb() {
    return peakUsed >> 20;
  }

  long peakLiveMb() {
    return peakLive >> 20;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
