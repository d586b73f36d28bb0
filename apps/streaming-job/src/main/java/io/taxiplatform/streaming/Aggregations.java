package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.taxiplatform.model.TripRules;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;

/**
 * The streaming topology as pure functions over DataFrames, apart from the session and the sinks,
 * so unit tests call them on static data and the job on the Kafka stream. The map
 * (docs/streaming-job.md draws it):
 *
 * <ol>
 *   <li>{@link #parse}: Kafka records -> one row per record, valid trip or dead letter ({@link
 *       TripParser}, which calls the validation rules of the trip model, {@code
 *       TripEventJson.parse});
 *   <li>{@link #validTrips} / {@link #deadLetters}: the two sides of that split; in the job the
 *       parse step writes the rejected records to the dead-letter topic itself ({@link
 *       DeadLetterWriter}) and passes on the valid trips only, so each record is read and parsed
 *       once;
 *   <li>{@link #aggregationInput}: the valid trips of every Kafka partition, each with its own
 *       event-time watermark, unioned and de-duplicated by {@code trip_id}: built once, in the
 *       {@code window_aggregates} query;
 *   <li>{@link #windowAggregates}: the zone and borough windows of docs/contracts.md in one
 *       aggregation over {@link #tripWindows} (one row per trip and window), with one definition of
 *       the metrics ({@link WindowMetrics}); {@link #zoneRows} / {@link #boroughRows} are its two
 *       tables' columns.
 * </ol>
 *
 * <p>Where to change what: the window lengths are {@code ZONE_WINDOW}, {@code BOROUGH_WINDOW},
 * {@code BOROUGH_SLIDE} ({@link WindowSpec}); a validation rule is in the trip model ({@code
 * TripEventJson}, constants in {@code TripRules}); a metric column is {@link WindowMetrics}; a
 * table is the sink ({@code Sinks.windows}) and its schema {@code CassandraSchema}.
 *
 * <p>The watermark is applied to the valid trips only: rejected events never reach it (and their
 * {@code dropoff_time} is null anyway). It is applied per Kafka partition, so that one partition
 * read ahead in event time (the Kafka source splits {@code maxOffsetsPerTrigger} across partitions
 * by count, not by event time) cannot make another partition's trips late: Spark's global watermark
 * is the minimum of the per-partition ones ({@code
 * spark.sql.streaming.multipleWatermarkPolicy=min}, the default), and a partition's trips arrive in
 * event-time order when the producer emits them in that order.
 */
public final class Aggregations {

  private Aggregations() {}

  /**
   * Parses Kafka source rows ({@code key, value, topic, partition, offset, timestamp}) into {@link
   * TripParser#SCHEMA} rows; {@code processing_time} is the micro-batch time.
   */
  public static Dataset<Row> parse(Dataset<Row> kafkaRecords, java.time.Duration maxEventTimeSkew) {
    return parse(kafkaRecords, new TripParser(maxEventTimeSkew));
  }

  /**
   * {@link #parse} that writes the rejected records to the dead-letter topic with {@code
   * deadLetters} as it goes and returns the valid trips' rows only (the job's parse step).
   */
  static Dataset<Row> parse(
      Dataset<Row> kafkaRecords,
      java.time.Duration maxEventTimeSkew,
      DeadLetterWriter deadLetters) {
    return parse(kafkaRecords, TripParser.writingDeadLetters(maxEventTimeSkew, deadLetters));
  }

  private static Dataset<Row> parse(Dataset<Row> kafkaRecords, TripParser parser) {
    return kafkaRecords
        .select(
            col("key"),
            col("value"),
            col("topic"),
            col("partition"),
            col("offset"),
            col("timestamp"),
            current_timestamp().as("processing_time"))
        .mapPartitions(parser, Encoders.row(TripParser.SCHEMA));
  }

  /** Valid trips of {@link #parse}: the trip columns, never a rejected record. */
  public static Dataset<Row> validTrips(Dataset<Row> parsed) {
    return parsed
        .filter(col("reason").isNull().and(col("dropoff_time").isNotNull()))
        .select(
            "trip_id",
            "pickup_zone",
            "dropoff_zone",
            "pickup_time",
            "dropoff_time",
            "trip_distance",
            "fare_amount",
            "total_amount",
            "tip_pct",
            "duration_s",
            "ingest_time");
  }

  /** Rejected records of {@link #parse}: {@code key, reason, detail, dead_letter}. */
  public static Dataset<Row> deadLetters(Dataset<Row> parsed) {
    return parsed
        .filter(col("reason").isNotNull())
        .select("key", "reason", "detail", "dead_letter");
  }

