package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.datastax.spark.connector.cql.CassandraConnector;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: trip events from Kafka, validated with the shared trip model, aggregated per
 * pickup zone (tumbling) and per borough (sliding), upserted into Cassandra; rejected records go to
 * the dead-letter topic.
 *
 * <p>One query, {@code window_aggregates} ({@link #start}), with its checkpoint {@code
 * <CHECKPOINT_LOCATION>/<version>/window_aggregates}; its parse step writes the dead letters. The
 * process exits 1 when the query fails (the spark-operator's restart policy relies on it; it halts
 * with 1 when the other queries do not stop within {@link #FAILURE_EXIT_GRACE}), 2 on bad
 * configuration.
 */
public final class StreamingJob {

  private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

  /** Query names (also the {@code query} metric label and the checkpoint sub-directory). */
  public static final String WINDOW_QUERY = "window_aggregates";

  /**
   * Every query, in start order. (Until topology 3 a second query, {@code dead_letters}, read the
   * topic again for the rejected records; the window query's parse step writes them now.)
   */
  public static final List<String> QUERIES = List.of(WINDOW_QUERY);

  private StreamingJob() {}

  public static void main(String[] args) {
    JobConfig config;
    try {
      config = JobConfig.load(args);
    } catch (HelpRequested h) {
      System.out.print(JobConfig.usage());
      System.exit(0);
      return;
    } catch (UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(JobConfig.usage());
      System.exit(2);
      return;
    }
    int code;
    try {
      code = run(config);
    } catch (TripsTopic.StartupException e) {
      LOG.error("cannot start: {}", e.getMessage());
      System.err.println("error: " + e.getMessage());
      code = 2;
    } catch (Throwable t) {
      LOG.error("streaming job failed", t);
      System.err.println(failureLine(t));
      code = 1;
    }
    // Spark's non-daemon threads must not keep a failed driver alive.
    System.exit(code);
  }

  /**
   * The one stderr line of a failed start or run: the failure and, when it differs, its innermost
   * cause (e.g. a wrong Cassandra password gives the driver's "Provided username ... and/or
   * password are incorrect"). The full stack trace is in the log.
   */
  static String failureLine(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String line = "error: streaming job failed: " + t;
    return root == t ? line : line + " (cause: " + root + ")";
  }

  /**
   * Runs until a query terminates; returns the exit code (0 when stopped cleanly, 1 on failure).
   */
  static int run(JobConfig config) throws TimeoutException {
    LOG.info("starting with {}", config);
    ZoneLookup lookup = ZoneLookup.read(config.zoneLookupPath());
    LOG.info("zone lookup {}: {} zones", config.zoneLookupPath(), lookup.zones().size());

    JobMetrics metrics = new JobMetrics(true);
    HTTPServer server = config.metricsPort() > 0 ? metrics.serve(config.metricsPort()) : null;
    if (server != null) {
      LOG.info("metrics on http://0.0.0.0:{}/metrics", server.getPort());
    }
    SparkSession spark = SparkSession.builder().config(sparkConf(config)).getOrCreate();
    try {
      CassandraConnector connector = CassandraConnector.apply(spark.sparkContext().getConf());
      // Cassandra's side of the start on its own thread, the Kafka side and the query's start
      // here; the sink writes nothing before the schema is applied (CassandraStartup).
      CassandraStartup cassandra =
          CassandraStartup.begin("cassandra-schema", () -> applySchema(connector, config));
      List<Integer> partitions = TripsTopic.partitions(config);
      // The state store's partitions: set here, once the checkpoint's record is read (auto takes
      // it), before the query starts.
      int shufflePartitions =
          TripsTopic.checkCheckpointLayout(
              spark.sparkContext().hadoopConfiguration(),
              config,
              partitions.size(),
              cores(spark.sparkContext()));
      spark.conf().set("spark.sql.shuffle.partitions", shufflePartitions);
      LOG.info(
          "shuffle partitions: {}{}",
          shufflePartitions,
          config.autoShufflePartitions()
              ? " (SHUFFLE_PARTITIONS=auto: the checkpoint's, or the cores of a new one)"
              : "");
      boolean rocksDb = logStateStore(spark.sparkContext().hadoopConfiguration(), config);
      StateStoreMemory.apply(spark.conf(), config.stateStoreMemoryMb(), shufflePartitions, rocksDb);
      spark.streams().addListener(metrics.listener());
      List<StreamingQuery> queries = start(spark, config, lookup, metrics, partitions, cassandra);
      queries.forEach(q -> metrics.register(q.id(), q.name()));
      try {
        cassandra.await();
      } catch (Throwable e) { // thrown as the Cassandra side threw it, checked or not
        stopAll(queries);
        throw e;
      }
      AtomicBoolean stopping = new AtomicBoolean();
      CountDownLatch hookStopped = new CountDownLatch(1);
      // SIGTERM (pod deletion, Ctrl-C in local mode): stop the queries before Spark's own hook
      // stops the context, so they end cleanly instead of failing with "SparkContext has been
      // shutdown". Hadoop's hook manager runs higher priorities first; Spark registers its hooks
      // at FileSystem's priority + 30.
      org.apache.hadoop.util.ShutdownHookManager.get()
          .addShutdownHook(
              () -> {
                stopping.set(true);
                try {
                  LOG.info("stopping the queries (JVM shutdown)");
                  stopAll(queries);
                } finally {
                  hookStopped.countDown();
                }
              },
              org.apache.hadoop.fs.FileSystem.SHUTDOWN_HOOK_PRIORITY + 100);
      try {
        spark.streams().awaitAnyTermination();
      } catch (StreamingQueryException e) {
        if (stopping.get()) {
          LOG.info("a query ended during shutdown: {}", e.getMessage());
          awaitHookStop(hookStopped);
          return 0;
        }
        LOG.error("a streaming query failed: {}", e.getMessage(), e);
        exitWatchdog(FAILURE_EXIT_GRACE, () -> halt(1));
        stopAll(queries);
        return 1;
      }
      for (StreamingQuery q : queries) {
        if (q.exception().isDefined()) {
          LOG.error("query {} failed", q.name(), q.exception().get());
          exitWatchdog(FAILURE_EXIT_GRACE, () -> halt(1));
          stopAll(queries);
          return 1;
        }
      }
      if (stopping.get()) {
        awaitHookStop(hookStopped);
        LOG.info("the queries stopped (JVM shutdown)");
        return 0;
      }
      LOG.info("a query stopped; stopping the others");
      stopAll(queries);
      return 0;
    } finally {
      if (server != null) {
        server.stop();
      }
      spark.stop();
    }
  }

  /**
   * How long the main thread waits, on SIGTERM, for the shutdown hook to finish stopping the
   * queries before it stops Spark (stopping a query cancels its running micro-batch and waits for
   * its thread). Hadoop's hook manager gives a hook 30 s by default.
   */
  static final java.time.Duration HOOK_STOP_WAIT = java.time.Duration.ofSeconds(30);

  /**
   * On SIGTERM the query's thread ends while the shutdown hook is still inside {@code
   * StreamingQuery.stop()}, which touches the SparkContext once more after that thread has ended;
   * the main thread, woken by the query's end, must not stop Spark under it (it did: the hook's
   * stop then failed with "Cannot call methods on a stopped SparkContext" in most stops).
   */
  private static void awaitHookStop(CountDownLatch hookStopped) {
    try {
      if (!hookStopped.await(HOOK_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the queries did not stop within {}; stopping Spark", HOOK_STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for Cassandra (CassandraWait) and applies the pipeline version's schema. */
  private static List<String> applySchema(CassandraConnector connector, JobConfig config) {
    try (var session =
        CassandraWait.open(connector::openSession, config.cassandra().contactPoints())) {
      List<String> applied =
          CassandraSchema.apply(session, config.cassandra(), config.pipelineVersion());
      LOG.info(
          "Cassandra schema of pipeline {} ready (applied now: {})",
          config.pipelineVersion(),
          applied);
      return applied;
    }
  }

  /**
   * How long a failed job may take to stop its other queries and Spark before it halts with exit
   * code 1. Stopping a query waits for its running micro-batch, and a batch blocked on an
   * unreachable Cassandra can wait for ever (seen in CassandraOutageIT: one query failed, the
   * process stayed up, so no restart ever came).
   */
  static final java.time.Duration FAILURE_EXIT_GRACE = java.time.Duration.ofSeconds(60);

  /**
   * Starts a daemon thread that runs {@code onTimeout} after {@code grace} unless the JVM has
   * exited by then (it also fires while shutdown hooks hang). Returns the thread; interrupting it
   * cancels it.
   */
  static Thread exitWatchdog(java.time.Duration grace, Runnable onTimeout) {
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(grace.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              onTimeout.run();
            },
            "exit-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void halt(int code) {
    StringBuilder stuck = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (thread, stack) -> {
              if (thread.getName().startsWith("stream execution thread")
                  || thread.getName().equals("main")) {
                stuck
                    .append("\n\"")
                    .append(thread.getName())
                    .append("\" ")
                    .append(thread.getState());
                for (StackTraceElement frame : stack) {
                  stuck.append("\n\tat ").append(frame);
                }
              }
            });
    LOG.error(
        "the job did not stop within {} s of a query failure; halting with exit code {}; threads:{}",
        FAILURE_EXIT_GRACE.toSeconds(),
        code,
        stuck);
    System.err.println(
        "error: a streaming query failed and the job did not stop within "
            + FAILURE_EXIT_GRACE.toSeconds()
            + " s; halting with exit code "
            + code);
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  /**
   * Starts the query over the trips topic's {@code partitions}. The topology (docs/streaming-job.md
   * draws it; the steps are {@link Aggregations}):
   *
   * <pre>
   * window_aggregates: each partition -> parse -> rejected records -> DEAD_LETTER_TOPIC (from the parsing task)
   *                                           -> valid trips -> its own watermark --union--> drop duplicate trip_id
   *                    -> one row per (trip, window) -> one aggregation -> zone_windows_v + window_zones_v,
   *                                                                         borough_windows_v
   * </pre>
   *
   * <p>Each record is read and parsed once: both window tables come from one aggregation, and the
   * rejected records leave at the parse step ({@link DeadLetterWriter}, at least once: a task
   * fails, and with it the micro-batch, until its dead letters are acknowledged). Before topology 3
   * a second query, {@code dead_letters}, read and parsed the whole topic again to keep them.
   */
  static List<StreamingQuery> start(
      SparkSession spark,
      JobConfig config,
      ZoneLookup lookup,
      JobMetrics metrics,
      List<Integer> partitions,
      CassandraStartup cassandra)
      throws TimeoutException {
    Map<String, String> kafkaSource = kafkaSourceOptions(config);
    Trigger trigger = Trigger.ProcessingTime(config.triggerInterval().duration().toMillis());
    String ks = config.cassandra().keyspace();
    long perPartition = maxOffsetsPerPartition(config.maxOffsetsPerTrigger(), partitions.size());
    DeadLetterWriter deadLetters =
        DeadLetterWriter.kafka(
            kafkaClient(config),
            config.deadLetterTopic(),
            config.pipelineVersion(),
            DeadLetterWriter.newCounts(spark.sparkContext()));
    metrics.trackDeadLetters(deadLetters.counts());

    Dataset<Row> trips =
        aggregationInput(spark, config, kafkaSource, partitions, perPartition, deadLetters)
            .observe(
                JobMetrics.VALID_TRIPS_OBSERVATION,
                count(lit(1)).as("trips"),
                sum("fare_amount").as("fare"));
    StreamingQuery windowQuery =
        Aggregations.windowAggregates(trips, lookup, Aggregations.WindowSpec.of(config))
            .writeStream()
            .queryName(WINDOW_QUERY)
            .outputMode(OutputMode.Update())
            .trigger(trigger)
            .option("checkpointLocation", config.checkpointFor(WINDOW_QUERY))
            .foreachBatch(
                Sinks.windows(
                    ks,
                    List.of(config.zoneWindowsTable(), config.windowZonesTable()),
                    config.boroughWindowsTable(),
                    metrics,
                    cassandra::await))
            .start();

    metrics.trackCaughtUp(java.util.Set.of(WINDOW_QUERY), perPartition);
    LOG.info(
        "query started: {} (one Kafka source and watermark per partition of {}: {}; at most {} offsets per "
            + "partition and micro-batch; dead letters to {}; checkpoint under {}/{})",
        WINDOW_QUERY,
        config.tripsTopic(),
        partitions,
        perPartition,
        config.deadLetterTopic(),
        config.checkpointLocation(),
        config.pipelineVersion());
    return List.of(windowQuery);
  }

  /** MAX_OFFSETS_PER_TRIGGER shared by the per-partition sources of one query (at least 1 each). */
  static long maxOffsetsPerPartition(long maxOffsetsPerTrigger, int partitions) {
    return Math.max(1, maxOffsetsPerTrigger / partitions);
  }

  /**
   * The aggregations' input: one Kafka source per partition ({@link
   * Aggregations#aggregationInput}).
   */
  private static Dataset<Row> aggregationInput(
      SparkSession spark,
      JobConfig config,
      Map<String, String> kafka,
      List<Integer> partitions,
      long maxOffsetsPerPartition,
      DeadLetterWriter deadLetters) {
    List<Dataset<Row>> sources = new ArrayList<>();
    for (int p : partitions) {
      sources.add(
          source(spark, kafka)
              .option("assign", TripsTopic.assignJson(config.tripsTopic(), p))
              .option(
                  "startingOffsets",
                  TripsTopic.startingOffsetsFor(config.startingOffsets(), config.tripsTopic(), p))
              .option("maxOffsetsPerTrigger", Long.toString(maxOffsetsPerPartition))
              .load());
    }
    return Aggregations.aggregationInput(
        sources, config.maxEventTimeSkew().duration(), config.watermarkDelay().text(), deadLetters);
  }

  private static DataStreamReader source(SparkSession spark, Map<String, String> kafka) {
    return spark.readStream().format("kafka").options(kafka);
  }

  /**
   * Spark's Kafka source/sink options: bootstrap servers and security, each prefixed {@code
   * kafka.}.
   */
  static Map<String, String> kafkaOptions(JobConfig config) {
    Map<String, String> o = new LinkedHashMap<>();
    kafkaClient(config).forEach((k, v) -> o.put("kafka." + k, v));
    return o;
  }

  /** Kafka client settings: bootstrap servers and security (the dead-letter producer's). */
  static Map<String, String> kafkaClient(JobConfig config) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("bootstrap.servers", config.bootstrapServers());
    o.putAll(config.kafkaSecurity().clientProperties());
    return o;
  }

  /**
   * {@link #kafkaOptions} plus the sources' consumer group prefix ({@code KAFKA_GROUP_ID_PREFIX},
   * Kafka ACLs).
   */
  static Map<String, String> kafkaSourceOptions(JobConfig config) {
    Map<String, String> o = kafkaOptions(config);
    o.put("groupIdPrefix", config.kafkaGroupIdPrefix());
    return o;
  }

  /**
   * Logs the state store the window query keeps its state in: {@code STATE_STORE} for a new
   * checkpoint; for one with progress, the store Spark recorded in it (Spark restores it at every
   * restart, whatever {@code STATE_STORE} says now), with a warning when the two differ.
   *
   * @return whether that store is RocksDB
   */
  static boolean logStateStore(org.apache.hadoop.conf.Configuration hadoop, JobConfig config) {
    String wanted = config.stateStore().providerClass();
    java.util.Optional<String> recorded;
    try {
      recorded = TripsTopic.recordedStateStore(hadoop, config);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn(
          "cannot read the state store recorded in the checkpoint's offset log: {}", e.toString());
      return config.stateStore() == JobConfig.StateStore.ROCKSDB;
    }
    if (recorded.isEmpty()) {
      LOG.info(
          "state store: {} (STATE_STORE={}{})",
          wanted,
          config.stateStore().text(),
          config.stateStore() == JobConfig.StateStore.ROCKSDB
              ? ", memory bound " + config.stateStoreMemoryMb() + " MB per executor"
              : "");
    } else if (recorded.get().equals(wanted)) {
      LOG.info("state store: {} (recorded in the checkpoint)", wanted);
    } else {
      LOG.warn(
          "state store: {}, recorded in the checkpoint of pipeline version {} and kept by Spark for"
              + " its life; STATE_STORE={} applies to new pipeline versions (docs/operations.md,"
              + " Scaling)",
          recorded.get(),
          config.pipelineVersion(),
          config.stateStore().text());
    }
    return JobConfig.StateStore.isRocksDb(recorded.orElse(wanted));
  }

  /** The Spark setting naming the state store provider (recorded in a query's offset log). */
  static final String STATE_STORE_PROVIDER = "spark.sql.streaming.stateStore.providerClass";

  /** The connector's writes in flight per task ({@code WriteConf}, connector 3.5.1; default 5). */
  static final String CASSANDRA_CONCURRENT_WRITES = "spark.cassandra.output.concurrent.writes";

  /** Prefix of Spark's RocksDB state store settings (RocksDBConf of Spark 3.5). */
  static final String ROCKSDB = "spark.sql.streaming.stateStore.rocksdb.";

  /**
   * The cores Spark has for the queries' tasks: {@code N} of {@code local[N]} ({@code local[*]}:
   * the machine's), else executor instances x cores when the conf sets the instances (executors may
   * not have registered yet at start), else Spark's default parallelism.
   */
  static int cores(org.apache.spark.SparkContext sc) {
    SparkConf c = sc.getConf();
    if (!sc.isLocal() && c.contains("spark.executor.instances")) {
      return Math.max(
          1, c.getInt("spark.executor.instances", 1) * c.getInt("spark.executor.cores", 1));
    }
    return Math.max(1, sc.defaultParallelism());
  }

  /**
   * Session settings: app name, UTC, the state store, the local file system without forks,
   * Cassandra connection. Master comes from outside; the shuffle partitions are set in {@link #run}
   * after the checkpoint check.
   */
  static SparkConf sparkConf(JobConfig config) {
    SparkConf conf =
        new SparkConf()
            .setIfMissing("spark.app.name", "taxi-streaming-job-" + config.pipelineVersion())
            .set("spark.sql.session.timeZone", "UTC")
            .set("spark.sql.streaming.stateStore.stateSchemaCheck", "true")
            .set("spark.sql.adaptive.enabled", "false")
            // The store of a new version's state (Spark keeps a checkpoint's own). The RocksDB
            // settings are set whichever store is chosen, so a checkpoint that has RocksDB state
            // always resumes with the same ones.
            .set(STATE_STORE_PROVIDER, config.stateStore().providerClass())
            .set(ROCKSDB + "changelogCheckpointing.enabled", "true")
            .set(ROCKSDB + "boundedMemoryUsage", "true")
            .set(ROCKSDB + "maxMemoryUsageMB", Integer.toString(config.stateStoreMemoryMb()))
            // The memtables' share of that bound; their size and number are set in run(), once
            // the shuffle partitions are known (StateStoreMemory).
            .setIfMissing(
                StateStoreMemory.WRITE_BUFFER_RATIO, StateStoreMemory.WRITE_BUFFER_CACHE_RATIO)
            // No lookup before every write to count the store's rows: only Spark's numRowsTotal
            // progress field needs it, which the job does not read (catch-up 1.07x,
            // docs/benchmarks.md).
            .set(ROCKSDB + "trackTotalNumberOfRows", "false")
            // Checkpoint and state files on a local path or volume (file:) without a chmod and
            // readlink process per file (fs.RawLocalFileSystemWithoutForks).
            .setIfMissing(
                "spark.hadoop.fs.AbstractFileSystem.file.impl",
                io.taxiplatform.streaming.fs.LocalFsWithoutForks.class.getName())
            .setIfMissing(
                "spark.hadoop.fs.file.impl",
                io.taxiplatform.streaming.fs.LocalFileSystemWithoutForks.class.getName());
    config.cassandra().sparkProperties().forEach(conf::set);
    // Up to 32 write batches in flight per task instead of the connector's 5: a micro-batch's
    // window rows go out as many small unlogged batches (one partition each), and the writing
    // stage's tasks waited for their acknowledgements (docs/benchmarks.md, "Sixth round"). A
    // --conf of the same key (the chart's sparkConf) wins.
    conf.setIfMissing(CASSANDRA_CONCURRENT_WRITES, "32");
    return conf;
  }

  private static void stopAll(List<StreamingQuery> queries) {
    for (StreamingQuery q : queries) {
      try {
        if (q.isActive()) {
          q.stop();
        }
      } catch (TimeoutException | RuntimeException e) {
        LOG.warn("cannot stop query {}", q.name(), e);
      }
    }
  }
}
