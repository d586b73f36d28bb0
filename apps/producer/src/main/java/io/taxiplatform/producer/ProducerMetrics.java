package io.taxiplatform.producer;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.taxiplatform.producer.source.RowRejects;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The producer's Prometheus metrics (names of docs/contracts.md) and its HTTP endpoints on one
 * port: {@code /metrics} (text format), {@code /healthz} (the process is alive and has not failed),
 * {@code /readyz} (the Kafka producer fetched the topic's metadata). Served by the Prometheus
 * client's {@link HTTPServer} (the streaming job's too, {@code JobMetrics.serve}); the probes are
 * its default handler, which answers every path other than {@code /metrics} and {@code /-/healthy}.
 */
public final class ProducerMetrics implements AutoCloseable {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter sent;
  private final Counter sendErrors;
  private final Counter rejected;
  private final Histogram sendLatency;
  private final Gauge rate;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private long syncedSent;
  private HTTPServer server;

  public ProducerMetrics() {
    sent =
        Counter.builder()
            .name("taxi_producer_events_sent_total")
            .help("Trip events acknowledged by Kafka")
            .register(registry);
    sendErrors =
        Counter.builder()
            .name("taxi_producer_send_errors_total")
            .help("Trip events Kafka did not acknowledge")
            .register(registry);
    rejected =
        Counter.builder()
            .name("taxi_producer_rows_rejected_total")
            .help("Input rows that could not become trip events, by reason")
            .labelNames("reason")
            .register(registry);
    // every known reason from the first scrape (docs/contracts.md, Metrics): rate() needs a first
    // sample
    for (String reason :
        new String[] {
          RowRejects.MISSING_FIELD,
          RowRejects.BAD_NUMBER,
          RowRejects.UNPARSEABLE_TIMESTAMP,
          RowRejects.WRONG_COLUMN_COUNT,
          RowRejects.MALFORMED_ROW,
          RowRejects.OUTSIDE_PERIOD
        }) {
      rejected.labelValues(reason).inc(0);
    }
    sendLatency =
        Histogram.builder()
            .name("taxi_producer_send_latency_seconds")
            .help("Time from send() to the broker's acknowledgement (one record in 64 sampled)")
            .classicOnly()
            .classicUpperBounds(
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    rate =
        Gauge.builder()
            .name("taxi_producer_rate_events_per_second")
            .help("Events acknowledged per second over the last second")
            .register(registry);
    JvmMetrics.builder().register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * The events acknowledged so far ({@code taxi_producer_events_sent_total} follows, once a
   * second).
   */
  synchronized void syncSent(long total) {
    if (total > syncedSent) {
      sent.inc(total - syncedSent);
      syncedSent = total;
    }
  }

  /**
   * One sampled send latency (the producer times one record in {@link
   * TripProducerApp#LATENCY_SAMPLE_EVERY}).
   */
  void observeSendLatency(double latencySeconds) {
    sendLatency.observe(latencySeconds);
  }

  void onSendError() {
    sendErrors.inc();
  }

  void onRejected(String reason) {
    rejected.labelValues(reason).inc();
  }

  void setRate(double eventsPerSecond) {
    rate.set(eventsPerSecond);
  }

  /** Marks the producer ready (metadata fetched) or not. */
  public void setReady(boolean value) {
    ready.set(value);
  }

  /** Marks the process unhealthy with a reason ({@code /healthz} answers 503). */
  public void setFailed(String reason) {
    failure.set(reason);
  }

  /**
   * Serves the endpoints on {@code 0.0.0.0:port} ({@code port} 0 = an ephemeral port, for tests).
   *
   * @return the bound port
   */
  public int start(int port) throws IOException {
    server =
        HTTPServer.builder()
            .port(port)
            .registry(registry)
            .defaultHandler(this::probe)
            .buildAndStart();
    return server.getPort();
  }

  /** {@code /healthz} and {@code /readyz}; any other path (but /metrics) is not found. */
  private void probe(HttpExchange ex) throws IOException {
    String f = failure.get();
    switch (ex.getRequestURI().getPath()) {
      case "/healthz" ->
          respond(ex, f == null ? 200 : 503, f == null ? "ok\n" : "failed: " + f + "\n");
      case "/readyz" -> {
        boolean r = ready.get() && f == null;
        respond(ex, r ? 200 : 503, r ? "ready\n" : "not ready\n");
      }
      default -> respond(ex, 404, "not found\n");
    }
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
