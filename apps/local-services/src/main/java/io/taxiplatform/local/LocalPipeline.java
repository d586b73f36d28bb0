package io.taxiplatform.local;

import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Local mode: the whole pipeline on this machine with one command. Starts a real Kafka broker
 * (KRaft) and a real Cassandra node, creates the topics, starts the streaming job in Spark local
 * mode, runs the producer in this JVM (synthetic trips, or a replay of TLC files), prints progress
 * every few seconds (records sent, rows the job took in, the busiest zones of the latest window
 * read back from Cassandra) and a final summary. Ctrl-C (or {@code --duration}, or the end of a
 * finite producer run once the job has caught up) stops everything; every forked JVM is killed with
 * its process tree.
 *
 * <p>Exit codes: 0 done, 1 a component failed, 2 bad flags or missing input.
 */
public final class LocalPipeline {

  static final String TRIPS_TOPIC = "taxi.trips";
  static final String DEAD_LETTER_TOPIC = "taxi.trips.dlq";
  static final String KEYSPACE = "taxi";
  private static final int TOP_ZONES = 5;
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);

  /** The JVMs that keep their data under {@code data} in their work directory. */
  private static final java.util.Set<String> SERVICES_WITH_DATA =
      java.util.Set.of("kafka", "cassandra");

  /**
   * Cassandra's heap in local mode: one keyspace and a few thousand writes a second fit in half of
   * the tests' 768 MB, and the smaller initial heap keeps the resident memory down.
   */
  static final String CASSANDRA_INITIAL_HEAP = "256m";

  static final String CASSANDRA_MAX_HEAP = "512m";

  /**
   * The broker's heap and collector in local mode: a few thousand records a second need far less
   * than the tests' 256-512 MB G1 heap; the serial collector has no per-region bookkeeping.
   */
  static final List<String> KAFKA_MEMORY = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC");

  /**
   * The JIT setting of Kafka, Cassandra and the first streaming job when the producer runs at a
   * bounded rate ({@link #lightJit}): C1 only, no C2. On 2 cores the three JVMs start together and
   * their JIT compilers took as much CPU as their own start-up work (the job alone spent 14 of its
   * first 26 CPU seconds compiling); C1 compiles at a fraction of that cost, and at a few thousand
   * events a second its code keeps up (docs/local-mode.md, "Start-up time: the light JIT").
   */
  public static final String LIGHT_JIT = "-XX:TieredStopAtLevel=1";

  /** The highest {@code --rate} that runs with {@link #LIGHT_JIT}. */
  static final double LIGHT_JIT_MAX_RATE = 5_000;

  /** How often the monitor looks for the first window rows (before they exist). */
  private static final Duration FIRST_ROWS_POLL = Duration.ofSeconds(1);

  /** How long a second caller of {@link #stopAll()} waits for the first to finish. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);

  private final LocalPipelineConfig config;
  private final PrintStream out;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  /** Counted down once the stop sequence (services stopped, summary printed) has finished. */
  private final CountDownLatch stopDone = new CountDownLatch(1);

  private final AtomicReference<PipelineMonitor.Snapshot> lastSnapshot = new AtomicReference<>();
  private final Instant startedAt = Instant.now();
  private volatile KafkaNode kafka;
  private volatile CassandraNode cassandra;
  private volatile StreamingJobProcess job;

  /** Cassandra starting beside Kafka (null before the start); stopped by stopAll if not taken. */
  private volatile java.util.concurrent.CompletableFuture<CassandraNode> cassandraStart;

  /** The second pipeline version ({@code --reprocess}), once started. */
  private volatile StreamingJobProcess reprocessJob;

  private volatile int reprocessMetricsPort;
  private volatile Map<String, String> jobEnv;
  private final AtomicReference<PipelineMonitor.VersionProgress> lastReprocess =
      new AtomicReference<>();
  private volatile ProducerRun producer;
  private volatile PipelineMonitor monitor;
  private volatile Path runDir;

  /** Class-data archives of the forked JVMs (null with --no-cds). */
  private volatile ClassDataArchives archives;

  private LocalPipeline(LocalPipelineConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs local mode; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    LocalPipelineConfig config;
    try {
      config = LocalPipelineConfig.parse(args, env);
    } catch (HelpRequested h) {
      out.print(LocalPipelineConfig.USAGE);
      return 0;
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(LocalPipelineConfig.USAGE);
      return 2;
    }
    try {
      // Fail before starting anything when the build has not produced what we fork.
      LocalPaths.kafkaClasspath();
      LocalPaths.cassandraClasspath();
      if (!config.servicesOnly()) {
        LocalPaths.streamingClasspath();
        LocalPaths.streamingJar();
      }
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    LocalPipeline pipeline = new LocalPipeline(config, out);
    Thread hook = new Thread(pipeline::onSignal, "local-pipeline-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // on a signal, the services are stopped by stopAll in order, not at once by their own hooks
    JvmProcess.hooksAwait(pipeline.stopDone, STOP_WAIT);
    String previousWorkDir = System.getProperty(LocalPaths.WORK_DIR_PROPERTY);
    try {
      return pipeline.runPipeline(err);
    } finally {
      pipeline.stopAll();
      JvmProcess.hooksAwait(null, null);
      if (previousWorkDir == null) {
        System.clearProperty(LocalPaths.WORK_DIR_PROPERTY);
      } else {
        System.setProperty(LocalPaths.WORK_DIR_PROPERTY, previousWorkDir);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  private int runPipeline(PrintStream err) {
    try {
      Path root = root();
      runDir =
          Files.createDirectories(
              root.resolve(
                  "run-"
                      + LocalDateTime.now()
                          .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
      System.setProperty(LocalPaths.WORK_DIR_PROPERTY, runDir.toString());
      out.printf("taxi-platform local mode; logs and data under %s%n", runDir);
      if (config.classDataSharing()) {
        archives = ClassDataArchives.enable(root.resolve("cds"));
      }

      out.println("starting Kafka (KRaft) ...");
      // Kafka, Cassandra and the streaming job start at the same time (the three take most of the
      // start-up): the services' ports are chosen first so that the job's configuration is known;
      // the job waits for the trips topic and retries a refused Cassandra connection. The console
      // lines keep their order: Kafka's, Cassandra's, the job's, the producer's.
      int[] ports = distinctFreePorts(4);
      String plannedKafka = "127.0.0.1:" + ports[0];
      String plannedCassandra = "127.0.0.1:" + ports[2];
      List<String> jit = lightJit(config) ? List.of(LIGHT_JIT) : List.of();
      cassandraStart = startCassandraInBackground(ports[2], ports[3], jit);
      Map<String, String> env = null;
      if (!config.servicesOnly()) {
        env = jobEnvironment(plannedKafka, plannedCassandra);
        job = StreamingJobProcess.start(env, runDir.resolve("streaming-job"), jobOptions(jit));
      }
      kafka = KafkaNode.start(ports[0], ports[1], concat(KAFKA_MEMORY, jit));
      kafka.createTopic(TRIPS_TOPIC, config.partitions());
      kafka.createTopic(DEAD_LETTER_TOPIC, 1);
      out.printf(
          "  Kafka ready at %s (topics %s, %s)%n",
          kafka.bootstrapServers(), TRIPS_TOPIC, DEAD_LETTER_TOPIC);
      if (stopRequested.getCount() == 0) {
        return 0;
      }
      if (!config.servicesOnly()) {
        // the producer needs only Kafka
        producer = ProducerRun.start(config, kafka.bootstrapServers(), TRIPS_TOPIC);
      }
      out.println("starting Cassandra ...");
      cassandra = awaitCassandra(cassandraStart);
      out.printf(
          "  Cassandra ready at %s (datacenter %s)%n",
          cassandra.contactPoint(), cassandra.localDatacenter());
      if (stopRequested.getCount() == 0) {
        return 0;
      }
      if (config.servicesOnly()) {
        out.printf(
            "%nservices only: KAFKA_BOOTSTRAP_SERVERS=%s CASSANDRA_CONTACT_POINTS=%s "
                + "CASSANDRA_LOCAL_DC=%s%npress Ctrl-C to stop%n",
            kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter());
        awaitStop(config.duration().orElse(null));
        return 0;
      }

      boolean moved =
          !kafka.bootstrapServers().equals(plannedKafka)
              || !cassandra.contactPoint().equals(plannedCassandra);
      if (moved) {
        // a chosen port was taken before the service bound it and the service moved: start the
        // job again with the ports the services really have
        job.process().destroy(STOP_GRACE);
        env = jobEnvironment(kafka.bootstrapServers(), cassandra.contactPoint());
        job = StreamingJobProcess.start(env, runDir.resolve("streaming-job-2"), jobOptions(jit));
      } else if (!job.isAlive()) {
        // on a very busy machine Cassandra can take longer than the job's 60 s wait for it: the
        // job has then exited (its log says why) and starts once more, now that Cassandra answers
        out.printf(
            "  the streaming job exited with %d while Cassandra was starting (log %s); starting it"
                + " again%n",
            job.exitCode().orElse(-1), job.logFile());
        job = StreamingJobProcess.start(env, runDir.resolve("streaming-job-2"), jobOptions(jit));
      }
      int metricsPort = Integer.parseInt(env.get("METRICS_PORT"));
      jobEnv = env;
      out.println("starting the streaming job (Spark local[2]) ...");
      out.printf(
          "  streaming job pid %d, metrics http://127.0.0.1:%d/metrics, log %s%n",
          job.pid(), metricsPort, job.logFile());

      monitor =
          new PipelineMonitor(
              kafka,
              TRIPS_TOPIC,
              cassandra.session(),
              KEYSPACE,
              config.pipelineVersion(),
              metricsPort);
      out.printf("producer: %s%n%n", producer.description());
      return monitorLoop(err);
    } catch (RuntimeException | java.io.IOException e) {
      if (stopRequested.getCount() == 0) {
        return 0; // Ctrl-C while starting: the failure is the shutdown itself
      }
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** Where runs, and the class-data archives, go: {@code --work-dir} or {@code <repo>/.local}. */
  private Path root() {
    return config.workDir().orElseGet(() -> LocalPaths.repoRoot().resolve(".local"));
  }

  /** The job's environment for services at these addresses. */
  private Map<String, String> jobEnvironment(
      String bootstrapServers, String cassandraContactPoint) {
    Map<String, String> env =
        StreamingJobProcess.environment(
            bootstrapServers,
            cassandraContactPoint,
            CassandraNode.LOCAL_DATACENTER,
            runDir.resolve("checkpoints"),
            config.zoneLookup().orElse(null));
    env.put("TRIPS_TOPIC", TRIPS_TOPIC);
    env.put("DEAD_LETTER_TOPIC", DEAD_LETTER_TOPIC);
    env.put("PIPELINE_VERSION", config.pipelineVersion());
    env.put("CASSANDRA_KEYSPACE", KEYSPACE);
    env.put("STARTING_OFFSETS", "earliest");
    env.put("TRIGGER_INTERVAL", "2 seconds");
    // SHUFFLE_PARTITIONS unset (auto): the 2 cores of local[2], or a rerun's recorded value
    // A laptop's state is a few thousand trips: RocksDB needs far less than a cluster executor.
    env.put("STATE_STORE_MEMORY_MB", "64");
    return env;
  }

  /**
   * How the job's JVM runs in local mode: {@code local[2]}, 1 GB heap (and, as every job JVM forked
   * by {@link StreamingJobProcess}, the Cassandra driver's schema-refresh debouncer at {@value
   * StreamingJobProcess#SCHEMA_DEBOUNCE} instead of 1 s: with the default, each of the five
   * statements of a fresh schema took about 1.2 s).
   */
  static StreamingJobProcess.Options jobOptions() {
    return jobOptions(List.of());
  }

  /** {@link #jobOptions()} with extra JVM options ({@link #LIGHT_JIT}). */
  static StreamingJobProcess.Options jobOptions(List<String> jvmOptions) {
    return new StreamingJobProcess.Options("local[2]", "1g", Map.of(), jvmOptions);
  }

  /**
   * Whether Kafka, Cassandra and the first job run with {@link #LIGHT_JIT}: when the producer has a
   * bounded rate of at most {@link #LIGHT_JIT_MAX_RATE} events/s (the default: 1,000). A run as
   * fast as possible ({@code --rate 0}), at a replay's own pace ({@code --speed}) or the services
   * alone ({@code --services-only}, for whatever load a user brings) keeps the full JIT, as does a
   * {@code --reprocess} job, which catches up with the whole topic.
   */
  static boolean lightJit(LocalPipelineConfig config) {
    return !config.servicesOnly()
        && config.speed().isEmpty()
        && config.rate() > 0
        && config.rate() <= LIGHT_JIT_MAX_RATE;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** {@code n} different ports, each free on 127.0.0.1 a moment ago. */
  private static int[] distinctFreePorts(int n) {
    java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
    while (ports.size() < n) {
      ports.add(FreePorts.next());
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Starts Cassandra on a daemon thread on the given ports; {@link #awaitCassandra} takes the node
   * (or the failure).
   */
  private static java.util.concurrent.CompletableFuture<CassandraNode> startCassandraInBackground(
      int nativePort, int storagePort, List<String> jvmOptions) {
    java.util.concurrent.CompletableFuture<CassandraNode> f =
        new java.util.concurrent.CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(
                    CassandraNode.start(
                        concat(
                            List.of("-Xms" + CASSANDRA_INITIAL_HEAP, "-Xmx" + CASSANDRA_MAX_HEAP),
                            jvmOptions),
                        nativePort,
                        storagePort));
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "cassandra-start");
    t.setDaemon(true);
    t.start();
    return f;
  }

  private static CassandraNode awaitCassandra(
      java.util.concurrent.CompletableFuture<CassandraNode> start) {
    try {
      return start.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private int monitorLoop(PrintStream err) {
    long deadline =
        config.duration().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
    long producerDoneAt = 0;
    PipelineMonitor.Snapshot previous = null;
    long nextPrint = System.nanoTime() + config.progressInterval().toNanos();
    boolean zonesShown = false;
    while (true) {
      // Until the first window rows are written, look every second (they are printed as soon as
      // they exist); then every progress interval.
      Duration wait =
          zonesShown || config.progressInterval().compareTo(FIRST_ROWS_POLL) <= 0
              ? config.progressInterval()
              : FIRST_ROWS_POLL;
      if (awaitStop(wait)) {
        return 0;
      }
      PipelineMonitor.Snapshot now = monitor.sample(TOP_ZONES);
      lastSnapshot.set(now);
      boolean firstZones = !zonesShown && !now.topZones().isEmpty();
      boolean printed = firstZones || System.nanoTime() - nextPrint >= 0;
      if (printed) {
        printProgress(previous, now);
        previous = now;
        nextPrint = System.nanoTime() + config.progressInterval().toNanos();
        zonesShown |= firstZones;
        ClassDataArchives a = archives;
        if (firstZones && a != null && a.recording()) {
          // the services have loaded their start-up classes by now; archived once they have
          // stopped, when a dump's memory (about a JVM's) no longer adds to theirs
          a.keepRecorded();
          out.printf(
              "(first run of this build: the services' classes will be archived under %s when"
                  + " it stops, for a faster start next time)%n%n",
              root().resolve("cds"));
        }
      }
      if (stopRequested.getCount() == 0) {
        return 0; // stopped while sampling: the services' exits are the stop's doing
      }
      if (!job.isAlive()) {
        err.printf(
            "error: the streaming job exited with %d; last lines of %s:%n%s%n",
            job.exitCode().orElse(-1), job.logFile(), job.logTail(30));
        return 1;
      }
      StreamingJobProcess second = reprocessJob;
      if (second != null && !second.isAlive()) {
        err.printf(
            "error: the reprocessing job (%s) exited with %d; last lines of %s:%n%s%n",
            config.reprocessVersion().orElse(""),
            second.exitCode().orElse(-1),
            second.logFile(),
            second.logTail(30));
        return 1;
      }
      if (second == null && config.reprocessVersion().isPresent() && !now.topZones().isEmpty()) {
        startReprocessing();
      }
      if (producer.failure().isPresent()) {
        err.println("error: the producer failed: " + producer.failure().get());
        return 1;
      }
      if (System.nanoTime() >= deadline) {
        if (!printed) {
          printProgress(previous, now); // the last reading is always shown
        }
        out.println("duration reached");
        return 0;
      }
      if (config.producerIsFinite() && producer.isFinished()) {
        if (producerDoneAt == 0) {
          producerDoneAt = System.nanoTime();
          out.println("producer finished; waiting for the job to take in every record ...");
        }
        boolean caughtUp =
            now.sent().isPresent()
                && now.jobInput().isPresent()
                && now.jobInput().getAsLong() >= now.sent().getAsLong()
                && reprocessingDone(now.sent().getAsLong());
        if (caughtUp) {
          if (!printed) {
            printProgress(previous, now);
          }
          // one more interval so the last micro-batch's windows are written
          awaitStop(config.progressInterval());
          lastSnapshot.set(monitor.sample(TOP_ZONES));
          return 0;
        }
        if (System.nanoTime() - producerDoneAt > CATCH_UP_TIMEOUT.toNanos()) {
          err.println("error: the job did not take in every record within " + CATCH_UP_TIMEOUT);
          return 1;
        }
      }
    }
  }

  /**
   * Starts the second pipeline version beside the first: same topic, from the earliest offset, own
   * tables.
   */
  private void startReprocessing() {
    String version = config.reprocessVersion().orElseThrow();
    Map<String, String> env = new java.util.LinkedHashMap<>(jobEnv);
    env.put("PIPELINE_VERSION", version);
    env.put("STARTING_OFFSETS", "earliest");
    env.put("METRICS_PORT", String.valueOf(FreePorts.next()));
    config.reprocessZoneWindow().ifPresent(w -> env.put("ZONE_WINDOW", w));
    reprocessMetricsPort = Integer.parseInt(env.get("METRICS_PORT"));
    out.printf(
        "reprocessing: starting pipeline version %s beside %s, from the earliest offset of %s%s ...%n",
        version,
        config.pipelineVersion(),
        TRIPS_TOPIC,
        config.reprocessZoneWindow().map(w -> " with ZONE_WINDOW=" + w).orElse(""));
    reprocessJob =
        StreamingJobProcess.start(env, runDir.resolve("streaming-job-" + version), jobOptions());
    out.printf(
        "  %s: pid %d, metrics http://127.0.0.1:%d/metrics, tables %s.*_%s%n",
        version, reprocessJob.pid(), reprocessMetricsPort, KEYSPACE, version);
  }

  /** Whether no second version was asked for, or it has taken in {@code records} and caught up. */
  private boolean reprocessingDone(long records) {
    if (config.reprocessVersion().isEmpty()) {
      return true;
    }
    PipelineMonitor.VersionProgress p = lastReprocess.get();
    return reprocessJob != null
        && p != null
        && p.caughtUp()
        && p.jobInput().isPresent()
        && p.jobInput().getAsLong() >= records;
  }

  private void printProgress(PipelineMonitor.Snapshot previous, PipelineMonitor.Snapshot now) {
    long elapsed = Duration.between(startedAt, now.at()).toSeconds();
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "[%02d:%02d:%02d] sent %s (%s)",
                elapsed / 3600,
                elapsed / 60 % 60,
                elapsed % 60,
                count(now.sent()),
                rate(
                    previous == null ? OptionalLong.empty() : previous.sent(),
                    now.sent(),
                    previous,
                    now)));
    line.append(
        String.format(
            Locale.ROOT,
            " | job in %s (%s)",
            count(now.jobInput()),
            rate(
                previous == null ? OptionalLong.empty() : previous.jobInput(),
                now.jobInput(),
                previous,
                now)));
    line.append(" | dead letters ").append(count(now.deadLetters()));
    line.append(" | late ").append(count(now.late()));
    if (now.late().orElse(0) > 0) {
      line.append(" (LOST: older than the watermark)");
    }
    out.println(line);
    if (reprocessJob != null) {
      PipelineMonitor.VersionProgress p = monitor.versionProgress(reprocessMetricsPort);
      lastReprocess.set(p);
      out.printf(
          "           %s (reprocessing): in %s, behind %s, %s | late %s%n",
          config.reprocessVersion().orElseThrow(),
          count(p.jobInput()),
          count(p.behind()),
          p.caughtUp() ? "caught up" : "catching up",
          count(p.late()));
    }
    List<PipelineMonitor.ZoneWindow> top = now.topZones();
    if (top.isEmpty()) {
      out.println("           no windows in Cassandra yet");
      return;
    }
    out.printf("           busiest zones, window starting %s:%n", top.get(0).windowStart());
    for (PipelineMonitor.ZoneWindow zone : top) {
      String latency =
          zone.writtenAt().isPresent() && zone.maxIngestTime().isPresent()
              ? String.format(
                  Locale.ROOT,
                  "%.1f s",
                  Duration.between(zone.maxIngestTime().get(), zone.writtenAt().get()).toMillis()
                      / 1000.0)
              : "n/a";
      out.printf(
          Locale.ROOT,
          "             %3d %-32.32s %-13.13s %6d trips  avg fare %s  latency %s%n",
          zone.pickupZone(),
          zone.zoneName(),
          zone.borough(),
          zone.tripCount(),
          zone.avgFare().isPresent()
              ? String.format(Locale.ROOT, "$%.2f", zone.avgFare().getAsDouble())
              : "n/a",
          latency);
    }
  }

  private static String count(OptionalLong value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%,d", value.getAsLong()) : "n/a";
  }

  private static String rate(
      OptionalLong before,
      OptionalLong after,
      PipelineMonitor.Snapshot previous,
      PipelineMonitor.Snapshot now) {
    if (previous == null || before.isEmpty() || after.isEmpty()) {
      return "n/a";
    }
    double seconds = Duration.between(previous.at(), now.at()).toMillis() / 1000.0;
    return seconds <= 0
        ? "n/a"
        : String.format(Locale.ROOT, "%,.0f/s", (after.getAsLong() - before.getAsLong()) / seconds);
  }

  /**
   * Waits until a stop is requested or {@code timeout} passes (null = forever); returns whether to
   * stop.
   */
  private boolean awaitStop(Duration timeout) {
    try {
      if (timeout == null) {
        stopRequested.await();
        return true;
      }
      return stopRequested.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** The shutdown hook (Ctrl-C, SIGTERM): stop the loop, then everything. */
  private void onSignal() {
    stopRequested.countDown();
    stopAll();
  }

  /** Stops producer, job, Cassandra and Kafka (in that order) and prints the summary; runs once. */
  private void stopAll() {
    stopRequested.countDown();
    if (!stopped.compareAndSet(false, true)) {
      // Another thread stops everything. The shutdown hook must not return before it is done: once
      // the
      // hooks have returned the JVM halts, and the main thread would be cut off mid-way (no
      // summary).
      try {
        stopDone.await(STOP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      stopEverything();
    } finally {
      stopDone.countDown();
    }
  }

  private void stopEverything() {
    out.println();
    out.println("stopping ...");
    ProducerRun p = producer;
    if (p != null) {
      closeQuietly("producer", p::close);
    }
    PipelineMonitor m = monitor;
    if (m != null) {
      closeQuietly("monitor", m::close);
    }
    // Local data is thrown away at the end, so no graceful drain is needed: stop all three at once.
    StreamingJobProcess j = job;
    StreamingJobProcess j2 = reprocessJob;
    CassandraNode c = cassandra;
    java.util.concurrent.CompletableFuture<CassandraNode> starting = cassandraStart;
    if (c == null && starting != null && starting.isDone()) {
      // stopped (or failed) after Cassandra's start beside Kafka ended, before it was handed over
      try {
        c = starting.join();
      } catch (RuntimeException e) {
        c = null; // it did not start: nothing to stop
      }
    }
    KafkaNode k = kafka;
    List<java.util.concurrent.CompletableFuture<Void>> stops = new java.util.ArrayList<>();
    if (j != null) {
      stops.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> closeQuietly("streaming job", () -> j.process().destroy(STOP_GRACE))));
    }
    if (j2 != null) {
      stops.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> closeQuietly("reprocessing job", () -> j2.process().destroy(STOP_GRACE))));
    }
    if (c != null) {
      CassandraNode node = c;
      stops.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> closeQuietly("Cassandra", () -> node.close(STOP_GRACE))));
    }
    if (k != null) {
      stops.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> closeQuietly("Kafka", () -> k.close(STOP_GRACE))));
    }
    // the services still starting (a stop during the start-up): stopped now, beside the others,
    // not once they are ready; their starts then fail, which the start-up takes for the stop
    java.util.Set<Long> handedOver = new java.util.HashSet<>();
    for (JvmProcess known :
        java.util.Arrays.asList(
            j == null ? null : j.process(),
            j2 == null ? null : j2.process(),
            c == null ? null : c.process(),
            k == null ? null : k.process())) {
      if (known != null) {
        handedOver.add(known.pid());
      }
    }
    Path dir = runDir;
    if (dir != null) {
      // every JVM forked there so far, and none from now on: a start beside this stop fails
      for (JvmProcess service : JvmProcess.refuseStartsUnder(dir)) {
        if (!handedOver.contains(service.pid())) {
          stops.add(
              java.util.concurrent.CompletableFuture.runAsync(
                  () -> closeQuietly(service.name(), () -> stopStarting(service))));
        }
      }
    }
    stops.forEach(java.util.concurrent.CompletableFuture::join);
    if (c == null && starting != null) {
      // ready in the instant between the check above and its JVM's stop: its session too
      try {
        CassandraNode late = starting.getNow(null);
        if (late != null) {
          late.close(STOP_GRACE);
        }
      } catch (RuntimeException e) {
        // its start failed with its JVM gone, as the stop meant
      }
    }
    ClassDataArchives a = archives;
    if (a != null) {
      // the services are gone: the dumps do not add their memory to theirs
      a.stop()
          .ifPresent(
              dump ->
                  out.printf(
                      "  archiving the services' classes under %s in the background (pid %d),"
                          + " for a faster start next time%n",
                      root().resolve("cds"), dump.pid()));
    }
    printSummary(p);
  }

  /** Stops a service JVM that was still starting, and deletes its data as its close() would. */
  private static void stopStarting(JvmProcess starting) {
    starting.destroy(STOP_GRACE);
    if (SERVICES_WITH_DATA.contains(starting.name())) {
      // its start deletes it once it sees the JVM gone, on a thread that may not get to it before
      // this JVM exits (Kafka's, on the main thread)
      KafkaNode.deleteRecursively(starting.workDir().resolve("data"));
    }
  }

  private void printSummary(ProducerRun p) {
    Duration elapsed = Duration.between(startedAt, Instant.now());
    out.println("summary");
    out.printf("  ran for %d s; logs under %s%n", elapsed.toSeconds(), runDir);
    if (p != null) {
      out.println("  producer: " + p.summary());
    }
    PipelineMonitor.Snapshot last = lastSnapshot.get();
    if (last != null) {
      out.printf(
          "  last reading: %s records in %s, %s taken in by the job, %s dead letters%n",
          count(last.sent()), TRIPS_TOPIC, count(last.jobInput()), count(last.deadLetters()));
      out.printf(
          "  late rows (dropped by the watermark, lost for %s): %s; duplicate trips dropped: %s%n",
          config.pipelineVersion(), count(last.late()), count(last.duplicates()));
      PipelineMonitor.VersionProgress second = lastReprocess.get();
      if (second != null) {
        out.printf(
            "  %s (reprocessing): %s taken in, %s behind, %s, %s late rows%n",
            config.reprocessVersion().orElseThrow(),
            count(second.jobInput()),
            count(second.behind()),
            second.caughtUp() ? "caught up" : "not caught up",
            count(second.late()));
      }
      if (!last.topZones().isEmpty()) {
        PipelineMonitor.ZoneWindow top = last.topZones().get(0);
        out.printf(
            "  busiest zone of the last window (%s): %d %s (%s), %d trips%n",
            top.windowStart(), top.pickupZone(), top.zoneName(), top.borough(), top.tripCount());
      }
    }
    out.println("  all local services stopped");
    out.flush();
  }

  private void closeQuietly(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      out.println("  stopping " + what + ": " + e.getMessage());
    }
  }
}
