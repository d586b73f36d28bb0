package io.taxiplatform.local.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.LocalTls;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.local.harness.Waits;
import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import io.taxiplatform.producer.ProducerMain;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staging profile's security, end to end on real services (docs/security.md): a KRaft broker
 * whose only client listener is SASL_SSL (SCRAM-SHA-512, a certificate from a CA this test
 * generates) with {@code StandardAuthorizer} and the staging ACLs, and a Cassandra node with {@code
 * PasswordAuthenticator}, {@code CassandraAuthorizer} and client encryption required. The Cassandra
 * access setup ({@code io.taxiplatform.streaming.CassandraAccess}, as the superuser) creates the
 * keyspace and the roles; the producer and the job then run with their own least-privilege logins.
 */
class SecurePipelineIT {

  private static final Logger LOG = LoggerFactory.getLogger(SecurePipelineIT.class);

  static final String PRODUCER_USER = "taxi-producer";
  static final String JOB_USER = "taxi-streaming";
  static final String JOB_ROLE = "taxi_job";
  static final String READER_ROLE = "taxi_grafana";
  static final String TEST_ROLE = "taxi_test";

  /** The staging design's consumer group prefix ACL of the job (contract B). */
  static final String GROUP_PREFIX = "taxi-stream-";

  private static final Map<String, String> PASSWORDS = new LinkedHashMap<>();
  private static LocalTls tls;
  private static KafkaNode kafka;
  private static CassandraNode cassandra;
  private static PipelineFixture fixture;

  @BeforeAll
  static void startSecureServices() {
    for (String name : List.of(PRODUCER_USER, JOB_USER)) {
      PASSWORDS.put(name, UUID.randomUUID().toString());
    }
    for (String name : List.of(JOB_ROLE, READER_ROLE, TEST_ROLE)) {
      PASSWORDS.put(
          name, UUID.randomUUID() + "'x"); // a quote: the access setup's CQL literal must escape it
    }
    long t0 = System.nanoTime();
    tls = LocalTls.generate();
    LOG.info(
        "test CA and certificates generated in {} ms ({})",
        (System.nanoTime() - t0) / 1_000_000,
        tls.dir());
    kafka =
        KafkaNode.startSecure(
            Map.of(PRODUCER_USER, PASSWORDS.get(PRODUCER_USER), JOB_USER, PASSWORDS.get(JOB_USER)),
            tls);
    cassandra = CassandraNode.startSecure(tls);
    // Topics and keyspace named per run; the fixture's own producer and readers log in as the Kafka
    // admin.
    fixture =
        new PipelineFixture(kafka, cassandra, "secure", Map.of("WATERMARK_DELAY", "3650 days"));
    kafka.createAcls(stagingAcls(fixture.tripsTopic, fixture.dlqTopic));
    int exit = accessSetup(accessEnv(Map.of()), "cassandra-access-0").exit();
    assertThat(exit).as("the access setup").isZero();
  }

  @AfterAll
  static void stopServices() {
    if (fixture != null) {
      fixture.close();
    }
    if (cassandra != null) {
      cassandra.close(Duration.ofSeconds(10));
    }
    if (kafka != null) {
      kafka.close(Duration.ofSeconds(10));
    }
  }

