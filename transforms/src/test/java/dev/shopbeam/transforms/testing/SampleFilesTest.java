package dev.shopbeam.transforms.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The committed synthetic sample files are exactly what {@link SyntheticShop} generates. */
class SampleFilesTest {
  @Test
  void userBehaviorSampleIsGenerated() throws IOException {
    assertThat(Files.readAllLines(TestData.path(SyntheticShop.USERBEHAVIOR_SAMPLE), StandardCharsets.UTF_8),
        equalTo(SyntheticShop.userBehaviorSample()));
  }

  @Test
  void jsonSampleIsGenerated() throws IOException {
    assertThat(Files.readAllLines(TestData.path(SyntheticShop.JSON_SAMPLE), StandardCharsets.UTF_8),
        equalTo(SyntheticShop.jsonSample()));
  }
}
