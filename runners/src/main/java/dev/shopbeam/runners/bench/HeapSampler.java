package dev.shopbeam.runners.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Samples this JVM's heap while a run goes on. Two figures: the peak of heap in use (what the collector
 * let accumulate, which depends on the heap size it was given) and the peak of what was still live right
 * after a collection (the working set, which is what "memory stays flat" is about).
 */
final class HeapSampler implements AutoCloseable {
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakUsed;
  private volatile long peakLive;

  HeapSampler() {
    System.gc(); // what an earlier run left behind is not this run's
    thread = new Thread(this::sample, "heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    while (running) {
      long used = 0;
      long live = 0;
      for (MemoryPoolMXBean p : heapPools) {
        used += p.getUsage().getUsed();
        MemoryUsage afterGc = p.getCollectionUsage();
        if (afterGc != null) {
          live += afterGc.getUsed();
        }
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
