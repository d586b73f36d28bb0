package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.PrometheusScrape;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scrapes a real Prometheus client HTTPServer, as the tests and local mode scrape the apps. */
class PrometheusScrapeTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private static PrometheusRegistry registry() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter rows =
        Counter.builder()
            .name("taxi_stream_input_rows_total")
            .help("Rows read.")
            .labelNames("query", "extra")
            .register(registry);
    rows.labelValues("zone_windows", "-").inc(1200);
    rows.labelValues("borough_windows", "a,b \"q\"\n").inc(1150);
    Counter dead =
        Counter.builder()
            .name("taxi_stream_dead_letters_total")
            .help("Dead letters.")
            .labelNames("reason")
            .register(registry);
    dead.labelValues("malformed_json").inc(3);
    dead.labelValues("fare_out_of_range").inc(4);
    Counter.builder().name("taxi_stream_batches").help("Batches.").register(registry).inc(7);
    Gauge.builder().name("taxi_stream_caught_up").help("Caught up.").register(registry).set(1);
    Histogram latency =
        Histogram.builder()
            .name("taxi_stream_end_to_end_latency_seconds")
            .help("Latency.")
            .labelNames("table")
            .classicOnly()
            .classicUpperBounds(1, 10)
            .register(registry);
    latency.labelValues("zone_windows").observe(0.5);
    latency.labelValues("zone_windows").observe(2);
    latency.labelValues("borough_windows").observe(3);
    // a labelled counter without a child is not exposed (neither in the text format)
    Counter.builder().name("taxi_stream_unused").help("-").labelNames("q").register(registry);
    return registry;
  }

  @Test
  void readsCountersGaugesAndHistogramsOfARealEndpoint() throws Exception {
    try (HTTPServer server = HTTPServer.builder().port(0).registry(registry()).buildAndStart()) {
      PrometheusScrape s =
          PrometheusScrape.fetch(http, server.getPort(), Duration.ofSeconds(5)).orElseThrow();

      assertThat(s.sum("taxi_stream_input_rows_total", Map.of("query", "zone_windows")))
          .hasValue(1200.0);
      assertThat(s.sum("taxi_stream_input_rows_total", Map.of("extra", "a,b \"q\"\n")))
          .hasValue(1150.0);
      assertThat(s.sum("taxi_stream_input_rows_total", Map.of())).hasValue(2350.0);
      assertThat(s.sum("taxi_stream_dead_letters_total", Map.of())).hasValue(7.0);
      assertThat(s.sum("taxi_stream_batches_total", Map.of())).hasValue(7.0);
      assertThat(s.sum("taxi_stream_caught_up", Map.of())).hasValue(1.0);
      assertThat(
              s.sum(
                  "taxi_stream_end_to_end_latency_seconds_count", Map.of("table", "zone_windows")))
          .hasValue(2.0);
      assertThat(s.sum("taxi_stream_end_to_end_latency_seconds_count", Map.of())).hasValue(3.0);
      assertThat(s.sum("taxi_stream_end_to_end_latency_seconds_sum", Map.of())).hasValue(5.5);
      assertThatThrownBy(() -> s.sum("taxi_stream_end_to_end_latency_seconds_bucket", Map.of()))
          .isInstanceOf(IllegalArgumentException.class);
      // cumulative buckets by upper bound, summed over the matching series, +Inf = the count
      assertThat(s.buckets("taxi_stream_end_to_end_latency_seconds", Map.of()))
          .containsExactly(
              Map.entry(1.0, 1.0), Map.entry(10.0, 3.0), Map.entry(Double.POSITIVE_INFINITY, 3.0));
      assertThat(
              s.buckets("taxi_stream_end_to_end_latency_seconds", Map.of("table", "zone_windows")))
          .containsExactly(
              Map.entry(1.0, 1.0), Map.entry(10.0, 2.0), Map.entry(Double.POSITIVE_INFINITY, 2.0));
      assertThat(s.buckets("taxi_stream_input_rows_total", Map.of())).isEmpty();
      assertThat(s.buckets("taxi_stream_nothing", Map.of())).isEmpty();

      assertThat(s.exposes("taxi_stream_batches_total")).isTrue();
      assertThat(s.exposes("taxi_stream_batches_created")).isTrue();
      assertThat(s.exposes("taxi_stream_end_to_end_latency_seconds_bucket")).isTrue();
      assertThat(s.exposes("taxi_stream_end_to_end_latency_seconds")).isTrue();
      assertThat(s.exposes("taxi_stream_caught_up_count")).isFalse();
      assertThat(s.exposes("taxi_stream_unused_total")).isFalse();
      assertThat(s.exposes("taxi_stream_batches")).isFalse();
    }
  }

  @Test
  void absentSeriesAreEmptyNotZero() throws Exception {
    try (HTTPServer server = HTTPServer.builder().port(0).registry(registry()).buildAndStart()) {
      PrometheusScrape s =
          PrometheusScrape.fetch(http, server.getPort(), Duration.ofSeconds(5)).orElseThrow();
      assertThat(s.sum("taxi_stream_input_rows", Map.of())).isEmpty();
      assertThat(s.sum("taxi_stream_input_rows_total", Map.of("query", "nope"))).isEmpty();
      assertThat(s.sum("taxi_stream_unused_total", Map.of())).isEmpty();
    }
    assertThat(PrometheusScrape.parse(new byte[0]).familyNames()).isEmpty();
  }

  @Test
  void noEndpointIsEmptyAndATextOnlyEndpointIsAnError() throws Exception {
    int free = FreePorts.next();
    assertThat(PrometheusScrape.fetch(http, free, Duration.ofSeconds(2))).isEmpty();

    HttpServer text = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    text.createContext(
        "/metrics",
        ex -> {
          byte[] body = "x_total 1\n".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    text.start();
    try {
      assertThatThrownBy(
              () ->
                  PrometheusScrape.fetch(http, text.getAddress().getPort(), Duration.ofSeconds(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not the protobuf exposition");
    } finally {
      text.stop(0);
    }
  }
}
