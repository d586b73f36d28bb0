package io.taxiplatform.local.it.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.PrometheusScrape;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.harness.Waits;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ProducerMain} as its own JVM on exactly the producer's runtime classpath (what the image
 * runs: no Spark, no Hadoop): it replays parquet, and on SIGTERM (Ctrl-C, pod stop) it stops,
 * flushes and prints its summary, and every event it counted as sent is on the topic.
 */
class ProducerProcessIT {

  private static KafkaNode kafka;

  @TempDir Path dir;

  @BeforeAll
  static void sharedKafka() {
    kafka = SharedServices.kafka();
  }

  static String producerClasspath() {
    Optional<String> cp = LocalPaths.producerClasspath();
    assumeTrue(
        cp.isPresent(),
        "the producer module is not built (apps/producer/target/runtime-classpath.txt): run the reactor build");
    return cp.get();
  }

  private static long countRecords(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(pi -> new TopicPartition(topic, pi.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static long sentInSummary(String log) {
    Matcher m = Pattern.compile("sent:\\s+(\\d+)").matcher(log);
    assertThat(m.find()).as("summary in the log:%n%s", log).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void replaysParquetInAJvmWithoutHadoop() throws Exception {
    String classpath = producerClasspath();
    assertThat(classpath.split(File.pathSeparator))
        .extracting(e -> Path.of(e).getFileName().toString())
        .noneMatch(n -> n.startsWith("hadoop-") || n.startsWith("spark-"));
    Path file =
        dir.resolve(
            "yellow_tripdata_2025-03.parquet"); // its trips lie in March 2025 (the period rule)
    List<TlcFileOracle.Row> rows =
        TlcParquetWriter.writeSample(file, TlcParquetWriter.Schema.Y2025, 300, 42);
    long valid = rows.stream().filter(r -> r.rejectReason() == null).count();
    String topic = "producer-process-" + UUID.randomUUID();
    kafka.createTopic(topic, 2);

    Path work = LocalPaths.newWorkDir("producer-replay");
    int exit =
        JvmProcess.builder("producer", "io.taxiplatform.producer.ProducerMain")
            .classpath(classpath)
            .jvmArgs(List.of("-Xmx256m"))
            .workDir(work)
            .env(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS",
                    kafka.bootstrapServers(),
                    "TRIPS_TOPIC",
                    topic,
                    "METRICS_PORT",
                    "0"))
            .args(List.of("--mode", "replay", "--input", file.toString()))
            .run(Duration.ofMinutes(3));
    String log = Files.readString(work.resolve("producer.log"));
    assertThat(exit).as(log).isZero();
    assertThat(sentInSummary(log)).isEqualTo(valid);
    assertThat(log).contains("missing_field");
    assertThat(countRecords(topic)).isEqualTo(valid);
  }

  @Test
  void sigtermStopsFlushesAndReportsAndNothingCountedIsLost() throws Exception {
    String classpath = producerClasspath();
    String topic = "producer-sigterm-" + UUID.randomUUID();
    kafka.createTopic(topic, 3);
    int port = FreePorts.next();
    Path work = LocalPaths.newWorkDir("producer-sigterm");
    JvmProcess process =
        JvmProcess.builder("producer", "io.taxiplatform.producer.ProducerMain")
            .classpath(classpath)
            .jvmArgs(List.of("-Xmx256m"))
            .workDir(work)
            .env(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "TRIPS_TOPIC", topic))
            .args(
                List.of("--seed", "11", "--rate", "500", "--metrics-port", Integer.toString(port)))
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      Waits.await(
              "the producer ready, 200 events sent", Duration.ofSeconds(90), Duration.ofMillis(100))
          .failFast(
              () ->
                  assertThat(process.isAlive())
                      .as(() -> "the producer runs; log:\n" + process.logTail(30))
                      .isTrue())
          .ignoreExceptionsInstanceOf(java.io.IOException.class) // the endpoint starts with the JVM
          .untilAsserted(
              () -> {
                assertThat(
                        http.send(
                                HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/readyz"))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as(() -> "/readyz; log:\n" + process.logTail(30))
                    .isEqualTo(200);
                assertThat(
                        PrometheusScrape.fetch(http, port, Duration.ofSeconds(5))
                            .map(m -> m.sum("taxi_producer_events_sent_total", Map.of()).orElse(0))
                            .orElse(0.0))
                    .as("taxi_producer_events_sent_total")
                    .isGreaterThanOrEqualTo(200);
              });
    } finally {
      process.destroy(Duration.ofSeconds(30)); // SIGTERM, SIGKILL only after 30 s
    }
    String log = Files.readString(process.logFile());
    assertThat(log).contains("producer summary (stopped)");
    long sentInSummary = sentInSummary(log);
    assertThat(log).contains("send errors: 0");
    assertThat(countRecords(topic)).isEqualTo(sentInSummary);
  }
}
