package dev.shopbeam.transforms.aggregate;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.CompactRecordCoder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.transforms.Combine;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The running statistics of one (window, key, behavior) group: event count, quantity, revenue, unit
 * price sum/min/max over priced events, and the exact set of known users. Exact rather than sketched:
 * the per-group user sets are small and exact numbers can be checked against a model and across
 * runners row for row.
 */
public final class BehaviorStats {
  long events;
  long quantity;
  BigDecimal revenue = BigDecimal.ZERO;
  long priced;
  BigDecimal priceSum = BigDecimal.ZERO;
  BigDecimal minPrice;
  BigDecimal maxPrice;
  final Set<String> users = new HashSet<>();

  public void add(CommerceEvent e) {
    add(Input.of(e));
  }

  public void add(Input e) {
    events++;
    quantity += e.quantity();
    BigDecimal price = e.unitPrice();
    if (price != null) {
      priced++;
      priceSum = priceSum.add(price);
      revenue = revenue.add(price.multiply(BigDecimal.valueOf(e.quantity())));
      minPrice = minPrice == null || price.compareTo(minPrice) < 0 ? price : minPrice;
      maxPrice = maxPrice == null || price.compareTo(maxPrice) > 0 ? price : maxPrice;
    }
    if (e.userId() != null) {
      users.add(e.userId());
    }
  }

  /**
   * What the statistics read of an event. The combine is handed this, not the whole event: on Flink's
   * batch runtime every input of a combine is serialized into its sort buffer, and the item_stats
   * groups are nearly as many as the events (an item is seldom bought twice in one hour).
   */
  public record Input(int quantity, @Nullable BigDecimal unitPrice, @Nullable String userId) {
    public static Input of(CommerceEvent e) {
      return new Input(e.getQuantity(), e.getUnitPrice(), e.getUserId());
    }
  }

  /** Flags (1: priced, 2: has a user), quantity (zig-zag), the price, the user. */
  public static final class InputCoder extends CompactRecordCoder<Input> {
    public static final InputCoder INSTANCE = new InputCoder();
    private static final int PRICED = 1;
    private static final int USER = 2;

    @Override
    protected void write(Input e, Writer w) {
      w.writeByte((e.unitPrice() != null ? PRICED : 0) | (e.userId() != null ? USER : 0));
      w.writeZigZag(e.quantity());
      if (e.unitPrice() != null) {
        w.writeDecimal(e.unitPrice());
      }
      if (e.userId() != null) {
        w.writeString(e.userId());
      }
    }

    @Override
    protected Input read(Reader r) throws IOException {
      int flags = r.readByte();
      int quantity = (int) r.readZigZag();
      BigDecimal price = (flags & PRICED) != 0 ? r.readDecimal() : null;
      return new Input(quantity, price, (flags & USER) != 0 ? r.readString() : null);
    }
  }

  public void merge(BehaviorStats o) {
    events += o.events;
    quantity += o.quantity;
    revenue = revenue.add(o.revenue);
    priced += o.priced;
    priceSum = priceSum.add(o.priceSum);
    if (o.minPrice != null && (minPrice == null || o.minPrice.compareTo(minPrice) < 0)) {
      minPrice = o.minPrice;
    }
    if (o.maxPrice != null && (maxPrice == null || o.maxPrice.compareTo(maxPrice) > 0)) {
      maxPrice = o.maxPrice;
    }
    users.addAll(o.users);
  }

  public long events() {
    return events;
  }

  public long quantity() {
    return quantity;
  }

  public BigDecimal revenue() {
    return revenue.setScale(3, RoundingMode.UNNECESSARY);
  }

  public long pricedEvents() {
    return priced;
  }

  /** Mean unit price over priced events, half-even to 3 places; null when none was priced. */
  public BigDecimal avgUnitPrice() {
    return priced == 0 ? null : priceSum.divide(BigDecimal.valueOf(priced), 3, RoundingMode.HALF_EVEN);
  }

  public BigDecimal minUnitPrice() {
    return minPrice == null ? null : minPrice.setScale(3, RoundingMode.UNNECESSARY);
  }

