package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code foreachBatch} writers. They run on the driver, once per micro-batch (the window rows
 * themselves are written from the executors: {@link WindowWriter}); a re-run micro-batch (after a
 * crash) rewrites the same rows: the Cassandra writes are upserts keyed by (key, window).
 */
final class Sinks {

  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

  /** The dead-letter record header holding the reason. */
  static final String REASON_HEADER = "taxi.dlq.reason";

  /**
   * The dead-letter record header naming the pipeline version that wrote it: a version reprocessing
   * the topic beside the serving one dead-letters the same records again, and consumers tell the
   * copies apart by it.
   */
  static final String VERSION_HEADER = "taxi.pipeline.version";

  private Sinks() {}

  /**
   * Writes each micro-batch of {@link Aggregations#windowAggregates} rows: the zone rows to {@code
   * zoneTables} ({@code zone_windows_<v>} and {@code window_zones_<v>}, same columns), the borough
   * rows to {@code boroughTable}, each stamped with the batch's {@code written_at}; observes the
   * end-to-end latency of every row written, per table (seconds from the row's {@code
   * max_ingest_time} to {@code written_at}; a zone row counts for both zone tables).
   *
   * <p>One Spark job per micro-batch ({@link WindowWriter}): each task upserts its rows to the
   * three tables from the executor and returns only {@code (dimension, max_ingest_time)} per row,
   * which the driver collects. Before, the batch was persisted and read by four jobs (three
   * DataFrame writes and a collect), a fixed cost per micro-batch whatever its size. The writer
   * (connector settings, table metadata) is built on the first micro-batch and kept for the query's
   * life.
   */
  static VoidFunction2<Dataset<Row>, Long> windows(
      String keyspace, List<String> zoneTables, String boroughTable, JobMetrics metrics) {
    WindowWriter[] writer = new WindowWriter[1];
    return (batch, batchId) -> {
      Instant writtenAt = Instant.now();
      if (writer[0] == null) {
        writer[0] =
            WindowWriter.create(batch.sparkSession(), batch, keyspace, zoneTables, boroughTable);
      }
      List<Row> ingest = writer[0].write(batch, Timestamp.from(writtenAt));
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
    };
  }

  /** Writes each micro-batch of dead letters to the dead-letter topic and counts them by reason. */
  static VoidFunction2<Dataset<Row>, Long> deadLetters(
      Map<String, String> kafkaOptions, String topic, String pipelineVersion, JobMetrics metrics) {
    return (batch, batchId) -> {
      Dataset<Row> rows = batch.persist(StorageLevel.MEMORY_ONLY());
      try {
        rows.select(
                col("key"),
                col("dead_letter").as("value"),
                array(
                        struct(
                            lit(REASON_HEADER).as("key"), col("reason").cast("binary").as("value")),
                        struct(
                            lit(VERSION_HEADER).as("key"),
                            lit(pipelineVersion).cast("binary").as("value")))
                    .as("headers"))
            .write()
            .format("kafka")
            .options(kafkaOptions)
            .option("topic", topic)
            .save();
        List<Row> byReason = rows.groupBy("reason").count().collectAsList();
        for (Row r : byReason) {
          metrics.deadLetters(r.getString(0), r.getLong(1));
          LOG.info(
              "batch {}: {} dead letter(s) with reason {}", batchId, r.getLong(1), r.getString(0));
        }
      } finally {
        rows.unpersist();
      }
    };
  }
}
