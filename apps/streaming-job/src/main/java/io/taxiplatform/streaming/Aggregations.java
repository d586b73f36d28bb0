package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;

/**
 * The streaming topology as pure functions over DataFrames, apart from the session and the sinks, so unit
 * tests call them on static data and the job on the Kafka stream:
 *
 * <ol>
 *   <li>{@link #parse}: Kafka records -> one row per record, valid trip or dead letter ({@link TripParser});</li>
 *   <li>{@link #validTrips} / {@link #deadLetters}: the two sides of that split;</li>
 *   <li>{@link #aggregationInput}: the valid trips of every Kafka partition, each with its own event-time
 *       watermark, unioned and de-duplicated by {@code trip_id};</li>
 *   <li>{@link #zoneWindows} / {@link #boroughWindows}: the windowed aggregates of docs/contracts.md.</li>
 * </ol>
 *
 * <p>The watermark is applied to the valid trips only: rejected events never reach it (and their
 * {@code dropoff_time} is null anyway). It is applied per Kafka partition, so that one partition read ahead
 * in event time (the Kafka source splits {@code maxOffsetsPerTrigger} across partitions by count, not by
 * event time) cannot make another partition's trips late: Spark's global watermark is the minimum of the
 * per-partition ones ({@code spark.sql.streaming.multipleWatermarkPolicy=min}, the default), and a
 * partition's trips arrive in event-time order when the producer emits them in that order.
 */
public final class Aggregations {

  /** The metric columns every aggregate table has, in this order (after the key and window columns). */
  public static final String[] METRIC_COLUMNS = {"trip_count", "fare_total", "avg_fare", "revenue_total",
      "distance_total", "avg_distance", "avg_tip_pct", "duration_total_s", "avg_duration_s", "max_ingest_time"};

  private Aggregations() {
  }

  /**
   * Parses Kafka source rows ({@code key, value, topic, partition, offset, timestamp}) into
   * {@link TripParser#SCHEMA} rows; {@code processing_time} is the micro-batch time.
   */
  public static Dataset<Row> parse(Dataset<Row> kafkaRecords, java.time.Duration maxEventTimeSkew) {
    return kafkaRecords
        .select(col("key"), col("value"), col("topic"), col("partition"), col("offset"), col("timestamp"),
            current_timestamp().as("processing_time"))
        .mapPartitions(new TripParser(maxEventTimeSkew), Encoders.row(TripParser.SCHEMA));
  }

  /** Valid trips of {@link #parse}: the trip columns, never a rejected record. */
  public static Dataset<Row> validTrips(Dataset<Row> parsed) {
    return parsed.filter(col("reason").isNull().and(col("dropoff_time").isNotNull()))
        .select("trip_id", "pickup_zone", "dropoff_zone", "pickup_time", "dropoff_time", "trip_distance",
            "fare_amount", "total_amount", "tip_pct", "duration_s", "ingest_time");
  }

  /** Rejected records of {@link #parse}: {@code key, reason, detail, dead_letter}. */
  public static Dataset<Row> deadLetters(Dataset<Row> parsed) {
    return parsed.filter(col("reason").isNotNull()).select("key", "reason", "detail", "dead_letter");
  }

  /**
   * The input of both aggregations: the valid trips of each Kafka partition's records ({@link #parse},
   * {@link #validTrips}), each partition with its own watermark of {@code watermark} on {@code dropoff_time},
   * unioned, then de-duplicated by {@code trip_id} within the watermark (a trip sent twice, e.g. by a replay
   * restarted from the start, is counted once while its copies are less than the watermark delay apart; an
   * older copy is dropped as late).
   *
   * @param kafkaPartitions one Kafka source per partition of the trips topic (at least one)
   * @param maxEventTimeSkew {@link TripParser}'s limit on event times ahead of processing time
   * @param watermark watermark delay, Spark interval ({@code "10 minutes"})
   */
  public static Dataset<Row> aggregationInput(List<Dataset<Row>> kafkaPartitions,
                                              java.time.Duration maxEventTimeSkew, String watermark) {
    if (kafkaPartitions.isEmpty()) {
      throw new IllegalArgumentException("at least one Kafka partition");
    }
    Dataset<Row> all = null;
    for (Dataset<Row> partition : kafkaPartitions) {
      Dataset<Row> trips = validTrips(parse(partition, maxEventTimeSkew)).withWatermark("dropoff_time", watermark);
      all = all == null ? trips : all.union(trips);
    }
    return all.dropDuplicatesWithinWatermark("trip_id");
  }