  public BigDecimal maxUnitPrice() {
    return maxPrice == null ? null : maxPrice.setScale(3, RoundingMode.UNNECESSARY);
  }

  public long distinctUsers() {
    return users.size();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BehaviorStats)) {
      return false;
    }
    BehaviorStats s = (BehaviorStats) o;
    return events == s.events && quantity == s.quantity && priced == s.priced
        && revenue.compareTo(s.revenue) == 0 && priceSum.compareTo(s.priceSum) == 0
        && Objects.equals(minUnitPrice(), s.minUnitPrice()) && Objects.equals(maxUnitPrice(), s.maxUnitPrice())
        && users.equals(s.users);
  }

  @Override
  public int hashCode() {
    return Objects.hash(events, quantity, priced, users);
  }

  /** Combines events into {@link BehaviorStats}; lifted by runners into partial pre-aggregation. */
  public static final class CombineFn extends Combine.CombineFn<Input, BehaviorStats, BehaviorStats> {
    @Override
    public BehaviorStats createAccumulator() {
      return new BehaviorStats();
    }

    @Override
    public BehaviorStats addInput(BehaviorStats acc, Input e) {
      acc.add(e);
      return acc;
    }

    @Override
    public BehaviorStats mergeAccumulators(Iterable<BehaviorStats> accs) {
      BehaviorStats merged = null;
      for (BehaviorStats a : accs) {
        if (merged == null) {
          merged = a;
        } else {
          merged.merge(a);
        }
      }
      return merged == null ? new BehaviorStats() : merged;
    }

    @Override
    public BehaviorStats extractOutput(BehaviorStats acc) {
      return acc;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<BehaviorStats> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<Input> inputCoder) {
      return StatsCoder.INSTANCE;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<BehaviorStats> getDefaultOutputCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<Input> inputCoder) {
      return StatsCoder.INSTANCE;
    }
  }

  /** A compact binary coder: accumulators cross the shuffle, and Java serialization is slow and large. */
  public static final class StatsCoder extends AtomicCoder<BehaviorStats> {
    public static final StatsCoder INSTANCE = new StatsCoder();

    @Override
    public void encode(BehaviorStats s, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeLong(s.events);
      out.writeLong(s.quantity);
      writeDecimal(out, s.revenue);
      out.writeLong(s.priced);
      writeDecimal(out, s.priceSum);
      writeNullableDecimal(out, s.minPrice);
      writeNullableDecimal(out, s.maxPrice);
      out.writeInt(s.users.size());
      for (String u : s.users) {
        out.writeUTF(u);
      }
      out.flush();
    }

    @Override
    public BehaviorStats decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      BehaviorStats s = new BehaviorStats();
      s.events = in.readLong();
      s.quantity = in.readLong();
      s.revenue = readDecimal(in);
      s.priced = in.readLong();
      s.priceSum = readDecimal(in);
      s.minPrice = readNullableDecimal(in);
      s.maxPrice = readNullableDecimal(in);
      int n = in.readInt();
      if (n < 0) {
        throw new CoderException("negative user count " + n);
      }
      for (int i = 0; i < n; i++) {
        s.users.add(in.readUTF());
      }
      return s;
    }

    private static void writeDecimal(DataOutputStream out, BigDecimal d) throws IOException {
      byte[] unscaled = d.unscaledValue().toByteArray();
      out.writeInt(d.scale());
      out.writeShort(unscaled.length);
      out.write(unscaled);
    }

    private static BigDecimal readDecimal(DataInputStream in) throws IOException {
      int scale = in.readInt();
      byte[] unscaled = new byte[in.readShort()];
      in.readFully(unscaled);
      return new BigDecimal(new BigInteger(unscaled), scale);
    }

    private static void writeNullableDecimal(DataOutputStream out, BigDecimal d) throws IOException {
      out.writeBoolean(d != null);
      if (d != null) {
        writeDecimal(out, d);
      }
    }

    private static BigDecimal readNullableDecimal(DataInputStream in) throws IOException {
      return in.readBoolean() ? readDecimal(in) : null;
    }
  }
}
