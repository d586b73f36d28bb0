package io.taxiplatform.local.it.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.producer.ProducerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The producer's SASL/SCRAM-SHA-512 settings (the staging profile's Strimzi {@code KafkaUser}) against a
 * real KRaft broker whose only client listener is SASL_PLAINTEXT: the right password sends, a wrong one
 * fails with exit 1 and sends nothing.
 */
class ProducerScramIT {

  private static final String ADMIN_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
      + "username=\"admin\" password=\"admin-secret\";";
  private static JvmProcess broker;
  private static int port;

  @BeforeAll
  static void startScramBroker() throws Exception {
    Path work = LocalPaths.newWorkDir("kafka-scram");
    port = FreePorts.next();
    int controller = FreePorts.next();
    while (controller == port) {
      controller = FreePorts.next();
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    props.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
    props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
    props.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    props.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
    props.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", ADMIN_JAAS);
    props.put("log.dirs", work.resolve("data").toString());
    props.put("num.partitions", "1");
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    Path config = work.resolve("server.properties");
    StringBuilder text = new StringBuilder();
    props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    Path log4j = work.resolve("log4j2.properties");
    Files.writeString(log4j, "status = warn\nappender.console.type = Console\nappender.console.name = STDOUT\n"
        + "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = [%d] %p %m (%c)%n\n"
        + "rootLogger.level = INFO\nrootLogger.appenderRef.stdout.ref = STDOUT\n");
    List<String> jvm = List.of("-Xms256m", "-Xmx512m", "-Dlog4j2.configurationFile=" + log4j.toUri());
    String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    int formatted = JvmProcess.builder("kafka-scram-format", "kafka.tools.StorageTool")
        .classpath(LocalPaths.kafkaClasspath()).jvmArgs(jvm).workDir(work)
        .args(List.of("format", "-t", clusterId, "-c", config.toString(),
            "--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret]",
            "--add-scram", "SCRAM-SHA-512=[name=taxi-producer,password=producer-secret]"))
        .run(Duration.ofSeconds(120));
    assertThat(formatted).as(Files.readString(work.resolve("kafka-scram-format.log"))).isZero();
    broker = JvmProcess.builder("kafka-scram", "kafka.Kafka").classpath(LocalPaths.kafkaClasspath())
        .jvmArgs(jvm).workDir(work).args(List.of(config.toString())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!FreePorts.isListening(port)) {
      assertThat(broker.isAlive()).as(broker.logTail(40)).isTrue();
      assertThat(System.nanoTime()).as("broker listening in time; " + broker.logTail(40)).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.destroy(Duration.ofSeconds(10));
    }
  }

  private static Properties adminProps() {
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:" + port);
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", ADMIN_JAAS);
    return p;
  }

  private static Map<String, String> producerEnv(String topic, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + port);
    env.put("TRIPS_TOPIC", topic);
    env.put("METRICS_PORT", "0");
    env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put("KAFKA_SASL_USERNAME", "taxi-producer");
    env.put("KAFKA_SASL_PASSWORD", password);
    return env;
  }

  private static int run(Map<String, String> env, ByteArrayOutputStream out, String... args) {
    return ProducerMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @Test
  void scramCredentialsFromTheEnvironmentAuthenticateAndSend() throws Exception {
    String topic = "scram-" + UUID.randomUUID();
    try (Admin admin = Admin.create(adminProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = run(producerEnv(topic, "producer-secret"), out, "--seed", "2", "--max-events", "300");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("sent:        300").doesNotContain("producer-secret");

    Properties c = adminProps();
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      long records = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
      assertThat(records).isEqualTo(300);
    }
  }

  @Test
  void aWrongPasswordFailsTheRunAndSendsNothing() throws Exception {
    String topic = "scram-bad-" + UUID.randomUUID();
    try (Admin admin = Admin.create(adminProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = run(producerEnv(topic, "not-the-password"), out, "--seed", "2", "--max-events", "10");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isEqualTo(1);
    assertThat(text).contains("sent:        0").containsIgnoringCase("authentication");
  }
}
