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
 * The driver's Prometheus metrics (docs/contracts.md, "Streaming job driver"), fed by a
 * {@link StreamingQueryListener} ({@link #listener()}) and by the sinks (dead letters by reason, end-to-end
 * latency of rows written). Lives on the driver only.
 */
public final class JobMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(JobMetrics.class);

  /** Name of the {@code Dataset.observe} metrics of valid trips (zone query). */
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
    inputRowsPerSecond = Gauge.builder().name("taxi_stream_input_rows_per_second")
        .help("Input rows per second of the last micro-batch.").labelNames("query").register(registry);
    processedRowsPerSecond = Gauge.builder().name("taxi_stream_processed_rows_per_second")
        .help("Processed rows per second of the last micro-batch.").labelNames("query").register(registry);
    batchDuration = Gauge.builder().name("taxi_stream_batch_duration_seconds")
        .help("Duration of the last micro-batch (triggerExecution).").labelNames("query").register(registry);
    batches = Counter.builder().name("taxi_stream_batches_total")
        .help("Micro-batches completed.").labelNames("query").register(registry);
    inputRows = Counter.builder().name("taxi_stream_input_rows_total")
        .help("Rows read.").labelNames("query").register(registry);
    lastProgress = Gauge.builder().name("taxi_stream_last_progress_timestamp_seconds")
        .help("Unix time of the last progress report.").labelNames("query").register(registry);
    watermarkDelay = Gauge.builder().name("taxi_stream_watermark_delay_seconds")
        .help("Batch time minus the event-time watermark.").labelNames("query").register(registry);
    rowsDroppedLate = Counter.builder().name("taxi_stream_rows_dropped_late_total")
        .help("Rows dropped by the watermark as late.").labelNames("query").register(registry);
    deadLetters = Counter.builder().name("taxi_stream_dead_letters_total")
        .help("Records written to the dead-letter topic.").labelNames("reason").register(registry);
    endToEndLatency = Histogram.builder().name("taxi_stream_end_to_end_latency_seconds")
        .help("written_at - max_ingest_time of every aggregate row written.").labelNames("table")
        .classicOnly().classicUpperBounds(0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
        .register(registry);
    queryFailures = Counter.builder().name("taxi_stream_query_failures_total")
        .help("Streaming queries that terminated with an error.").labelNames("query").register(registry);
    // every query from the first scrape (docs/contracts.md, Metrics): increase() needs a first sample
    for (String query : new String[] {"zone_windows", "borough_windows", "dead_letters"}) {
      queryFailures.labelValues(query).inc(0);
    }
    validTrips = Counter.builder().name("taxi_stream_valid_trips_total")
        .help("Valid trips that entered the aggregations.").register(registry);
    validFare = Counter.builder().name("taxi_stream_valid_fare_amount_total")
        .help("Sum of fare_amount (USD) of the valid trips.").register(registry);
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
    // Progress is also reported while idle (same batch id, no rows): count each batch id once. The zero
    // increments keep the series present (a rate of 0 is an answer; an absent series is not).
    Long previous = lastBatch.put(query, p.batchId());
    batches.labelValues(query).inc(previous == null || previous != p.batchId() ? 1 : 0);
    inputRows.labelValues(query).inc(rows);
    Instant batchTime = instant(p.timestamp());
    if (batchTime != null) {
      lastProgress.labelValues(query).set(batchTime.toEpochMilli() / 1000.0);
      Instant watermark = instant(p.eventTime().get("watermark"));
      if (watermark != null && watermark.toEpochMilli() > 0) {
        watermarkDelay.labelValues(query).set((batchTime.toEpochMilli() - watermark.toEpochMilli()) / 1000.0);
      }
    }
    long dropped = 0;
    for (StateOperatorProgress op : p.stateOperators()) {
      dropped += op.numRowsDroppedByWatermark();
    }
    rowsDroppedLate.labelValues(query).inc(dropped);
    Map<String, Row> observed = p.observedMetrics();
    Row valid = observed == null ? null : observed.get(VALID_TRIPS_OBSERVATION);
    if (valid != null) {
      long trips = valid.isNullAt(0) ? 0 : valid.getLong(0);
      validTrips.inc(trips);
      if (!valid.isNullAt(1)) {
        Object fare = valid.get(1);
        validFare.inc(fare instanceof BigDecimal b ? b.doubleValue() : ((Number) fare).doubleValue());
      }
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
