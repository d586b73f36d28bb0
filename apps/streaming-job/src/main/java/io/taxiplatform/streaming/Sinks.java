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
import org.apache.spark.sql.SaveMode;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code foreachBatch} writers. They run on the driver, once per micro-batch; a re-run micro-batch
 * (after a crash) rewrites the same rows: the Cassandra writes are upserts keyed by (key, window).
 */
final class Sinks {

  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);
  /** The dead-letter record header holding the reason. */
  static final String REASON_HEADER = "taxi.dlq.reason";
  /**
   * The dead-letter record header naming the pipeline version that wrote it: a version reprocessing the topic
   * beside the serving one dead-letters the same records again, and consumers tell the copies apart by it.
   */
  static final String VERSION_HEADER = "taxi.pipeline.version";

  private Sinks() {
  }

  /** Writes each micro-batch of aggregate rows to {@code tables} (same columns), stamping {@code written_at}. */
  static VoidFunction2<Dataset<Row>, Long> cassandra(String keyspace, List<String> tables, JobMetrics metrics) {
    return (batch, batchId) -> {
      Instant writtenAt = Instant.now();
      Dataset<Row> rows = batch.withColumn("written_at", lit(Timestamp.from(writtenAt)))
          .persist(StorageLevel.MEMORY_ONLY());
      try {
        for (String table : tables) {
          rows.write().format("org.apache.spark.sql.cassandra")
              .options(Map.of("keyspace", keyspace, "table", table))
              .mode(SaveMode.Append)
              .save();
        }
        // One small column per updated window row, to observe end-to-end latency on the driver.
        List<Row> ingest = rows.select(col("max_ingest_time")).collectAsList();
        for (Row r : ingest) {
          if (!r.isNullAt(0)) {
            double seconds = (writtenAt.toEpochMilli() - r.getTimestamp(0).getTime()) / 1000.0;
            for (String table : tables) {
              metrics.latency(table, seconds);
            }
          }
        }
        LOG.debug("batch {}: {} rows upserted into {}", batchId, ingest.size(), tables);
      } finally {
        rows.unpersist();
      }
    };
  }

  /** Writes each micro-batch of dead letters to the dead-letter topic and counts them by reason. */
  static VoidFunction2<Dataset<Row>, Long> deadLetters(Map<String, String> kafkaOptions, String topic,
                                                       String pipelineVersion, JobMetrics metrics) {
    return (batch, batchId) -> {
      Dataset<Row> rows = batch.persist(StorageLevel.MEMORY_ONLY());
      try {
        rows.select(col("key"), col("dead_letter").as("value"),
                array(struct(lit(REASON_HEADER).as("key"), col("reason").cast("binary").as("value")),
                    struct(lit(VERSION_HEADER).as("key"), lit(pipelineVersion).cast("binary").as("value")))
                    .as("headers"))
            .write().format("kafka")
            .options(kafkaOptions)
            .option("topic", topic)
            .save();
        List<Row> byReason = rows.groupBy("reason").count().collectAsList();
        for (Row r : byReason) {
          metrics.deadLetters(r.getString(0), r.getLong(1));
          LOG.info("batch {}: {} dead letter(s) with reason {}", batchId, r.getLong(1), r.getString(0));
        }
      } finally {
        rows.unpersist();
      }
    };
  }
}
