package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerMetricsTest {

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void endpointsServeTheContractMetricsAndProbes() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("m.csv"),
            String.join(
                    "\n",
                    "tpep_pickup_datetime,tpep_dropoff_datetime,trip_distance,PULocationID,DOLocationID,fare_amount,"
                        + "tip_amount,total_amount",
                    "2025-01-01 00:00:00,2025-01-01 00:10:00,1,4,5,6,0,7",
                    "2025-01-01 00:00:00,2025-01-01 00:10:00,1,4,5,6,0,7",
                    "2025-01-01 00:00:00,,1,4,5,6,0,7",
                    "nope,2025-01-01 00:10:00,1,4,5,6,0,7")
                + "\n");
    try (ProducerMetrics metrics = new ProducerMetrics()) {
      int port = metrics.start(0);
      assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(port, "/healthz").body()).isEqualTo("ok\n");
      assertThat(get(port, "/readyz").statusCode()).isEqualTo(503);
      assertThat(get(port, "/readyz").body()).isEqualTo("not ready\n");
      assertThat(get(port, "/nope").statusCode()).isEqualTo(404);

      TripProducerConfig config =
          TripProducerConfig.parse(
              Map.of(), new String[] {"--mode", "replay", "--input", file.toString()});
      new TripProducerApp(
              config,
              new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
              metrics,
              Clock.systemUTC())
          .run();

      assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(port, "/readyz").body()).isEqualTo("ready\n");
      HttpResponse<String> m = get(port, "/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      String body = m.body();
      assertThat(body)
          .contains("taxi_producer_events_sent_total 2.0")
          .contains("taxi_producer_send_errors_total 0.0")
          .contains("taxi_producer_rows_rejected_total{reason=\"missing_field\"} 1.0")
          .contains("taxi_producer_rows_rejected_total{reason=\"unparseable_timestamp\"} 1.0")
          .contains("taxi_producer_send_latency_seconds_bucket{le=\"0.001\"}")
          .contains(
              "taxi_producer_send_latency_seconds_count 1") // one record in 64 is timed: the first
          .contains("# TYPE taxi_producer_rate_events_per_second gauge")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_threads_")
          .contains("process_cpu_seconds_total");

      metrics.setFailed("broker gone");
      assertThat(get(port, "/healthz").statusCode()).isEqualTo(503);
      assertThat(get(port, "/healthz").body()).isEqualTo("failed: broker gone\n");
      assertThat(get(port, "/readyz").statusCode()).isEqualTo(503);
    }
  }
}
