package io.taxiplatform.streaming;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's Prometheus metrics (docs/contracts.md, "Streaming job driver"), fed by a {@link
 * StreamingQueryListener} ({@link #listener()}), by the parse step's dead-letter counts ({@link
 * #trackDeadLetters}) and by the sink (end-to-end latency of rows written). Lives on the driver
 * only.
 */
public final class JobMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(JobMetrics.class);

  /**
   * Upper bounds of {@code taxi_stream_end_to_end_latency_seconds} (seconds): fine below 3 s, where
   * a live feed's latency lies (so a p95 objective of 1 s or 2 s can be told apart), coarse up to
   * the 30 minutes a catch-up takes.
   */
  static final double[] LATENCY_BUCKETS = {
    0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 20, 30, 60, 120, 300, 600, 1800
  };

  /** Name of the {@code Dataset.observe} metrics of valid trips (window_aggregates query). */
  public static final String VALID_TRIPS_OBSERVATION = "valid_trips";

  private final PrometheusRegistry registry;
  private final Gauge inputRowsPerSecond;
  private final Gauge processedRowsPerSecond;
  private final Gauge batchDuration;
  private final Counter batches;
  private final Counter inputRows;
  private final Gauge lastProgress;
  private final Gauge watermarkDelay;
  private final Counter rowsDroppedLate;
  private final Counter deadLetters;
  private final Histogram endToEndLatency;
  private final Counter queryFailures;
  private final Counter validTrips;
  private final Counter validFare;
  private final Counter duplicatesDropped;
  private final Gauge offsetsBehindLatest;
  private final Gauge caughtUp;
  private final Gauge stateBytes;
  private final Gauge stateOperatorSeconds;

  /**
   * Custom metric of Spark 3.5's RocksDB state store: the size of its SST files on the executor's
   * disk (compressed; what the memtables still hold is not in it until their next flush, at the
   * latest every {@code minDeltasForSnapshot} micro-batches).
   */
  static final String ROCKSDB_SST_BYTES = "rocksdbSstFileSize";

  /**
   * Custom metric of Spark 3.5's RocksDB state store: the uncompressed bytes a micro-batch read
   * through iterators. The window state's eviction reads its whole store each micro-batch; the
   * de-duplication's only its expired keys and one more ({@link
   * OrderedEvictionStateStoreProvider}), so this is not the state's size.
   */
  static final String ROCKSDB_ITERATOR_BYTES = "rocksdbTotalBytesReadThroughIterator";

  /** Custom metric of Spark 3.5's heap-backed state store: its current version's estimated size. */
  static final String HDFS_STATE_BYTES = "stateOnCurrentVersionSizeBytes";

  /**
   * Queries whose lag decides {@code taxi_stream_caught_up}, and the most one source may lag for
   * it.
   */
  private volatile java.util.Set<String> caughtUpQueries = java.util.Set.of();

  private volatile long caughtUpMaxBehindPerSource = Long.MAX_VALUE;

  /** Per query: was every source of its last batch at most one micro-batch behind the head? */
  private final Map<String, Boolean> queryCaughtUp = new ConcurrentHashMap<>();

  /** Query names by id (terminated events carry only the id). */
  private final Map<UUID, String> names = new ConcurrentHashMap<>();

  /** The last batch id seen per query. */
  private final Map<String, Long> lastBatch = new ConcurrentHashMap<>();

  /** Metrics in a new registry (with JVM metrics when {@code withJvm}). */
  public JobMetrics(boolean withJvm) {
    this(new PrometheusRegistry(), withJvm);
  }

  JobMetrics(PrometheusRegistry registry, boolean withJvm) {
    this.registry = registry;
    inputRowsPerSecond =
        Gauge.builder()
            .name("taxi_stream_input_rows_per_second")
            .help("Input rows per second of the last micro-batch.")
            .labelNames("query")
            .register(registry);
    processedRowsPerSecond =
        Gauge.builder()
            .name("taxi_stream_processed_rows_per_second")
            .help("Processed rows per second of the last micro-batch.")
            .labelNames("query")
            .register(registry);
    batchDuration =
        Gauge.builder()
            .name("taxi_stream_batch_duration_seconds")
            .help("Duration of the last micro-batch (triggerExecution).")
            .labelNames("query")
            .register(registry);
    batches =
        Counter.builder()
            .name("taxi_stream_batches_total")
            .help("Micro-batches completed.")
            .labelNames("query")
            .register(registry);
    inputRows =
        Counter.builder()
            .name("taxi_stream_input_rows_total")
            .help("Rows read.")
            .labelNames("query")
            .register(registry);
    lastProgress =
        Gauge.builder()
            .name("taxi_stream_last_progress_timestamp_seconds")
            .help(
                "Unix time of the last progress report: the end of the query's last micro-batch"
                    + " (its trigger start + triggerExecution).")
            .labelNames("query")
            .register(registry);
    watermarkDelay =
        Gauge.builder()
            .name("taxi_stream_watermark_delay_seconds")
            .help("Batch time minus the event-time watermark.")
            .labelNames("query")
            .register(registry);
    rowsDroppedLate =
        Counter.builder()
            .name("taxi_stream_rows_dropped_late_total")
            .help("Rows dropped by the watermark as late.")
            .labelNames("query")
            .register(registry);
    deadLetters =
        Counter.builder()
            .name("taxi_stream_dead_letters_total")
            .help("Records written to the dead-letter topic.")
            .labelNames("reason")
            .register(registry);
    endToEndLatency =
        Histogram.builder()
            .name("taxi_stream_end_to_end_latency_seconds")
            .help(
                "Seconds from max_ingest_time of every aggregate row written until its micro-batch's rows are acknowledged by Cassandra.")
            .labelNames("table")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    queryFailures =
        Counter.builder()
            .name("taxi_stream_query_failures_total")
            .help("Streaming queries that terminated with an error.")
            .labelNames("query")
            .register(registry);
    // every query from the first scrape (docs/contracts.md, Metrics): increase() needs a first
    // sample
    for (String query : StreamingJob.QUERIES) {
      queryFailures.labelValues(query).inc(0);
    }
    validTrips =
        Counter.builder()
            .name("taxi_stream_valid_trips_total")
            .help(
                "Valid trips that entered the aggregations (rows dropped as late or as duplicates excluded).")
            .register(registry);
    validFare =
        Counter.builder()
            .name("taxi_stream_valid_fare_amount_total")
            .help("Sum of fare_amount (USD) of the trips counted by taxi_stream_valid_trips_total.")
            .register(registry);
    duplicatesDropped =
        Counter.builder()
            .name("taxi_stream_duplicate_trips_dropped_total")
            .help("Copies of an already counted trip_id dropped within the watermark.")
            .labelNames("query")
            .register(registry);
    offsetsBehindLatest =
        Gauge.builder()
            .name("taxi_stream_offsets_behind_latest")
            .help("Kafka offsets the query's last micro-batch left unread (sum over partitions).")
            .labelNames("query")
            .register(registry);
    caughtUp =
        Gauge.builder()
            .name("taxi_stream_caught_up")
            .help(
                "1 when every aggregation query's last micro-batch left at most one micro-batch of offsets unread.")
            .register(registry);
    caughtUp.set(0);
    stateBytes =
        Gauge.builder()
            .name("taxi_stream_state_bytes")
            .help(
                "Size of a state operator's state at the last micro-batch (RocksDB: its SST"
                    + " files, compressed, as of their last flush; heap store: the current"
                    + " version's estimate), summed over its partitions.")
            .labelNames("query", "operator")
            .register(registry);
    stateOperatorSeconds =
        Gauge.builder()
            .name("taxi_stream_state_operator_seconds")
            .help(
                "Task time a state operator spent in the last micro-batch, summed over its"
                    + " partitions, by phase: updates, removals (the eviction scan), commit.")
            .labelNames("query", "operator", "phase")
            .register(registry);
    if (withJvm) {
      JvmMetrics.builder().register(registry);
    }
  }

  /** The registry (for tests and the HTTP server). */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Serves {@code /metrics} on {@code port} (all interfaces). */
  public HTTPServer serve(int port) {
    try {
      return HTTPServer.builder().port(port).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on port " + port, e);
    }
  }

  /** Counts dead letters of one reason. */
  public void deadLetters(String reason, long count) {
    if (count > 0) {
      deadLetters.labelValues(reason).inc(count);
    }
  }

  /**
   * The dead-letter counts per reason written by the parse step's tasks ({@link DeadLetterWriter}).
   */
  private volatile Map<String, org.apache.spark.util.LongAccumulator> deadLetterCounts = Map.of();

  /** What of {@link #deadLetterCounts} is already in {@code taxi_stream_dead_letters_total}. */
  private final Map<String, Long> deadLettersCounted = new ConcurrentHashMap<>();

  /**
   * Makes {@code taxi_stream_dead_letters_total} follow {@code counts} (Spark accumulators the
   * executors add to): each progress report adds what they gained since the previous one.
   */
  void trackDeadLetters(Map<String, org.apache.spark.util.LongAccumulator> counts) {
    // every reason from the first scrape (docs/contracts.md, Metrics): increase() needs a first
    // sample
    counts.keySet().forEach(reason -> deadLetters.labelValues(reason).inc(0));
    deadLetterCounts = Map.copyOf(counts);
  }

  /** Adds the dead letters written since the last call; logs them per reason. */
  synchronized void syncDeadLetters(String query, long batchId) {
    for (var e : deadLetterCounts.entrySet()) {
      long total = e.getValue().value();
      long before = deadLettersCounted.getOrDefault(e.getKey(), 0L);
      if (total > before) {
        deadLettersCounted.put(e.getKey(), total);
        deadLetters(e.getKey(), total - before);
        LOG.info(
            "{} batch {}: {} dead letter(s) with reason {}",
            query,
            batchId,
            total - before,
            e.getKey());
      }
    }
  }

  /** Observes the end-to-end latency of one row written to {@code table}. */
  public void latency(String table, double seconds) {
    endToEndLatency.labelValues(table).observe(Math.max(0, seconds));
  }

  /** Counts a failed query. */
  public void queryFailed(String query) {
    queryFailures.labelValues(query == null ? "unknown" : query).inc();
  }

  /** Applies one progress report (what the listener does). */
  void onProgress(StreamingQueryProgress p) {
    String query = p.name() == null ? p.id().toString() : p.name();
    inputRowsPerSecond.labelValues(query).set(finite(p.inputRowsPerSecond()));
    processedRowsPerSecond.labelValues(query).set(finite(p.processedRowsPerSecond()));
    Long trigger = p.durationMs().get("triggerExecution");
    if (trigger != null) {
      batchDuration.labelValues(query).set(trigger / 1000.0);
    }
    long rows = 0;
    for (SourceProgress s : p.sources()) {
      rows += s.numInputRows();
    }
    // Progress is also reported while idle (same batch id, no rows): count each batch id once. The
    // zero
    // increments keep the series present (a rate of 0 is an answer; an absent series is not).
    Long previous = lastBatch.put(query, p.batchId());
    batches.labelValues(query).inc(previous == null || previous != p.batchId() ? 1 : 0);
    inputRows.labelValues(query).inc(rows);
    Instant batchTime = instant(p.timestamp());
    if (batchTime != null) {
      // The report's time: the batch's end. Spark's timestamp is its trigger's start, which lags
      // the report by the whole batch (a catch-up batch of 5 s, a cold first batch of 15 s).
      lastProgress
          .labelValues(query)
          .set((batchTime.toEpochMilli() + (trigger == null ? 0 : trigger)) / 1000.0);
      Instant watermark = instant(p.eventTime().get("watermark"));
      if (watermark != null && watermark.toEpochMilli() > 0) {
        watermarkDelay
            .labelValues(query)
            .set((batchTime.toEpochMilli() - watermark.toEpochMilli()) / 1000.0);
      }
    }
    recordState(query, p.stateOperators());
    long dropped = 0;
    long duplicates = 0;
    for (StateOperatorProgress op : p.stateOperators()) {
      dropped += op.numRowsDroppedByWatermark();
      Long d =
          op.customMetrics() == null ? null : op.customMetrics().get("numDroppedDuplicateRows");
      duplicates += d == null ? 0 : d;
    }
    rowsDroppedLate.labelValues(query).inc(dropped);
    duplicatesDropped.labelValues(query).inc(duplicates);
    recordLag(query, p.sources());
    syncDeadLetters(query, p.batchId());
    Map<String, Row> observed = p.observedMetrics();
    Row valid = observed == null ? null : observed.get(VALID_TRIPS_OBSERVATION);
    if (valid != null) {
      long trips = valid.isNullAt(0) ? 0 : valid.getLong(0);
      validTrips.inc(trips);
      if (!valid.isNullAt(1)) {
        Object fare = valid.get(1);
        validFare.inc(
            fare instanceof BigDecimal b ? b.doubleValue() : ((Number) fare).doubleValue());
      }
    }
  }

  /**
   * Sets the state gauges of {@code query} from its state operators' progress (an idle report
   * repeats the last micro-batch's): operators of the same name are summed.
   */
  private void recordState(String query, StateOperatorProgress[] operators) {
    Map<String, long[]> byName = new java.util.TreeMap<>();
    for (StateOperatorProgress op : operators) {
      long[] t = byName.computeIfAbsent(op.operatorName(), k -> new long[] {0, 0, 0, -1});
      t[0] += op.allUpdatesTimeMs();
      t[1] += op.allRemovalsTimeMs();
      t[2] += op.commitTimeMs();
      Long bytes = stateBytes(op);
      if (bytes != null) {
        t[3] = Math.max(t[3], 0) + bytes;
      }
    }
    for (var e : byName.entrySet()) {
      long[] t = e.getValue();
      stateOperatorSeconds.labelValues(query, e.getKey(), "updates").set(t[0] / 1000.0);
      stateOperatorSeconds.labelValues(query, e.getKey(), "removals").set(t[1] / 1000.0);
      stateOperatorSeconds.labelValues(query, e.getKey(), "commit").set(t[2] / 1000.0);
      if (t[3] >= 0) {
        stateBytes.labelValues(query, e.getKey()).set(t[3]);
      }
    }
  }

  /**
   * The size of one operator's state from its store's custom metrics, or null when its store
   * reports neither ({@link #ROCKSDB_SST_BYTES}, {@link #HDFS_STATE_BYTES}).
   */
  static Long stateBytes(StateOperatorProgress op) {
    Map<String, Long> custom = op.customMetrics();
    if (custom == null) {
      return null;
    }
    Long rocks = custom.get(ROCKSDB_SST_BYTES);
    return rocks != null ? rocks : custom.get(HDFS_STATE_BYTES);
  }

  /**
   * Makes {@code taxi_stream_caught_up} follow {@code queries}: 1 once each of them has reported a
   * batch whose every source left at most {@code maxBehindPerSource} offsets unread (what its next
   * micro-batch may read).
   */
  public void trackCaughtUp(java.util.Set<String> queries, long maxBehindPerSource) {
    this.caughtUpMaxBehindPerSource = maxBehindPerSource;
    this.caughtUpQueries = java.util.Set.copyOf(queries);
    updateCaughtUp();
  }

  /**
   * Offsets behind the head per source of one progress report; idle reports without offsets change
   * nothing.
   */
  private void recordLag(String query, SourceProgress[] sources) {
    long total = 0;
    boolean known = false;
    boolean withinOneBatch = true;
    for (SourceProgress s : sources) {
      Long behind = offsetsBehind(s.endOffset(), s.latestOffset());
      if (behind == null) {
        continue;
      }
      known = true;
      total += behind;
      withinOneBatch &= behind <= caughtUpMaxBehindPerSource;
    }
    if (!known) {
      return;
    }
    offsetsBehindLatest.labelValues(query).set(total);
    queryCaughtUp.put(query, withinOneBatch);
    updateCaughtUp();
  }

  private void updateCaughtUp() {
    java.util.Set<String> queries = caughtUpQueries;
    boolean all =
        !queries.isEmpty()
            && queries.stream().allMatch(q -> Boolean.TRUE.equals(queryCaughtUp.get(q)));
    caughtUp.set(all ? 1 : 0);
  }

  /**
   * {@code latest - end} summed over the partitions of Kafka source offsets ({@code
   * {"topic":{"0":12,"1":40}}}), or {@code null} when either is absent or not of that form.
   */
  static Long offsetsBehind(String endOffset, String latestOffset) {
    Map<String, Long> end = kafkaOffsets(endOffset);
    Map<String, Long> latest = kafkaOffsets(latestOffset);
    if (end == null || latest == null) {
      return null;
    }
    long behind = 0;
    for (Map.Entry<String, Long> e : latest.entrySet()) {
      Long at = end.get(e.getKey());
      behind += Math.max(0, e.getValue() - (at == null ? 0 : at));
    }
    return behind;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** topic/partition -> offset of a Kafka source offset JSON, or {@code null}. */
  private static Map<String, Long> kafkaOffsets(String json) {
    if (json == null || json.isBlank() || !json.trim().startsWith("{")) {
      return null;
    }
    try {
      Map<String, Long> out = new java.util.HashMap<>();
      var root = JSON.readTree(json);
      var topics = root.fields();
      while (topics.hasNext()) {
        var topic = topics.next();
        if (!topic.getValue().isObject()) {
          return null;
        }
        var parts = topic.getValue().fields();
        while (parts.hasNext()) {
          var part = parts.next();
          if (!part.getValue().canConvertToLong()) {
            return null;
          }
          out.put(topic.getKey() + "/" + part.getKey(), part.getValue().asLong());
        }
      }
      return out;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** The listener that feeds the per-query metrics. */
  public StreamingQueryListener listener() {
    return new StreamingQueryListener() {
      @Override
      public void onQueryStarted(QueryStartedEvent event) {
        LOG.info("query {} started (id {}, run {})", event.name(), event.id(), event.runId());
      }

      @Override
      public void onQueryProgress(QueryProgressEvent event) {
        try {
          onProgress(event.progress());
        } catch (RuntimeException e) {
          LOG.warn("cannot record progress of {}", event.progress().name(), e);
        }
      }

      @Override
      public void onQueryTerminated(QueryTerminatedEvent event) {
        if (event.exception().isDefined()) {
          LOG.error("query {} failed: {}", queryName(event), event.exception().get());
          queryFailed(queryName(event));
        } else {
          LOG.info("query {} stopped", queryName(event));
        }
      }
    };
  }

  /** Remembers a query's name (terminated events carry only its id). */
  public void register(UUID id, String name) {
    names.put(id, name);
  }

  private String queryName(StreamingQueryListener.QueryTerminatedEvent event) {
    return names.getOrDefault(event.id(), event.id().toString());
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  private static Instant instant(String iso) {
    if (iso == null || iso.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
