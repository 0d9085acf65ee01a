package dev.shopbeam.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.sun.net.httpserver.HttpServer;
import dev.shopbeam.schemas.Anomaly;
import dev.shopbeam.schemas.AnomalyDirection;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.Coders;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alerts webhook against a local HTTP server: a delivery, a delivery after two failed attempts,
 * and an alert whose every attempt times out, which comes out as a dead letter.
 */
@Timeout(120)
class PostToWebhookTest {
  private HttpServer server;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger flakyCalls = new AtomicInteger();
  private final AtomicInteger slowCalls = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.createContext("/ok", ex -> {
      received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.createContext("/flaky", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (flakyCalls.incrementAndGet() <= 2) {
        ex.sendResponseHeaders(503, -1);
      } else {
        received.add(body);
        ex.sendResponseHeaders(200, -1);
      }
      ex.close();
    });
    server.createContext("/slow", ex -> {
      slowCalls.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static Anomaly anomaly() {
    return Anomaly.newBuilder().setMetric("events_buy").setDimension("all")
        .setWindowStart(Instant.parse("2010-12-07T13:00:00Z")).setWindowEnd(Instant.parse("2010-12-07T14:00:00Z"))
        .setObserved(0).setExpected(268).setScore(-5.3).setDirection(AnomalyDirection.DOWN).setVolume(0)
        .setBaseline("hour_of_day").setHistoryWindows(5).build();
  }

  /** Posts one anomaly; returns nothing, asserting what comes out as undelivered. */
  private void post(String path, int attempts, List<String> expectedUndeliveredReasons) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<DeadLetter> undelivered = p.apply(Create.of(anomaly()).withCoder(Coders.avro(Anomaly.class)))
        .apply(new PostToWebhook<Anomaly>(new PostToWebhook.Settings(url(path), Duration.ofMillis(300), attempts,
            Duration.ofMillis(50))));
    PAssert.that(undelivered.apply(org.apache.beam.sdk.transforms.MapElements
        .into(org.apache.beam.sdk.values.TypeDescriptors.strings())
        .via((DeadLetter d) -> d.getReason() + " " + d.getStage() + " " + d.getErrorDetail())))
        .containsInAnyOrder(expectedUndeliveredReasons);
    p.run().waitUntilFinish();
  }

  @Test
  void delivers() {
    post("/ok", 3, List.of());
    assertThat(received, equalTo(List.of(RecordJson.toJson(anomaly()))));
  }

  @Test
  void retriesWithBackoffUntilDelivered() {
    post("/flaky", 4, List.of());
    assertThat(flakyCalls.get(), is(3));
    assertThat(received.size(), is(1));
    assertThat(received.get(0), containsString("\"metric\":\"events_buy\""));
  }

  @Test
  void anAlertThatKeepsTimingOutBecomesADeadLetter() {
    post("/slow", 3, List.of(PostToWebhook.REASON + " alert 3 attempts, last: HttpTimeoutException: request timed out"));
    assertThat(slowCalls.get(), is(3));
  }

  @Test
  void settingsAreChecked() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PostToWebhook.Settings("ftp://x", Duration.ofSeconds(1), 1, Duration.ZERO));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PostToWebhook.Settings(url("/ok"), Duration.ofSeconds(1), 0, Duration.ZERO));
  }
}