  /**
   * Tumbling windows per pickup zone: {@code pickup_zone, window_start, window_end, zone_name, borough} and
   * {@link #METRIC_COLUMNS}.
   *
   * @param trips     valid trips carrying a watermark on {@code dropoff_time} ({@link #aggregationInput}; on
   *                  static data, {@link #validTrips})
   * @param zones     {@link ZoneLookup#SCHEMA} rows (broadcast)
   * @param window    window length, Spark interval ({@code "300 seconds"})
   */
  public static Dataset<Row> zoneWindows(Dataset<Row> trips, Dataset<Row> zones, String window) {
    Dataset<Row> withZones = joinZones(trips, zones);
    Dataset<Row> agg = aggregate(withZones
        .groupBy(window(col("dropoff_time"), window).as("window"), col("pickup_zone"), col("zone_name"),
            col("borough")));
    return agg.select(withMetricColumns(col("pickup_zone"), col("window.start").as("window_start"),
        col("window.end").as("window_end"), col("zone_name"), col("borough")));
  }

  /**
   * Sliding windows per borough of the pickup zone ({@code Unknown} for zones missing from the lookup):
   * {@code borough, window_start, window_end} and {@link #METRIC_COLUMNS}.
   */
  public static Dataset<Row> boroughWindows(Dataset<Row> trips, Dataset<Row> zones, String window, String slide) {
    Dataset<Row> withZones = joinZones(trips, zones);
    Dataset<Row> agg = aggregate(withZones
        .groupBy(window(col("dropoff_time"), window, slide).as("window"), col("borough")));
    return agg.select(withMetricColumns(col("borough"), col("window.start").as("window_start"),
        col("window.end").as("window_end")));
  }

  /** The sums and averages both aggregations keep per window. */
  private static Dataset<Row> aggregate(RelationalGroupedDataset groups) {
    return groups.agg(count(lit(1)).as("trip_count"), sum("fare_amount").as("fare_total"),
        sum("total_amount").as("revenue_total"), sum("trip_distance").as("distance_total"),
        avg("tip_pct").as("avg_tip_pct"), sum("duration_s").as("duration_total_s"),
        max("ingest_time").as("max_ingest_time"));
  }

  /** {@code keys} followed by {@link #METRIC_COLUMNS} of an {@link #aggregate} result. */
  private static Column[] withMetricColumns(Column... keys) {
    List<Column> out = new java.util.ArrayList<>(List.of(keys));
    out.addAll(List.of(col("trip_count"), col("fare_total"), ratio("fare_total").as("avg_fare"), col("revenue_total"),
        col("distance_total"), ratio("distance_total").as("avg_distance"), col("avg_tip_pct"),
        col("duration_total_s"), ratio("duration_total_s").as("avg_duration_s"), col("max_ingest_time")));
    return out.toArray(Column[]::new);
  }

  private static Dataset<Row> joinZones(Dataset<Row> trips, Dataset<Row> zones) {
    Dataset<Row> z = broadcast(zones.select(col("zone_id"), col("borough").as("lookup_borough"),
        col("zone_name").as("lookup_zone_name")));
    return trips.join(z, trips.col("pickup_zone").equalTo(z.col("zone_id")), "left_outer")
        .withColumn("borough", coalesce(col("lookup_borough"), lit(ZoneLookup.UNKNOWN)))
        .withColumn("zone_name", coalesce(col("lookup_zone_name"), lit(ZoneLookup.UNKNOWN)))
        .drop("zone_id", "lookup_borough", "lookup_zone_name");
  }

  private static Column ratio(String total) {
    return col(total).cast("double").divide(col("trip_count"));
  }
}
