package io.taxiplatform.producer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.taxiplatform.producer.source.RowRejects;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The producer's Prometheus metrics (names of docs/contracts.md) and its HTTP endpoints on one
 * port: {@code /metrics} (text format), {@code /healthz} (the process is alive and has not failed),
 * {@code /readyz} (the Kafka producer fetched the topic's metadata). A JDK {@link HttpServer}, no
 * framework.
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
  private HttpServer server;
  private ExecutorService executor;

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
    server = HttpServer.create(new InetSocketAddress(port), 16);
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext(
        "/healthz",
        ex -> {
          String f = failure.get();
          respond(ex, f == null ? 200 : 503, f == null ? "ok\n" : "failed: " + f + "\n");
        });
    server.createContext(
        "/readyz",
        ex -> {
          boolean r = ready.get() && failure.get() == null;
          respond(ex, r ? 200 : 503, r ? "ready\n" : "not ready\n");
        });
    server.start();
    return server.getAddress().getPort();
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
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
