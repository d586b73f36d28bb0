package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security properties are accepted by a real {@code KafkaProducer}: its constructor builds the
 * SASL login (parses the JAAS line) and the SSL engine (loads the trust store) without connecting
 * anywhere.
 */
class KafkaClientSecurityTest {

  @TempDir Path dir;

  private Path pkcs12(String name, String password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    Path p = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(p)) {
      ks.store(out, password.toCharArray());
    }
    return p;
  }

  private static Map<String, String> env(String protocol) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
    env.put("KAFKA_SECURITY_PROTOCOL", protocol);
    env.put("KAFKA_SASL_USERNAME", "taxi-producer");
    env.put("KAFKA_SASL_PASSWORD", "pa\"ss word");
    return env;
  }

  @Test
  void saslSslWithATrustStoreBuildsAProducer() throws Exception {
    Map<String, String> env = env("SASL_SSL");
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", pkcs12("ca.p12", "changeit").toString());
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit");
    TripProducerConfig config = TripProducerConfig.parse(env, new String[0]);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(config.kafkaProperties())) {
      assertThat(p.metrics()).isNotEmpty();
    }
  }

  @Test
  void saslPlaintextBuildsAProducer() throws Exception {
    TripProducerConfig config = TripProducerConfig.parse(env("SASL_PLAINTEXT"), new String[0]);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(config.kafkaProperties())) {
      assertThat(p.metrics()).isNotEmpty();
    }
  }

  @Test
  void aWrongTrustStorePasswordFailsAtStartNotLater() throws Exception {
    Map<String, String> env = env("SSL");
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", pkcs12("ca.p12", "right").toString());
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "wrong");
    TripProducerConfig config = TripProducerConfig.parse(env, new String[0]);
    assertThatThrownBy(() -> new KafkaProducer<String, byte[]>(config.kafkaProperties()).close())
        .isInstanceOf(KafkaException.class);
  }
}
