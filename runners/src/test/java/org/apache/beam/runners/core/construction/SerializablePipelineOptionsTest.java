package org.apache.beam.runners.core.construction;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.junit.jupiter.api.Test;

/**
 * ShopBeam's {@link SerializablePipelineOptions}: it is the one on the class path, and the JSON it keeps
 * for an options object is what Beam's own writing gives after every kind of change to that object.
 */
class SerializablePipelineOptionsTest {
  private static final ObjectMapper BEAMS_WRITING =
      new ObjectMapper().registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  /** Options with a default that a getter binds on first use. */
  public interface WithDefault extends PipelineOptions {
    @Default.String("from-default")
    String getShopName();

    void setShopName(String name);
  }

  /**
   * Beam's writing first: making the wrapper also sets the options as FileSystems' default, which binds
   * some defaults (a file system's), so the next wrapper's JSON includes them, Beam's as well as ours.
   */
  private static void assertWrittenAsBeamWouldNow(PipelineOptions options) throws Exception {
    String beams = BEAMS_WRITING.writeValueAsString(options);
    assertThat(new SerializablePipelineOptions(options).toString(), is(beams));
  }

  @Test
  void theClassOnTheClassPathIsShopBeams() throws Exception {
    Class.forName(SerializablePipelineOptions.class.getName() + "$State"); // Beam's has no nested class
    // Beam's computed serialVersionUID, so instances written by either class read in the other.
    assertThat(ObjectStreamClass.lookup(SerializablePipelineOptions.class).getSerialVersionUID(),
        is(-5067588320286657615L));
  }

  @Test
  void anUnchangedOptionsObjectIsWrittenOnce() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--jobName=first").create();
    new SerializablePipelineOptions(options); // binds FileSystems' defaults (see above)
    String second = new SerializablePipelineOptions(options).toString();
    assertThat(new SerializablePipelineOptions(options).toString(), sameInstance(second));
  }

  @Test
  void everyChangeToTheOptionsIsWrittenAsBeamWould() throws Exception {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--jobName=first").create();
    assertWrittenAsBeamWouldNow(options);
    String before = new SerializablePipelineOptions(options).toString();

    options.setJobName("second"); // a setter
    assertWrittenAsBeamWouldNow(options);
    assertThat(new SerializablePipelineOptions(options).toString(), containsString("second"));

    WithDefault viewed = options.as(WithDefault.class); // a new interface
    assertWrittenAsBeamWouldNow(options);
    assertThat(viewed.getShopName(), is("from-default")); // a default bound by its getter
    assertWrittenAsBeamWouldNow(options);
    assertThat(new SerializablePipelineOptions(options).toString(), containsString("from-default"));

    options.as(FlinkPipelineOptions.class).setObjectReuse(true); // through another view
    assertWrittenAsBeamWouldNow(options);
    assertThat(new SerializablePipelineOptions(options).toString(), not(is(before)));
  }

  @Test
  void twoOptionsObjectsKeepTheirOwnJson() throws Exception {
    PipelineOptions a = PipelineOptionsFactory.fromArgs("--jobName=a").create();
    PipelineOptions b = PipelineOptionsFactory.fromArgs("--jobName=b").create();
    for (int i = 0; i < 2; i++) {
      assertWrittenAsBeamWouldNow(a);
      assertWrittenAsBeamWouldNow(b);
    }
  }

  @Test
  void travelsByJavaSerialization() throws Exception {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--jobName=travelled").create();
    SerializablePipelineOptions written = new SerializablePipelineOptions(options);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(written);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      SerializablePipelineOptions read = (SerializablePipelineOptions) in.readObject();
      assertThat(read.get().getJobName(), is("travelled"));
      assertThat(read, is(written));
    }
  }
}
