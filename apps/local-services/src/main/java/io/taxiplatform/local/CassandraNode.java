package io.taxiplatform.local;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5.0, forked from the {@code local-runtime-cassandra} classpath
 * ({@code org.apache.cassandra.service.CassandraDaemon}) with a generated {@code cassandra.yaml}:
 * loopback only, free ports, {@code num_tokens: 1}, small memtables, one compactor, a 768 MB heap
 * and the JDK 17 flags of Cassandra's own {@code conf/jvm17-server.options}. {@link #start()}
 * returns once CQL answers.
 */
public final class CassandraNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraNode.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  /** The datacenter of {@code SimpleSnitch}. */
  public static final String LOCAL_DATACENTER = "datacenter1";

  /**
   * The JPMS and Netty options of Cassandra 5.0's {@code conf/jvm17-server.options} (the file is
   * not in the cassandra-all jar; these lines are copied from it).
   */
  static final List<String> JVM17_OPTIONS =
      List.of(
          "-Djdk.attach.allowAttachSelf=true",
          "--add-exports",
          "java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports",
          "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports",
          "java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports",
          "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports",
          "java.sql/java.sql=ALL-UNNAMED",
          "--add-exports",
          "java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports",
          "jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports",
          "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports",
          "jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens",
          "java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens",
          "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens",
          "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.io=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens",
          "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.util=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Dio.netty.allocator.useCacheForAllThreads=true",
          "-Dio.netty.allocator.maxOrder=11");

  private final int nativePort;
  private final int storagePort;
  private final Path workDir;

  /** The running Cassandra JVM; replaced by {@link #restart()}. */
  private volatile JvmProcess process;

  private CqlSession session;

  /** Client TLS of a {@link #startSecure} node (null: plaintext, no authentication). */
  private final LocalTls tls;

  /** The superuser Cassandra creates at first start when {@code PasswordAuthenticator} is on. */
  public static final String SUPERUSER = "cassandra";

  private static final String SUPERUSER_PASSWORD = "cassandra";

  /** The heap and other JVM options it runs with (kept for {@link #restart()}). */
  private final List<String> jvmOptions;

  private CassandraNode(
      int nativePort,
      int storagePort,
      Path workDir,
      JvmProcess process,
      LocalTls tls,
      List<String> jvmOptions) {
    this.jvmOptions = jvmOptions;
    this.nativePort = nativePort;
    this.storagePort = storagePort;
    this.workDir = workDir;
    this.process = process;
    this.tls = tls;
  }

  /**
   * Cassandra's estimate of a memtable row's heap overhead, given instead of measured. Without it,
   * every start measures it by building 100,000 rows (SkipListMemtable's static initializer): 2-3 s
   * of one core on these machines, at the moment the other services start too. 180 bytes is what
   * Cassandra 5.0.6 measures on JDK 17 with compressed oops (every heap here is under 32 GB): its
   * log says "Estimated SkipListMemtable row overhead: 180" when the property is absent. The value
   * only sizes memtable accounting (when to flush); LocalServicesIT checks that the property is
   * read (the estimate no longer runs).
   */
  static final String MEMTABLE_ROW_OVERHEAD_PROPERTY = "cassandra.memtable.row_overhead_size";

  static final int MEMTABLE_ROW_OVERHEAD = 180;

  /** The heap of {@link #start()}: {@code -Xms768m -Xmx768m}. */
  public static final List<String> DEFAULT_HEAP = List.of("-Xms768m", "-Xmx768m");

  /** Starts a node in a new work directory and waits until CQL answers. */
  public static CassandraNode start() {
    return startRetrying(null, DEFAULT_HEAP, null);
  }

  /**
   * {@link #start()} with another heap, e.g. {@code ("256m", "512m")} for local mode, whose light
   * load does not need the tests' 768 MB.
   */
  public static CassandraNode start(String initialHeap, String maxHeap) {
    return startRetrying(null, List.of("-Xms" + initialHeap, "-Xmx" + maxHeap), null);
  }

  /**
   * {@link #start(String, String)} on ports chosen beforehand (e.g. with {@link FreePorts#next()}),
   * so that clients can be configured while the node starts. If one of them is taken by then, the
   * node starts once more on new ports: compare {@link #contactPoint()} with what was given.
   */
  public static CassandraNode start(
      String initialHeap, String maxHeap, int nativePort, int storagePort) {
    return start(List.of("-Xms" + initialHeap, "-Xmx" + maxHeap), nativePort, storagePort);
  }

  /**
   * {@link #start(String, String, int, int)} with the JVM options given in full: the heap ({@code
   * -Xms}, {@code -Xmx}) and any others (local mode adds its JIT setting).
   */
  public static CassandraNode start(List<String> jvmOptions, int nativePort, int storagePort) {
    return startRetrying(null, List.copyOf(jvmOptions), new int[] {nativePort, storagePort});
  }

  /**
   * {@link #start()} with the JVM options given in full (start from {@link #DEFAULT_HEAP} to keep
   * its heap): the benchmark adds its JIT setting so.
   */
  public static CassandraNode start(List<String> jvmOptions) {
    return startRetrying(null, List.copyOf(jvmOptions), null);
  }

  /**
   * Starts a node as the staging profile runs k8ssandra's: {@code PasswordAuthenticator}, {@code
   * CassandraAuthorizer}, {@code CassandraRoleManager}, and client encryption required on the
   * native port (the server keystore of {@code tls}). Cassandra creates the superuser {@value
   * #SUPERUSER} (password {@code cassandra}) at first start; {@link #session()} and {@link
   * #newSession()} log in as it over TLS.
   */
  public static CassandraNode startSecure(LocalTls tls) {
    return startRetrying(tls, DEFAULT_HEAP, null);
  }

  private static CassandraNode startRetrying(LocalTls tls, List<String> jvmOptions, int[] ports) {
    try {
      return startOnce(tls, jvmOptions, ports);
    } catch (IllegalStateException e) {
      // A free port can be taken between the check and the bind (other tests start services too):
      // retry once.
      if (String.valueOf(e.getMessage()).contains("Address already in use")) {
        LOG.warn(
            "port taken while starting, retrying once: {}",
            e.getMessage().lines().findFirst().orElse(""));
        return startOnce(tls, jvmOptions, null);
      }
      throw e;
    }
  }

  /** {@code ports}: native and storage port, or null for new free ones. */
  private static CassandraNode startOnce(LocalTls tls, List<String> jvmOptions, int[] ports) {
    String classpath = LocalPaths.cassandraClasspath();
    Path workDir = LocalPaths.newWorkDir("cassandra");
    int nativePort = ports != null ? ports[0] : FreePorts.next();
    int storagePort = ports != null ? ports[1] : FreePorts.next();
    while (storagePort == nativePort) {
      storagePort = FreePorts.next();
    }
    Path data = workDir.resolve("data");
    Path yaml = workDir.resolve("cassandra.yaml");
    Path logback = workDir.resolve("logback.xml");
    try {
      Files.createDirectories(data);
      Files.writeString(yaml, cassandraYaml(data, nativePort, storagePort, tls));
      Files.writeString(
          logback,
          """
                    <configuration>
                      <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="org.apache.cassandra" level="INFO"/>
                      <logger name="com.datastax" level="WARN"/>
                      <root level="INFO"><appender-ref ref="STDOUT"/></root>
                    </configuration>
                    """);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Cassandra configuration in " + workDir, e);
    }
    JvmProcess process = daemonProcess(classpath, workDir, jvmOptions);
    CassandraNode node =
        new CassandraNode(nativePort, storagePort, workDir, process, tls, jvmOptions);
    try {
      node.awaitReady();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    LOG.info(
        "Cassandra ready at {} (pid {}, work dir {})", node.contactPoint(), process.pid(), workDir);
    return node;
  }

  /** {@code 127.0.0.1:<native port>}, the value for {@code CASSANDRA_CONTACT_POINTS}. */
  public String contactPoint() {
    return "127.0.0.1:" + nativePort;
  }

  /** The CQL (native transport) port. */
  public int nativePort() {
    return nativePort;
  }

  /** The internode (storage) port. */
  public int storagePort() {
    return storagePort;
  }

  /** {@value #LOCAL_DATACENTER}, the value for {@code CASSANDRA_LOCAL_DC}. */
  public String localDatacenter() {
    return LOCAL_DATACENTER;
  }

  /** The node's directory: {@code cassandra.yaml}, {@code data/}, {@code cassandra.log}. */
  public Path workDir() {
    return workDir;
  }

  /** The forked Cassandra JVM. */
  public JvmProcess process() {
    return process;
  }

  /**
   * A session shared by callers of this method, closed by {@link #close()}; do not close it
   * yourself.
   */
  public synchronized CqlSession session() {
    if (session == null || session.isClosed()) {
      session = newSession();
    }
    return session;
  }

  /**
   * A new session (the caller closes it), with generous timeouts for schema changes on a busy box;
   * on a {@link #startSecure} node, as the superuser over TLS.
   */
  public CqlSession newSession() {
    return tls == null ? newSession(null, null) : newSession(SUPERUSER, SUPERUSER_PASSWORD);
  }

  /** Whether this node requires TLS and a login ({@link #startSecure}). */
  public boolean isSecure() {
    return tls != null;
  }

  /**
   * A new session logged in as {@code user} (over TLS on a {@link #startSecure} node); the caller
   * closes it.
   */
  public CqlSession newSession(String user, String password) {
    var options =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30));
    if (tls != null) {
      options =
          options
              .withString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, "DefaultSslEngineFactory")
              .withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, tls.truststore().toString())
              .withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, tls.truststorePassword())
              .withBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION, true);
    }
    var builder =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress("127.0.0.1", nativePort))
            .withLocalDatacenter(LOCAL_DATACENTER)
            .withConfigLoader(options.build());
    if (user != null) {
      builder = builder.withAuthCredentials(user, password);
    }
    return builder.build();
  }

  /**
   * Forks {@code CassandraDaemon} on the {@code cassandra.yaml} of {@code workDir} (appending to
   * its log).
   */
  private static JvmProcess daemonProcess(String classpath, Path workDir, List<String> jvmOptions) {
    Path data = workDir.resolve("data");
    Path yaml = workDir.resolve("cassandra.yaml");
    Path logback = workDir.resolve("logback.xml");
    List<String> jvmArgs = new ArrayList<>(jvmOptions);
    jvmArgs.addAll(
        List.of(
            "-Xss256k",
            "-XX:+UseG1GC",
            "-XX:+ParallelRefProcEnabled",
            "-XX:MaxTenuringThreshold=1",
            "-XX:G1HeapRegionSize=16m",
            "-XX:MaxGCPauseMillis=300",
            "-XX:MaxDirectMemorySize=512m",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dcassandra.config=" + yaml.toUri(),
            "-Dcassandra-foreground=yes",
            "-Dcassandra.storagedir=" + data,
            "-Dcassandra.logdir=" + workDir.resolve("logs"),
            "-Dlogback.configurationFile=" + logback.toUri(),
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.ring_delay_ms=100",
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-D" + MEMTABLE_ROW_OVERHEAD_PROPERTY + "=" + MEMTABLE_ROW_OVERHEAD,
            "-Djava.net.preferIPv4Stack=true",
            "-Djava.awt.headless=true"));
    jvmArgs.addAll(JVM17_OPTIONS);
    JvmProcess process =
        JvmProcess.builder("cassandra", "org.apache.cassandra.service.CassandraDaemon")
            .classpath(classpath)
            .jvmArgs(jvmArgs)
            .workDir(workDir)
            .ignoreInterrupt()
            .start();
    return process;
  }

  /**
   * SIGKILL to the node, as a crash would (the next start replays its commit log); data directory
   * and ports are kept for {@link #restart()}. Returns when the JVM is gone.
   */
  public void kill() {
    closeSession();
    process.killHard();
    LOG.info("Cassandra at {} killed (SIGKILL)", contactPoint());
  }

  /**
   * Stops the node as a pod deletion would (SIGTERM: Cassandra's shutdown hook drains; SIGKILL
   * after {@code grace}), keeping its data for {@link #restart()}.
   */
  public void stop(Duration grace) {
    closeSession();
    process.destroy(grace);
    LOG.info("Cassandra at {} stopped", contactPoint());
  }

  /** Whether the Cassandra JVM runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Starts the node again after {@link #kill()} or {@link #stop(Duration)}: the same {@code
   * cassandra.yaml}, data, commit log and ports. Returns once CQL answers; a port still held by the
   * old process's sockets is retried for up to 30 s.
   */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("Cassandra at " + contactPoint() + " is still running");
    }
    JvmProcess.restartOnSamePorts(
        contactPoint(),
        () -> process = daemonProcess(LocalPaths.cassandraClasspath(), workDir, jvmOptions),
        this::awaitReady);
    LOG.info(
        "Cassandra restarted at {} (pid {}, same data in {})",
        contactPoint(),
        process.pid(),
        workDir);
  }

  private synchronized void closeSession() {
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the Cassandra session: {}", e.toString());
      }
      session = null;
    }
  }

  /**
   * Closes the shared session, stops the node (SIGTERM, SIGKILL after a grace period), deletes its
   * data.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(15));
  }

  /** Like {@link #close()}, waiting at most {@code grace} after SIGTERM before SIGKILL. */
  public void close(Duration grace) {
    closeSession();
    process.destroy(grace);
    KafkaNode.deleteRecursively(workDir.resolve("data"));
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String lastError = "native port not open";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Cassandra exited with "
                + process.exitCode().orElse(-1)
                + " before it was ready; log tail ("
                + process.logFile()
                + "):\n"
                + process.logTail(60));
      }
      if (FreePorts.isListening(nativePort)) {
        try (CqlSession probe = newSession()) {
          probe.execute("SELECT release_version FROM system.local");
          return;
        } catch (RuntimeException e) {
          lastError = e.toString();
          LOG.debug("Cassandra not ready yet: {}", lastError);
        }
      }
      KafkaNode.sleep(250);
    }
    throw new IllegalStateException(
        "Cassandra was not ready within "
            + READY_TIMEOUT
            + " ("
            + lastError
            + "); log tail ("
            + process.logFile()
            + "):\n"
            + process.logTail(60));
  }

  private static String cassandraYaml(Path data, int nativePort, int storagePort, LocalTls tls) {
    String yaml =
        """
                # generated by io.taxiplatform.local.CassandraNode: one local node, loopback only
                cluster_name: taxi-local
                num_tokens: 1
                allocate_tokens_for_local_replication_factor: 1
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "127.0.0.1:%2$d"
                listen_address: 127.0.0.1
                rpc_address: 127.0.0.1
                storage_port: %2$d
                native_transport_port: %1$d
                start_native_transport: true
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                role_manager: CassandraRoleManager
                data_file_directories:
                  - %3$s/data
                commitlog_directory: %3$s/commitlog
                saved_caches_directory: %3$s/saved_caches
                hints_directory: %3$s/hints
                cdc_raw_directory: %3$s/cdc_raw
                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                commitlog_segment_size: 8MiB
                memtable_heap_space: 64MiB
                memtable_offheap_space: 64MiB
                concurrent_reads: 8
                concurrent_writes: 8
                concurrent_counter_writes: 4
                concurrent_materialized_view_writes: 2
                concurrent_compactors: 1
                compaction_throughput: 0MiB/s
                key_cache_size: 8MiB
                counter_cache_size: 0MiB
                prepared_statements_cache_size: 8MiB
                dynamic_snitch: false
                hinted_handoff_enabled: false
                auto_snapshot: false
                snapshot_on_duplicate_row_detection: false
                incremental_backups: false
                materialized_views_enabled: false
                read_request_timeout: 10000ms
                write_request_timeout: 10000ms
                range_request_timeout: 20000ms
                request_timeout: 20000ms
                """
            .formatted(nativePort, storagePort, data);
    if (tls == null) {
      return yaml;
    }
    return yaml.replace(
                "authenticator: AllowAllAuthenticator\n", "authenticator: PasswordAuthenticator\n")
            .replace("authorizer: AllowAllAuthorizer\n", "authorizer: CassandraAuthorizer\n")
        + """
                client_encryption_options:
                  enabled: true
                  optional: false
                  keystore: %s
                  keystore_password: "%s"
                  store_type: PKCS12
                  require_client_auth: false
                """
            .formatted(tls.keystore(), tls.keystorePassword());
  }
}
