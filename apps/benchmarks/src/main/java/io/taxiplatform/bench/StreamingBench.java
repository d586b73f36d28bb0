package io.taxiplatform.bench;

import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Row;
import io.taxiplatform.bench.probe.ThreadCpu;
import io.taxiplatform.config.SparkDuration;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.PrometheusScrape;
import io.taxiplatform.local.StreamingJobProcess;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming measurements (issue 11 points 3-5) on a real broker and Cassandra, the job forked as in
 * the ITs ({@link StreamingJobProcess}: Spark {@code local[2]}, 1 GB heap):
 *
 * <ul>
 *   <li>throughput and reprocessing: the job over a pre-loaded topic from its earliest offset, each
 *       run a new pipeline version (its own tables and checkpoint, as a reprocessing deploys one),
 *       alternated with the ceiling ({@code SparkCeiling}: the same read and parse, nothing else)
 *       on the same topic; every version's zone table is checked exactly (trip counts sum to the
 *       events, and equal the first version's rows);
 *   <li>end-to-end latency: one job with a 1 s trigger (or {@code bench.latencyJobEnv}'s), the
 *       producer at a steady rate; the job's {@code taxi_stream_end_to_end_latency_seconds}
 *       histogram (max_ingest_time of every row it writes until its micro-batch is acknowledged) is
 *       read before and after a measured window, and the percentiles come from the difference.
 * </ul>
 */
final class StreamingBench {

  private static final Logger LOG = LoggerFactory.getLogger(StreamingBench.class);
  static final String LATENCY_METRIC = "taxi_stream_end_to_end_latency_seconds";

  /**
   * The job's query (StreamingJob.QUERIES): both window tables and the dead letters come from it.
   */
  static final String WINDOW_QUERY = io.taxiplatform.local.PipelineMonitor.WINDOW_QUERY;

  private static final List<String> QUERIES = List.of(WINDOW_QUERY);
  private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(20);
  private static final Pattern PROGRESS =
      Pattern.compile("^BENCH_PROGRESS (\\d+) (\\d+)", Pattern.MULTILINE);

  /** A point of a throughput curve: seconds since the first batch ended, rows read so far. */
  record Point(double seconds, long rows) {}

  /**
   * One run over the pre-loaded topic.
   *
   * @param eventsPerSecond rows after the first batch / time from the first batch's end to the
   *     last's
   */
  record ThroughputRun(
      String variant,
      int rep,
      long events,
      double eventsPerSecond,
      List<Point> curve,
      Map<String, Object> extra) {

    /**
     * {@link StreamingBench#START_TO_DONE} of a job run; NaN for a run without it (a ceiling run).
     */
    double startToDoneSeconds() {
      return extra.get(START_TO_DONE) instanceof Double d ? d : Double.NaN;
    }
  }

  /** One measured window at a steady rate. */
  record LatencyWindow(
      int rate,
      int pass,
      double p50,
      double p95,
      double p99,
      double shareAtMost2s,
      double observations,
      double inputEventsPerSecond,
      double warmupSeconds,
      boolean steady,
      double dedupStateBytes,
      double dedupEvictionSeconds,
      Map<String, Double> jobCores,
      long backlogAtStart,
      long backlogAtEnd) {}

  /**
   * The job's state gauges (docs/contracts.md) of the de-duplication, which grows with the rate.
   */
  static final String STATE_BYTES = "taxi_stream_state_bytes";

  static final String STATE_SECONDS = "taxi_stream_state_operator_seconds";

  /** Where the latency job's threads are read from (Linux). */
  private static final Path PROC = Path.of("/proc");

  static final Map<String, String> DEDUP = Map.of("query", WINDOW_QUERY, "operator", "dedupe");

  /** How often, over how long and within what share the steady warm-up samples the state's size. */
  static final int STEADY_SAMPLE_S = 15;

  static final int STEADY_SPAN_S = 60;
  static final double STEADY_TOLERANCE = 0.03;

  /** The longest a steady warm-up waits for the state to stop growing. */
  static final Duration STEADY_CAP = Duration.ofMinutes(40);

  /**
   * Whether the state has stopped growing: the largest size of the last {@code spanS} seconds is
   * positive and within {@code tolerance} of the largest of the {@code spanS} seconds before
   * (samples every {@code sampleS} seconds, oldest first). The largest, not the last: RocksDB's SST
   * files, the size the job reports, rise at each flush and fall at each compaction (~±5 % at 5,000
   * trips/s), so two single samples a span apart may differ by more than the tolerance at any age.
   */
  static boolean steady(List<Double> samples, int sampleS, int spanS, double tolerance) {
    int span = spanS / sampleS;
    int n = samples.size();
    if (n < 2 * span) {
      return false;
    }
    double now = max(samples.subList(n - span, n));
    double then = max(samples.subList(n - 2 * span, n - span));
    return now > 0 && then > 0 && Math.abs(now - then) <= tolerance * now;
  }

  /** Within what share of the records the topic took the job's reads must be to keep up. */
  static final double KEEP_UP_TOLERANCE = 0.05;

  /**
   * The most records, in seconds of the feed, a job that keeps up may have left to read: a trigger
   * and a micro-batch or two (a settled 30,000 events/s job: 1.8–2.7 s, docs/benchmarks.md,
   * "Thirty-ninth round").
   */
  static final int KEEP_UP_BACKLOG_S = 5;

  /**
   * Whether the job kept up with its feed over the last {@code spanS} seconds of samples taken
   * every {@code sampleS} seconds (oldest first, each the sum of the topic's end offsets and the
   * rows the job had read): the rows it read within {@code tolerance} of the records the topic
   * took, and at the last sample no more than {@code backlogS} seconds of the feed left to read. A
   * job draining a backlog reads more than the feed sends, one falling behind reads less, and one
   * that reads as fast as the feed behind a standing backlog (a job at the edge of its rate after a
   * slow start) gives that backlog's latency; in each case the latency is not the rate's.
   */
  static boolean keptUp(
      List<Long> topicRecords,
      List<Long> rowsRead,
      int sampleS,
      int spanS,
      double tolerance,
      int backlogS) {
    int span = spanS / sampleS;
    int n = Math.min(topicRecords.size(), rowsRead.size());
    if (n <= span) {
      return false;
    }
    long appended = topicRecords.get(n - 1) - topicRecords.get(n - 1 - span);
    long read = rowsRead.get(n - 1) - rowsRead.get(n - 1 - span);
    long backlog = topicRecords.get(n - 1) - rowsRead.get(n - 1);
    return appended > 0
        && Math.abs(read - appended) <= tolerance * appended
        && backlog <= (double) appended / spanS * backlogS;
  }

  /**
   * Records in {@code topic} ({@link KafkaNode#topicRecords}); a failure to read them ends the run.
   */
  static long topicRecords(Admin admin, String topic) {
    try {
      return KafkaNode.topicRecords(admin, topic, Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of " + topic, e);
    }
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  private final BenchConfig config;
  private final KafkaNode kafka;
  private final CassandraNode cassandra;
  private final ProducerBench producers;
  private final Path work;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String keyspace = "bench_" + UUID.randomUUID().toString().substring(0, 6);

  StreamingBench(
      BenchConfig config,
      KafkaNode kafka,
      CassandraNode cassandra,
      ProducerBench producers,
      Path work) {
    this.config = config;
    this.kafka = kafka;
    this.cassandra = cassandra;
    this.producers = producers;
    this.work = work;
  }

  /** The job's environment for one pipeline version on {@code topic}. */
  Map<String, String> jobEnv(String topic, String version, String trigger) {
    Map<String, String> env =
        StreamingJobProcess.environment(
            kafka, cassandra, work.resolve("checkpoints-" + version), null);
    env.put("TRIPS_TOPIC", topic);
    env.put("DEAD_LETTER_TOPIC", topic + ".dlq");
    env.put("CASSANDRA_KEYSPACE", keyspace);
    env.put("PIPELINE_VERSION", version);
    env.put("TRIGGER_INTERVAL", trigger);
    env.put("MAX_OFFSETS_PER_TRIGGER", Integer.toString(config.maxOffsets()));
    return env;
  }

  /**
   * The job's metrics now, read with the Prometheus client's own format code; empty while its
   * endpoint does not answer.
   */
  PrometheusScrape metrics(Map<String, String> env) {
    return PrometheusScrape.fetch(
            http, Integer.parseInt(env.get("METRICS_PORT")), Duration.ofSeconds(5))
        .orElse(NO_METRICS);
  }

  private static final PrometheusScrape NO_METRICS = PrometheusScrape.parse(new byte[0]);

  static double value(PrometheusScrape scrape, String metric, Map<String, String> labels) {
    return scrape.sum(metric, labels).orElse(0);
  }

  private static Map<String, String> withPhase(String phase) {
    Map<String, String> m = new LinkedHashMap<>(DEDUP);
    m.put("phase", phase);
    return m;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Creates the pre-loaded topic and fills it with {@code stream-events} trips (the producer's
   * run): synthetic ones, or with {@code --stream-preload replay} the same generator's trips as a
   * TLC CSV ({@link TlcBenchFiles#writeCsv}: 50 per second of event time) replayed in dropoff
   * order, the shape of a reprocessing of history; with {@code month} the same spread evenly over
   * January 2025 (a TLC month's density of windows: every window table row a month has).
   */
  ProducerBench.Run preload(String topic) {
    kafka.createTopic(topic, config.streamPartitions());
    kafka.createTopic(topic + ".dlq", 1);
    if (!config.streamPreload().equals("synthetic")) {
      Path csv = work.resolve("preload-" + topic).resolve("yellow_tripdata_2025-01.csv");
      try {
        Files.createDirectories(csv.getParent());
        int n = config.streamEvents();
        TlcBenchFiles.writeCsv(
            csv,
            config.seed(),
            n,
            config.streamPreload().equals("month")
                ? () -> TlcBenchFiles.SteppingClock.januaryOf(n)
                : TlcBenchFiles.SteppingClock::new);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write " + csv, e);
      }
      try {
        return producers.producerTo(
            topic,
            "preload",
            0,
            List.of(
                "--mode",
                "replay",
                "--input",
                csv.toString(),
                "--order",
                "dropoff",
                "--spill-dir",
                work.toString(),
                "--metrics-port",
                "0"));
      } finally {
        try {
          Files.deleteIfExists(csv);
        } catch (java.io.IOException e) {
          LOG.warn("cannot delete {}", csv, e);
        }
      }
    }
    return producers.producerTo(
        topic,
        "preload",
        0,
        List.of(
            "--mode",
            "synthetic",
            "--max-events",
            Integer.toString(config.streamEvents()),
            "--seed",
            Long.toString(config.seed()),
            "--metrics-port",
            "0"));
  }

  /**
   * The job as a new pipeline version over the whole topic; stopped once every query read every
   * event.
   */
  ThroughputRun job(String topic, int rep) {
    return job(
        topic,
        rep,
        "job",
        "b",
        new StreamingJobProcess.Options("local[2]", "1g", Map.of(), config.forkedJvmOptions()),
        Map.of());
  }

  /**
   * {@link #job(String, int)} as {@code variant}: pipeline version {@code versionPrefix + rep}, the
   * job JVM with {@code options} (extra {@code -D} Spark settings) and {@code envOverrides} on top
   * of {@link #jobEnv} (JobVariantsBench's A/B runs).
   */
  ThroughputRun job(
      String topic,
      int rep,
      String variant,
      String versionPrefix,
      StreamingJobProcess.Options options,
      Map<String, String> envOverrides) {
    String version = versionPrefix + rep;
    Map<String, String> env =
        jobEnv(topic, version, config.throughputTriggerMs() + " milliseconds");
    env.putAll(envOverrides);
    long n = config.streamEvents();
    long startMs = System.currentTimeMillis();
    StreamingJobProcess job =
        StreamingJobProcess.start(env, work.resolve("job-" + version), options);
    List<long[]> samples =
        new ArrayList<>(); // {epoch ms of the window query's last progress, its rows}
    try {
      long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
      long lastRows = -1;
      while (true) {
        if (!job.isAlive()) {
          throw new IllegalStateException(
              "the streaming job exited (" + job.exitCode() + ")\n" + job.logTail(60));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the streaming job did not read "
                  + n
                  + " events within "
                  + PROCESS_TIMEOUT
                  + "\n"
                  + job.logTail(60));
        }
        PrometheusScrape text = metrics(env);
        long rows =
            (long) value(text, "taxi_stream_input_rows_total", Map.of("query", WINDOW_QUERY));
        if (rows != lastRows && rows > 0) {
          double progress =
              value(
                  text,
                  "taxi_stream_last_progress_timestamp_seconds",
                  Map.of("query", WINDOW_QUERY));
          samples.add(
              new long[] {
                progress > 0 ? (long) (progress * 1000) : System.currentTimeMillis(), rows
              });
          lastRows = rows;
        }
        boolean all = true;
        for (String q : QUERIES) {
          all &= value(text, "taxi_stream_input_rows_total", Map.of("query", q)) >= n;
        }
        if (all && value(text, "taxi_stream_valid_trips_total", Map.of()) >= n) {
          break;
        }
        sleep(500);
      }
      long doneMs = System.currentTimeMillis();
      PrometheusScrape text = metrics(env);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("pipeline_version", version);
      extra.put("valid_trips_total", value(text, "taxi_stream_valid_trips_total", Map.of()));
      extra.put("dead_letters_total", value(text, "taxi_stream_dead_letters_total", Map.of()));
      extra.put(
          "rows_dropped_late_total",
          value(text, "taxi_stream_rows_dropped_late_total", Map.of("query", WINDOW_QUERY)));
      extra.put("all_queries_done_epoch_ms", doneMs);
      // A reprocessing's wall time as a user sees it: the JVM's start, the session, the schema
      // and the cold first micro-batch included (the events/s leave the first micro-batch out).
      // Resolution: the 500 ms poll above.
      extra.put(START_TO_DONE, (doneMs - startMs) / 1000.0);
      // Where the job JVM's CPU went, start-up included, read while it still runs (Linux only).
      extra.put(JOB_JVM_CPU, JvmThreadCpu.byGroup(job.pid()));
      return throughput(variant, rep, n, samples, extra);
    } finally {
      job.destroy();
    }
  }

  /**
   * The {@link ThroughputRun#extra} key of the job JVM's CPU seconds by thread group ({@link
   * JvmThreadCpu}), from its start to the moment every trip was processed; an empty map where
   * {@code /proc} cannot be read.
   */
  static final String JOB_JVM_CPU = "job_jvm_cpu_seconds";

  /**
   * The {@link ThroughputRun#extra} key of the seconds from the job JVM's launch to the moment the
   * harness saw every trip processed (polled every 500 ms): a reprocessing's wall time, start-up
   * and the first micro-batch included.
   */
  static final String START_TO_DONE = "job_start_to_done_seconds";

  /** SparkCeiling over the whole topic (a fresh checkpoint: from the earliest offset). */
  ThroughputRun ceiling(String topic, int rep) {
    String name = "ceiling-" + rep;
    Path dir = work.resolve(name);
    String sparkClasses =
        Path.of(
                System.getProperty(
                    "bench.sparkClasses",
                    LocalPaths.repoRoot()
                        .resolve("apps/benchmarks-spark/target/classes")
                        .toString()))
            .toAbsolutePath()
            .toString();
    if (!Files.isDirectory(Path.of(sparkClasses))) {
      throw new IllegalStateException(
          "SparkCeiling's classes are missing at "
              + sparkClasses
              + ": build apps/benchmarks-spark (-am)");
    }
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx1g");
    jvm.addAll(config.forkedJvmOptions());
    jvm.addAll(StreamingJobProcess.SPARK_JDK17_OPTIONS);
    jvm.addAll(
        List.of(
            "-Dspark.master=local[2]",
            "-Dspark.driver.host=127.0.0.1",
            "-Dspark.driver.bindAddress=127.0.0.1",
            "-Dspark.ui.enabled=false",
            "-Djava.io.tmpdir=" + dir.resolve("tmp"),
            "-Dspark.local.dir=" + dir.resolve("spark-local"),
            "-Dspark.sql.shuffle.partitions=4"));
    try {
      Files.createDirectories(dir.resolve("tmp"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int exit =
        JvmProcess.builder(name, "io.taxiplatform.bench.spark.SparkCeiling")
            .classpath(
                LocalPaths.streamingJar()
                    + File.pathSeparator
                    + LocalPaths.streamingClasspath()
                    + File.pathSeparator
                    + sparkClasses)
            .jvmArgs(jvm)
            .args(
                List.of(
                    kafka.bootstrapServers(),
                    topic,
                    Integer.toString(config.streamEvents()),
                    Integer.toString(config.maxOffsets()),
                    Integer.toString(config.throughputTriggerMs()),
                    dir.resolve("checkpoint").toString()))
            .workDir(dir)
            .run(PROCESS_TIMEOUT);
    String log = ProducerBench.read(dir.resolve(name + ".log"));
    if (exit != 0 || !log.contains("BENCH_DONE")) {
      throw new IllegalStateException(
          name + " exited with " + exit + "\n" + ProducerBench.tail(log, 40));
    }
    List<long[]> samples = new ArrayList<>();
    Matcher m = PROGRESS.matcher(log);
    while (m.find()) {
      samples.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    return throughput("ceiling", rep, config.streamEvents(), samples, new LinkedHashMap<>());
  }

  private static ThroughputRun throughput(
      String variant, int rep, long n, List<long[]> samples, Map<String, Object> extra) {
    if (samples.size() < 2) {
      // everything in one batch: no rate between batches can be measured
      extra.put("note", "all events in one micro-batch");
      return new ThroughputRun(variant, rep, n, Double.NaN, List.of(), extra);
    }
    long t0 = samples.get(0)[0];
    long r0 = samples.get(0)[1];
    long[] last = samples.get(samples.size() - 1);
    double seconds = Math.max(1e-3, (last[0] - t0) / 1000.0);
    List<Point> curve = new ArrayList<>();
    for (long[] s : samples) {
      curve.add(new Point((s[0] - t0) / 1000.0, s[1]));
    }
    extra.put("first_batch_rows", r0);
    extra.put("batches_seen", samples.size());
    return new ThroughputRun(variant, rep, n, (last[1] - r0) / seconds, curve, extra);
  }

  /**
   * The zone table of a version: (pickup zone, window start) to every column but the time-dependent
   * ones (ingest and write times). Checked: its trip counts sum to {@code events}.
   */
  Map<String, String> zoneTable(String version, long events) {
    String table = keyspace + ".zone_windows_" + version;
    Map<String, String> out = new TreeMap<>();
    long trips = 0;
    for (Row r : cassandra.session().execute("SELECT * FROM " + table).all()) {
      StringBuilder sb = new StringBuilder();
      for (ColumnDefinition c : r.getColumnDefinitions()) {
        String name = c.getName().asInternal();
        if (name.contains("ingest") || name.contains("written") || name.contains("updated")) {
          continue;
        }
        sb.append(name).append('=').append(r.getObject(name)).append(';');
      }
      trips += r.getLong("trip_count");
      out.put(r.getObject("pickup_zone") + "|" + r.getObject("window_start"), sb.toString());
    }
    if (trips != events) {
      throw new IllegalStateException(
          table + ": trip counts sum to " + trips + ", expected " + events);
    }
    return out;
  }

  /**
   * Drops pipeline version {@code version}'s tables (every table of the keyspace named {@code
   * <name>_<version>}) once its run is checked, and returns their names: the node flushes their
   * memtables as it drops them, before this returns, and deletes their files (the local node takes
   * no snapshot on a drop), so that the next run does not pay for flushing and compacting them.
   * Left in place, the previous version's memtables were flushed, and their files compacted, during
   * the next run (the forty-third round), which a reprocessing on a cluster does not meet: an
   * earlier version's tables there were flushed long before.
   */
  List<String> dropVersionTables(String version) {
    List<String> dropped = new ArrayList<>();
    for (Row r :
        cassandra
            .session()
            .execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
            .all()) {
      String table = r.getString("table_name");
      if (table.endsWith("_" + version)) {
        cassandra.session().execute("DROP TABLE " + keyspace + "." + table);
        dropped.add(table);
      }
    }
    return dropped;
  }

  /** What {@link #dropAndAwaitCompactions} did: the tables dropped, the seconds waited. */
  record Settled(List<String> droppedTables, double compactionsWaitSeconds) {}

  /**
   * Once pipeline version {@code version}'s run is checked: drops its tables ({@link
   * #dropVersionTables}), then waits until the node runs no compaction ({@link
   * #awaitCompactionsDone}, at most {@link #COMPACTIONS_MAX_WAIT}), so that no later run shares the
   * cores with this one's flushes and compactions.
   */
  Settled dropAndAwaitCompactions(String version) {
    List<String> dropped = dropVersionTables(version);
    return new Settled(dropped, awaitCompactionsDone(COMPACTIONS_MAX_WAIT));
  }

  /** How long the node must run no compaction before {@link #awaitCompactionsDone} returns. */
  static final Duration COMPACTIONS_QUIET = Duration.ofSeconds(3);

  /** The longest a benchmark waits for the node's compactions after a run. */
  static final Duration COMPACTIONS_MAX_WAIT = Duration.ofMinutes(5);

  /**
   * Waits until the Cassandra node has run no compaction (nor any other task of its {@code
   * system_views.sstable_tasks}) for {@link #COMPACTIONS_QUIET}, at most {@code max}, and returns
   * the seconds waited: so that the next run does not share the cores with the compactions of the
   * tables this one wrote (they go on for up to a minute after a month's last micro-batch), as a
   * reprocessing on a cluster does not. Throws when the node is still busy after {@code max}.
   */
  double awaitCompactionsDone(Duration max) {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    long quietSince = -1;
    while (true) {
      long now = System.nanoTime();
      long tasks =
          cassandra
              .session()
              .execute("SELECT task_id FROM system_views.sstable_tasks")
              .all()
              .size();
      if (tasks > 0) {
        quietSince = -1;
      } else if (quietSince < 0) {
        quietSince = now;
      } else if (now - quietSince >= COMPACTIONS_QUIET.toNanos()) {
        return (quietSince - start) / 1e9;
      }
      if (now > deadline) {
        throw new IllegalStateException(
            "the Cassandra node still ran " + tasks + " compaction task(s) after " + max);
      }
      sleep(250);
    }
  }

  /** The latency sweep on a new topic with one job whose trigger is {@link #latencyTrigger()}. */
  List<LatencyWindow> latency(List<Map<String, Object>> log, Duration trigger) {
    String topic = "bench.latency." + UUID.randomUUID().toString().substring(0, 6);
    kafka.createTopic(topic, config.streamPartitions());
    kafka.createTopic(topic + ".dlq", 1);
    Map<String, String> env = jobEnv(topic, "lat", trigger.toMillis() + " milliseconds");
    env.putAll(pairs("bench.latencyJobEnv"));
    StreamingJobProcess job =
        StreamingJobProcess.start(env, work.resolve("job-latency"), latencyJobOptions(config));
    List<LatencyWindow> windows = new ArrayList<>();
    try (Admin admin = kafka.admin()) {
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!metrics(env).exposes("taxi_stream_batches_total")) {
        if (!job.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the latency job did not serve its metrics\n" + job.logTail(60));
        }
        sleep(500);
      }
      // warm-up (not measured): the lowest rate until the job (cold JIT, first batches, table
      // creation) has run
      // three more micro-batches after its first rows, then one warm-up period
      int lowest = config.latencyRates().stream().mapToInt(Integer::intValue).min().orElseThrow();
      warmUp(job, env, topic, lowest);
      for (int pass = 0; pass < config.latencyPasses(); pass++) {
        List<Integer> rates = new ArrayList<>(config.latencyRates());
        if (pass % 2 == 1) {
          java.util.Collections.reverse(rates);
        }
        for (int rate : rates) {
          LatencyWindow w = steady(job, env, admin, topic, rate, pass, config.latencyWindowS());
          windows.add(w);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("rate", rate);
          row.put("pass", pass);
          LOG.info(
              "latency at {} ev/s (pass {}): p50 {} p95 {} p99 {} s, input {} ev/s",
              rate,
              pass,
              w.p50(),
              w.p95(),
              w.p99(),
              w.inputEventsPerSecond());
          log.add(row);
        }
      }
      return windows;
    } finally {
      job.destroy();
    }
  }

  /**
   * The latency job's JVM: {@code local[2]}, 1 GB, plus the {@code -D} properties of the system
   * property {@code bench.latencyJobProperties} ({@code k=v;k=v}), e.g. Spark settings or a log4j2
   * configuration that logs every micro-batch's progress (docs/benchmarks.md, "Where a live batch's
   * time goes"). The job's environment takes the variables of {@code bench.latencyJobEnv} ({@code
   * k=v;k=v}, e.g. {@code STATE_STORE=hdfs}). {@link BenchConfig#forkedJvmOptions()} are its JVM
   * options.
   */
  static StreamingJobProcess.Options latencyJobOptions(BenchConfig config) {
    return new StreamingJobProcess.Options(
        "local[2]", "1g", pairs("bench.latencyJobProperties"), config.forkedJvmOptions());
  }

  /**
   * The latency job's trigger: 1 s, or the {@code TRIGGER_INTERVAL} of {@code bench.latencyJobEnv}
   * read as the job reads it, so that the summary and the plot name the trigger they measured.
   *
   * @throws io.taxiplatform.config.UsageException for a value the job would refuse
   */
  static Duration latencyTrigger() {
    return SparkDuration.parse(
            "bench.latencyJobEnv TRIGGER_INTERVAL",
            pairs("bench.latencyJobEnv").getOrDefault("TRIGGER_INTERVAL", "1 second"))
        .positive()
        .duration();
  }

  /** A trigger as the results name it: "1 s", "500 ms". */
  static String triggerLabel(Duration trigger) {
    long ms = trigger.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** The {@code k=v;k=v} pairs of system property {@code name}. */
  static Map<String, String> pairs(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : System.getProperty(name, "").split(";")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
      } else if (!kv.isBlank()) {
        throw new IllegalArgumentException(name + ": not k=v: " + kv);
      }
    }
    return out;
  }

  private void warmUp(StreamingJobProcess job, Map<String, String> env, String topic, int rate) {
    JvmProcess producer =
        producers.startProducer(
            topic,
            "latency-producer-warmup",
            List.of(
                "--mode",
                "synthetic",
                "--rate",
                Integer.toString(rate),
                "--max-events",
                Long.toString(rate * 900L),
                "--metrics-port",
                "0"));
    try {
      Map<String, String> zone = Map.of("query", WINDOW_QUERY);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      double firstBatches = -1;
      while (true) {
        if (!job.isAlive() || !producer.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the latency job did not warm up (job alive "
                  + job.isAlive()
                  + ", producer alive "
                  + producer.isAlive()
                  + ")\n"
                  + job.logTail(60));
        }
        PrometheusScrape text = metrics(env);
        double batches = value(text, "taxi_stream_batches_total", zone);
        if (firstBatches < 0 && value(text, "taxi_stream_input_rows_total", zone) > 0) {
          firstBatches = batches;
        }
        if (firstBatches >= 0 && batches >= firstBatches + 3) {
          break;
        }
        sleep(1000);
      }
      sleep(config.latencyWarmupS() * 1000L);
    } finally {
      producer.destroy(Duration.ofSeconds(10));
      sleep(2000);
    }
  }

  private static void exitedDuringWarmup(
      String name, StreamingJobProcess job, JvmProcess producer) {
    if (!job.isAlive() || !producer.isAlive()) {
      throw new IllegalStateException(
          name + ": the job or the producer exited during the warm-up\n" + job.logTail(60));
    }
  }

  /**
   * The producer at {@code rate} for warm-up + window seconds; the histogram difference over the
   * window.
   */
  private LatencyWindow steady(
      StreamingJobProcess job,
      Map<String, String> env,
      Admin admin,
      String topic,
      int rate,
      int pass,
      int windowS) {
    int warmup = config.latencyWarmupS();
    long budgetS =
        config.latencySteady()
            ? warmup + STEADY_CAP.toSeconds() + windowS + 60
            : warmup + windowS + 3;
    long events = (long) rate * budgetS;
    String name = "latency-producer-" + rate + "-p" + pass;
    JvmProcess producer =
        producers.startProducer(
            topic,
            name,
            List.of(
                "--mode",
                "synthetic",
                "--rate",
                Integer.toString(rate),
                "--max-events",
                Long.toString(events),
                "--metrics-port",
                "0"));
    try {
      Path plog = producer.logFile();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!ProducerBench.read(plog).contains("synthetic trips with seed")) {
        if (!producer.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " did not start\n" + producer.logTail(30));
        }
        sleep(100);
      }
      long warmStart = System.nanoTime();
      sleep(warmup * 1000L);
      // true only when the steady warm-up saw the state stop growing and the job keep up
      boolean steady = false;
      Map<String, String> zone = Map.of("query", WINDOW_QUERY);
      if (config.latencySteady()) {
        // until the de-duplication state (rate x WATERMARK_DELAY keys) stops growing and the job
        // reads what the topic takes: not draining a backlog (a pass's first seconds can leave
        // one) nor falling behind
        List<Double> sizes = new ArrayList<>();
        List<Long> records = new ArrayList<>();
        List<Long> read = new ArrayList<>();
        long cap = warmStart + STEADY_CAP.toNanos();
        boolean stateSteady = false;
        boolean keptUp = false;
        while (!steady && System.nanoTime() < cap) {
          exitedDuringWarmup(name, job, producer);
          PrometheusScrape s = metrics(env);
          if (!s.exposes(STATE_BYTES)) {
            // a job that is exiting stops answering before its process has ended
            sleep(3_000);
            exitedDuringWarmup(name, job, producer);
            throw new IllegalStateException(
                "--latency-steady needs the job's " + STATE_BYTES + " (a job built before it?)");
          }
          sizes.add(value(s, STATE_BYTES, DEDUP));
          read.add((long) value(s, "taxi_stream_input_rows_total", zone));
          records.add(topicRecords(admin, topic));
          stateSteady = steady(sizes, STEADY_SAMPLE_S, STEADY_SPAN_S, STEADY_TOLERANCE);
          keptUp =
              keptUp(
                  records,
                  read,
                  STEADY_SAMPLE_S,
                  STEADY_SPAN_S,
                  KEEP_UP_TOLERANCE,
                  KEEP_UP_BACKLOG_S);
          steady = stateSteady && keptUp;
          if (!steady) {
            sleep(STEADY_SAMPLE_S * 1000L);
          }
        }
        int n = records.size();
        LOG.info(
            "latency at {} ev/s (pass {}): {} after {} s, de-duplication state {} MB ({}), "
                + "backlog {} events ({})",
            rate,
            pass,
            steady ? "steady" : "NOT steady",
            (System.nanoTime() - warmStart) / 1_000_000_000L,
            Math.round(sizes.get(sizes.size() - 1) / 1e6),
            stateSteady ? "steady" : "still changing",
            records.get(n - 1) - read.get(n - 1),
            keptUp
                ? "the job keeps up"
                : "the job reads more or less than the topic takes, or is "
                    + KEEP_UP_BACKLOG_S
                    + " s of it behind");
      }
      double warmedS = (System.nanoTime() - warmStart) / 1e9;
      PrometheusScrape before = metrics(env);
      long backlogAtStart =
          topicRecords(admin, topic) - (long) value(before, "taxi_stream_input_rows_total", zone);
      Map<String, ThreadCpu.Sample> threadsBefore = JvmThreadCpu.threads(PROC, job.pid());
      long t1 = System.nanoTime();
      sleep(windowS * 1000L);
      Map<String, ThreadCpu.Sample> threadsAfter = JvmThreadCpu.threads(PROC, job.pid());
      PrometheusScrape after = metrics(env);
      long backlogAtEnd =
          topicRecords(admin, topic) - (long) value(after, "taxi_stream_input_rows_total", zone);
      double seconds = (System.nanoTime() - t1) / 1e9;
      if (!job.isAlive()) {
        throw new IllegalStateException("the latency job exited\n" + job.logTail(60));
      }
      Stats.Histogram h =
          new Stats.Histogram(after.buckets(LATENCY_METRIC, Map.of()))
              .minus(new Stats.Histogram(before.buckets(LATENCY_METRIC, Map.of())));
      double input =
          (value(after, "taxi_stream_input_rows_total", zone)
                  - value(before, "taxi_stream_input_rows_total", zone))
              / seconds;
      return new LatencyWindow(
          rate,
          pass,
          h.quantile(0.5),
          h.quantile(0.95),
          h.quantile(0.99),
          h.shareAtMost(2.0),
          h.count(),
          input,
          warmedS,
          steady,
          after.sum(STATE_BYTES, DEDUP).orElse(Double.NaN),
          after.sum(STATE_SECONDS, withPhase("removals")).orElse(Double.NaN),
          JvmThreadCpu.coresBetween(threadsBefore, threadsAfter, seconds),
          backlogAtStart,
          backlogAtEnd);
    } finally {
      producer.destroy(Duration.ofSeconds(10));
      sleep(2000); // let the job drain before the next rate
    }
  }
}
