package io.taxiplatform.local.it.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.PrometheusScrape;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.harness.Waits;
import io.taxiplatform.producer.ProducerMain;
import io.taxiplatform.producer.ProducerMetrics;
import io.taxiplatform.producer.RunSummary;
import io.taxiplatform.producer.TripProducerApp;
import io.taxiplatform.producer.TripProducerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer against a real Kafka broker (KRaft, forked JVM): replays of the real TLC CSV sample
 * and of parquet files in the 2023/2024/2025 TLC schemas send exactly the rows that can become
 * events (checked against an independent read of each file, {@link TlcFileOracle}), report the
 * others by reason, and the metrics endpoint of a running producer is scraped for real.
 */
class ProducerReplayIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static KafkaNode kafka;

  @TempDir Path dir;

  @BeforeAll
  static void sharedKafka() {
    kafka = SharedServices.kafka();
  }

  private static String newTopic() {
    String topic = "producer-it-" + UUID.randomUUID();
    kafka.createTopic(topic, 3);
    return topic;
  }

  private static TripProducerConfig config(String... args) throws Exception {
    Map<String, String> env =
        Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "METRICS_PORT", "0");
    return TripProducerConfig.parse(env, args);
  }

  /**
   * Replays with a real KafkaProducer and the metrics endpoint up; returns the summary and the
   * scrape.
   */
  private static Object[] replay(String topic, String inputs) throws Exception {
    TripProducerConfig config = config("--mode", "replay", "--input", inputs, "--topic", topic);
    try (ProducerMetrics metrics = new ProducerMetrics();
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.kafkaProperties())) {
      int port = metrics.start(0);
      RunSummary summary = new TripProducerApp(config, producer, metrics, Clock.systemUTC()).run();
      PrometheusScrape scrape =
          PrometheusScrape.fetch(HttpClient.newHttpClient(), port, Duration.ofSeconds(5))
              .orElseThrow();
      return new Object[] {summary, scrape};
    }
  }

  private static HttpResponse<String> http(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Every record of the topic (all partitions, from the beginning), waiting for at least {@code
   * expected}.
   */
  private static List<ConsumerRecord<String, String>> consumeAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int emptyPollsAfterExpected = 0;
      while (System.nanoTime() < deadline && emptyPollsAfterExpected < 2) {
        var batch = c.poll(Duration.ofMillis(500));
        batch.forEach(out::add);
        if (out.size() >= expected && batch.isEmpty()) {
          emptyPollsAfterExpected++; // also catch records beyond the expected ones
        }
      }
    }
    return out;
  }

  /** Asserts the topic holds exactly the oracle's valid rows, each as the oracle read it. */
  private static void assertTopicHoldsExactly(String topic, List<TlcFileOracle.Row> expected)
      throws Exception {
    List<ConsumerRecord<String, String>> records = consumeAll(topic, expected.size());
    Map<String, TlcFileOracle.Row> byId =
        expected.stream().collect(Collectors.toMap(TlcFileOracle.Row::tripId, r -> r));
    Map<String, Integer> seen = new HashMap<>();
    for (ConsumerRecord<String, String> rec : records) {
      JsonNode e = JSON.readTree(rec.value());
      String id = e.get("trip_id").asText();
      seen.merge(id, 1, Integer::sum);
      TlcFileOracle.Row want = byId.get(id);
      assertThat(want).as("unexpected event %s", rec.value()).isNotNull();
      assertThat(rec.key()).isEqualTo(Integer.toString(want.pickupZone()));
      assertThat(e.get("schema_version").asInt()).isEqualTo(1);
      assertThat(e.get("source").asText()).isEqualTo("replay");
      assertThat(e.get("pickup_zone").asInt()).isEqualTo(want.pickupZone());
      assertThat(e.get("dropoff_zone").asInt()).isEqualTo(want.dropoffZone());
      assertThat(e.get("pickup_time").asText()).isEqualTo(want.pickupUtc().toString());
      assertThat(e.get("dropoff_time").asText()).isEqualTo(want.dropoffUtc().toString());
      assertThat(e.get("trip_distance").decimalValue()).isEqualByComparingTo(want.tripDistance());
      assertThat(e.get("fare_amount").decimalValue()).isEqualByComparingTo(want.fareAmount());
      assertThat(e.get("tip_amount").decimalValue()).isEqualByComparingTo(want.tipAmount());
      assertThat(e.get("total_amount").decimalValue()).isEqualByComparingTo(want.totalAmount());
      if (want.airportFee() == null) {
        assertThat(e.has("airport_fee")).isFalse();
      } else {
        assertThat(e.get("airport_fee").decimalValue()).isEqualByComparingTo(want.airportFee());
      }
      if (want.cbdCongestionFee() == null) {
        assertThat(e.has("cbd_congestion_fee")).isFalse();
      } else {
        assertThat(e.get("cbd_congestion_fee").decimalValue())
            .isEqualByComparingTo(want.cbdCongestionFee());
      }
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(byId.keySet());
    assertThat(seen.values()).as("no duplicates").containsOnly(1);
  }

  @Test
  void replayOfTheRealCsvSampleSendsExactlyItsValidRows() throws Exception {
    Path sample = SharedData.tripSample().orElse(null);
    assumeTrue(
        sample != null,
        "../shared/data/" + SharedData.TRIP_SAMPLE + " is absent: no real TLC sample to replay");
    TlcFileOracle oracle = TlcFileOracle.readCsv(sample);
    assertThat(oracle.rows()).hasSize(1000);
    String topic = newTopic();

    Object[] result = replay(topic, sample.toString());
    RunSummary summary = (RunSummary) result[0];
    PrometheusScrape scrape = (PrometheusScrape) result[1];

    List<TlcFileOracle.Row> valid = oracle.valid();
    assertThat(summary.rowsRead()).isEqualTo(oracle.rows().size());
    assertThat(summary.sent()).isEqualTo(valid.size());
    assertThat(summary.sendErrors()).isZero();
    assertThat(summary.rejected()).isEqualTo(oracle.rejectedByReason());
    assertThat(summary.ok()).isTrue();
    assertTopicHoldsExactly(topic, valid);
    // the sample holds refunds (negative amounts): the producer sends them, the job dead-letters
    // them
    assertThat(valid).anyMatch(r -> r.fareAmount().signum() < 0);
    assertThat(scrape.sum("taxi_producer_events_sent_total", Map.of()))
        .hasValue((double) valid.size());
  }

  @Test
  void replayOfParquetInEveryTlcSchemaSendsExactlyItsValidRowsAndReportsTheRest() throws Exception {
    List<Path> files = new ArrayList<>();
    List<TlcFileOracle.Row> all = new ArrayList<>();
    for (TlcParquetWriter.Schema schema : TlcParquetWriter.Schema.values()) {
      Path file = dir.resolve("yellow_tripdata_" + schema.name().toLowerCase() + ".parquet");
      List<TlcFileOracle.Row> rows =
          TlcParquetWriter.writeSample(file, schema, 400, schema.ordinal() + 1L);
      files.add(file);
      all.addAll(rows);
    }
    String topic = newTopic();
    Object[] result =
        replay(topic, files.stream().map(Path::toString).collect(Collectors.joining(",")));
    RunSummary summary = (RunSummary) result[0];
    PrometheusScrape scrape = (PrometheusScrape) result[1];

    List<TlcFileOracle.Row> valid = all.stream().filter(r -> r.rejectReason() == null).toList();
    Map<String, Long> rejected =
        all.stream()
            .filter(r -> r.rejectReason() != null)
            .collect(Collectors.groupingBy(TlcFileOracle.Row::rejectReason, Collectors.counting()));
    assertThat(rejected).isNotEmpty();
    assertThat(summary.rowsRead()).isEqualTo(all.size());
    assertThat(summary.sent()).isEqualTo(valid.size());
    assertThat(summary.rejected()).isEqualTo(rejected);
    assertTopicHoldsExactly(topic, valid);
    for (Map.Entry<String, Long> e : rejected.entrySet()) {
      assertThat(scrape.sum("taxi_producer_rows_rejected_total", Map.of("reason", e.getKey())))
          .hasValue(e.getValue().doubleValue());
    }
  }

  @Test
  void aRunningProducerMainServesMetricsHealthAndReadiness() throws Exception {
    String topic = newTopic();
    int port = io.taxiplatform.local.FreePorts.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env =
        Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "TRIPS_TOPIC", topic);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                ProducerMain.run(
                    new String[] {
                      "--seed",
                      "5",
                      "--rate",
                      "200",
                      "--max-events",
                      "1000",
                      "--metrics-port",
                      Integer.toString(port)
                    },
                    env,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));

    // scrape while it runs: ready, and the sent counter moves
    AtomicReference<String> lastScrape = new AtomicReference<>("");
    Waits.await("events sent while running", Duration.ofSeconds(60), Duration.ofMillis(100))
        .failFast(() -> assertThat(exit).as("the run still going; stderr: %s", err).isNotDone())
        .ignoreExceptionsInstanceOf(
            java.io.IOException.class) // the server starts with the producer
        .untilAsserted(
            () -> {
              lastScrape.set(http(port, "/metrics").body());
              assertThat(
                      PrometheusScrape.fetch(
                              HttpClient.newHttpClient(), port, Duration.ofSeconds(5))
                          .map(m -> m.sum("taxi_producer_events_sent_total", Map.of()).orElse(0))
                          .orElse(0.0))
                  .as("events sent while running; stderr: %s", err)
                  .isPositive();
            });
    String scrape = lastScrape.get();
    assertThat(http(port, "/readyz").statusCode()).isEqualTo(200);
    assertThat(http(port, "/healthz").statusCode()).isEqualTo(200);
    assertThat(scrape)
        .contains("taxi_producer_send_latency_seconds_bucket")
        .contains("jvm_memory_used_bytes");

    assertThat(exit.get(90, TimeUnit.SECONDS)).as("stderr: %s", err).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("sent:        1000");
    assertThat(consumeAll(topic, 1000)).hasSize(1000);
  }

  @Test
  void anUnknownFlagExits2WithUsageAndSendsNothing() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ProducerMain.run(
            new String[] {"--mode", "replay", "--speeed", "2"},
            Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Unknown option")
        .contains("'--speeed'")
        .contains("Usage:");
  }
}
