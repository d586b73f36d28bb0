package io.taxiplatform.local.it.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.producer.ProducerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The producer's SASL/SCRAM-SHA-512 settings (the staging profile's Strimzi {@code KafkaUser})
 * against a real KRaft broker whose only client listener is SASL_PLAINTEXT: the right password
 * sends, a wrong one fails with exit 1 and sends nothing.
 */
class ProducerScramIT {

  private static KafkaNode broker;

  @BeforeAll
  static void startScramBroker() {
    broker = KafkaNode.startWithScram(Map.of("taxi-producer", "producer-secret"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close(Duration.ofSeconds(10));
    }
  }

  private static Map<String, String> producerEnv(String topic, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("TRIPS_TOPIC", topic);
    env.put("METRICS_PORT", "0");
    env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put("KAFKA_SASL_USERNAME", "taxi-producer");
    env.put("KAFKA_SASL_PASSWORD", password);
    return env;
  }

  private static int run(Map<String, String> env, ByteArrayOutputStream out, String... args) {
    return ProducerMain.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @Test
  void scramCredentialsFromTheEnvironmentAuthenticateAndSend() throws Exception {
    String topic = "scram-" + UUID.randomUUID();
    broker.createTopic(topic, 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        run(producerEnv(topic, "producer-secret"), out, "--seed", "2", "--max-events", "300");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("sent:        300").doesNotContain("producer-secret");

    Properties c = broker.clientProperties();
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts =
          List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      long records = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
      assertThat(records).isEqualTo(300);
    }
  }

  @Test
  void aWrongPasswordFailsTheRunAndSendsNothing() throws Exception {
    String topic = "scram-bad-" + UUID.randomUUID();
    broker.createTopic(topic, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        run(producerEnv(topic, "not-the-password"), out, "--seed", "2", "--max-events", "10");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isEqualTo(1);
    assertThat(text).contains("sent:        0").containsIgnoringCase("authentication");
  }
}
