import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.spark.api.java.function.*;
import org.apache.spark.sql.*;
import org.apache.spark.sql.streaming.*;
import org.apache.spark.sql.types.*;
import static org.apache.spark.sql.functions.*;

/**
 * Thirtieth round's experiment (docs/benchmarks.md), not part of the product: the job's
 * de-duplication ({@code dropDuplicates(trip_id, dropoff_time)}, whose eviction Spark 3.5 makes by
 * scanning every key every micro-batch) against a bucketed one: {@code flatMapGroupsWithState}
 * keyed by (10 s bucket of the dropoff, shard of the trip id), each group's state the ids it has
 * seen, removed by a processing-time timeout once the watermark has passed the bucket; then the
 * event time defined again and a windowed count in update mode, as the job's aggregation.
 *
 * <p>Args: input dir (JSON lines of trip_id, dropoff_time, fare; gen_trips.py), checkpoint dir,
 * seconds to run, dedup|fmgws, watermark delay, bucket ms, shards. Prints each micro-batch's state
 * operators, then every 5 s window's final count against count(distinct trip_id) of its input.
 */
public class BucketedDedupSpike {
  static long BUCKET_MS = 2000;
  static int SHARDS = 4;

  public static void main(String[] a) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("spike")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.streaming.stateStore.providerClass", "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    // a[0]: input dir of JSON trip files (trip_id, dropoff_time, fare), read one file per micro-batch
    StructType in = new StructType().add("trip_id", "string").add("dropoff_time", "timestamp").add("fare", "double");
    Dataset<Row> trips = spark.readStream().schema(in).option("maxFilesPerTrigger", 1).json(a[0])
        .withWatermark("dropoff_time", a[4]);
    String mode = a[3];
    BUCKET_MS = Long.parseLong(a[5]);
    SHARDS = Integer.parseInt(a[6]);
    final long bucketMs = BUCKET_MS;
    final int shards = SHARDS;
    StructType schema = trips.schema();
    Dataset<Row> unique = mode.equals("dedup") ? trips.dropDuplicates("trip_id", "dropoff_time") : trips.groupByKey(
        (MapFunction<Row, Long>) r -> (r.getTimestamp(1).getTime() / bucketMs) * shards + Math.floorMod(r.getString(0).hashCode(), shards),
        Encoders.LONG())
      .flatMapGroupsWithState(
        (FlatMapGroupsWithStateFunction<Long, Row, byte[], Row>) (key, rows, state) -> {
          long bucketEnd = (Math.floorDiv(key, shards) + 1) * bucketMs;
          if (state.hasTimedOut()) {
            if (bucketEnd <= state.getCurrentWatermarkMs()) { state.remove(); }
            else { state.setTimeoutDuration(1000); }
            return Collections.emptyIterator();
          }
          Set<String> seen = new HashSet<>();
          if (state.exists()) {
            for (String s : new String(state.get(), StandardCharsets.UTF_8).split("\n")) if (!s.isEmpty()) seen.add(s);
          }
          List<Row> out = new ArrayList<>();
          while (rows.hasNext()) { Row r = rows.next(); if (seen.add(r.getString(0))) out.add(r); }
          state.update(String.join("\n", seen).getBytes(StandardCharsets.UTF_8));
          state.setTimeoutDuration(1000);
          return out.iterator();
        }, OutputMode.Append(), Encoders.BINARY(), Encoders.row(schema), GroupStateTimeout.ProcessingTimeTimeout());
    Dataset<Row> agg = (mode.equals("dedup") ? unique : unique.withWatermark("dropoff_time", a[4]))
        .groupBy(window(col("dropoff_time"), "5 seconds")).agg(count(lit(1)).as("n"), sum("fare").as("fares"));
    StreamingQuery q = agg.writeStream().outputMode("update").format("memory").queryName("out")
        .option("checkpointLocation", a[1]).trigger(Trigger.ProcessingTime("1 second")).start();
    long lastBatch = -1;
    long end = System.currentTimeMillis() + Long.parseLong(a[2]) * 1000;
    while (System.currentTimeMillis() < end) {
      Thread.sleep(200);
      StreamingQueryProgress p = q.lastProgress();
      if (p == null || p.batchId() == lastBatch) continue;
      lastBatch = p.batchId();
      StringBuilder sb = new StringBuilder("batch " + p.batchId() + " rows " + p.numInputRows() + " wm " + p.eventTime().get("watermark") + " ms " + p.durationMs().get("triggerExecution"));
      for (StateOperatorProgress op : p.stateOperators()) sb.append(" | ").append(op.operatorName()).append(" rows=").append(op.numRowsTotal()).append(" removed=").append(op.numRowsRemoved()).append(" removalsMs=").append(op.allRemovalsTimeMs()).append(" mem=").append(op.memoryUsedBytes());
      System.out.println(sb);
    }
    q.stop();
    // exactness: the last update of every window against count(distinct trip_id) of the input in it
    spark.read().schema(in).json(a[0]).createOrReplaceTempView("raw");
    spark.sql("select w, count(distinct trip_id) d, count(*) c from (select window(dropoff_time, '5 seconds') w, trip_id from raw) group by w").createOrReplaceTempView("truth");
    spark.sql("select window, max(n) n from out group by window").createOrReplaceTempView("got");
    Dataset<Row> cmp = spark.sql("select t.w, t.d, t.c, g.n from truth t left join got g on t.w = g.window order by t.w");
    System.out.println("windows " + cmp.count() + ", input rows " + spark.table("raw").count() + ", distinct " + spark.sql("select count(distinct trip_id) from raw").first().getLong(0)
        + ", sum of counts " + spark.sql("select coalesce(sum(n),0) from got").first().get(0) + ", mismatched " + cmp.filter("n is null or n != d").count());
    cmp.filter("n is null or n != d").show(20, false);
    spark.stop();
  }
}
