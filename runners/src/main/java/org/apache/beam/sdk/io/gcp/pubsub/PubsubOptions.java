package org.apache.beam.sdk.io.gcp.pubsub;

import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The name of Beam's Pub/Sub options interface, declared with its real supertypes and nothing else, for
 * the benchmark's Nexmark Query 5 only.
 *
 * <p>Why: Nexmark's {@code NexmarkConfiguration} declares a method taking {@code NexmarkOptions}, which
 * extends this interface; Java serialization of Nexmark's transforms resolves every declared method's
 * types, so the name must exist. The real interface lives in {@code beam-sdks-java-io-google-cloud-platform},
 * whose service registrars (BigQuery coders, schema providers, options) load the whole Google Cloud client
 * stack the moment any pipeline builds a coder registry: with that jar on the class path, every ShopBeam
 * pipeline fails. Nothing here reads Pub/Sub; no option of this interface is ever used.
 */
public interface PubsubOptions extends ApplicationNameOptions, GcpOptions, PipelineOptions, StreamingOptions {}
