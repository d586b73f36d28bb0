package io.taxiplatform.streaming;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code foreachBatch} writer of the window rows. It runs on the driver, once per micro-batch
 * (the rows themselves are written from the executors: {@link WindowWriter}); a re-run micro-batch
 * (after a crash) rewrites the same rows: the Cassandra writes are upserts keyed by (key, window).
 */
final class Sinks {

  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

  private Sinks() {}

  /**
   * Writes each micro-batch of {@link Aggregations#windowAggregates} rows: the zone rows to {@code
   * zoneTables} ({@code zone_windows_<v>} and {@code window_zones_<v>}, same columns), the borough
   * rows to {@code boroughTable}, each stamped with the batch's {@code written_at}; observes the
   * end-to-end latency of every row written, per table (seconds from the row's {@code
   * max_ingest_time} to the moment every row of the micro-batch is acknowledged by Cassandra; a
   * zone row counts for both zone tables). {@code written_at} is stamped when the batch's sink
   * begins (on the first micro-batch, once the schema is there and the writer built), before its
   * stateful stages and writes run.
   *
   * <p>One Spark job per micro-batch ({@link WindowWriter}): each task upserts its rows to the
   * three tables from the executor and returns only {@code (dimension, max_ingest_time)} per row,
   * which the driver collects. Before, the batch was persisted and read by four jobs (three
   * DataFrame writes and a collect), a fixed cost per micro-batch whatever its size. The writer
   * (connector settings, table metadata) is built on the first micro-batch and kept for the query's
   * life.
   *
   * <p>{@code beforeFirstWrite} runs once, before the first micro-batch's writer is built (the job
   * waits there for its schema: {@link CassandraStartup}); it may throw, which fails the
   * micro-batch.
   */
  static VoidFunction2<Dataset<Row>, Long> windows(
      String keyspace,
      List<String> zoneTables,
      String boroughTable,
      JobMetrics metrics,
      Runnable beforeFirstWrite) {
    WindowWriter[] writer = new WindowWriter[1];
    return (batch, batchId) -> {
      if (writer[0] == null) {
        beforeFirstWrite.run();
        writer[0] =
            WindowWriter.create(batch.sparkSession(), batch, keyspace, zoneTables, boroughTable);
      }
      Instant writtenAt = Instant.now();
      List<Row> ingest = writer[0].write(batch, Timestamp.from(writtenAt));
      // Every row of the batch is acknowledged by Cassandra now: the end of its end-to-end latency.
      // (written_at, stamped before, is when the batch's computation and write began: the
      // micro-batch's stateful stages run inside write(), so measuring from it would leave them
      // out.)
      long acknowledged = System.currentTimeMillis();
      for (Row r : ingest) {
        if (!r.isNullAt(1)) {
          double seconds = (acknowledged - r.getTimestamp(1).getTime()) / 1000.0;
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
    };
  }
}
