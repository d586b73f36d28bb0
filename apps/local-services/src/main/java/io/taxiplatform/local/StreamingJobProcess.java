package io.taxiplatform.local;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job ({@code io.taxiplatform.streaming.StreamingJob}) forked in Spark local mode,
 * with the classpath the streaming-job module writes ({@code
 * apps/streaming-job/target/classpath.txt}) plus its jar, Spark's JDK 17 {@code --add-opens} list
 * and {@code -Djdk.reflect.useDirectMethodHandle=false}. The job is configured through the
 * environment variables of {@code docs/contracts.md}; see {@link #environment(KafkaNode,
 * CassandraNode, Path, Path)} for the local wiring.
 */
public final class StreamingJobProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamingJobProcess.class);

  /** The job's main class. */
  public static final String MAIN_CLASS = "io.taxiplatform.streaming.StreamingJob";

  /** What spark-submit would add on JDK 17 (Spark's launcher {@code JavaModuleOptions}). */
  public static final List<String> SPARK_JDK17_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false");

  private final JvmProcess process;

  private StreamingJobProcess(JvmProcess process) {
    this.process = process;
  }

  /**
   * Starts the job with {@code env} (added to this JVM's environment) in {@code workDir} (created
   * if needed; holds {@code streaming-job.log}), Spark master {@code local[2]} and a 1 GB heap.
   */
  public static StreamingJobProcess start(Map<String, String> env, Path workDir) {
    return start(env, workDir, Options.defaults());
  }

  /**
   * The Cassandra driver option every job JVM forked here gets, unless its {@link
   * Options#systemProperties} set it: the schema-refresh debouncer's window, {@link
   * #SCHEMA_DEBOUNCE} instead of the driver's 1 s. The driver completes each DDL statement only
   * after refreshing its schema metadata, and the debouncer first waits its window for more schema
   * events, so each statement of a new pipeline version's schema (keyspace, migrations table, three
   * window tables) took ~1 s; these JVMs start new versions all the time (local mode, the tests,
   * the benchmarks). A deployed job keeps the driver's default: it applies its schema once.
   */
  public static final String SCHEMA_DEBOUNCE_PROPERTY =
      "datastax-java-driver.advanced.metadata.schema.debouncer.window";

  /** The window of {@link #SCHEMA_DEBOUNCE_PROPERTY}. */
  public static final String SCHEMA_DEBOUNCE = "50 milliseconds";

  /** Starts the job with explicit {@link Options}. */
  public static StreamingJobProcess start(Map<String, String> env, Path workDir, Options options) {
    String classpath =
        LocalPaths.streamingJar() + File.pathSeparator + LocalPaths.streamingClasspath();
    List<String> jvmArgs = jvmArgs(workDir, options);
    try {
      java.nio.file.Files.createDirectories(workDir.resolve("tmp"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + workDir, e);
    }
    JvmProcess process =
        JvmProcess.builder("streaming-job", MAIN_CLASS)
            .classpath(classpath)
            .jvmArgs(jvmArgs)
            .env(env)
            .workDir(workDir)
            .ignoreInterrupt()
            .start();
    LOG.info(
        "streaming job started (pid {}, master {}, log {})",
        process.pid(),
        options.master(),
        process.logFile());
    return new StreamingJobProcess(process);
  }

  /** The job JVM's options, main class and classpath aside. */
  static List<String> jvmArgs(Path workDir, Options options) {
    List<String> jvmArgs = new ArrayList<>();
    jvmArgs.add("-Xmx" + options.heap());
    jvmArgs.addAll(options.jvmOptions());
    jvmArgs.addAll(SPARK_JDK17_OPTIONS);
    jvmArgs.add("-Dspark.master=" + options.master());
    jvmArgs.add("-Dspark.driver.host=127.0.0.1");
    jvmArgs.add("-Dspark.driver.bindAddress=127.0.0.1");
    jvmArgs.add("-Dspark.ui.enabled=false");
    jvmArgs.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
    jvmArgs.add("-Dspark.local.dir=" + workDir.resolve("spark-local"));
    if (!options.systemProperties().containsKey(SCHEMA_DEBOUNCE_PROPERTY)) {
      jvmArgs.add("-D" + SCHEMA_DEBOUNCE_PROPERTY + "=" + SCHEMA_DEBOUNCE);
    }
    options.systemProperties().forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
    return jvmArgs;
  }

  /**
   * The contract's environment variables wired to local services: {@code KAFKA_BOOTSTRAP_SERVERS},
   * {@code CASSANDRA_CONTACT_POINTS}, {@code CASSANDRA_LOCAL_DC}, {@code CHECKPOINT_LOCATION},
   * {@code ZONE_LOOKUP_PATH} (unless {@code zoneLookup} is null: the job then uses the lookup it
   * ships), {@code METRICS_PORT} (a free port), {@code TRIGGER_INTERVAL} (1 second). The returned
   * map is mutable: add or override entries (topics, windows, pipeline version) before {@link
   * #start}.
   */
  public static Map<String, String> environment(
      KafkaNode kafka, CassandraNode cassandra, Path checkpointRoot, Path zoneLookup) {
    return environment(
        kafka.bootstrapServers(),
        cassandra.contactPoint(),
        cassandra.localDatacenter(),
        checkpointRoot,
        zoneLookup);
  }

  /**
   * {@link #environment(KafkaNode, CassandraNode, Path, Path)} for services that may still be
   * starting (their addresses chosen beforehand): the job waits for the trips topic and retries a
   * refused Cassandra connection at start.
   */
  public static Map<String, String> environment(
      String bootstrapServers,
      String cassandraContactPoint,
      String cassandraLocalDc,
      Path checkpointRoot,
      Path zoneLookup) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    env.put("CASSANDRA_CONTACT_POINTS", cassandraContactPoint);
    env.put("CASSANDRA_LOCAL_DC", cassandraLocalDc);
    env.put("CHECKPOINT_LOCATION", checkpointRoot.toAbsolutePath().toString());
    if (zoneLookup != null) {
      env.put("ZONE_LOOKUP_PATH", zoneLookup.toAbsolutePath().toString());
    }
    env.put("METRICS_PORT", String.valueOf(FreePorts.next()));
    env.put("TRIGGER_INTERVAL", "1 second");
    return env;
  }

  /** Whether the job's JVM runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, or empty while it runs. */
  public OptionalInt exitCode() {
    return process.exitCode();
  }

  /** Waits up to {@code timeout} for the job to exit; returns whether it exited. */
  public boolean waitFor(Duration timeout) {
    return process.waitFor(timeout);
  }

  /** The job's stdout and stderr. */
  public Path logFile() {
    return process.logFile();
  }

  /** The last lines of the job's log. */
  public String logTail(int lines) {
    return process.logTail(lines);
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** The underlying process. */
  public JvmProcess process() {
    return process;
  }

  /** SIGKILL at once (no shutdown hooks run), as a crash would; returns when the JVM is gone. */
  public void killHard() {
    process.killHard();
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  public void destroy() {
    process.destroy();
  }

  /** Same as {@link #destroy()}. */
  @Override
  public void close() {
    destroy();
  }

  /**
   * How the job JVM runs.
   *
   * @param master Spark master, e.g. {@code local[2]}
   * @param heap {@code -Xmx} value, e.g. {@code 1g}
   * @param systemProperties extra {@code -D} properties (e.g. {@code spark.sql.shuffle.partitions})
   * @param jvmOptions extra JVM options (e.g. a collector), after the heap
   */
  public record Options(
      String master, String heap, Map<String, String> systemProperties, List<String> jvmOptions) {
    public Options {
      systemProperties = Map.copyOf(systemProperties);
      jvmOptions = List.copyOf(jvmOptions);
    }

    /** No extra JVM options. */
    public Options(String master, String heap, Map<String, String> systemProperties) {
      this(master, heap, systemProperties, List.of());
    }

    /** {@code local[2]}, 1 GB heap, no extra properties. */
    public static Options defaults() {
      return new Options("local[2]", "1g", Map.of());
    }
  }
}
