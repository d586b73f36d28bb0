package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code foreachBatch} writer of the window rows. They run on the driver, once per micro-batch;
 * a re-run micro-batch (after a crash) rewrites the same rows: the Cassandra writes are upserts
 * keyed by (key, window).
 */
final class Sinks {

  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

  private Sinks() {}

  /**
   * Writes each micro-batch of {@link Aggregations#windowAggregates} rows: the zone rows to {@code
   * zoneTables} ({@code zone_windows_<v>} and {@code window_zones_<v>}, same columns), the borough
   * rows to {@code boroughTable}, each stamped with the batch's {@code written_at}; observes the
   * end-to-end latency of every row written, per table.
   */
  static VoidFunction2<Dataset<Row>, Long> windows(
      String keyspace, List<String> zoneTables, String boroughTable, JobMetrics metrics) {
    return (batch, batchId) -> {
      Instant writtenAt = Instant.now();
      Dataset<Row> rows = batch.persist(StorageLevel.MEMORY_ONLY());
      try {
        Dataset<Row> zoneRows =
            Aggregations.zoneRows(rows).withColumn("written_at", lit(Timestamp.from(writtenAt)));
        for (String table : zoneTables) {
          write(zoneRows, keyspace, table);
        }
        write(
            Aggregations.boroughRows(rows).withColumn("written_at", lit(Timestamp.from(writtenAt))),
            keyspace,
            boroughTable);
        // One small column per updated window row, to observe end-to-end latency on the driver.
        List<Row> ingest = rows.select(col("dimension"), col("max_ingest_time")).collectAsList();
        for (Row r : ingest) {
          if (!r.isNullAt(1)) {
            double seconds = (writtenAt.toEpochMilli() - r.getTimestamp(1).getTime()) / 1000.0;
            if (Aggregations.ZONE.equals(r.getString(0))) {
              for (String table : zoneTables) {
                metrics.latency(table, seconds);
              }
            } else {
              metrics.latency(boroughTable, seconds);
            }
          }
        }
        LOG.debug("batch {}: {} window rows upserted", batchId, ingest.size());
      } finally {
        rows.unpersist();
      }
    };
  }

  private static void write(Dataset<Row> rows, String keyspace, String table) {
    rows.write()
        .format("org.apache.spark.sql.cassandra")
        .options(Map.of("keyspace", keyspace, "table", table))
        .mode(SaveMode.Append)
        .save();
  }
}
