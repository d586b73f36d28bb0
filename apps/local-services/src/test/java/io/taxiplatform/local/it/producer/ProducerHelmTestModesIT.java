package io.taxiplatform.local.it.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.producer.ProducerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The producer's {@code check} and {@code smoke} modes (what {@code helm test} runs) against a real
 * Kafka broker, a real Cassandra node and, for smoke, the real streaming job in Spark local mode.
 */
class ProducerHelmTestModesIT {

  private static KafkaNode kafka;
  private static CassandraNode cassandra;

  @BeforeAll
  static void sharedServices() {
    kafka = SharedServices.kafka();
    cassandra = SharedServices.cassandra();
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        ProducerMain.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Map<String, String> env(String topic) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("TRIPS_TOPIC", topic);
    env.put("CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
    env.put("CASSANDRA_LOCAL_DC", cassandra.localDatacenter());
    return env;
  }

  @Test
  void checkPassesWhenTheTopicExistsAndCassandraAnswers() {
    String topic = "check-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    Result r = run(env(topic), "--mode", "check");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("has topic " + topic)
        .contains("release_version 5.0.")
        .contains("check OK");
  }

  @Test
  void checkFailsWithTheReasonWhenTheTopicIsMissing() {
    Result r = run(env("no-such-topic-" + UUID.randomUUID()), "--mode", "check");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("check FAILED").contains("does not exist");
  }

  @Test
  void checkFailsWithTheReasonWhenCassandraIsUnreachable() {
    String topic = "check-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    Map<String, String> env = env(topic);
    env.put("CASSANDRA_CONTACT_POINTS", "127.0.0.1:" + FreePorts.next());
    Result r = run(env, "--mode", "check");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("check FAILED: Cassandra");
  }

  @Test
  void smokeFailsWithWhatItSawWhenNoJobAggregates() {
    String topic = "smoke-nojob-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    Map<String, String> env = env(topic);
    env.put("SMOKE_TIMEOUT_SECONDS", "3");
    env.put("PIPELINE_VERSION", "nojob");
    Result r = run(env, "--mode", "smoke");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("smoke: sent 20 trips");
    assertThat(r.err()).contains("smoke FAILED").contains("saw");
  }

  @Test
  void smokePassesThroughTheRealStreamingJob() throws Exception {
    Path zoneLookup = SharedData.zoneLookup().orElse(null);
    assumeTrue(
        zoneLookup != null,
        "../shared/data/" + SharedData.ZONE_LOOKUP + " is absent: the job needs the zone lookup");
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String topic = "smoke-" + id;
    kafka.createTopic(topic, 2);
    kafka.createTopic(topic + ".dlq", 1);
    Path work = LocalPaths.newWorkDir("smoke-it");
    Map<String, String> jobEnv =
        StreamingJobProcess.environment(kafka, cassandra, work.resolve("checkpoints"), zoneLookup);
    jobEnv.put("TRIPS_TOPIC", topic);
    jobEnv.put("DEAD_LETTER_TOPIC", topic + ".dlq");
    jobEnv.put("CASSANDRA_KEYSPACE", "smoke_" + id);
    jobEnv.put("SHUFFLE_PARTITIONS", "2");
    try (StreamingJobProcess job = StreamingJobProcess.start(jobEnv, work.resolve("job"))) {
      Map<String, String> env = env(topic);
      env.put("CASSANDRA_KEYSPACE", "smoke_" + id);
      env.put("SMOKE_TRIPS", "7");
      env.put("SMOKE_ZONE", "132");
      env.put("SMOKE_TIMEOUT_SECONDS", "240");
      Result r = run(env, "--mode", "smoke");
      assertThat(r.exit()).as("stderr: %s%njob log:%n%s", r.err(), job.logTail(40)).isZero();
      assertThat(r.out()).contains("smoke OK").contains("trip_count=");
      assertThat(job.isAlive()).isTrue();
    }
  }
}
