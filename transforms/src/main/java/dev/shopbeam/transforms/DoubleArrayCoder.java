package dev.shopbeam.transforms;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** A length-prefixed array of doubles, for combiner accumulators (one coder, not one per combiner). */
public final class DoubleArrayCoder extends AtomicCoder<double[]> {
  public static final DoubleArrayCoder INSTANCE = new DoubleArrayCoder();

  private DoubleArrayCoder() {}

  @Override
  public void encode(double[] v, OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(v.length);
    for (double d : v) {
      out.writeDouble(d);
    }
    out.flush();
  }

  @Override
  public double[] decode(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    double[] v = new double[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readDouble();
    }
    return v;
  }
}
