/*
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements.  See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership.  The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.apache.beam.runners.core.construction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;

/**
 * ShopBeam's replacement for Beam 2.62's class of the same name (beam-runners-core-java; the direct
 * runner's and the SDK harness's jars carry byte-identical copies): pipeline options that travel with a
 * runner's functions as JSON. Same fields, same serialized form, same {@code serialVersionUID}, same
 * behaviour, with one difference: the JSON of an options object is written once while that object is
 * unchanged, not once per instance.
 *
 * <p>Why: Beam's Flink batch translation makes one of these for every operator, every pruning function
 * of a multi-output step and every type information it creates, always from the same options object.
 * Each wrote the options as JSON again (Jackson over every registered options interface, plus the
 * options' display data): 285 of 2,286 profile samples of ShopBeam's whole batch on the Online Retail
 * year on Flink, and 763 of 1,845 on 2,000 lines, on the job's main thread before any task ran.
 *
 * <p>"Unchanged" is what Beam's options proxy can tell: the same proxy, the same {@code revision()} (a
 * setter bumps it), the same set of interfaces it has been viewed as (an {@code as()} with a new one
 * replaces its computed properties) and the same number of bound values (a getter binds a default on
 * first use, which the JSON then includes). A JSON is kept only when writing it changed none of these.
 * A value changed in place, inside a mutable option, would not be seen: no Beam or ShopBeam option is
 * changed so. Anything but Beam's proxy is written every time, as before.
 *
 * <p>The class replaces Beam's on the runners module's class path (its own classes come first) and in
 * the bundled jar (the shade plugin leaves Beam's copies out). {@code SerializablePipelineOptionsTest}
 * checks the JSON against Beam's own writing after each kind of change; {@code BundledJarIT} checks the
 * jar.
 */
public class SerializablePipelineOptions implements Serializable {
  // Beam's class declares none; this is the one Java computes for it (serialver), so instances written
  // by either class read in the other.
  private static final long serialVersionUID = -5067588320286657615L;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  private final String serializedPipelineOptions;
  private transient PipelineOptions options;

  public SerializablePipelineOptions(PipelineOptions options) {
    this.serializedPipelineOptions = serializeToJson(options);
    this.options = options;
    FileSystems.setDefaultPipelineOptions(options);
  }

  public SerializablePipelineOptions(String json) {
    this.serializedPipelineOptions = json;
    this.options = deserializeFromJson(json);
    FileSystems.setDefaultPipelineOptions(options);
  }

  public PipelineOptions get() {
    return options;
  }

  private void readObject(ObjectInputStream is) throws IOException, ClassNotFoundException {
    is.defaultReadObject();
    this.options = deserializeFromJson(serializedPipelineOptions);
    FileSystems.setDefaultPipelineOptions(options);
  }

  private static String serializeToJson(PipelineOptions options) {
    State before = State.of(options);
    if (before != null) {
      String json = LastJson.lookUp(options, before);
      if (json != null) {
        return json;
      }
    }
    String json = writeJson(options);
    if (before != null && before.equals(State.of(options))) {
      LastJson.keep(options, before, json);
    }
    return json;
  }

  private static String writeJson(PipelineOptions options) {
    try {
      return MAPPER.writeValueAsString(options);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Failed to serialize PipelineOptions", e);
    }
  }

  private static PipelineOptions deserializeFromJson(String options) {
    try {
      return MAPPER.readValue(options, PipelineOptions.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("Failed to deserialize PipelineOptions", e);
    }
  }

  @Override
  public String toString() {
    return serializedPipelineOptions;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    return serializedPipelineOptions.equals(((SerializablePipelineOptions) o).serializedPipelineOptions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(serializedPipelineOptions, options);
  }

  /** The JSON last written for an options object, with the state it was written in. */
  private static final class LastJson {
    private static WeakReference<PipelineOptions> options = new WeakReference<>(null);
    private static State state;
    private static String json;

    static synchronized String lookUp(PipelineOptions of, State now) {
      return options.get() == of && now.equals(state) ? json : null;
    }

    static synchronized void keep(PipelineOptions of, State in, String written) {
      options = new WeakReference<>(of);
      state = in;
      json = written;
    }
  }

  /**
   * What of Beam's options proxy ({@code ProxyInvocationHandler}) its JSON depends on and a change
   * shows in; null when the options are not Beam's proxy or its fields are not as in Beam 2.62.
   */
  static final class State {
    private static final Field REVISION;
    private static final Field COMPUTED_PROPERTIES;
    private static final Field BOUND_VALUES;

    static {
      Field revision = null;
      Field computed = null;
      Field bound = null;
      try {
        Class<?> handler = Class.forName("org.apache.beam.sdk.options.ProxyInvocationHandler", false,
            PipelineOptions.class.getClassLoader());
        revision = handler.getDeclaredField("revision");
        computed = handler.getDeclaredField("computedProperties");
        bound = handler.getDeclaredField("options");
        revision.setAccessible(true);
        computed.setAccessible(true);
        bound.setAccessible(true);
      } catch (ReflectiveOperationException | RuntimeException e) {
        revision = null; // another Beam: write the JSON every time, as Beam does
      }
      REVISION = revision;
      COMPUTED_PROPERTIES = computed;
      BOUND_VALUES = bound;
    }

    private final InvocationHandler handler;
    private final int revision;
    private final Object computedProperties;
    private final int boundValues;

    private State(InvocationHandler handler, int revision, Object computedProperties, int boundValues) {
      this.handler = handler;
      this.revision = revision;
      this.computedProperties = computedProperties;
      this.boundValues = boundValues;
    }

    static State of(PipelineOptions options) {
      if (REVISION == null || !Proxy.isProxyClass(options.getClass())) {
        return null;
      }
      InvocationHandler handler = Proxy.getInvocationHandler(options);
      if (handler.getClass() != REVISION.getDeclaringClass()) {
        return null;
      }
      try {
        return new State(handler, ((AtomicInteger) REVISION.get(handler)).get(), COMPUTED_PROPERTIES.get(handler),
            ((Map<?, ?>) BOUND_VALUES.get(handler)).size());
      } catch (IllegalAccessException | ClassCastException e) {
        return null;
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && s.handler == handler && s.revision == revision
          && s.computedProperties == computedProperties && s.boundValues == boundValues;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(handler) * 31 + revision;
    }
  }
}
