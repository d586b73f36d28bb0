package io.taxiplatform.model;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kafka client security from the shared {@code KAFKA_*} variables of docs/contracts.md, as Kafka
 * client properties. One implementation for the producer (kafka-clients 4.x) and the streaming job
 * (Spark's kafka-clients 3.x): it only names properties, so it needs no Kafka classes. Passwords
 * never appear in {@link #toString()}.
 *
 * @param protocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
 * @param saslMechanism used when the protocol is {@code SASL_*} (default {@code SCRAM-SHA-512})
 * @param saslUsername SCRAM user (Strimzi {@code KafkaUser} name)
 * @param saslPassword SCRAM password (secret)
 * @param truststoreLocation cluster CA store, optional
 * @param truststorePassword secret
 * @param truststoreType default {@code PKCS12}
 * @param keystoreLocation client certificate store (mTLS), optional
 * @param keystorePassword secret
 * @param keystoreType default {@code PKCS12}
 */
public record KafkaClientSecurity(
    String protocol,
    String saslMechanism,
    String saslUsername,
    String saslPassword,
    String truststoreLocation,
    String truststorePassword,
    String truststoreType,
    String keystoreLocation,
    String keystorePassword,
    String keystoreType)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The accepted {@code KAFKA_SECURITY_PROTOCOL} values. */
  public static final List<String> PROTOCOLS =
      List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

  /** Plaintext, no credentials. */
  public static KafkaClientSecurity plaintext() {
    return new KafkaClientSecurity(
        "PLAINTEXT", "SCRAM-SHA-512", null, null, null, null, "PKCS12", null, null, "PKCS12");
  }

  /**
   * Reads the {@code KAFKA_*} security variables; absent or blank ones take their defaults.
   *
   * @throws IllegalArgumentException naming the variable, for an unknown protocol or SASL without
   *     credentials
   */
  public static KafkaClientSecurity fromEnv(Map<String, String> env) {
    String protocol =
        orDefault(env, "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException(
          "KAFKA_SECURITY_PROTOCOL must be one of "
              + String.join(", ", PROTOCOLS)
              + ", not '"
              + protocol
              + "'");
    }
    KafkaClientSecurity s =
        new KafkaClientSecurity(
            protocol,
            orDefault(env, "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            orDefault(env, "KAFKA_SASL_USERNAME", null),
            orDefault(env, "KAFKA_SASL_PASSWORD", null),
            orDefault(env, "KAFKA_SSL_TRUSTSTORE_LOCATION", null),
            orDefault(env, "KAFKA_SSL_TRUSTSTORE_PASSWORD", null),
            orDefault(env, "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12"),
            orDefault(env, "KAFKA_SSL_KEYSTORE_LOCATION", null),
            orDefault(env, "KAFKA_SSL_KEYSTORE_PASSWORD", null),
            orDefault(env, "KAFKA_SSL_KEYSTORE_TYPE", "PKCS12"));
    if (s.isSasl() && (s.saslUsername == null || s.saslPassword == null)) {
      throw new IllegalArgumentException(
          "KAFKA_SECURITY_PROTOCOL="
              + protocol
              + " needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD");
    }
    return s;
  }

  private static String orDefault(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Whether the protocol is {@code SASL_PLAINTEXT} or {@code SASL_SSL}. */
  public boolean isSasl() {
    return protocol.startsWith("SASL_");
  }

  /** Whether the protocol is {@code SSL} or {@code SASL_SSL}. */
  public boolean isSsl() {
    return protocol.endsWith("SSL");
  }

  /**
   * The Kafka client properties ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) of this
   * setting.
   */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", protocol);
    if (isSasl()) {
      p.put("sasl.mechanism", saslMechanism);
      String module =
          saslMechanism.startsWith("SCRAM")
              ? "org.apache.kafka.common.security.scram.ScramLoginModule"
              : "org.apache.kafka.common.security.plain.PlainLoginModule";
      p.put(
          "sasl.jaas.config",
          module
              + " required username=\""
              + jaasEscape(saslUsername)
              + "\" password=\""
              + jaasEscape(saslPassword)
              + "\";");
    }
    if (isSsl()) {
      if (truststoreLocation != null) {
        p.put("ssl.truststore.location", truststoreLocation);
        p.put("ssl.truststore.type", truststoreType);
        if (truststorePassword != null) {
          p.put("ssl.truststore.password", truststorePassword);
        }
      }
      if (keystoreLocation != null) {
        p.put("ssl.keystore.location", keystoreLocation);
        p.put("ssl.keystore.type", keystoreType);
        if (keystorePassword != null) {
          p.put("ssl.keystore.password", keystorePassword);
        }
      }
    }
    return p;
  }

  private static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** {@code ****} for a set secret, {@code <unset>} otherwise. */
  public static String mask(String secret) {
    return secret == null ? "<unset>" : "****";
  }

  @Override
  public String toString() {
    return "KafkaClientSecurity[protocol="
        + protocol
        + (isSasl()
            ? ", saslMechanism="
                + saslMechanism
                + ", saslUsername="
                + saslUsername
                + ", saslPassword="
                + mask(saslPassword)
            : "")
        + (isSsl()
            ? ", truststore="
                + truststoreLocation
                + " ("
                + truststoreType
                + ", password "
                + mask(truststorePassword)
                + "), keystore="
                + keystoreLocation
                + " ("
                + keystoreType
                + ", password "
                + mask(keystorePassword)
                + ")"
            : "")
        + "]";
  }
}
