package io.taxiplatform.bench.spark;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The ceiling of the streaming job's throughput (docs/benchmarks.md): one Structured Streaming
 * query on the same classpath, JVM flags and Spark master as the job that only reads the trips
 * topic from the earliest offset and parses every value with the job's parser ({@link
 * TripEventJson#parse(byte[], Instant, Duration)}), with the same {@code maxOffsetsPerTrigger} and
 * trigger interval, into Spark's {@code noop} sink. No aggregation, no state, no Cassandra, no dead
 * letters.
 *
 * <p>Arguments: {@code <bootstrap servers> <topic> <events> <maxOffsetsPerTrigger> <trigger ms>
 * <checkpoint dir>}. Prints {@code BENCH_PROGRESS <epoch ms> <rows so far> <batch duration ms>}
 * after each micro-batch and {@code BENCH_DONE} once {@code events} rows were read, then exits 0 (1
 * on a failure or after 15 minutes).
 */
public final class SparkCeiling {

  private SparkCeiling() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: SparkCeiling <bootstrap> <topic> <events> <maxOffsetsPerTrigger> <triggerMs> "
              + "<checkpointDir>");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    long events = Long.parseLong(args[2]);
    long maxOffsets = Long.parseLong(args[3]);
    long triggerMs = Long.parseLong(args[4]);
    String checkpoint = args[5];

    SparkSession spark = SparkSession.builder().appName("taxi-bench-ceiling").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    AtomicLong rows = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    spark
        .streams()
        .addListener(
            new StreamingQueryListener() {
              @Override
              public void onQueryStarted(QueryStartedEvent event) {}

              @Override
              public void onQueryProgress(QueryProgressEvent event) {
                long n = rows.addAndGet(event.progress().numInputRows());
                if (event.progress().numInputRows() > 0) {
                  System.out.println(
                      "BENCH_PROGRESS "
                          + System.currentTimeMillis()
                          + " "
                          + n
                          + " "
                          + event.progress().batchDuration());
                  System.out.flush();
                }
                if (n >= events) {
                  done.countDown();
                }
              }

              @Override
              public void onQueryTerminated(QueryTerminatedEvent event) {
                done.countDown();
              }
            });

    Dataset<Row> in =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", maxOffsets)
            .load();
    Dataset<Integer> parsed =
        in.select("value")
            .map(
                (MapFunction<Row, Integer>)
                    r ->
                        TripEventJson.parse((byte[]) r.get(0), Instant.now(), Duration.ofHours(1))
                                instanceof TripEvent
                            ? 1
                            : 0,
                Encoders.INT());
    StreamingQuery query =
        parsed
            .writeStream()
            .format("noop")
            .option("checkpointLocation", checkpoint)
            .trigger(Trigger.ProcessingTime(triggerMs))
            .start();
    boolean finished = done.await(15, TimeUnit.MINUTES);
    int exit = 0;
    if (query.exception().isDefined()) {
      System.out.println("BENCH_FAILED " + query.exception().get());
      exit = 1;
    } else if (!finished) {
      System.out.println("BENCH_FAILED timeout after " + rows.get() + " rows");
      exit = 1;
    } else {
      System.out.println("BENCH_DONE " + rows.get());
    }
    System.out.flush();
    query.stop();
    spark.stop();
    System.exit(exit);
  }
}
