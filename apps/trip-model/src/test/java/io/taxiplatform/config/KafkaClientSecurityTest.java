package io.taxiplatform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSecurityTest {

  @Test
  void defaultsArePlaintextWithOnlyTheProtocolProperty() {
    KafkaClientSecurity s = KafkaClientSecurity.fromEnv(Map.of());
    assertThat(s)
        .isEqualTo(
            new KafkaClientSecurity(
                "PLAINTEXT",
                "SCRAM-SHA-512",
                null,
                null,
                null,
                null,
                "PKCS12",
                null,
                null,
                "PKCS12"));
    assertThat(s.clientProperties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void saslSslMapsScramJaasWithEscapingAndTheStores() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_SECURITY_PROTOCOL", "sasl_ssl");
    env.put("KAFKA_SASL_USERNAME", "taxi-job");
    env.put("KAFKA_SASL_PASSWORD", "s3\"c\\ret");
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/certs/ca.p12");
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "trustpw");
    env.put("KAFKA_SSL_KEYSTORE_LOCATION", "  ");
    Map<String, String> p = KafkaClientSecurity.fromEnv(env).clientProperties();
    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"taxi-job\" password=\"s3\\\"c\\\\ret\";")
        .containsEntry("ssl.truststore.location", "/certs/ca.p12")
        .containsEntry("ssl.truststore.type", "PKCS12")
        .containsEntry("ssl.truststore.password", "trustpw")
        .doesNotContainKeys("ssl.keystore.location", "ssl.keystore.password");
  }

  @Test
  void sslSettingsAreIgnoredWithoutAnSslProtocol() {
    Map<String, String> p =
        KafkaClientSecurity.fromEnv(
                Map.of(
                    "KAFKA_SECURITY_PROTOCOL",
                    "SASL_PLAINTEXT",
                    "KAFKA_SASL_USERNAME",
                    "u",
                    "KAFKA_SASL_PASSWORD",
                    "p",
                    "KAFKA_SSL_TRUSTSTORE_LOCATION",
                    "/ca.p12"))
            .clientProperties();
    assertThat(p).containsKeys("sasl.jaas.config").doesNotContainKey("ssl.truststore.location");
  }

  @Test
  void badSettingsNameTheVariable() {
    assertThatThrownBy(() -> KafkaClientSecurity.fromEnv(Map.of("KAFKA_SECURITY_PROTOCOL", "TLS")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KAFKA_SECURITY_PROTOCOL")
        .hasMessageContaining("TLS");
    assertThatThrownBy(
            () ->
                KafkaClientSecurity.fromEnv(
                    Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_USERNAME", "u")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KAFKA_SASL_PASSWORD");
  }

  @Test
  void toStringNeverShowsPasswords() {
    KafkaClientSecurity s =
        KafkaClientSecurity.fromEnv(
            Map.of(
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "KAFKA_SASL_USERNAME",
                "u",
                "KAFKA_SASL_PASSWORD",
                "topsecret",
                "KAFKA_SSL_TRUSTSTORE_LOCATION",
                "/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD",
                "alsosecret"));
    assertThat(s.toString())
        .contains("saslUsername=u", "****")
        .doesNotContain("topsecret", "alsosecret");
  }
}
