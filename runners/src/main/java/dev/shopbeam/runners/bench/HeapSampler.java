package dev.shopbeam.runners.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Samples this JVM's heap while a run goes on. Two figures: the peak of heap in use (what the collector
 * let accumulate, which depends on the heap size it was given) and the peak of what was still in use
 * right after a collection. The collector's own young collections leave the old generation as it is,
 * garbage included, so that second figure grows with a run's length until an old-generation cycle
 * runs; given an interval, the sampler forces a full collection that often and takes the heap in use
 * at the end of each full collection instead, as the collector reports it (its notification): the live
 * set at that moment, which is what "memory stays flat" is about. Not the heap read after
 * {@code System.gc()} returns (other threads allocate at once), and not {@code jmap -histo:live}, whose
 * collection the JVM skips while a thread holds the GC locker (JNI critical sections, such as
 * compression of Flink's shuffle buffers), counting garbage as live.
 */
final class HeapSampler implements AutoCloseable {
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakUsed;
  private volatile long peakLive;
  private final long forceEveryNanos;
  private final Set<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private final List<NotificationEmitter> listenedTo = new ArrayList<>();
  private final NotificationListener onFullCollection = this::onCollection;
  /** JVM uptime once the collection before the run was over: later collections are the run's. */
  private final long startUptimeMillis;
  /** The collectors' accumulated time once the collection before the run was over. */
  private final long startCollectorMillis;

  /** @param liveSetEverySeconds seconds between forced full collections; 0 for none */
  HeapSampler(int liveSetEverySeconds) {
    forceEveryNanos = liveSetEverySeconds * 1_000_000_000L;
    System.gc(); // what an earlier run left behind is not this run's
    startUptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
    startCollectorMillis = collectorMillis();
    if (forceEveryNanos > 0) {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(onFullCollection, null, null);
          listenedTo.add(emitter);
        }
      }
    }
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
        lastForced = System.nanoTime();
      }
      peakUsed = Math.max(peakUsed, used);
      if (forceEveryNanos == 0) {
        peakLive = Math.max(peakLive, live);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** At the end of a full (major) collection: the heap in use then is the live set. */
  private void onCollection(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    if (!info.getGcAction().contains("major") || info.getGcInfo().getStartTime() < startUptimeMillis) {
      return; // young and mixed collections leave the old generation's garbage in place
    }
    long live = 0;
    for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPoolNames.contains(pool.getKey())) {
        live += pool.getValue().getUsed();
      }
    }
    synchronized (this) {
      peakLive = Math.max(peakLive, live);
    }
  }

  /**
   * Seconds the collectors spent collecting since the run began (G1: its pauses, the forced full
   * collections included): whether a heap was big enough shows here first, as time, before it shows as
   * an OutOfMemoryError.
   */
  double collectorSeconds() {
    return (collectorMillis() - startCollectorMillis) / 1e3;
  }

  private static long collectorMillis() {
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      millis += Math.max(0, gc.getCollectionTime());
    }
    return millis;
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
    for (NotificationEmitter emitter : listenedTo) {
      try {
        emitter.removeNotificationListener(onFullCollection);
      } catch (javax.management.ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
