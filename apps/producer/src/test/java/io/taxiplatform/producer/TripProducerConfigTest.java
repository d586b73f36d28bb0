package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TripProducerConfigTest {

  @TempDir Path dir;

  private static TripProducerConfig parse(Map<String, String> env, String... args)
      throws Exception {
    return TripProducerConfig.parse(env, args);
  }

  @Test
  void defaultsFollowTheContract() throws Exception {
    TripProducerConfig c = parse(Map.of());
    assertThat(c.mode()).isEqualTo(TripProducerConfig.Mode.SYNTHETIC);
    assertThat(c.rate()).isZero();
    assertThat(c.speed()).isNull();
    assertThat(c.timeMode()).isEqualTo(TripProducerConfig.TimeMode.ORIGINAL);
    assertThat(c.maxEvents()).isZero();
    assertThat(c.seed()).isNull();
    assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.topic()).isEqualTo("taxi.trips");
    assertThat(c.compression()).isEqualTo("lz4");
    assertThat(c.lingerMs()).isEqualTo(20);
    assertThat(c.batchSize()).isEqualTo(131072);
    assertThat(c.metricsPort()).isEqualTo(8080);
    assertThat(c.security().protocol()).isEqualTo("PLAINTEXT");
    assertThat(c.cassandra().keyspace()).isEqualTo("taxi");
    assertThat(c.pipelineVersion().zoneWindowsTable()).isEqualTo("zone_windows_v1");
    assertThat(c.cassandra().localDc()).isEqualTo("datacenter1");
    assertThat(c.smoke().trips()).isEqualTo(20);
    assertThat(c.smoke().zone()).isEqualTo(1);
    assertThat(c.smoke().timeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.smoke().zoneWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.replay().order()).isEqualTo(TripProducerConfig.Order.DROPOFF);
    assertThat(c.replay().sortChunkRows()).isEqualTo(100_000);
    assertThat(c.replay().spillDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(c.replay().period()).isNull();
    assertThat(c.replay().periodTolerance()).isEqualTo(Duration.ofDays(1));
    assertThat(c.replay().resume()).isTrue();
  }

  @Test
  void replaySettingsFromEnvironmentAndFlags() throws Exception {
    Path a = Files.writeString(dir.resolve("a.csv"), "x");
    Path spill = Files.createDirectory(dir.resolve("spill"));
    Map<String, String> env =
        Map.of(
            "PRODUCER_ORDER",
            "file",
            "PRODUCER_SORT_CHUNK_ROWS",
            "5000",
            "PRODUCER_SPILL_DIR",
            spill.toString(),
            "PRODUCER_PERIOD",
            "2019-02",
            "PRODUCER_PERIOD_TOLERANCE",
            "12 hours",
            "PRODUCER_RESUME",
            "false");
    TripProducerConfig.ReplaySettings r =
        parse(env, "--mode", "replay", "--input", a.toString()).replay();
    assertThat(r)
        .isEqualTo(
            new TripProducerConfig.ReplaySettings(
                TripProducerConfig.Order.FILE,
                5000,
                spill,
                java.time.YearMonth.of(2019, 2),
                Duration.ofHours(12),
                false));
    TripProducerConfig.ReplaySettings f =
        parse(
                env,
                "--mode",
                "replay",
                "--input",
                a.toString(),
                "--order",
                "dropoff",
                "--sort-chunk-rows=7",
                "--period",
                "2025-01",
                "--period-tolerance",
                "0 days",
                "--resume",
                "TRUE")
            .replay();
    assertThat(f)
        .isEqualTo(
            new TripProducerConfig.ReplaySettings(
                TripProducerConfig.Order.DROPOFF,
                7,
                spill,
                java.time.YearMonth.of(2025, 1),
                Duration.ZERO,
                true));
    assertThat(parse(env, "--period-tolerance", "2d").replay().periodTolerance())
        .isEqualTo(Duration.ofDays(2));
    assertThat(parse(env).toString()).contains("order=FILE").contains("sortChunkRows=5000");
  }

  @Test
  void aSpillDirThatIsNotADirectoryIsAUsageErrorForADropoffReplayOnly() throws Exception {
    Path a = Files.writeString(dir.resolve("a.csv"), "x");
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(
            () ->
                parse(
                    Map.of("PRODUCER_SPILL_DIR", missing),
                    "--mode",
                    "replay",
                    "--input",
                    a.toString()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("PRODUCER_SPILL_DIR");
    assertThat(
            parse(
                    Map.of("PRODUCER_SPILL_DIR", missing),
                    "--mode",
                    "replay",
                    "--input",
                    a.toString(),
                    "--order",
                    "file")
                .replay()
                .order())
        .isEqualTo(TripProducerConfig.Order.FILE);
    assertThat(parse(Map.of("PRODUCER_SPILL_DIR", missing)).mode())
        .isEqualTo(TripProducerConfig.Mode.SYNTHETIC);
  }

  @Test
  void flagsOverrideEnvironment() throws Exception {
    Path a = Files.writeString(dir.resolve("a.csv"), "x");
    Path b = Files.writeString(dir.resolve("b.parquet"), "x");
    Map<String, String> env =
        Map.of(
            "PRODUCER_MODE",
            "synthetic",
            "PRODUCER_RATE",
            "100",
            "PRODUCER_COMPRESSION",
            "zstd",
            "KAFKA_BOOTSTRAP_SERVERS",
            "kafka:9092",
            "PRODUCER_SEED",
            "7");
    TripProducerConfig c =
        parse(
            env,
            "--mode",
            "replay",
            "--input=" + a + "," + b,
            "--rate",
            "0",
            "--speed",
            "60",
            "--time-mode",
            "now",
            "--max-events",
            "5",
            "--linger-ms=5",
            "--batch-size",
            "1024",
            "--metrics-port",
            "0",
            "--topic",
            "t1");
    assertThat(c.mode()).isEqualTo(TripProducerConfig.Mode.REPLAY);
    assertThat(c.inputs()).containsExactly(a, b);
    assertThat(c.rate()).isZero();
    assertThat(c.speed()).isEqualTo(60.0);
    assertThat(c.timeMode()).isEqualTo(TripProducerConfig.TimeMode.NOW);
    assertThat(c.maxEvents()).isEqualTo(5);
    assertThat(c.seed()).isEqualTo(7L);
    assertThat(c.compression()).isEqualTo("zstd");
    assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(c.lingerMs()).isEqualTo(5);
    assertThat(c.batchSize()).isEqualTo(1024);
    assertThat(c.metricsPort()).isZero();
    assertThat(c.topic()).isEqualTo("t1");
  }

  @Test
  void kafkaPropertiesAreIdempotentAllAcksCompressedAndBatched() throws Exception {
    Properties p = parse(Map.of("PRODUCER_COMPRESSION", "snappy")).kafkaProperties();
    assertThat(p)
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all")
        .containsEntry("compression.type", "snappy")
        .containsEntry("linger.ms", "20")
        .containsEntry("batch.size", "131072")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092")
        .containsEntry("security.protocol", "PLAINTEXT");
    assertThat(p).doesNotContainKey("sasl.jaas.config");
  }

  @Test
  void saslSslAndStoresMapToClientPropertiesAndSecretsStayOutOfToString() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_SECURITY_PROTOCOL", "sasl_ssl");
    env.put("KAFKA_SASL_USERNAME", "taxi-producer");
    env.put("KAFKA_SASL_PASSWORD", "s3cr\"et");
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/certs/ca.p12");
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "trustpass");
    env.put("KAFKA_SSL_KEYSTORE_LOCATION", "/certs/user.p12");
    env.put("KAFKA_SSL_KEYSTORE_PASSWORD", "keypass");
    // one Cassandra rule for every app: a password only with its user
    env.put("CASSANDRA_USERNAME", "taxi_test");
    env.put("CASSANDRA_PASSWORD", "cassPass");
    env.put("CASSANDRA_SSL_TRUSTSTORE_PASSWORD", "cassTrust");
    TripProducerConfig c = parse(env);
    Properties p = c.kafkaProperties();
    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/certs/ca.p12")
        .containsEntry("ssl.truststore.type", "PKCS12")
        .containsEntry("ssl.truststore.password", "trustpass")
        .containsEntry("ssl.keystore.location", "/certs/user.p12")
        .containsEntry("ssl.keystore.password", "keypass");
    assertThat(p.getProperty("sasl.jaas.config"))
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"taxi-producer\" "
                + "password=\"s3cr\\\"et\";");
    String text = c.toString();
    assertThat(text)
        .contains("SASL_SSL", "taxi-producer", "****")
        .doesNotContain("s3cr")
        .doesNotContain("trustpass")
        .doesNotContain("keypass")
        .doesNotContain("cassPass")
        .doesNotContain("cassTrust");
  }

  @Test
  void saslWithoutCredentialsIsAUsageError() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("KAFKA_SASL_USERNAME");
  }

  @Test
  void sslOnlyProtocolDoesNotSetSasl() throws Exception {
    Properties p =
        parse(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL", "KAFKA_SSL_TRUSTSTORE_LOCATION", "/ca.p12"))
            .kafkaProperties();
    assertThat(p)
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/ca.p12")
        .doesNotContainKey("sasl.mechanism")
        .doesNotContainKey("ssl.truststore.password");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--nope",
        "--rate",
        "-x",
        "input.csv",
        "--mode=fast",
        "--rate=-1",
        "--rate=abc",
        "--speed=0",
        "--compression=brotli",
        "--metrics-port=70000",
        "--max-events=-3",
        "--time-mode=later",
        "--batch-size=1.5",
        "--seed=abc",
        "--topic=bad topic",
        "--order=random",
        "--order=",
        "--sort-chunk-rows=0",
        "--sort-chunk-rows=many",
        "--period=2025-13",
        "--period=2025",
        "--period-tolerance=soon",
        "--period-tolerance=-1 days",
        "--resume=yes",
        "--resume="
      })
  void invalidFlagsAreUsageErrors(String flag) {
    assertThatThrownBy(() -> parse(Map.of(), flag)).isInstanceOf(UsageException.class);
  }

  @Test
  void replayNeedsExistingCsvOrParquetInputsAndSpeedExcludesRate() throws IOException {
    assertThatThrownBy(() -> parse(Map.of(), "--mode", "replay"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--input");
    assertThatThrownBy(
            () ->
                parse(Map.of(), "--mode", "replay", "--input", dir.resolve("none.csv").toString()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("no such file");
    Path txt = Files.writeString(dir.resolve("trips.txt"), "x");
    assertThatThrownBy(() -> parse(Map.of(), "--mode", "replay", "--input", txt.toString()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining(".csv or .parquet");
    Path csv = Files.writeString(dir.resolve("t.csv"), "x");
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(),
                    "--mode",
                    "replay",
                    "--input",
                    csv.toString(),
                    "--rate",
                    "10",
                    "--speed",
                    "2"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("exclusive");
    assertThatThrownBy(() -> parse(Map.of(), "--speed", "2"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("replay");
  }

  @Test
  void helpIsNotAnError() {
    assertThatThrownBy(() -> parse(Map.of(), "--help")).isInstanceOf(HelpRequested.class);
  }

  @Test
  void sparkDurations() throws Exception {
    assertThat(TripProducerConfig.sparkDuration("x", "5 minutes")).isEqualTo(Duration.ofMinutes(5));
    assertThat(TripProducerConfig.sparkDuration("x", "30 seconds"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(TripProducerConfig.sparkDuration("x", "1 hour")).isEqualTo(Duration.ofHours(1));
    assertThat(TripProducerConfig.sparkDuration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> TripProducerConfig.sparkDuration("ZONE_WINDOW", "soon"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("ZONE_WINDOW");
  }

  @Test
  void everyFlagIsInTheUsageText() {
    for (String flag : TripProducerConfig.FLAGS.keySet()) {
      assertThat(TripProducerConfig.USAGE).contains(flag + " ");
    }
    assertThat(List.copyOf(TripProducerConfig.FLAGS.values()))
        .contains(
            "PRODUCER_MODE",
            "PRODUCER_INPUT",
            "PRODUCER_RATE",
            "PRODUCER_SPEED",
            "PRODUCER_TIME_MODE",
            "PRODUCER_MAX_EVENTS",
            "PRODUCER_SEED",
            "PRODUCER_COMPRESSION",
            "PRODUCER_LINGER_MS",
            "PRODUCER_BATCH_SIZE",
            "METRICS_PORT",
            "PRODUCER_ORDER",
            "PRODUCER_SORT_CHUNK_ROWS",
            "PRODUCER_SPILL_DIR",
            "PRODUCER_PERIOD",
            "PRODUCER_PERIOD_TOLERANCE",
            "PRODUCER_RESUME");
  }

  @Test
  void secretsAreNeverFlagsAndADayLongZoneWindowIsAcceptedAsByTheJob() throws Exception {
    for (String flag :
        new String[] {
          "--kafka-sasl-password=x", "--cassandra-password=x", "--kafka-ssl-keystore-password=x"
        }) {
      assertThatThrownBy(() -> parse(Map.of(), flag))
          .as(flag)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("Unknown option");
    }
    assertThat(TripProducerConfig.USAGE).contains("KAFKA_SASL_PASSWORD", "CASSANDRA_PASSWORD");
    assertThat(parse(Map.of("ZONE_WINDOW", "1 day")).smoke().zoneWindow())
        .isEqualTo(Duration.ofDays(1));
  }
}
