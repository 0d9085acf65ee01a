package dev.shopbeam.transforms;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** A length-prefixed array of longs, for combiner accumulators (one coder, not one per combiner). */
public final class LongArrayCoder extends AtomicCoder<long[]> {
  public static final LongArrayCoder INSTANCE = new LongArrayCoder();

  private LongArrayCoder() {}

  @Override
  public void encode(long[] v, OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(v.length);
    for (long x : v) {
      out.writeLong(x);
    }
    out.flush();
  }

  @Override
  public long[] decode(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    long[] v = new long[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readLong();
    }
    return v;
  }
}
