package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobConfigTest {

  private static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("ZONE_LOOKUP_PATH", "/data/taxi_zone_lookup.csv");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void theSessionWritesLocalCheckpointsWithTheFileSystemWithoutForks() {
    JobConfig c = JobConfig.from(env(), new String[0]);
    org.apache.spark.SparkConf conf = StreamingJob.sparkConf(c);
    assertThat(conf.get("spark.hadoop.fs.AbstractFileSystem.file.impl"))
        .isEqualTo(io.taxiplatform.streaming.fs.LocalFsWithoutForks.class.getName());
    assertThat(conf.get("spark.hadoop.fs.file.impl"))
        .isEqualTo(io.taxiplatform.streaming.fs.LocalFileSystemWithoutForks.class.getName());
  }

  @Test
  void cassandraWritesKeep32BatchesInFlightPerTaskUnlessSparkIsToldOtherwise() {
    JobConfig c = JobConfig.from(env(), new String[0]);
    assertThat(StreamingJob.sparkConf(c).get("spark.cassandra.output.concurrent.writes"))
        .isEqualTo("32");
    // spark-submit --conf (the chart's sparkConf) reaches the job as a system property
    String key = "spark.cassandra.output.concurrent.writes";
    String before = System.getProperty(key);
    System.setProperty(key, "8");
    try {
      assertThat(StreamingJob.sparkConf(c).get(key)).isEqualTo("8");
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void aNewVersionKeepsItsStateInRocksDbWithBoundedMemoryUnlessToldOtherwise() {
    JobConfig c = JobConfig.from(env(), new String[0]);
    assertThat(c.stateStore()).isEqualTo(JobConfig.StateStore.ROCKSDB);
    assertThat(c.stateStoreMemoryMb()).isEqualTo(256);
    org.apache.spark.SparkConf conf = StreamingJob.sparkConf(c);
    // Spark's RocksDB store, its de-duplication's eviction in dropoff order
    assertThat(conf.get("spark.sql.streaming.stateStore.providerClass"))
        .isEqualTo(OrderedEvictionStateStoreProvider.class.getName());
    assertThat(JobConfig.StateStore.isRocksDb(OrderedEvictionStateStoreProvider.class.getName()))
        .isTrue();
    assertThat(
            JobConfig.StateStore.isRocksDb(
                org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider.class
                    .getName()))
        .as("recorded by the versions before topology 5")
        .isTrue();
    assertThat(
            JobConfig.StateStore.isRocksDb(
                org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider.class
                    .getName()))
        .isFalse();
    assertThat(conf.get("spark.sql.streaming.stateStore.rocksdb.boundedMemoryUsage"))
        .isEqualTo("true");
    assertThat(conf.get("spark.sql.streaming.stateStore.rocksdb.maxMemoryUsageMB"))
        .isEqualTo("256");
    assertThat(conf.get("spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled"))
        .isEqualTo("true");
    assertThat(conf.get("spark.sql.streaming.stateStore.rocksdb.trackTotalNumberOfRows"))
        .isEqualTo("false");

    JobConfig hdfs =
        JobConfig.from(env("STATE_STORE", "HDFS "), new String[] {"--state-store-memory-mb=64"});
    assertThat(hdfs.stateStore()).isEqualTo(JobConfig.StateStore.HDFS);
    org.apache.spark.SparkConf h = StreamingJob.sparkConf(hdfs);
    assertThat(h.get("spark.sql.streaming.stateStore.providerClass"))
        .isEqualTo("org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider");
    assertThat(h.get("spark.sql.streaming.stateStore.rocksdb.maxMemoryUsageMB"))
        .as("set whichever store is chosen: a RocksDB checkpoint always resumes bounded")
        .isEqualTo("64");
  }

  @Test
  void aStateStoreOrMemoryBoundTheJobCannotUseIsAUsageErrorNamingIt() {
    assertThatThrownBy(() -> JobConfig.from(env("STATE_STORE", "memory"), new String[0]))
        .isInstanceOf(UsageException.class)
        .hasMessage("STATE_STORE must be rocksdb or hdfs, got 'memory'");
    assertThatThrownBy(() -> JobConfig.from(env("STATE_STORE_MEMORY_MB", "8"), new String[0]))
        .isInstanceOf(UsageException.class)
        .hasMessage("STATE_STORE_MEMORY_MB must be 16..65536, got 8");
    assertThatThrownBy(() -> JobConfig.from(env(), new String[] {"--state-store-memory-mb=lots"}))
        .isInstanceOf(UsageException.class)
        .hasMessage("STATE_STORE_MEMORY_MB must be an integer, got 'lots'");
  }

  @Test
  void defaultsAreTheContractDefaults() {
    JobConfig c = JobConfig.from(env(), new String[0]);
    assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.tripsTopic()).isEqualTo("taxi.trips");
    assertThat(c.deadLetterTopic()).isEqualTo("taxi.trips.dlq");
    assertThat(c.startingOffsets()).isEqualTo("earliest");
    assertThat(c.maxOffsetsPerTrigger()).isEqualTo(250_000);
    assertThat(c.pipelineVersion()).isEqualTo("v1");
    assertThat(c.zoneLookupPath()).isEqualTo(Path.of("/data/taxi_zone_lookup.csv"));
    assertThat(c.watermarkDelay().duration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.zoneWindow().duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.boroughWindow().duration()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.boroughSlide().duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.triggerInterval().duration()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.maxEventTimeSkew().duration()).isEqualTo(Duration.ofHours(1));
    assertThat(c.autoShufflePartitions()).isTrue();
    assertThat(c.metricsPort()).isEqualTo(9091);
    assertThat(c.cassandra().contactPoints()).isEqualTo("127.0.0.1:9042");
    assertThat(c.cassandra().localDc()).isEqualTo("datacenter1");
    assertThat(c.cassandra().keyspace()).isEqualTo("taxi");
    assertThat(c.cassandra().ttlSeconds()).isEqualTo(2_592_000);
    assertThat(c.cassandra().replication())
        .isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': 1}");
    assertThat(c.kafkaSecurity().protocol()).isEqualTo("PLAINTEXT");
  }

  @Test
  void withoutZoneLookupPathTheJobUsesTheShippedLookup() {
    assertThat(JobConfig.from(Map.of(), new String[0]).zoneLookupPath())
        .isEqualTo(Path.of(ZoneLookup.SHIPPED));
    assertThat(JobConfig.from(Map.of("ZONE_LOOKUP_PATH", " "), new String[0]).zoneLookupPath())
        .isEqualTo(Path.of(ZoneLookup.SHIPPED));
    assertThat(
            JobConfig.from(Map.of(), new String[] {"--zone-lookup-path=/z.csv"}).zoneLookupPath())
        .isEqualTo(Path.of("/z.csv"));
    assertThat(JobConfig.usage())
        .contains("ZONE_LOOKUP_PATH (default: classpath:taxi_zone_lookup.csv)");
  }

  @Test
  void tablesAndCheckpointsAreNamedByPipelineVersion() {
    JobConfig c =
        JobConfig.from(
            env("PIPELINE_VERSION", "v2", "CHECKPOINT_LOCATION", "/ckpt/"), new String[0]);
    assertThat(c.zoneWindowsTable()).isEqualTo("zone_windows_v2");
    assertThat(c.windowZonesTable()).isEqualTo("window_zones_v2");
    assertThat(c.boroughWindowsTable()).isEqualTo("borough_windows_v2");
    assertThat(c.checkpointFor("zone_windows")).isEqualTo("/ckpt/v2/zone_windows");
  }

  @Test
  void flagsOverrideEnvironment() {
    JobConfig c =
        JobConfig.from(
            env("WATERMARK_DELAY", "10 minutes", "TRIPS_TOPIC", "a"),
            new String[] {
              "--watermark-delay=2 hours", "--trips-topic", "b", "--shuffle-partitions=2"
            });
    assertThat(c.watermarkDelay().duration()).isEqualTo(Duration.ofHours(2));
    assertThat(c.watermarkDelay().text()).isEqualTo("7200 seconds");
    assertThat(c.tripsTopic()).isEqualTo("b");
    assertThat(c.shufflePartitions()).isEqualTo(2);
  }

  @Test
  void badInputIsAUsageErrorNamingTheProblem() {
    assertThatThrownBy(() -> JobConfig.from(env(), new String[] {"--no-such-flag=1"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--no-such-flag");
    assertThatThrownBy(() -> JobConfig.from(env(), new String[] {"--trips-topic"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("Missing required parameter for option '--trips-topic'");
    assertThatThrownBy(() -> JobConfig.from(env("PIPELINE_VERSION", "V-1"), new String[0]))
        .hasMessageContaining("PIPELINE_VERSION");
    for (String bad : new String[] {"0", "-2", "many", "2147483648"}) {
      assertThatThrownBy(() -> JobConfig.from(env("SHUFFLE_PARTITIONS", bad), new String[0]))
          .as(bad)
          .isInstanceOf(UsageException.class)
          .hasMessage("SHUFFLE_PARTITIONS must be auto or a positive integer, got '" + bad + "'");
    }
    assertThat(JobConfig.from(env("SHUFFLE_PARTITIONS", "AUTO"), new String[0]).shufflePartitions())
        .isEqualTo(JobConfig.AUTO_SHUFFLE_PARTITIONS);
    // an empty variable is an unset one, as for every setting: the default
    assertThat(JobConfig.from(env("SHUFFLE_PARTITIONS", ""), new String[0]).autoShufflePartitions())
        .isTrue();
    assertThat(JobConfig.from(env("SHUFFLE_PARTITIONS", " 3 "), new String[0]).shufflePartitions())
        .isEqualTo(3);
    assertThatThrownBy(() -> JobConfig.from(env("WATERMARK_DELAY", "ten minutes"), new String[0]))
        .hasMessageContaining("WATERMARK_DELAY");
    assertThatThrownBy(() -> JobConfig.from(env("ZONE_WINDOW", "5 fortnights"), new String[0]))
        .hasMessageContaining("unknown unit");
    assertThatThrownBy(() -> JobConfig.from(env("BOROUGH_SLIDE", "20 minutes"), new String[0]))
        .hasMessageContaining("BOROUGH_SLIDE");
    assertThatThrownBy(() -> JobConfig.from(env("MAX_OFFSETS_PER_TRIGGER", "many"), new String[0]))
        .hasMessageContaining("MAX_OFFSETS_PER_TRIGGER");
    assertThatThrownBy(() -> JobConfig.from(env("KAFKA_SECURITY_PROTOCOL", "TLS"), new String[0]))
        .hasMessageContaining("KAFKA_SECURITY_PROTOCOL");
    assertThatThrownBy(
            () -> JobConfig.from(env("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"), new String[0]))
        .hasMessageContaining("KAFKA_SASL_USERNAME");
    assertThatThrownBy(() -> JobConfig.from(env("CASSANDRA_USERNAME", "u"), new String[0]))
        .hasMessageContaining("CASSANDRA_PASSWORD");
    assertThatThrownBy(() -> JobConfig.from(env("CASSANDRA_KEYSPACE", "taxi; DROP"), new String[0]))
        .hasMessageContaining("CASSANDRA_KEYSPACE");
    assertThatThrownBy(() -> JobConfig.from(env("CASSANDRA_REPLICATION", "3"), new String[0]))
        .hasMessageContaining("CASSANDRA_REPLICATION");
  }

  @Test
  void kafkaSaslSslBecomesClientPropertiesAndSecretsAreNotPrinted() {
    JobConfig c =
        JobConfig.from(
            env(
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "KAFKA_SASL_USERNAME",
                "taxi-job",
                "KAFKA_SASL_PASSWORD",
                "s3\"cret",
                "KAFKA_SSL_TRUSTSTORE_LOCATION",
                "/certs/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD",
                "trustpw"),
            new String[0]);
    Map<String, String> p = c.kafkaSecurity().clientProperties();
    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"taxi-job\" password=\"s3\\\"cret\";")
        .containsEntry("ssl.truststore.location", "/certs/ca.p12")
        .containsEntry("ssl.truststore.type", "PKCS12")
        .containsEntry("ssl.truststore.password", "trustpw")
        .doesNotContainKey("ssl.keystore.location");
    assertThat(StreamingJob.kafkaOptions(c))
        .containsEntry("kafka.bootstrap.servers", "127.0.0.1:9092")
        .containsEntry("kafka.security.protocol", "SASL_SSL");
    assertThat(c.toString()).doesNotContain("s3\"cret").doesNotContain("trustpw");
  }

  @Test
  void plaintextHasNoSaslOrSslProperties() {
    JobConfig c =
        JobConfig.from(env("KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "p"), new String[0]);
    assertThat(c.kafkaSecurity().clientProperties()).containsOnlyKeys("security.protocol");
  }

  @Test
  void cassandraCredentialsAndTlsBecomeConnectorProperties() {
    JobConfig c =
        JobConfig.from(
            env(
                "CASSANDRA_USERNAME",
                "taxi-superuser",
                "CASSANDRA_PASSWORD",
                "pw",
                "CASSANDRA_SSL_ENABLED",
                "true",
                "CASSANDRA_SSL_TRUSTSTORE_PATH",
                "/certs/truststore.jks",
                "CASSANDRA_SSL_TRUSTSTORE_PASSWORD",
                "tpw",
                "CASSANDRA_CONTACT_POINTS",
                "c1:9042,c2:9042",
                "CASSANDRA_LOCAL_DC",
                "dc1",
                "CASSANDRA_TTL_SECONDS",
                "3600"),
            new String[0]);
    assertThat(c.cassandra().sparkProperties())
        .containsEntry("spark.cassandra.connection.host", "c1:9042,c2:9042")
        .containsEntry("spark.cassandra.connection.localDC", "dc1")
        .containsEntry("spark.cassandra.auth.username", "taxi-superuser")
        .containsEntry("spark.cassandra.auth.password", "pw")
        .containsEntry("spark.cassandra.connection.ssl.enabled", "true")
        .containsEntry("spark.cassandra.connection.ssl.trustStore.path", "/certs/truststore.jks")
        .containsEntry("spark.cassandra.connection.ssl.trustStore.type", "JKS")
        .containsEntry("spark.cassandra.connection.ssl.trustStore.password", "tpw")
        .containsEntry("spark.cassandra.output.ttl", "3600");
    assertThat(c.toString()).doesNotContain("=pw").doesNotContain("tpw");
  }

  @Test
  void usageListsEveryVariable() {
    String usage = JobConfig.usage();
    for (String variable : JobConfig.DEFAULTS.keySet()) {
      assertThat(usage).contains(variable);
    }
  }

  @Test
  void theConsumerGroupPrefixDefaultsToTaxiStreamAndThePipelineVersion() {
    assertThat(JobConfig.from(env(), new String[0]).kafkaGroupIdPrefix())
        .isEqualTo("taxi-stream-v1");
    assertThat(JobConfig.from(env("PIPELINE_VERSION", "v2"), new String[0]).kafkaGroupIdPrefix())
        .isEqualTo("taxi-stream-v2");
    assertThat(
            JobConfig.from(
                    env("PIPELINE_VERSION", "v2", "KAFKA_GROUP_ID_PREFIX", "team.a-stream_x"),
                    new String[0])
                .kafkaGroupIdPrefix())
        .isEqualTo("team.a-stream_x");
    assertThat(
            JobConfig.from(env(), new String[] {"--kafka-group-id-prefix=taxi-stream-blue"})
                .kafkaGroupIdPrefix())
        .isEqualTo("taxi-stream-blue");
    assertThat(JobConfig.usage())
        .contains("KAFKA_GROUP_ID_PREFIX (default: taxi-stream-<PIPELINE_VERSION>)");
  }

  @Test
  void aConsumerGroupPrefixWithCharactersAnAclCannotNameIsRefused() {
    assertThatThrownBy(
            () -> JobConfig.from(env("KAFKA_GROUP_ID_PREFIX", "taxi stream*"), new String[0]))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("KAFKA_GROUP_ID_PREFIX");
  }

  @Test
  void onlyTheKafkaSourcesGetTheGroupPrefix() {
    JobConfig c =
        JobConfig.from(
            env(
                "PIPELINE_VERSION",
                "v3",
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "KAFKA_SASL_USERNAME",
                "taxi-stream",
                "KAFKA_SASL_PASSWORD",
                "pw"),
            new String[0]);
    assertThat(StreamingJob.kafkaSourceOptions(c))
        .containsEntry("groupIdPrefix", "taxi-stream-v3")
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsAllEntriesOf(StreamingJob.kafkaOptions(c));
    // The dead-letter sink's options (Kafka sink): no source-only option.
    assertThat(StreamingJob.kafkaOptions(c)).doesNotContainKey("groupIdPrefix");
  }

  @Test
  void secretsAreNeverFlagsOnlyEnvironmentVariables() {
    for (String flag :
        new String[] {
          "--kafka-sasl-password=x",
          "--kafka-ssl-truststore-password=x",
          "--kafka-ssl-keystore-password=x",
          "--cassandra-password=x",
          "--cassandra-ssl-truststore-password=x"
        }) {
      assertThatThrownBy(() -> JobConfig.from(env(), new String[] {flag}))
          .as(flag)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("Unknown option");
    }
    JobConfig c =
        JobConfig.from(
            env("CASSANDRA_USERNAME", "taxi_job", "CASSANDRA_PASSWORD", " pw\n"), new String[0]);
    assertThat(c.cassandra().password()).isEqualTo("pw");
    assertThat(JobConfig.usage())
        .contains("Secrets (environment only")
        .contains("KAFKA_SASL_PASSWORD")
        .doesNotContain("--kafka-sasl-password");
  }

  @Test
  void helpIsNotAnError() {
    assertThatThrownBy(() -> JobConfig.from(env(), new String[] {"--help"}))
        .isInstanceOf(io.taxiplatform.config.HelpRequested.class);
  }

  @Test
  void aDayLongZoneWindowIsAcceptedAsByTheProducer() {
    assertThat(JobConfig.from(env("ZONE_WINDOW", "1 day"), new String[0]).zoneWindow().duration())
        .isEqualTo(Duration.ofDays(1));
  }
}