  /**
   * The input of both aggregations: the valid trips of each Kafka partition's records ({@link
   * #parse}, {@link #validTrips}), each partition with its own watermark of {@code watermark} on
   * {@code dropoff_time}, unioned, then de-duplicated by {@code (trip_id, dropoff_time)}: a trip
   * sent twice, e.g. by a replay restarted from the start, is counted once. A copy either meets the
   * first in the de-duplication state, which Spark keeps until the watermark passes the dropoff, or
   * arrives later and is dropped as late before the state is asked. ({@code
   * dropDuplicatesWithinWatermark("trip_id")}, before topology 4, kept each key {@code
   * WATERMARK_DELAY} longer, which no copy could match: twice the state, and twice the scan Spark
   * 3.5 makes of it every micro-batch to evict.) Copies of a trip carry its dropoff time: a {@code
   * trip_id} names a row of a file, or a synthetic trip. The key begins with {@link #evictionOrder}
   * (topology 5), so that the job's state store reads it in dropoff order and evicts only the
   * expired keys ({@link OrderedEvictionStateStoreProvider}); the column is dropped after.
   *
   * @param kafkaPartitions one Kafka source per partition of the trips topic (at least one)
   * @param maxEventTimeSkew {@link TripParser}'s limit on dropoff times ahead of the record's Kafka
   *     timestamp
   * @param watermark watermark delay, Spark interval ({@code "10 minutes"})
   * @param deadLetters where the parse step writes the rejected records ({@code null}: they are
   *     only filtered out, as on static test data)
   */
  public static Dataset<Row> aggregationInput(
      List<Dataset<Row>> kafkaPartitions,
      java.time.Duration maxEventTimeSkew,
      String watermark,
      DeadLetterWriter deadLetters) {
    if (kafkaPartitions.isEmpty()) {
      throw new IllegalArgumentException("at least one Kafka partition");
    }
    Dataset<Row> all = null;
    for (Dataset<Row> partition : kafkaPartitions) {
      Dataset<Row> trips =
          validTrips(
                  deadLetters == null
                      ? parse(partition, maxEventTimeSkew)
                      : parse(partition, maxEventTimeSkew, deadLetters))
              .withWatermark("dropoff_time", watermark);
      all = all == null ? trips : all.union(trips);
    }
    // The order column first: RocksDB keeps the de-duplication's keys in dropoff order, and its
    // eviction stops at the first live one (OrderedEvictionStateStoreProvider). Same keys, same
    // rows: a copy has its trip's dropoff time, so its order value too.
    return all.withColumn(
            OrderedEvictionStateStoreProvider.ORDER_COLUMN, evictionOrder("dropoff_time"))
        .dropDuplicates(OrderedEvictionStateStoreProvider.ORDER_COLUMN, "trip_id", "dropoff_time")
        .drop(OrderedEvictionStateStoreProvider.ORDER_COLUMN);
  }

