package dev.shopbeam.transforms.anomaly;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * One point of a metric series: the value of {@code metric} for {@code dimension} in the event-time
 * window [windowStart, windowEnd), and the volume (how many events or records it rests on) that the
 * minimum-volume rule looks at, and its sampling noise: the standard deviation the value would have from
 * chance alone at this volume (e.g. sqrt(count) for a count, sqrt(p(1-p)/n) for a rate), which floors the
 * baseline's spread so that a history that happened to be calm does not make ordinary noise an alert.
 */
public final class SeriesPoint implements Serializable {
  private final String metric;
  private final String dimension;
  private final long windowStart;
  private final long windowEnd;
  private final double value;
  private final long volume;
  private final double noise;

  private SeriesPoint(String metric, String dimension, long windowStart, long windowEnd, double value, long volume,
      double noise) {
    this.metric = Objects.requireNonNull(metric);
    this.dimension = Objects.requireNonNull(dimension);
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.value = value;
    this.volume = volume;
    this.noise = noise;
  }

  /** A point without a sampling-noise estimate (0): only the MAD and the configured floors bound its spread. */
  public static SeriesPoint of(String metric, String dimension, long windowStart, long windowEnd, double value,
      long volume) {
    return new SeriesPoint(metric, dimension, windowStart, windowEnd, value, volume, 0);
  }

  public static SeriesPoint of(String metric, String dimension, long windowStart, long windowEnd, double value,
      long volume, double noise) {
    return new SeriesPoint(metric, dimension, windowStart, windowEnd, value, volume, noise);
  }

  public String metric() {
    return metric;
  }

  public String dimension() {
    return dimension;
  }

  /** Epoch millis, inclusive. */
  public long windowStart() {
    return windowStart;
  }

  /** Epoch millis, exclusive. */
  public long windowEnd() {
    return windowEnd;
  }

  public double value() {
    return value;
  }

  public long volume() {
    return volume;
  }

  /** Standard deviation of the value from sampling alone, >= 0. */
  public double noise() {
    return noise;
  }

  /** The series this point belongs to: metric and dimension. */
  public String seriesKey() {
    return metric + "|" + dimension;
  }

  public SeriesPoint withValue(double newValue, long newVolume) {
    return new SeriesPoint(metric, dimension, windowStart, windowEnd, newValue, newVolume, noise);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SeriesPoint)) {
      return false;
    }
    SeriesPoint p = (SeriesPoint) o;
    return metric.equals(p.metric) && dimension.equals(p.dimension) && windowStart == p.windowStart
        && windowEnd == p.windowEnd && Double.compare(value, p.value) == 0 && volume == p.volume
        && Double.compare(noise, p.noise) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(metric, dimension, windowStart, windowEnd, value, volume, noise);
  }

  @Override
  public String toString() {
    return metric + "|" + dimension + "@" + java.time.Instant.ofEpochMilli(windowStart) + "=" + value + " (volume "
        + volume + ")";
  }

  /** Binary coder: points sit in state (the series history), so they should be compact. */
  public static final class PointCoder extends AtomicCoder<SeriesPoint> {
    public static final PointCoder INSTANCE = new PointCoder();

    @Override
    public void encode(SeriesPoint p, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeUTF(p.metric);
      out.writeUTF(p.dimension);
      out.writeLong(p.windowStart);
      out.writeLong(p.windowEnd);
      out.writeDouble(p.value);
      out.writeLong(p.volume);
      out.writeDouble(p.noise);
      out.flush();
    }

    @Override
    public SeriesPoint decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new SeriesPoint(in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readDouble(), in.readLong(),
          in.readDouble());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
