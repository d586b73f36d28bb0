package io.taxiplatform.producer;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Kafka client security (docs/contracts.md, shared variables). Passwords never appear in
 * {@link #toString()} or logs.
 *
 * @param protocol          {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
 * @param saslMechanism     used when the protocol is {@code SASL_*}
 * @param saslUsername      SCRAM user
 * @param saslPassword      SCRAM password (secret)
 * @param truststoreLocation cluster CA store, optional
 * @param truststorePassword secret
 * @param truststoreType    default {@code PKCS12}
 * @param keystoreLocation  client certificate store (mTLS), optional
 * @param keystorePassword  secret
 * @param keystoreType      default {@code PKCS12}
 */
public record KafkaSecurity(
    String protocol,
    String saslMechanism,
    String saslUsername,
    String saslPassword,
    String truststoreLocation,
    String truststorePassword,
    String truststoreType,
    String keystoreLocation,
    String keystorePassword,
    String keystoreType) {

  static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

  /** Plaintext, no credentials. */
  public static KafkaSecurity plaintext() {
    return new KafkaSecurity("PLAINTEXT", "SCRAM-SHA-512", null, null, null, null, "PKCS12", null, null, "PKCS12");
  }

  /** Reads the {@code KAFKA_*} security variables. */
  static KafkaSecurity fromEnv(Map<String, String> env) throws UsageException {
    String protocol = env.getOrDefault("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) {
      throw new UsageException("KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL: "
          + protocol);
    }
    KafkaSecurity s = new KafkaSecurity(protocol,
        env.getOrDefault("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
        blankToNull(env.get("KAFKA_SASL_USERNAME")),
        blankToNull(env.get("KAFKA_SASL_PASSWORD")),
        blankToNull(env.get("KAFKA_SSL_TRUSTSTORE_LOCATION")),
        blankToNull(env.get("KAFKA_SSL_TRUSTSTORE_PASSWORD")),
        env.getOrDefault("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12"),
        blankToNull(env.get("KAFKA_SSL_KEYSTORE_LOCATION")),
        blankToNull(env.get("KAFKA_SSL_KEYSTORE_PASSWORD")),
        env.getOrDefault("KAFKA_SSL_KEYSTORE_TYPE", "PKCS12"));
    if (s.isSasl() && (s.saslUsername == null || s.saslPassword == null)) {
      throw new UsageException("KAFKA_SECURITY_PROTOCOL=" + protocol
          + " needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD");
    }
    return s;
  }

  boolean isSasl() {
    return protocol.startsWith("SASL_");
  }

  boolean isSsl() {
    return protocol.endsWith("SSL");
  }

  /** Adds the client properties for this security setting. */
  public void applyTo(Properties props) {
    props.put("security.protocol", protocol);
    if (isSasl()) {
      props.put("sasl.mechanism", saslMechanism);
      String module = saslMechanism.startsWith("SCRAM")
          ? "org.apache.kafka.common.security.scram.ScramLoginModule"
          : "org.apache.kafka.common.security.plain.PlainLoginModule";
      props.put("sasl.jaas.config", module + " required username=\"" + jaasEscape(saslUsername)
          + "\" password=\"" + jaasEscape(saslPassword) + "\";");
    }
    if (isSsl()) {
      if (truststoreLocation != null) {
        props.put("ssl.truststore.location", truststoreLocation);
        props.put("ssl.truststore.type", truststoreType);
        if (truststorePassword != null) {
          props.put("ssl.truststore.password", truststorePassword);
        }
      }
      if (keystoreLocation != null) {
        props.put("ssl.keystore.location", keystoreLocation);
        props.put("ssl.keystore.type", keystoreType);
        if (keystorePassword != null) {
          props.put("ssl.keystore.password", keystorePassword);
        }
      }
    }
  }

  private static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "KafkaSecurity[protocol=" + protocol
        + (isSasl() ? ", saslMechanism=" + saslMechanism + ", saslUsername=" + saslUsername
            + ", saslPassword=" + mask(saslPassword) : "")
        + (isSsl() ? ", truststore=" + truststoreLocation + " (" + truststoreType + ", password "
            + mask(truststorePassword) + "), keystore=" + keystoreLocation + " (" + keystoreType + ", password "
            + mask(keystorePassword) + ")" : "")
        + "]";
  }

  static String mask(String secret) {
    return secret == null ? "<unset>" : "****";
  }
}
