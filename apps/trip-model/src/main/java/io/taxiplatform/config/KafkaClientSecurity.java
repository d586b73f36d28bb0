package io.taxiplatform.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

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

  /**
   * The non-secret {@code KAFKA_*} security options, declared once for the producer and the job (a
   * picocli mixin); the passwords are {@link Secrets#KAFKA}.
   */
  public static final class Options {
    @Option(
        names = "--kafka-security-protocol",
        paramLabel = "PROTOCOL",
        defaultValue = "${env:KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}",
        description = "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
    String protocol;

    @Option(
        names = "--kafka-sasl-mechanism",
        paramLabel = "MECHANISM",
        defaultValue = "${env:KAFKA_SASL_MECHANISM:-SCRAM-SHA-512}",
        description = "used when the protocol is SASL_*")
    String saslMechanism;

    @Option(
        names = "--kafka-sasl-username",
        paramLabel = "USER",
        defaultValue = "${env:KAFKA_SASL_USERNAME:-}",
        description = "SCRAM user (Strimzi KafkaUser name); its password: KAFKA_SASL_PASSWORD")
    String saslUsername;

    @Option(
        names = "--kafka-ssl-truststore-location",
        paramLabel = "FILE",
        defaultValue = "${env:KAFKA_SSL_TRUSTSTORE_LOCATION:-}",
        description = "cluster CA store (Strimzi <kafka>-cluster-ca-cert ca.p12), optional")
    String truststoreLocation;

    @Option(
        names = "--kafka-ssl-truststore-type",
        paramLabel = "TYPE",
        defaultValue = "${env:KAFKA_SSL_TRUSTSTORE_TYPE:-PKCS12}",
        description = "type of the CA store")
    String truststoreType;

    @Option(
        names = "--kafka-ssl-keystore-location",
        paramLabel = "FILE",
        defaultValue = "${env:KAFKA_SSL_KEYSTORE_LOCATION:-}",
        description = "client certificate store (mTLS), optional")
    String keystoreLocation;

    @Option(
        names = "--kafka-ssl-keystore-type",
        paramLabel = "TYPE",
        defaultValue = "${env:KAFKA_SSL_KEYSTORE_TYPE:-PKCS12}",
        description = "type of the client certificate store")
    String keystoreType;

    /**
     * These options with the passwords of {@code env}.
     *
     * @throws UsageException naming the variable, for an unknown protocol or SASL without
     *     credentials
     */
    public KafkaClientSecurity toSecurity(Map<String, String> env) {
      String p = protocol.trim().toUpperCase(Locale.ROOT);
      if (!PROTOCOLS.contains(p)) {
        throw new UsageException(
            "KAFKA_SECURITY_PROTOCOL must be one of "
                + String.join(", ", PROTOCOLS)
                + ", not '"
                + p
                + "'");
      }
      KafkaClientSecurity s =
          new KafkaClientSecurity(
              p,
              orDefault(saslMechanism, "SCRAM-SHA-512"),
              orDefault(saslUsername, null),
              Secrets.read(env, Secrets.KAFKA_SASL_PASSWORD),
              orDefault(truststoreLocation, null),
              Secrets.read(env, Secrets.KAFKA_SSL_TRUSTSTORE_PASSWORD),
              orDefault(truststoreType, "PKCS12"),
              orDefault(keystoreLocation, null),
              Secrets.read(env, Secrets.KAFKA_SSL_KEYSTORE_PASSWORD),
              orDefault(keystoreType, "PKCS12"));
      if (s.isSasl() && (s.saslUsername == null || s.saslPassword == null)) {
        throw new UsageException(
            "KAFKA_SECURITY_PROTOCOL=" + p + " needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD");
      }
      return s;
    }

    private static String orDefault(String v, String fallback) {
      return v == null || v.isBlank() ? fallback : v.trim();
    }
  }

  /**
   * Reads the {@code KAFKA_*} security variables; absent or blank ones take their defaults.
   *
   * @throws UsageException naming the variable, for an unknown protocol or SASL without credentials
   */
  public static KafkaClientSecurity fromEnv(Map<String, String> env) {
    return Cli.parse(new Options(), env, new String[0]).toSecurity(env);
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
                + Secrets.mask(saslPassword)
            : "")
        + (isSsl()
            ? ", truststore="
                + truststoreLocation
                + " ("
                + truststoreType
                + ", password "
                + Secrets.mask(truststorePassword)
                + "), keystore="
                + keystoreLocation
                + " ("
                + keystoreType
                + ", password "
                + Secrets.mask(keystorePassword)
                + ")"
            : "")
        + "]";
  }
}
