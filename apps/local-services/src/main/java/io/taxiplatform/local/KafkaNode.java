package io.taxiplatform.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode (one JVM that is both broker and controller), forked from the
 * {@code local-runtime-kafka} classpath, listening on free ports of 127.0.0.1.
 *
 * <p>Internal topics use replication factor 1, {@code group.initial.rebalance.delay.ms=0}, and
 * topics are auto-created with one partition when a client asks for an unknown one (create them
 * explicitly with {@link #createTopic(String, int)} when the partition count matters). {@link
 * #start()} returns once the broker answers an admin request.
 */
public final class KafkaNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final int port;
  private final int controllerPort;
  private final Path workDir;

  /** The running broker JVM; replaced by {@link #restart()}. */
  private volatile JvmProcess process;

  /** The broker JVM's heap, collector and other options (kept for {@link #restart()}). */
  private final List<String> jvmOptions;

  /** Client security settings of the client listener (empty for PLAINTEXT). */
  private final Map<String, String> clientSecurity;

  private KafkaNode(
      int port,
      int controllerPort,
      Path workDir,
      JvmProcess process,
      Map<String, String> clientSecurity,
      List<String> jvmOptions) {
    this.jvmOptions = List.copyOf(jvmOptions);
    this.port = port;
    this.controllerPort = controllerPort;
    this.workDir = workDir;
    this.process = process;
    this.clientSecurity = Map.copyOf(clientSecurity);
  }

  /** Starts a broker with default settings in a new work directory. */
  public static KafkaNode start() {
    return start(Map.of());
  }

  /**
   * Starts a broker; {@code extraConfig} entries are added to (and override) the generated {@code
   * server.properties}.
   */
  public static KafkaNode start(Map<String, String> extraConfig) {
    return startRetrying(extraConfig, Map.of(), null, null, DEFAULT_MEMORY);
  }

  /**
   * {@link #start()} on ports chosen beforehand (e.g. with {@link FreePorts#next()}), so that
   * clients can be configured while the broker starts. If one of them is taken by then, the broker
   * starts once more on new ports: compare {@link #bootstrapServers()} with what was given. {@code
   * jvmOptions}: the heap and collector ({@link #DEFAULT_MEMORY}'s place) and any other JVM option
   * of the broker's JVM, which formats its storage first.
   */
  public static KafkaNode start(int port, int controllerPort, List<String> jvmOptions) {
    return startRetrying(Map.of(), Map.of(), null, new int[] {port, controllerPort}, jvmOptions);
  }

  /**
   * {@link #start()} with the broker's JVM options given in full (start from {@link
   * #DEFAULT_MEMORY} to keep its heap): the benchmark adds its JIT setting so.
   */
  public static KafkaNode start(List<String> jvmOptions) {
    return startRetrying(Map.of(), Map.of(), null, null, List.copyOf(jvmOptions));
  }

  /**
   * The main class of a new broker's JVM (apps/local-runtimes/kafka, on {@link
   * LocalPaths#kafkaClasspath()}): {@code kafka.tools.StorageTool format} with the arguments of
   * {@link #FORMAT_ARGS_FILE}, then {@code kafka.Kafka}, in one JVM. A restarted broker's main
   * class is {@code kafka.Kafka} itself.
   */
  public static final String LAUNCHER = "io.taxiplatform.local.kafka.FormatThenStart";

  /**
   * The storage format's arguments in the work directory, one per line (the SCRAM users' passwords
   * among them, as the JAAS line of {@code server.properties} holds the admin's).
   */
  static final String FORMAT_ARGS_FILE = "storage-format.args";

  /** The heap and collector of the broker JVM unless given: 256 MB initial, 512 MB, G1. */
  public static final List<String> DEFAULT_MEMORY = List.of("-Xms256m", "-Xmx512m", "-XX:+UseG1GC");

  /**
   * SCRAM user of the broker itself and of {@link #admin()} when started by {@link
   * #startWithScram}.
   */
  public static final String SCRAM_ADMIN_USER = "admin";

  private static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  /**
   * Starts a broker whose only client listener is {@code SASL_PLAINTEXT} with SCRAM-SHA-512 (what
   * the staging profile's Strimzi {@code KafkaUser}s use), with the given users (name to password)
   * plus {@link #SCRAM_ADMIN_USER}. {@link #admin()} and {@link #clientProperties()} log in as the
   * admin.
   */
  public static KafkaNode startWithScram(Map<String, String> users) {
    Map<String, String> all = new LinkedHashMap<>(users);
    all.put(SCRAM_ADMIN_USER, UUID.randomUUID().toString());
    return startRetrying(Map.of(), all, null, null, DEFAULT_MEMORY);
  }

  /**
   * Starts a broker as the staging profile runs Strimzi's: its only client listener is {@code
   * SASL_SSL} with SCRAM-SHA-512 (the server certificate of {@code tls}), and {@code
   * StandardAuthorizer} denies what no ACL allows. {@link #SCRAM_ADMIN_USER} is a super user (the
   * broker's own inter-broker login and {@link #admin()}, which creates topics and ACLs); {@code
   * users} (name to password) get nothing until ACLs grant it. The KRaft controller listener stays
   * PLAINTEXT on 127.0.0.1, and its principal ({@code User:ANONYMOUS}, the broker's own controller
   * requests) is a super user too, as Kafka's documentation says for a PLAINTEXT controller
   * listener with {@code StandardAuthorizer}.
   */
  public static KafkaNode startSecure(Map<String, String> users, LocalTls tls) {
    Map<String, String> all = new LinkedHashMap<>(users);
    all.put(SCRAM_ADMIN_USER, UUID.randomUUID().toString());
    return startRetrying(Map.of(), all, tls, null, DEFAULT_MEMORY);
  }

  private static KafkaNode startRetrying(
      Map<String, String> extraConfig,
      Map<String, String> scramUsers,
      LocalTls tls,
      int[] ports,
      List<String> jvmOptions) {
    try {
      return startOnce(extraConfig, scramUsers, tls, ports, jvmOptions);
    } catch (IllegalStateException e) {
      // A free port can be taken between the check and the bind (other tests start services too):
      // retry once.
      if (String.valueOf(e.getMessage()).contains("Address already in use")) {
        LOG.warn(
            "port taken while starting, retrying once: {}",
            e.getMessage().lines().findFirst().orElse(""));
        return startOnce(extraConfig, scramUsers, tls, null, jvmOptions);
      }
      throw e;
    }
  }

  private static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** {@code ports}: client and controller port, or null for new free ones. */
  private static KafkaNode startOnce(
      Map<String, String> extraConfig,
      Map<String, String> scramUsers,
      LocalTls tls,
      int[] ports,
      List<String> jvmOptions) {
    String classpath = LocalPaths.kafkaClasspath();
    Path workDir = LocalPaths.newWorkDir("kafka");
    int port = ports != null ? ports[0] : FreePorts.next();
    int controllerPort = ports != null ? ports[1] : FreePorts.next();
    while (controllerPort == port) {
      controllerPort = FreePorts.next();
    }
    Path config = workDir.resolve("server.properties");
    Path logConfig = workDir.resolve("log4j2.properties");
    boolean scram = !scramUsers.isEmpty();
    String listener = tls != null ? "SASL_SSL" : scram ? "SASL_PLAINTEXT" : "PLAINTEXT";
    Map<String, String> clientSecurity = new LinkedHashMap<>();
    Map<String, String> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", listener + "://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", listener);
    props.put(
        "listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    if (scram) {
      String adminJaas = scramJaas(SCRAM_ADMIN_USER, scramUsers.get(SCRAM_ADMIN_USER));
      props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
      props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
      props.put(
          "listener.name."
              + listener.toLowerCase(java.util.Locale.ROOT)
              + ".scram-sha-512.sasl.jaas.config",
          adminJaas);
      clientSecurity.put("security.protocol", listener);
      clientSecurity.put("sasl.mechanism", SCRAM_MECHANISM);
      clientSecurity.put("sasl.jaas.config", adminJaas);
    }
    if (tls != null) {
      props.put("ssl.keystore.type", "PKCS12");
      props.put("ssl.keystore.location", tls.keystore().toString());
      props.put("ssl.keystore.password", tls.keystorePassword());
      props.put("ssl.key.password", tls.keystorePassword());
      // The broker's own inter-broker client (to itself) checks the server certificate like any
      // client.
      props.put("ssl.truststore.type", "PKCS12");
      props.put("ssl.truststore.location", tls.truststore().toString());
      props.put("ssl.truststore.password", tls.truststorePassword());
      props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      props.put("super.users", "User:" + SCRAM_ADMIN_USER + ";User:ANONYMOUS");
      props.put("allow.everyone.if.no.acl.found", "false");
      props.put("auto.create.topics.enable", "false");
      clientSecurity.putAll(tlsClientProperties(tls));
    }
    props.put("log.dirs", workDir.resolve("data").toString());
    props.put("num.partitions", "1");
    props.put("default.replication.factor", "1");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.putIfAbsent("auto.create.topics.enable", "true");
    props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    props.putAll(extraConfig);
    try {
      StringBuilder text = new StringBuilder("# generated by io.taxiplatform.local.KafkaNode\n");
      props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      Files.writeString(config, text);
      Files.writeString(
          logConfig,
          """
                    status = warn
                    appender.console.type = Console
                    appender.console.name = STDOUT
                    appender.console.layout.type = PatternLayout
                    appender.console.layout.pattern = [%d] %p %m (%c)%n
                    rootLogger.level = INFO
                    rootLogger.appenderRef.stdout.ref = STDOUT
                    logger.state.name = state.change.logger
                    logger.state.level = WARN
                    logger.request.name = kafka.request.logger
                    logger.request.level = WARN
                    """);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Kafka configuration in " + workDir, e);
    }
    List<String> formatArgs =
        new ArrayList<>(List.of("format", "-t", kraftClusterId(), "-c", config.toString()));
    // SCRAM credentials are bootstrapped into the metadata log when the storage is formatted.
    scramUsers.forEach(
        (user, password) ->
            formatArgs.addAll(
                List.of(
                    "--add-scram",
                    SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]")));
    Path formatArgsFile = workDir.resolve(FORMAT_ARGS_FILE);
    try {
      Files.write(formatArgsFile, formatArgs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + formatArgsFile, e);
    }

    // The storage format and the broker in one JVM (the launcher's FormatThenStart): a format that
    // fails ends that JVM before the broker starts, and awaitReady reports its log.
    JvmProcess process =
        brokerProcess(
            classpath,
            workDir,
            jvmOptions,
            LAUNCHER,
            List.of(formatArgsFile.toString(), config.toString()));
    KafkaNode node =
        new KafkaNode(port, controllerPort, workDir, process, clientSecurity, jvmOptions);
    try {
      node.awaitReady();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    LOG.info(
        "Kafka (KRaft) ready at {} (pid {}, work dir {})",
        node.bootstrapServers(),
        process.pid(),
        workDir);
    return node;
  }

  /** The client properties that trust {@code tls}'s CA (PKCS12 truststore). */
  public static Map<String, String> tlsClientProperties(LocalTls tls) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", tls.truststore().toString());
    p.put("ssl.truststore.password", tls.truststorePassword());
    return p;
  }

  /** Creates ACLs (as the admin) and waits until they are in force. */
  public void createAcls(Collection<org.apache.kafka.common.acl.AclBinding> acls) {
    try (Admin admin = admin()) {
      admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
      LOG.info("created {} ACL(s)", acls.size());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create ACLs: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating ACLs timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating ACLs", e);
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * The client port (PLAINTEXT, SASL_PLAINTEXT for {@link #startWithScram}, SASL_SSL for {@link
   * #startSecure}).
   */
  public int port() {
    return port;
  }

  /** The KRaft controller port. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The broker's directory: {@code server.properties}, {@code data/}, {@code kafka.log}. */
  public Path workDir() {
    return workDir;
  }

  /** The forked broker JVM. */
  public JvmProcess process() {
    return process;
  }

  /**
   * Client properties for this broker: {@code bootstrap.servers} and, for a SCRAM broker, the
   * admin's login; add serializers or group settings for a producer or consumer.
   */
  public Properties clientProperties() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.putAll(clientSecurity);
    return props;
  }

  /** A new admin client for this broker (the caller closes it). */
  public Admin admin() {
    Properties props = clientProperties();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(props);
  }

  /**
   * A builder for a Kafka command-line tool on the broker's classpath (which holds {@code
   * kafka-tools}), e.g. {@code node.tool("perf",
   * "org.apache.kafka.tools.ProducerPerformance").args(...).run(timeout)}. It runs in this node's
   * work directory and logs to {@code <name>.log} there.
   */
  public JvmProcess.Builder tool(String name, String mainClass) {
    return JvmProcess.builder(name, mainClass)
        .classpath(LocalPaths.kafkaClasspath())
        .jvmArgs(
            List.of(
                "-Xmx512m",
                "-Dlog4j2.configurationFile=" + workDir.resolve("log4j2.properties").toUri()))
        .workDir(workDir);
  }

  /**
   * Creates a topic with replication factor 1 and waits until it exists; an existing topic is left
   * as it is.
   */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      try {
        admin
            .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
        LOG.info("created topic {} ({} partitions)", name, partitions);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create topic " + name + ": " + e.getCause(), e.getCause());
        }
      }
      awaitPartitionsServed(admin, name, partitions);
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topic " + name + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * Records in {@code topic}: the sum of its partitions' end offsets, read with {@code admin}
   * (local mode's monitor, the latency benchmark's backlog). It fails as the admin client's calls
   * do, within {@code timeout} each.
   */
  public static long topicRecords(Admin admin, String topic, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription description =
        admin
            .describeTopics(Set.of(topic))
            .allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic);
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    description
        .partitions()
        .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin
        .listOffsets(request)
        .all()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .values()
        .stream()
        .mapToLong(info -> info.offset())
        .sum();
  }

  /**
   * Waits until the broker serves every partition of a new topic as its leader. The controller
   * acknowledges a creation before the broker has loaded the partitions; an idempotent producer
   * that sends in that gap can have its first batch refused (retriable) while later in-flight
   * batches are accepted, and the retried first batch then fails for good with {@code
   * OutOfOrderSequenceException} (seen here with kafka-clients 4.3). {@code ListOffsets} is
   * answered by the partition leader itself, so its success means the partitions are writable.
   */
  private static void awaitPartitionsServed(Admin admin, String name, int partitions)
      throws InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(name, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ExecutionException last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "partitions of topic "
            + name
            + " not served by the broker within 60 s: "
            + (last == null ? "timed out" : last.getCause()));
  }

  private static List<String> brokerJvmArgs(Path logConfig, List<String> jvmOptions) {
    List<String> args = new ArrayList<>(jvmOptions);
    args.addAll(
        List.of(
            "-XX:+ExitOnOutOfMemoryError",
            "-Dlog4j2.configurationFile=" + logConfig.toUri(),
            "-Djava.awt.headless=true"));
    return args;
  }

  /**
   * Forks {@code kafka.Kafka} on the {@code server.properties} of {@code workDir} (appending to its
   * log).
   */
  private static JvmProcess brokerProcess(String classpath, Path workDir, List<String> jvmOptions) {
    return brokerProcess(
        classpath,
        workDir,
        jvmOptions,
        "kafka.Kafka",
        List.of(workDir.resolve("server.properties").toString()));
  }

  /**
   * The broker JVM with {@code mainClass}: {@code kafka.Kafka} on formatted storage, {@link
   * #LAUNCHER} to format it first.
   */
  private static JvmProcess brokerProcess(
      String classpath,
      Path workDir,
      List<String> jvmOptions,
      String mainClass,
      List<String> args) {
    return JvmProcess.builder("kafka", mainClass)
        .classpath(classpath)
        .jvmArgs(brokerJvmArgs(workDir.resolve("log4j2.properties"), jvmOptions))
        .args(args)
        .workDir(workDir)
        .ignoreInterrupt()
        .start();
  }

  /**
   * SIGKILL to the broker, as a crash would (no clean shutdown: the next start recovers its logs);
   * the data directory and ports are kept for {@link #restart()}. Returns when the JVM is gone.
   */
  public void kill() {
    process.killHard();
    LOG.info("Kafka at {} killed (SIGKILL)", bootstrapServers());
  }

  /**
   * Stops the broker cleanly (SIGTERM, SIGKILL after {@code grace}), keeping its data for {@link
   * #restart()}.
   */
  public void stop(Duration grace) {
    process.destroy(grace);
    LOG.info("Kafka at {} stopped", bootstrapServers());
  }

  /** Whether the broker JVM runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Starts the broker again after {@link #kill()} or {@link #stop(Duration)}: the same {@code
   * server.properties}, data directory, node id and ports (clients reconnect to the same address).
   * Returns once it answers an admin request; a port still held by the old process's sockets is
   * retried for up to 30 s.
   */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("Kafka at " + bootstrapServers() + " is still running");
    }
    JvmProcess.restartOnSamePorts(
        bootstrapServers(),
        () -> process = brokerProcess(LocalPaths.kafkaClasspath(), workDir, jvmOptions),
        this::awaitReady);
    LOG.info(
        "Kafka restarted at {} (pid {}, same data in {})",
        bootstrapServers(),
        process.pid(),
        workDir);
  }

  /** Stops the broker (SIGTERM, SIGKILL after a grace period) and deletes its data directory. */
  @Override
  public void close() {
    close(Duration.ofSeconds(15));
  }

  /**
   * Stops the broker, waiting at most {@code grace} after SIGTERM before SIGKILL, and deletes its
   * data.
   */
  public void close(Duration grace) {
    process.destroy(grace);
    deleteRecursively(workDir.resolve("data"));
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Kafka exited with "
                + process.exitCode().orElse(-1)
                + " before it was ready; log tail ("
                + process.logFile()
                + "):\n"
                + process.logTail(60));
      }
      if (FreePorts.isListening(port)) {
        try (Admin admin = admin()) {
          org.apache.kafka.common.KafkaFuture<Collection<Node>> nodes =
              admin.describeCluster().nodes();
          long answerBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          // in short slices: a broker stopped while it starts ends the wait at once, instead of
          // its admin client retrying (and warning) for the rest of the 10 s
          while (true) {
            try {
              if (!nodes.get(50, TimeUnit.MILLISECONDS).isEmpty()) {
                return;
              }
              break;
            } catch (TimeoutException e) {
              if (!process.isAlive() || System.nanoTime() - answerBy > 0) {
                admin.close(Duration.ZERO);
                throw e;
              }
            }
          }
        } catch (ExecutionException | TimeoutException e) {
          LOG.debug("Kafka not ready yet: {}", e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "Kafka was not ready within "
            + READY_TIMEOUT
            + "; log tail ("
            + process.logFile()
            + "):\n"
            + process.logTail(60));
  }

  /**
   * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what {@code random-uuid}
   * prints).
   */
  private static String kraftClusterId() {
    while (true) {
      UUID uuid = UUID.randomUUID();
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
      buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
      if (!id.startsWith("-")) { // a leading '-' would be read as a command-line flag
        return id;
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void deleteRecursively(Path dir) {
    // again when another thread deleting the same tree made the walk fail under this one
    for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
      try (var paths = Files.walk(dir)) {
        paths
            .sorted(java.util.Comparator.reverseOrder())
            .forEach(
                p -> {
                  try {
                    Files.deleteIfExists(p);
                  } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", p, e.toString());
                  }
                });
        return;
      } catch (IOException | UncheckedIOException e) {
        LOG.debug("cannot delete {}: {}", dir, e.toString());
      }
    }
  }
}
