package io.taxiplatform.local;

import java.time.Duration;

/**
 * One Kafka broker and one Cassandra node shared by every integration test of a test JVM (failsafe
 * reuses its fork), started on first use and stopped by a JVM shutdown hook. Starting them takes
 * ~20 s, so test classes that can share them should: use unique topic names and keyspaces (or
 * pipeline versions) per test. A test that must own its services (e.g. to kill one) starts its own
 * with {@link KafkaNode#start()} / {@link CassandraNode#start()}.
 */
public final class SharedServices {

  private SharedServices() {}

  private static KafkaNode kafka;
  private static CassandraNode cassandra;
  private static RuntimeException kafkaFailure;
  private static RuntimeException cassandraFailure;

  /**
   * The shared broker (started on first call; a start failure is rethrown to every later caller).
   * Do not close it.
   */
  public static synchronized KafkaNode kafka() {
    if (kafkaFailure != null) {
      throw new IllegalStateException("the shared Kafka broker failed to start", kafkaFailure);
    }
    if (kafka == null) {
      try {
        KafkaNode node = KafkaNode.start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(() -> node.close(Duration.ofSeconds(5)), "stop-shared-kafka"));
        kafka = node;
      } catch (RuntimeException e) {
        kafkaFailure = e;
        throw e;
      }
    }
    return kafka;
  }

  /**
   * The shared Cassandra node (started on first call; a start failure is rethrown to every later
   * caller). Do not close it.
   */
  public static synchronized CassandraNode cassandra() {
    if (cassandraFailure != null) {
      throw new IllegalStateException(
          "the shared Cassandra node failed to start", cassandraFailure);
    }
    if (cassandra == null) {
      try {
        CassandraNode node = CassandraNode.start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(() -> node.close(Duration.ofSeconds(5)), "stop-shared-cassandra"));
        cassandra = node;
      } catch (RuntimeException e) {
        cassandraFailure = e;
        throw e;
      }
    }
    return cassandra;
  }
}
