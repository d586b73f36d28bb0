package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.KafkaNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The harness itself: real Kafka (KRaft) and Cassandra start, carry data, and leave nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalServicesIT {

  private static KafkaNode kafka;
  private static CassandraNode cassandra;

  /**
   * Processes this JVM ran before (e.g. shared services of other test classes): not ours to check.
   */
  private static Set<Long> earlierChildren;

  @BeforeAll
  static void startServices() {
    earlierChildren =
        ProcessHandle.current()
            .descendants()
            .map(ProcessHandle::pid)
            .collect(java.util.stream.Collectors.toSet());
    kafka = KafkaNode.start();
    cassandra = CassandraNode.start();
  }

  @AfterAll
  static void stopServices() {
    if (kafka != null) {
      kafka.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  @Order(1)
  void recordsRoundTripThroughKafkaWithTheRequestedPartitions() throws Exception {
    String topic = "harness-" + UUID.randomUUID();
    kafka.createTopic(topic, 3);
    try (Admin admin = kafka.admin()) {
      assertThat(
              admin
                  .describeTopics(Set.of(topic))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get(topic)
                  .partitions())
          .hasSize(3);
    }

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    List<String> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 50; i++) {
        String value = "{\"n\":" + i + ",\"id\":\"" + UUID.randomUUID() + "\"}";
        RecordMetadata meta =
            producer
                .send(new ProducerRecord<>(topic, String.valueOf(i % 7), value))
                .get(30, TimeUnit.SECONDS);
        assertThat(meta.topic()).isEqualTo(topic);
        sent.add(value);
      }
    }

    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "harness-" + UUID.randomUUID());
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          received.add(record.value());
        }
      }
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  @Order(2)
  void cqlWritesAreReadBack() {
    CqlSession session = cassandra.session();
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS harness WITH replication = "
            + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS harness.kv (k text PRIMARY KEY, v bigint)");
    String key = UUID.randomUUID().toString();
    session.execute("INSERT INTO harness.kv (k, v) VALUES (?, ?)", key, 42L);
    Row row = session.execute("SELECT v FROM harness.kv WHERE k = ?", key).one();
    assertThat(row).isNotNull();
    assertThat(row.getLong("v")).isEqualTo(42L);
    assertThat(
            session.execute("SELECT data_center FROM system.local").one().getString("data_center"))
        .isEqualTo(cassandra.localDatacenter());
  }

  /**
   * CassandraNode gives Cassandra its memtable row overhead instead of letting every start measure
   * it (CassandraNode.MEMTABLE_ROW_OVERHEAD_PROPERTY): had Cassandra not read the property, its log
   * would report the estimate it made.
   */
  @Test
  @Order(2)
  void cassandraTakesItsMemtableRowOverheadFromTheStartOptions() throws Exception {
    String log = java.nio.file.Files.readString(cassandra.workDir().resolve("cassandra.log"));
    assertThat(log)
        .contains("Startup complete")
        .doesNotContain("Estimated SkipListMemtable row overhead");
  }

  @Test
  @Order(3)
  void kafkasOwnProducerPerformanceToolRunsAgainstTheNode() throws Exception {
    String topic = "perf-" + UUID.randomUUID();
    kafka.createTopic(topic, 2);

    int exit =
        kafka
            .tool("producer-perf", "org.apache.kafka.tools.ProducerPerformance")
            .args(
                List.of(
                    "--topic",
                    topic,
                    "--num-records",
                    "2000",
                    "--record-size",
                    "200",
                    "--throughput",
                    "-1",
                    "--producer-props",
                    "bootstrap.servers=" + kafka.bootstrapServers(),
                    "acks=all"))
            .run(Duration.ofMinutes(2));

    assertThat(exit).isZero();
    assertThat(java.nio.file.Files.readString(kafka.workDir().resolve("producer-perf.log")))
        .contains("2000 records sent");
    try (Admin admin = kafka.admin()) {
      long records =
          admin
              .listOffsets(
                  java.util.Map.of(
                      new org.apache.kafka.common.TopicPartition(topic, 0),
                      org.apache.kafka.clients.admin.OffsetSpec.latest(),
                      new org.apache.kafka.common.TopicPartition(topic, 1),
                      org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .all()
              .get(30, TimeUnit.SECONDS)
              .values()
              .stream()
              .mapToLong(i -> i.offset())
              .sum();
      assertThat(records).isEqualTo(2000);
    }
  }

  @Test
  @Order(4)
  void closeLeavesNoProcessAndNoListeningPort() {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(kafka.process().handle());
    tree.addAll(kafka.process().handle().descendants().toList());
    tree.add(cassandra.process().handle());
    tree.addAll(cassandra.process().handle().descendants().toList());
    int[] ports = {
      kafka.port(), kafka.controllerPort(), cassandra.nativePort(), cassandra.storagePort()
    };
    assertThat(tree).allMatch(ProcessHandle::isAlive);
    assertThat(FreePorts.isListening(kafka.port())).isTrue();
    assertThat(FreePorts.isListening(cassandra.nativePort())).isTrue();

    kafka.close();
    cassandra.close();

    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(p -> p.isAlive() && !earlierChildren.contains(p.pid()))
                .toList())
        .as("child processes started by this test class")
        .isEmpty();
    for (int port : ports) {
      assertThat(FreePorts.isListening(port)).as("port %d after close", port).isFalse();
    }
    assertThat(kafka.workDir().resolve("data")).doesNotExist();
    assertThat(cassandra.workDir().resolve("data")).doesNotExist();
  }
}