  /**
   * The ACLs of the staging design: the producer writes (and, to resume a replay, reads) the trips
   * topic and has nothing on the dead-letter topic; the job reads the trips topic (its consumer
   * group ids under {@value #GROUP_PREFIX}, though it joins no group) and writes the dead-letter
   * topic.
   */
  static List<AclBinding> stagingAcls(String trips, String dlq) {
    List<AclBinding> acls = new ArrayList<>();
    for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.READ)) {
      acls.add(allow(PRODUCER_USER, ResourceType.TOPIC, trips, PatternType.LITERAL, op));
    }
    for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
      acls.add(allow(JOB_USER, ResourceType.TOPIC, trips, PatternType.LITERAL, op));
    }
    acls.add(
        allow(JOB_USER, ResourceType.GROUP, GROUP_PREFIX, PatternType.PREFIXED, AclOperation.READ));
    for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
      acls.add(allow(JOB_USER, ResourceType.TOPIC, dlq, PatternType.LITERAL, op));
    }
    return acls;
  }

  private static AclBinding allow(
      String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  /** The Kafka client variables of docs/contracts.md for {@code user} over SASL_SSL. */
  static Map<String, String> kafkaEnv(String user, String password) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put("KAFKA_SASL_USERNAME", user);
    env.put("KAFKA_SASL_PASSWORD", password);
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", tls.truststore().toString());
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.truststorePassword());
    env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    return env;
  }

  /** The Cassandra variables for {@code user} over TLS. */
  static Map<String, String> cassandraEnv(String user, String password) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
    env.put("CASSANDRA_LOCAL_DC", cassandra.localDatacenter());
    env.put("CASSANDRA_USERNAME", user);
    env.put("CASSANDRA_PASSWORD", password);
    env.put("CASSANDRA_SSL_ENABLED", "true");
    env.put("CASSANDRA_SSL_TRUSTSTORE_PATH", tls.truststore().toString());
    env.put("CASSANDRA_SSL_TRUSTSTORE_PASSWORD", tls.truststorePassword());
    env.put("CASSANDRA_KEYSPACE", fixture.keyspace);
    return env;
  }

  /** The access setup's environment (as the superuser), {@code overrides} last. */
  static Map<String, String> accessEnv(Map<String, String> overrides) {
    Map<String, String> env = cassandraEnv(CassandraNode.SUPERUSER, "cassandra");
    env.put("CASSANDRA_JOB_ROLE", JOB_ROLE);
    env.put("CASSANDRA_JOB_ROLE_PASSWORD", PASSWORDS.get(JOB_ROLE));
    env.put("CASSANDRA_READER_ROLE", READER_ROLE);
    env.put("CASSANDRA_READER_ROLE_PASSWORD", PASSWORDS.get(READER_ROLE));
    env.put("CASSANDRA_TEST_ROLE", TEST_ROLE);
    env.put("CASSANDRA_TEST_ROLE_PASSWORD", PASSWORDS.get(TEST_ROLE));
    env.put("CASSANDRA_ACCESS_TIMEOUT", "2 minutes");
    env.putAll(overrides);
    return env;
  }

  record Run(int exit, String log, Duration took) {}

  /**
   * Runs {@code io.taxiplatform.streaming.CassandraAccess} in its own JVM on the streaming job's
   * classpath.
   */
  static Run accessSetup(Map<String, String> env, String name) {
    Path dir = LocalPaths.newWorkDir(name);
    long t0 = System.nanoTime();
    int exit =
        JvmProcess.builder(name, "io.taxiplatform.streaming.CassandraAccess")
            .classpath(
                LocalPaths.streamingJar() + File.pathSeparator + LocalPaths.streamingClasspath())
            .jvmArgs(List.of("-Xmx256m"))
            .env(env)
            .workDir(dir)
            .run(Duration.ofMinutes(4));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String log = read(dir.resolve(name + ".log"));
    LOG.info("{} exited {} after {} ms:\n{}", name, exit, took.toMillis(), log);
    return new Run(exit, log, took);
  }

  static Run producer(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    int exit = ProducerMain.run(args, env, print, print);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - t0));
  }

  private static Map<String, String> producerEnv(String password) {
    Map<String, String> env = kafkaEnv(PRODUCER_USER, password);
    env.put("TRIPS_TOPIC", fixture.tripsTopic);
    env.put("METRICS_PORT", "0");
    return env;
  }

  /** The job's environment: SASL_SSL as its Kafka user, TLS and its own role on Cassandra. */
  private static Map<String, String> jobEnv(String cassandraPassword) {
    Map<String, String> env = new LinkedHashMap<>(fixture.env);
    env.putAll(kafkaEnv(JOB_USER, PASSWORDS.get(JOB_USER)));
    env.putAll(cassandraEnv(JOB_ROLE, cassandraPassword));
    return env;
  }

  @Test
  void theProducerAndTheJobOnSaslSslKafkaAndTlsCassandraWithTheirOwnLoginsAggregateExactly() {
    Run synthetic =
        producer(producerEnv(PASSWORDS.get(PRODUCER_USER)), "--seed", "7", "--max-events", "1500");
    assertThat(synthetic.exit()).as(synthetic.log()).isZero();
    assertThat(synthetic.log()).contains("sent:        1500");
    Optional<Path> sample = SharedData.tripSample();
    if (sample.isPresent()) {
      // A replay resumes by reading the end of the trips topic first: the producer's Read ACL.
      Run replay =
          producer(
              producerEnv(PASSWORDS.get(PRODUCER_USER)),
              "--mode",
              "replay",
              "--input",
              sample.get().toString(),
              "--max-events",
              "800");
      assertThat(replay.exit()).as(replay.log()).isZero();
      assertThat(replay.log()).contains("sent:").doesNotContain("sent:        0\n");
    } else {
      LOG.warn(
          "../shared/data/{} is absent: the replay (resume scan) part is skipped",
          SharedData.TRIP_SAMPLE);
    }

    Map<String, String> env = jobEnv(PASSWORDS.get(JOB_ROLE));
    StreamingJobProcess job = StreamingJobProcess.start(env, fixture.workDir.resolve("job-secure"));
    try {
      ExpectedWindows expected =
          ExpectedWindows.compute(
              fixture.distinctTripInputs(),
              fixture.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      long boroughTotal = expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      assertThat(expected.validCount()).isPositive();
      awaitJob(
          job,
          "the aggregates of " + expected.validCount() + " valid trips",
          () ->
              fixture.tripCountSum("zone_windows_v1") == expected.validCount()
                  && fixture.tripCountSum("window_zones_v1") == expected.validCount()
                  && fixture.tripCountSum("borough_windows_v1") == boroughTotal
                  && deadLetterCount() == expected.rejectedCount());
      fixture.assertTablesEqual(expected, "v1");
      assertThat(fixture.deadLetterReasons()).isEqualTo(expected.rejectedByReason);
      String log = read(job.logFile());
      assertThat(log)
          .as("the job logged in as its own roles")
          .doesNotContain("AuthenticationException")
          .doesNotContain("TopicAuthorizationException")
          .doesNotContain("GroupAuthorizationException");
      assertThat(log)
          .doesNotContain(PASSWORDS.get(JOB_ROLE))
          .doesNotContain(PASSWORDS.get(JOB_USER));
    } finally {
      job.destroy();
    }
  }

  private static long deadLetterCount() {
    return fixture.endOffsets(fixture.dlqTopic);
  }

  private static void awaitJob(
      StreamingJobProcess job, String what, java.util.function.BooleanSupplier done) {
    Waits.until(
        what,
        PipelineFixture.CONVERGE_TIMEOUT,
        Duration.ofSeconds(1),
        () -> {
          if (done.getAsBoolean()) {
            return true;
          }
          if (!job.isAlive()) {
            throw new AssertionError(
                "the job exited ("
                    + job.exitCode()
                    + ") waiting for "
                    + what
                    + "\n"
                    + job.logTail(80));
          }
          return false;
        },
        () -> "timed out waiting for " + what + "\n" + job.logTail(80));
  }

  @Test
  void theProducersUserCannotReadTheDeadLetterTopicNorDeleteATopic() throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.putAll(
        io.taxiplatform.config.KafkaClientSecurity.fromEnv(
                producerEnv(PASSWORDS.get(PRODUCER_USER)))
            .clientProperties());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(List.of(new TopicPartition(fixture.dlqTopic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(fixture.dlqTopic, 0)));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(20)))
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(fixture.dlqTopic);
      // The same login reads the trips topic (the resume scan): the denial above is the ACL, not
      // the login.
      consumer.assign(List.of(new TopicPartition(fixture.tripsTopic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(fixture.tripsTopic, 0)));
      consumer.poll(Duration.ofSeconds(5));
    }
    try (Admin admin = Admin.create(p)) {
      ExecutionException denied =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () ->
                  admin.deleteTopics(List.of(fixture.tripsTopic)).all().get(30, TimeUnit.SECONDS));
      assertThat(denied.getCause()).isInstanceOf(TopicAuthorizationException.class);
    }
    try (Admin admin = kafka.admin()) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(fixture.tripsTopic);
    }
  }

  @Test
  void theGrafanaAndTestRolesCanSelectButNotWrite() {
    String table = fixture.keyspace + ".schema_migrations";
    for (String role : List.of(READER_ROLE, TEST_ROLE)) {
      try (CqlSession session = cassandra.newSession(role, PASSWORDS.get(role))) {
        session.execute("SELECT * FROM " + table);
        assertThatThrownBy(
                () ->
                    session.execute(
                        "INSERT INTO "
                            + table
                            + " (version, description, applied_at) VALUES ('x', 'y', toTimestamp(now()))"))
            .as(role)
            .isInstanceOf(UnauthorizedException.class)
            .hasMessageContaining(role);
        assertThatThrownBy(() -> session.execute("DROP TABLE " + table))
            .as(role)
            .isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(
                () -> session.execute("CREATE ROLE intruder WITH LOGIN = true AND PASSWORD = 'x'"))
            .as(role)
            .isInstanceOf(UnauthorizedException.class);
      }
    }
  }

  @Test
  void aWrongKafkaPasswordFailsTheProducerWithinSecondsNamingAuthentication() {
    Run run = producer(producerEnv("not-the-password"), "--seed", "3", "--max-events", "10");
    LOG.info(
        "FAIL-FAST producer with a wrong Kafka password: exit {} after {} ms",
        run.exit(),
        run.took().toMillis());
    assertThat(run.exit()).as(run.log()).isEqualTo(1);
    assertThat(run.log())
        .containsIgnoringCase("authentication")
        .contains("sent:        0")
        .doesNotContain("not-the-password");
    assertThat(run.took()).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aWrongCassandraPasswordFailsTheJobAndTheAccessSetupWithAClearMessage() {
    Map<String, String> env = jobEnv("not-the-password");
    long t0 = System.nanoTime();
    StreamingJobProcess job =
        StreamingJobProcess.start(env, fixture.workDir.resolve("job-wrong-password"));
    try {
      assertThat(job.waitFor(Duration.ofMinutes(3))).as("the job exits").isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      String log = read(job.logFile());
      LOG.info(
          "FAIL-FAST job with a wrong Cassandra password: exit {} after {} ms (JVM start included)",
          job.exitCode(),
          took.toMillis());
      assertThat(job.exitCode()).hasValue(1);
      assertThat(log)
          .contains("Provided username " + JOB_ROLE + " and/or password are incorrect")
          .doesNotContain("not-the-password");
    } finally {
      job.destroy();
    }

    Run access =
        accessSetup(
            accessEnv(
                Map.of(
                    "CASSANDRA_PASSWORD",
                    "not-the-password",
                    "CASSANDRA_ACCESS_TIMEOUT",
                    "10 seconds")),
            "cassandra-access-wrong-password");
    LOG.info(
        "FAIL-FAST access setup with a wrong superuser password (CASSANDRA_ACCESS_TIMEOUT 10 s): exit {} after "
            + "{} ms",
        access.exit(),
        access.took().toMillis());
    assertThat(access.exit()).isEqualTo(1);
    assertThat(access.log())
        .contains("error: cannot connect to Cassandra at " + cassandra.contactPoint())
        .contains("authentication failed for CASSANDRA_USERNAME 'cassandra'")
        .doesNotContain("not-the-password");
    assertThat(access.took()).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void theAccessSetupIsIdempotentAndAppliesAChangedPassword() {
    Run again = accessSetup(accessEnv(Map.of()), "cassandra-access-again");
    assertThat(again.exit()).as(again.log()).isZero();
    for (String secret : PASSWORDS.values()) {
      assertThat(again.log()).doesNotContain(secret);
    }

    String rotated = "rotated-" + UUID.randomUUID();
    Run rotation =
        accessSetup(
            accessEnv(Map.of("CASSANDRA_TEST_ROLE_PASSWORD", rotated)), "cassandra-access-rotate");
    assertThat(rotation.exit()).as(rotation.log()).isZero();
    assertThat(rotation.log()).doesNotContain(rotated);
    try (CqlSession session = cassandra.newSession(TEST_ROLE, rotated)) {
      session.execute("SELECT * FROM " + fixture.keyspace + ".schema_migrations");
    }
    assertThatThrownBy(() -> cassandra.newSession(TEST_ROLE, PASSWORDS.get(TEST_ROLE)).close())
        .isInstanceOf(AllNodesFailedException.class)
        .hasMessageContaining("password are incorrect");
    PASSWORDS.put(TEST_ROLE, rotated);
  }

  @Test
  void theJobsRoleMayNotCreateAKeyspaceAndTheJobSaysToRunTheAccessSetup() {
    Map<String, String> env = jobEnv(PASSWORDS.get(JOB_ROLE));
    env.put("CASSANDRA_KEYSPACE", "not_set_up_" + UUID.randomUUID().toString().substring(0, 6));
    env.put("METRICS_PORT", String.valueOf(io.taxiplatform.local.FreePorts.next()));
    StreamingJobProcess job =
        StreamingJobProcess.start(env, fixture.workDir.resolve("job-no-keyspace"));
    try {
      assertThat(job.waitFor(Duration.ofMinutes(3))).as("the job exits").isTrue();
      String log = read(job.logFile());
      assertThat(job.exitCode()).as(log).hasValue(2);
      assertThat(log)
          .contains(
              "error: the Cassandra keyspace "
                  + env.get("CASSANDRA_KEYSPACE")
                  + " does not exist and the role '"
                  + JOB_ROLE
                  + "' may not create it")
          .contains("io.taxiplatform.streaming.CassandraAccess");
    } finally {
      job.destroy();
    }
  }

  /**
   * Contract B: {@code KAFKA_GROUP_ID_PREFIX} names the job's consumer groups, under the PREFIXED
   * group ACL {@value #GROUP_PREFIX}. Since topology 3 every Kafka source of the job assigns its
   * partition (one source per partition; the dead letters are written by the parse step, there is
   * no subscribing dead-letter query any more): no consumer of the job joins a group or commits
   * offsets, with Spark 3.5's default offset fetching (an admin client) and with the consumer-based
   * one ({@code spark.sql.streaming.kafka.useDeprecatedOffsetFetching=true}, on here). So the
   * broker never checks the group ACL: a job whose prefix lies outside it reads, aggregates and
   * dead-letters all the same, and the broker lists no group under either prefix. (Until topology 2
   * the dead-letter query's subscribed source joined {@code <prefix>-<uuid>-...-driver-0}, and a
   * prefix outside the ACL made the job exit 1 with a GroupAuthorizationException.)
   */
  @Test
  void theJobJoinsNoConsumerGroupSoAPrefixOutsideTheGroupAclWorksToo() throws Exception {
    String dlq = fixture.dlqTopic + ".groups";
    kafka.createTopic(dlq, 1);
    kafka.createAcls(
        List.of(
            allow(JOB_USER, ResourceType.TOPIC, dlq, PatternType.LITERAL, AclOperation.WRITE),
            allow(JOB_USER, ResourceType.TOPIC, dlq, PatternType.LITERAL, AclOperation.DESCRIBE)));
    StreamingJobProcess.Options consumerFetching =
        new StreamingJobProcess.Options(
            "local[2]",
            "1g",
            Map.of("spark.sql.streaming.kafka.useDeprecatedOffsetFetching", "true"));
    ExpectedWindows expected =
        ExpectedWindows.compute(
            fixture.distinctTripInputs(),
            fixture.zones,
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofMinutes(5),
            Instant.now());

    Map<String, String> env = jobEnv(PASSWORDS.get(JOB_ROLE));
    env.put("PIPELINE_VERSION", "v3");
    env.put("KAFKA_GROUP_ID_PREFIX", "other-stream-v3");
    env.put("DEAD_LETTER_TOPIC", dlq);
    env.put("METRICS_PORT", String.valueOf(io.taxiplatform.local.FreePorts.next()));
    StreamingJobProcess job =
        StreamingJobProcess.start(env, fixture.workDir.resolve("job-groups"), consumerFetching);
    try {
      awaitJob(
          job,
          "the v3 aggregates and dead letters under a group prefix outside the ACL",
          () ->
              fixture.tripCountSum("zone_windows_v3") == expected.validCount()
                  && fixture.endOffsets(dlq) == expected.rejectedCount());
      assertThat(job.isAlive()).as("the job runs on").isTrue();
      assertThat(read(job.logFile())).doesNotContain("GroupAuthorizationException");
      assertThat(groupsStartingWith("other-stream-v3")).isEmpty();
      assertThat(groupsStartingWith("taxi-stream-v3")).isEmpty();
    } finally {
      job.destroy();
    }
  }

  private static List<String> groupsStartingWith(String prefix) {
    try (Admin admin = kafka.admin()) {
      return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
          .map(g -> g.groupId())
          .filter(g -> g.startsWith(prefix))
          .toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("cannot list consumer groups: " + e, e);
    }
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
