package io.taxiplatform.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every secret the apps read. A secret comes only from its environment variable, never from a flag
 * (a flag's value shows in the process list), and is never printed: {@link #mask} stands for it in
 * {@code toString()} and usage text.
 */
public final class Secrets {

  /**
   * One secret variable.
   *
   * @param variable the environment variable
   * @param description what it holds
   */
  public record Secret(String variable, String description) {}

  public static final Secret KAFKA_SASL_PASSWORD =
      new Secret("KAFKA_SASL_PASSWORD", "SCRAM password (Strimzi KafkaUser secret `password`)");
  public static final Secret KAFKA_SSL_TRUSTSTORE_PASSWORD =
      new Secret("KAFKA_SSL_TRUSTSTORE_PASSWORD", "password of the cluster CA store");
  public static final Secret KAFKA_SSL_KEYSTORE_PASSWORD =
      new Secret("KAFKA_SSL_KEYSTORE_PASSWORD", "password of the client certificate store");
  public static final Secret CASSANDRA_PASSWORD =
      new Secret("CASSANDRA_PASSWORD", "password of CASSANDRA_USERNAME");
  public static final Secret CASSANDRA_SSL_TRUSTSTORE_PASSWORD =
      new Secret("CASSANDRA_SSL_TRUSTSTORE_PASSWORD", "password of the Cassandra CA store");
  public static final Secret CASSANDRA_JOB_ROLE_PASSWORD =
      new Secret("CASSANDRA_JOB_ROLE_PASSWORD", "password of CASSANDRA_JOB_ROLE");
  public static final Secret CASSANDRA_READER_ROLE_PASSWORD =
      new Secret("CASSANDRA_READER_ROLE_PASSWORD", "password of CASSANDRA_READER_ROLE");
  public static final Secret CASSANDRA_TEST_ROLE_PASSWORD =
      new Secret("CASSANDRA_TEST_ROLE_PASSWORD", "password of CASSANDRA_TEST_ROLE");

  /** The Kafka client's secrets (producer and job). */
  public static final List<Secret> KAFKA =
      List.of(KAFKA_SASL_PASSWORD, KAFKA_SSL_TRUSTSTORE_PASSWORD, KAFKA_SSL_KEYSTORE_PASSWORD);

  /** The Cassandra client's secrets (producer's check/smoke modes, job, access setup). */
  public static final List<Secret> CASSANDRA =
      List.of(CASSANDRA_PASSWORD, CASSANDRA_SSL_TRUSTSTORE_PASSWORD);

  /** A Kafka and Cassandra client's secrets: what the producer and the job read. */
  public static final List<Secret> CLIENT =
      List.of(
          KAFKA_SASL_PASSWORD,
          KAFKA_SSL_TRUSTSTORE_PASSWORD,
          KAFKA_SSL_KEYSTORE_PASSWORD,
          CASSANDRA_PASSWORD,
          CASSANDRA_SSL_TRUSTSTORE_PASSWORD);

  /** The role passwords only the Cassandra access setup reads. */
  public static final List<Secret> CASSANDRA_ROLES =
      List.of(
          CASSANDRA_JOB_ROLE_PASSWORD,
          CASSANDRA_READER_ROLE_PASSWORD,
          CASSANDRA_TEST_ROLE_PASSWORD);

  /** Every secret, by variable. */
  public static final Map<String, Secret> ALL = all();

  private static Map<String, Secret> all() {
    Map<String, Secret> m = new LinkedHashMap<>();
    for (List<Secret> l : List.of(KAFKA, CASSANDRA, CASSANDRA_ROLES)) {
      l.forEach(s -> m.put(s.variable(), s));
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private Secrets() {}

  /**
   * The secret's value from the environment, trimmed (a Secret written with a trailing newline
   * still matches); {@code null} when absent or blank.
   */
  public static String read(Map<String, String> env, Secret secret) {
    String v = env.get(secret.variable());
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** {@code ****} for a set secret, {@code <unset>} otherwise. */
  public static String mask(String secret) {
    return secret == null ? "<unset>" : "****";
  }
}
