package io.taxiplatform.local;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.kafka.clients.admin.Admin;

/**
 * Reads the pipeline's progress from the outside, the way an operator would: records in the trips
 * topic (Kafka end offsets), rows the job took in and dead-lettered (its Prometheus endpoint), and
 * the latest zone windows in Cassandra ({@code window_zones_<version>}). Each read that fails is
 * reported as absent, never as zero.
 */
public final class PipelineMonitor implements AutoCloseable {

  /**
   * The job's query that writes the window tables (StreamingJob.WINDOW_QUERY; the job is not on
   * this module's classpath, docs/contracts.md lists the {@code query} label values).
   */
  public static final String WINDOW_QUERY = "window_aggregates";

  private final Admin admin;
  private final String topic;
  private final CqlSession session;
  private final String table;
  private final int metricsPort;
  private final HttpClient http;

  /**
   * @param kafka the broker
   * @param topic the trips topic
   * @param session a Cassandra session (not closed here)
   * @param keyspace {@code CASSANDRA_KEYSPACE}
   * @param version {@code PIPELINE_VERSION}
   * @param metricsPort the job's {@code METRICS_PORT}
   */
  public PipelineMonitor(
      KafkaNode kafka,
      String topic,
      CqlSession session,
      String keyspace,
      String version,
      int metricsPort) {
    this.admin = kafka.admin();
    this.topic = topic;
    this.session = session;
    this.table = keyspace + ".window_zones_" + version;
    this.metricsPort = metricsPort;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** One zone of one window, as the dashboard's top-zones panel shows it. */
  public record ZoneWindow(
      Instant windowStart,
      int pickupZone,
      String zoneName,
      String borough,
      long tripCount,
      OptionalDouble avgFare,
      Optional<Instant> maxIngestTime,
      Optional<Instant> writtenAt) {}

  /**
   * One reading.
   *
   * @param at when it was taken
   * @param sent records in the trips topic (sum of end offsets)
   * @param jobInput rows the zone-window query took in ({@code taxi_stream_input_rows_total})
   * @param deadLetters events dead-lettered ({@code taxi_stream_dead_letters_total}, all reasons; 0
   *     while the endpoint answers without a sample)
   * @param topZones the busiest zones of the latest window in Cassandra, busiest first
   * @param late valid trips the zone query dropped as late ({@code
   *     taxi_stream_rows_dropped_late_total}; 0 while the endpoint answers without a sample)
   * @param duplicates copies of a trip the zone query dropped ({@code
   *     taxi_stream_duplicate_trips_dropped_total})
   */
  public record Snapshot(
      Instant at,
      OptionalLong sent,
      OptionalLong jobInput,
      OptionalLong deadLetters,
      List<ZoneWindow> topZones,
      OptionalLong late,
      OptionalLong duplicates) {}

  /**
   * How a second pipeline version reprocessing the topic is doing, from its own metrics endpoint.
   *
   * @param jobInput rows its zone query took in
   * @param behind offsets its zone query's last micro-batch left unread
   * @param caughtUp {@code taxi_stream_caught_up} is 1
   * @param late rows it dropped as late
   */
  public record VersionProgress(
      OptionalLong jobInput, OptionalLong behind, boolean caughtUp, OptionalLong late) {}

  /** A reading of the job serving metrics on {@code port} (a second pipeline version). */
  public VersionProgress versionProgress(int port) {
    Optional<PrometheusScrape> metrics = scrape(port);
    Map<String, String> zone = Map.of("query", WINDOW_QUERY);
    return new VersionProgress(
        metrics
            .map(t -> toLong(t.sum("taxi_stream_input_rows_total", zone)))
            .orElse(OptionalLong.empty()),
        metrics
            .map(t -> toLong(t.sum("taxi_stream_offsets_behind_latest", zone)))
            .orElse(OptionalLong.empty()),
        metrics.map(t -> t.sum("taxi_stream_caught_up", Map.of()).orElse(0) == 1).orElse(false),
        metrics
            .map(
                t ->
                    OptionalLong.of(
                        toLong(t.sum("taxi_stream_rows_dropped_late_total", zone)).orElse(0)))
            .orElse(OptionalLong.empty()));
  }

  /** Takes a reading; {@code top} is how many zones of the latest window to return. */
  public Snapshot sample(int top) {
    Optional<PrometheusScrape> metrics = scrape(metricsPort);
    OptionalLong input =
        metrics
            .map(
                text ->
                    toLong(text.sum("taxi_stream_input_rows_total", Map.of("query", WINDOW_QUERY))))
            .orElse(OptionalLong.empty());
    // A labelled counter has no sample before its first increment: with the endpoint up, absent
    // means 0.
    OptionalLong deadLetters = counter(metrics, "taxi_stream_dead_letters_total", Map.of());
    OptionalLong late =
        counter(metrics, "taxi_stream_rows_dropped_late_total", Map.of("query", WINDOW_QUERY));
    OptionalLong duplicates =
        counter(
            metrics, "taxi_stream_duplicate_trips_dropped_total", Map.of("query", WINDOW_QUERY));
    return new Snapshot(
        Instant.now(), topicRecords(), input, deadLetters, latestTopZones(top), late, duplicates);
  }

  /** A counter's value; absent only when the endpoint does not answer (no sample yet means 0). */
  private static OptionalLong counter(
      Optional<PrometheusScrape> metrics, String name, Map<String, String> labels) {
    return metrics
        .map(text -> OptionalLong.of(toLong(text.sum(name, labels)).orElse(0)))
        .orElse(OptionalLong.empty());
  }

  private static OptionalLong toLong(OptionalDouble value) {
    return value.isPresent()
        ? OptionalLong.of(Math.round(value.getAsDouble()))
        : OptionalLong.empty();
  }

  /** Records in the trips topic: the sum of its partitions' end offsets. */
  public OptionalLong topicRecords() {
    try {
      return OptionalLong.of(KafkaNode.topicRecords(admin, topic, Duration.ofSeconds(5)));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return OptionalLong.empty();
    }
  }

  /** A scrape of the job serving metrics on {@code port}, if the endpoint answers. */
  private Optional<PrometheusScrape> scrape(int port) {
    return PrometheusScrape.fetch(http, port, Duration.ofSeconds(2));
  }

  /**
   * The busiest zones of the newest window in {@code window_zones_<version>} that has begun (a
   * future one only when there is no other); empty before the first write.
   */
  public List<ZoneWindow> latestTopZones(int top) {
    try {
      List<Instant> starts =
          session.execute("SELECT DISTINCT window_start FROM " + table).all().stream()
              .map(row -> row.getInstant("window_start"))
              .filter(java.util.Objects::nonNull)
              .toList();
      // The newest window that has begun; windows in the future (shifted replays) only as a
      // fallback.
      Instant now = Instant.now();
      Optional<Instant> latest =
          starts.stream()
              .filter(start -> !start.isAfter(now))
              .max(Comparator.naturalOrder())
              .or(() -> starts.stream().max(Comparator.naturalOrder()));
      if (latest.isEmpty()) {
        return List.of();
      }
      List<ZoneWindow> zones = new ArrayList<>();
      for (Row row :
          session.execute("SELECT * FROM " + table + " WHERE window_start = ?", latest.get())) {
        zones.add(
            new ZoneWindow(
                latest.get(),
                row.getInt("pickup_zone"),
                text(row, "zone_name"),
                text(row, "borough"),
                row.getLong("trip_count"),
                doubleOf(row, "avg_fare"),
                Optional.ofNullable(row.getInstant("max_ingest_time")),
                Optional.ofNullable(row.getInstant("written_at"))));
      }
      zones.sort(
          Comparator.comparingLong(ZoneWindow::tripCount)
              .reversed()
              .thenComparingInt(ZoneWindow::pickupZone));
      return List.copyOf(zones.subList(0, Math.min(top, zones.size())));
    } catch (RuntimeException e) {
      // The job creates the table when it starts; until then (or if Cassandra is busy) there is
      // nothing.
      return List.of();
    }
  }

  private static String text(Row row, String column) {
    Object value = row.getObject(column);
    return value == null ? "" : value.toString();
  }

  private static OptionalDouble doubleOf(Row row, String column) {
    Object value = row.getObject(column);
    return value instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
