package dev.shopbeam.pipelines.io;

import dev.shopbeam.schemas.DeadLetter;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each record as JSON ({@link RecordJson}) to a webhook URL. Each attempt has a timeout; a failed
 * attempt (timeout, connection error, or a non-2xx status) is retried with exponential backoff, up to
 * {@code maxAttempts} attempts in all. A record still undelivered after the last attempt is not lost
 * and does not fail the pipeline: it comes out of this transform as a {@link DeadLetter} (stage
 * {@code alert}, reason {@code webhook_undelivered}, the JSON as payload) for the dead-letter topic,
 * is counted in the {@code webhookUndelivered} metric and logged. Delivery is at least once: a retried
 * bundle posts its records again, so receivers should de-duplicate by the record's key fields.
 */
public final class PostToWebhook<T extends SpecificRecordBase> extends PTransform<PCollection<T>, PCollection<DeadLetter>> {
  public static final String REASON = "webhook_undelivered";

  private final Settings settings;

  /** Where and how to post. */
  public static final class Settings implements Serializable {
    final String url;
    final Duration timeout;
    final int maxAttempts;
    final Duration firstBackoff;

    public Settings(String url, Duration timeout, int maxAttempts, Duration firstBackoff) {
      URI uri = URI.create(url);
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("webhook URL must be http(s)://..., got '" + url + "'");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("webhook timeout must be positive, got " + timeout);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("webhook attempts must be at least 1, got " + maxAttempts);
      }
      this.url = url;
      this.timeout = timeout;
      this.maxAttempts = maxAttempts;
      this.firstBackoff = firstBackoff;
    }
  }

  public PostToWebhook(Settings settings) {
    this.settings = settings;
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<T> records) {
    return records.apply("POST " + settings.url, ParDo.of(new PostFn<T>(settings)))
        .setCoder(dev.shopbeam.transforms.Coders.deadLetters());
  }

  static final class PostFn<T extends SpecificRecordBase> extends DoFn<T, DeadLetter> {
    private static final Logger LOG = LoggerFactory.getLogger(PostToWebhook.class);
    private static final Counter DELIVERED = Metrics.counter(PostToWebhook.class, "webhookDelivered");
    private static final Counter RETRIES = Metrics.counter(PostToWebhook.class, "webhookRetries");
    private static final Counter UNDELIVERED = Metrics.counter(PostToWebhook.class, "webhookUndelivered");

    private final Settings settings;
    private transient HttpClient client;

    PostFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      client = HttpClient.newBuilder().connectTimeout(settings.timeout).build();
    }

    @ProcessElement
    public void process(@Element T record, OutputReceiver<DeadLetter> undelivered) throws InterruptedException {
      String json = RecordJson.toJson(record);
      HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url))
          .timeout(settings.timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
          .build();
      String lastError = "";
      long backoff = settings.firstBackoff.toMillis();
      for (int attempt = 1; attempt <= settings.maxAttempts; attempt++) {
        if (attempt > 1) {
          RETRIES.inc();
          Thread.sleep(backoff);
          backoff *= 2;
        }
        try {
          HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() / 100 == 2) {
            DELIVERED.inc();
            return;
          }
          lastError = "HTTP " + response.statusCode();
        } catch (IOException e) { // HttpTimeoutException included
          lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
      }
      UNDELIVERED.inc();
      LOG.error("webhook {}: gave up after {} attempts ({}): {}", settings.url, settings.maxAttempts, lastError, json);
      undelivered.output(DeadLetter.newBuilder()
          .setRawPayload(json)
          .setRawPayloadEncoding("utf-8")
          .setSourceLocation("webhook:" + settings.url)
          .setReason(REASON)
          .setErrorDetail(settings.maxAttempts + " attempts, last: " + lastError)
          .setStage("alert")
          .setSource(record.getSchema().getName())
          .setRejectedAt(Instant.now())
          .build());
    }
  }
}
