package dev.shopbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.jupiter.api.Test;

class VersionedTest {
  private static final Versioned.VersionedCoder<List<String>> CODER =
      Versioned.VersionedCoder.of(ListCoder.of(StringUtf8Coder.of()));

  @Test
  void coderKeepsVersionAndValue() throws Exception {
    for (Versioned<List<String>> v : List.of(Versioned.of(1, List.<String>of()), Versioned.of(2, List.of("a", "b")),
        Versioned.of(Long.MAX_VALUE, List.of("x")))) {
      CoderProperties.coderDecodeEncodeEqual(CODER, v);
      CoderProperties.coderDeterministic(CODER, v, Versioned.of(v.version(), v.value()));
    }
    CODER.verifyDeterministic();
  }

  @Test
  void versionsStartAtOne() {
    assertThrows(IllegalArgumentException.class, () -> Versioned.of(0, List.of()));
    // a version 0 on the wire (a var-long 0, then an empty list) is a corrupt record, not a value
    assertThrows(CoderException.class, () -> CODER.decode(new ByteArrayInputStream(new byte[] {0, 0, 0, 0, 0})));
  }
}
