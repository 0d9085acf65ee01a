package dev.shopbeam.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A value with its key's version: 1 for the first value a stateful step emits for a key, then one more
 * for each next one. Beam keeps no order between elements (the DirectRunner writes bundles of one step in
 * parallel), so whoever keeps "the latest value per key" downstream compares versions, not arrival order.
 */
public final class Versioned<T> {
  private final long version;
  private final T value;

  private Versioned(long version, T value) {
    if (version < 1) {
      throw new IllegalArgumentException("versions start at 1, was " + version);
    }
    this.version = version;
    this.value = Objects.requireNonNull(value, "value");
  }

  public static <T> Versioned<T> of(long version, T value) {
    return new Versioned<>(version, value);
  }

  public long version() {
    return version;
  }

  public T value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned<?> v && v.version == version && v.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + value.hashCode();
  }

  @Override
  public String toString() {
    return "v" + version + " " + value;
  }

  /** The version as a var-long, then the value with its own coder. */
  public static final class VersionedCoder<T> extends StructuredCoder<Versioned<T>> {
    private final Coder<T> valueCoder;

    private VersionedCoder(Coder<T> valueCoder) {
      this.valueCoder = valueCoder;
    }

    public static <T> VersionedCoder<T> of(Coder<T> valueCoder) {
      return new VersionedCoder<>(valueCoder);
    }

    @Override
    public void encode(Versioned<T> v, OutputStream out) throws IOException {
      VarLongCoder.of().encode(v.version, out);
      valueCoder.encode(v.value, out);
    }

    @Override
    public Versioned<T> decode(InputStream in) throws IOException {
      long version = VarLongCoder.of().decode(in);
      if (version < 1) {
        throw new CoderException("versions start at 1, read " + version);
      }
      return new Versioned<>(version, valueCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "the value coder must be deterministic", valueCoder);
    }
  }
}