  /**
   * A {@code long} whose bytes, as an {@code UnsafeRow} stores it (little-endian), sort unsigned in
   * the order of {@code timeColumn}: {@code Long.reverseBytes(unix_micros(t) ^ Long.MIN_VALUE)}
   * (the sign bit flipped, so that earlier instants than 1970 come first too; then the bytes
   * reversed, so that the most significant comes first). Never null (0 for a null time, which the
   * valid trips never have).
   */
  static Column evictionOrder(String timeColumn) {
    String u = "(unix_micros(" + timeColumn + ") ^ shiftleft(1L, 63))";
    StringBuilder reversed = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i > 0) {
        reversed.append(" | ");
      }
      reversed
          .append("shiftleft(shiftrightunsigned(")
          .append(u)
          .append(", ")
          .append(8 * i)
          .append(") & 255L, ")
          .append(56 - 8 * i)
          .append(')');
    }
    return coalesce(expr(reversed.toString()), lit(0L));
  }

  // ------------------------------------------------------------------ windows: one aggregation for
  // both

  /**
   * {@code dimension} of a {@link #windowAggregates} row: a pickup zone's tumbling {@code
   * ZONE_WINDOW}.
   */
  public static final String ZONE = "zone";

  /**
   * {@code dimension} of a {@link #windowAggregates} row: a borough's sliding {@code
   * BOROUGH_WINDOW}.
   */
  public static final String BOROUGH = "borough";

  /**
   * Both window outputs in one stateful aggregation, so the trips are read, parsed and
   * de-duplicated once: each trip becomes one row per window it falls in ({@link #tripWindows}: its
   * pickup zone's tumbling window and each of its borough's sliding windows), and one {@code
   * groupBy(dimension, pickup_zone, zone_name, borough, window_start, window_end)} computes the
   * metrics of {@link WindowMetrics} for all of them. Columns: {@code dimension} ({@link #ZONE} or
   * {@link #BOROUGH}), {@code pickup_zone} and {@code zone_name} (null on borough rows), {@code
   * borough}, {@code window_start}, {@code window_end}, then the metric columns ({@link
   * WindowMetrics#withMetricColumns}). {@link #zoneRows} and {@link #boroughRows} split it into the
   * tables' columns.
   *
   * @param trips valid trips ({@link #aggregationInput} on the stream; {@link #validTrips} on
   *     static data)
   * @param zones the zone lookup ({@link #withZoneNames})
   * @param windows the window lengths ({@code ZONE_WINDOW}, {@code BOROUGH_WINDOW}, {@code
   *     BOROUGH_SLIDE})
   */
  public static Dataset<Row> windowAggregates(
      Dataset<Row> trips, ZoneLookup zones, WindowSpec windows) {
    return WindowMetrics.aggregate(
            tripWindows(withZoneNames(trips, zones), windows)
                .groupBy(
                    col("dimension"),
                    col("pickup_zone"),
                    col("zone_name"),
                    col("borough"),
                    col("window_start"),
                    col("window_end")))
        .select(
            WindowMetrics.withMetricColumns(
                col("dimension"),
                col("pickup_zone"),
                col("zone_name"),
                col("borough"),
                col("window_start"),
                col("window_end")));
  }

  /** The windows of {@link #windowAggregates}. */
  public record WindowSpec(
      java.time.Duration zoneWindow,
      java.time.Duration boroughWindow,
      java.time.Duration boroughSlide)
      implements java.io.Serializable {
    public WindowSpec {
      for (java.time.Duration d :
          new java.time.Duration[] {zoneWindow, boroughWindow, boroughSlide}) {
        if (d.toNanos() % 1000 != 0 || d.compareTo(java.time.Duration.ZERO) <= 0) {
          throw new IllegalArgumentException(
              "a window must be a positive whole number of microseconds: " + d);
        }
      }
    }

    /** The job's windows: {@code ZONE_WINDOW}, {@code BOROUGH_WINDOW}, {@code BOROUGH_SLIDE}. */
    static WindowSpec of(JobConfig config) {
      return new WindowSpec(
          config.zoneWindow().duration(),
          config.boroughWindow().duration(),
          config.boroughSlide().duration());
    }
  }

  /**
   * One row per (trip, window): the zone window {@code [t - t mod Z, + Z)} of its {@code
   * dropoff_time} t, and every borough window {@code [s, s + B)} with s a multiple of the slide and
   * {@code s <= t < s + B} (what Spark's {@code window(dropoff_time, Z)} and {@code
   * window(dropoff_time, B, S)} give). {@code window_end} carries {@code dropoff_time}'s watermark
   * metadata, as Spark's {@code window} column does, so the aggregation's state of a window is
   * dropped once the watermark passes its end.
   */
  static Dataset<Row> tripWindows(Dataset<Row> tripsWithZones, WindowSpec w) {
    long zoneUs = micros(w.zoneWindow());
    long boroughUs = micros(w.boroughWindow());
    long slideUs = micros(w.boroughSlide());
    long overlapping = (boroughUs + slideUs - 1) / slideUs;
    // Plain expressions (no lambdas: Spark compiles them): the zone window, then the `overlapping`
    // borough windows
    // that start at the last slide boundary and the ones before; those that end before t are
    // filtered out below.
    String t = "unix_micros(dropoff_time)";
    StringBuilder windows =
        new StringBuilder("array(")
            .append(window(ZONE, t + " - pmod(" + t + ", " + zoneUs + "L)", zoneUs));
    for (long k = 0; k < overlapping; k++) {
      windows
          .append(", ")
          .append(
              window(
                  BOROUGH,
                  t + " - pmod(" + t + ", " + slideUs + "L) - " + (k * slideUs) + "L",
                  boroughUs));
    }
    windows.append(')');
    org.apache.spark.sql.types.Metadata eventTime =
        tripsWithZones.schema().apply("dropoff_time").metadata();
    Column isZone = col("w.dimension").equalTo(lit(ZONE));
    return tripsWithZones
        .withColumn("w", explode(expr(windows.toString())))
        .filter(expr("w.start + w.length > " + t))
        .select(
            col("w.dimension").as("dimension"),
            when(isZone, col("pickup_zone")).as("pickup_zone"),
            when(isZone, col("zone_name")).as("zone_name"),
            col("borough"),
            expr("timestamp_micros(w.start)").as("window_start"),
            expr("timestamp_micros(w.start + w.length)").as("window_end", eventTime),
            col("trip_distance"),
            col("fare_amount"),
            col("total_amount"),
            col("tip_pct"),
            col("duration_s"),
            col("ingest_time"));
  }

  /**
   * One window of {@link #tripWindows}: {@code dimension}, {@code start} (epoch microseconds),
   * {@code length}.
   */
  private static String window(String dimension, String startMicros, long lengthMicros) {
    return "named_struct('dimension', '"
        + dimension
        + "', 'start', "
        + startMicros
        + ", 'length', "
        + lengthMicros
        + "L)";
  }

  private static long micros(java.time.Duration d) {
    return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1000;
  }

  /**
   * The {@link #ZONE} rows of {@link #windowAggregates} as the zone tables' columns: {@code
   * pickup_zone, window_start, window_end, zone_name, borough} and the metric columns.
   */
  public static Dataset<Row> zoneRows(Dataset<Row> windowAggregates) {
    return windowAggregates
        .filter(col("dimension").equalTo(lit(ZONE)))
        .select(
            WindowMetrics.withMetricColumns(
                col("pickup_zone"),
                col("window_start"),
                col("window_end"),
                col("zone_name"),
                col("borough")));
  }

  /**
   * The {@link #BOROUGH} rows of {@link #windowAggregates} as the borough table's columns: {@code
   * borough, window_start, window_end} and the metric columns.
   */
  public static Dataset<Row> boroughRows(Dataset<Row> windowAggregates) {
    return windowAggregates
        .filter(col("dimension").equalTo(lit(BOROUGH)))
        .select(
            WindowMetrics.withMetricColumns(
                col("borough"), col("window_start"), col("window_end")));
  }

  /**
   * The window metrics of docs/contracts.md ("Aggregates"): one definition for every window table.
   */
  static final class WindowMetrics {

    private WindowMetrics() {}

    /** The sums and averages kept per window. */
    static Dataset<Row> aggregate(RelationalGroupedDataset groups) {
      return groups.agg(
          count(lit(1)).as("trip_count"),
          sum("fare_amount").as("fare_total"),
          sum("total_amount").as("revenue_total"),
          sum("trip_distance").as("distance_total"),
          avg("tip_pct").as("avg_tip_pct"),
          sum("duration_s").as("duration_total_s"),
          max("ingest_time").as("max_ingest_time"));
    }

    /**
     * {@code keys} followed by the metric columns of an {@link #aggregate} result, in the tables'
     * order: trip_count, fare_total, avg_fare, revenue_total, distance_total, avg_distance,
     * avg_tip_pct, duration_total_s, avg_duration_s, max_ingest_time.
     */
    static Column[] withMetricColumns(Column... keys) {
      List<Column> out = new java.util.ArrayList<>(List.of(keys));
      out.addAll(
          List.of(
              col("trip_count"),
              col("fare_total"),
              ratio("fare_total").as("avg_fare"),
              col("revenue_total"),
              col("distance_total"),
              ratio("distance_total").as("avg_distance"),
              col("avg_tip_pct"),
              col("duration_total_s"),
              ratio("duration_total_s").as("avg_duration_s"),
              col("max_ingest_time")));
      return out.toArray(Column[]::new);
    }

    private static Column ratio(String total) {
      return col(total).cast("double").divide(col("trip_count"));
    }
  }

  /**
   * {@code trips} with {@code borough} and {@code zone_name} of their {@code pickup_zone} from the
   * lookup (never null: a zone the lookup lacks reads {@link ZoneLookup#UNKNOWN}). The lookup is
   * two literal arrays indexed by zone id, compiled into the query's generated code: a valid trip's
   * zone is one of {@code TripRules.MIN_ZONE..MAX_ZONE} (1..265), so a lookup entry outside that
   * range can never match and is left out. Before, a broadcast join: every micro-batch then ran a
   * Spark job of its own to broadcast the 265 rows before the query's stages.
   */
  static Dataset<Row> withZoneNames(Dataset<Row> trips, ZoneLookup lookup) {
    String[] boroughs = new String[TripRules.MAX_ZONE];
    String[] names = new String[TripRules.MAX_ZONE];
    java.util.Arrays.fill(boroughs, ZoneLookup.UNKNOWN);
    java.util.Arrays.fill(names, ZoneLookup.UNKNOWN);
    for (ZoneLookup.Zone z : lookup.zones().values()) {
      if (TripRules.isValidZone(z.id())) {
        boroughs[z.id() - 1] = z.borough();
        names[z.id() - 1] = z.name();
      }
    }
    Column zone = col("pickup_zone");
    Column known = zone.between(TripRules.MIN_ZONE, TripRules.MAX_ZONE);
    return trips
        .withColumn("borough", lookup(boroughs, zone, known))
        .withColumn("zone_name", lookup(names, zone, known));
  }

  /**
   * {@code values[zone - 1]} where {@code known}, else {@link ZoneLookup#UNKNOWN}: not nullable, as
   * the join's {@code coalesce} was (the aggregation's state key keeps its schema).
   */
  private static Column lookup(String[] values, Column zone, Column known) {
    return coalesce(when(known, element_at(lit(values), zone)), lit(ZoneLookup.UNKNOWN));
  }
}
