package io.taxiplatform.streaming;

import static org.apache.spark.sql.functions.lit;

import com.datastax.spark.connector.cql.CassandraConnector;
import io.taxiplatform.config.CassandraSettings;
import io.taxiplatform.config.PipelineVersion;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test by itself: the Spark side of local-services' {@code WindowSinkIT}, run there as its
 * own JVM (Spark never joins local-services' classpath) against the real Cassandra of that IT.
 *
 * <p>Builds one static micro-batch of {@link Aggregations#windowAggregates} rows from synthetic
 * trips and writes it
 *
 * <ul>
 *   <li>{@code compare}: with the DataFrame writer the sink used before ({@code
 *       format("org.apache.spark.sql.cassandra")}, one write per table, {@code written_at} a
 *       literal) into the tables of pipeline version {@code old}, then twice (a re-run micro-batch)
 *       through {@link Sinks#windows} into those of version {@code new};
 *   <li>{@code new-only}: once through {@link Sinks#windows} into version {@code new}.
 * </ul>
 *
 * In {@code compare} mode it first binds every table row of the batch to each table's INSERT twice,
 * with the connector's {@code BoundStatementBuilder} and with {@link TableStatements.Binder} (its
 * by-index path, never the connector's fallback), with {@code ignoreNulls} off and on, and writes
 * {@code BINDINGS <table> ignoreNulls=<b> rows=<n> nulls=<n> unset=<n> diffs=<n> [first: ...]}:
 * what differs between the two (a value's bytes, set or unset, the byte count, the routing key,
 * idempotence, consistency level), and one {@code FALLBACK} line ({@link #fallback}).
 *
 * <p>Writes to the result file: {@code RUN <start ms> <end ms> <Spark jobs started>} per {@link
 * Sinks#windows} call (before them {@code OLD_JOBS <n>}: the DataFrame writes' Spark jobs), then
 * the latency histogram's {@code _count}/{@code _sum} lines; on a failure {@code FAILED <message>}
 * and exit 3.
 *
 * <p>Arguments: {@code <contact point> <keyspace> <compare|new-only> <result file>}. Connector
 * settings also come from {@code -Dspark.cassandra.*} system properties.
 */
public final class WindowSinkCheck {

  private WindowSinkCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: <contact point> <keyspace> <compare|new-only> <result file>");
      System.exit(2);
    }
    String mode = args[2];
    Path result = Path.of(args[3]);
    List<String> out = new ArrayList<>();
    CassandraSettings cassandra =
        new CassandraSettings(
            args[0],
            "datacenter1",
            null,
            null,
            false,
            null,
            null,
            args[1],
            "{'class': 'SimpleStrategy', 'replication_factor': 1}",
            3600);
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2]")
            .appName("window-sink-check")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "3")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1");
    cassandra.sparkProperties().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    int code = 0;
    try {
      PipelineVersion oldVersion = new PipelineVersion("old");
      PipelineVersion newVersion = new PipelineVersion("new");
      try (var session = CassandraConnector.apply(spark.sparkContext().getConf()).openSession()) {
        CassandraSchema.apply(session, cassandra, oldVersion.name());
        CassandraSchema.apply(session, cassandra, newVersion.name());
      }
      Dataset<Row> batch = batch(spark).cache();
      java.util.concurrent.atomic.AtomicInteger jobs =
          new java.util.concurrent.atomic.AtomicInteger();
      spark
          .sparkContext()
          .addSparkListener(
              new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
                  jobs.incrementAndGet();
                }
              });
      if (mode.equals("compare")) {
        compareBindings(spark, batch, cassandra.keyspace(), newVersion, out);
        writeWithDataFrames(batch, cassandra.keyspace(), oldVersion, Instant.now());
        spark.sparkContext().listenerBus().waitUntilEmpty(10_000L);
        out.add("OLD_JOBS " + jobs.get());
      }
      JobMetrics metrics = new JobMetrics(false);
      var sink =
          Sinks.windows(
              cassandra.keyspace(),
              List.of(newVersion.zoneWindowsTable(), newVersion.windowZonesTable()),
              newVersion.boroughWindowsTable(),
              metrics,
              () -> {});
      int runs = mode.equals("compare") ? 2 : 1;
      for (int i = 0; i < runs; i++) {
        spark.sparkContext().listenerBus().waitUntilEmpty(10_000L);
        int before = jobs.get();
        long start = System.currentTimeMillis();
        sink.call(batch, 7L);
        long end = System.currentTimeMillis();
        spark.sparkContext().listenerBus().waitUntilEmpty(10_000L);
        out.add("RUN " + start + " " + end + " " + (jobs.get() - before));
      }
      var text = new java.io.ByteArrayOutputStream();
      new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false)
          .write(text, metrics.registry().scrape());
      for (String line : text.toString(StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("taxi_stream_end_to_end_latency_seconds_count")
            || line.startsWith("taxi_stream_end_to_end_latency_seconds_sum")) {
          out.add(line);
        }
      }
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      out.add(
          ("FAILED " + e + " / root cause: " + root.getClass().getName() + ": " + root.getMessage())
              .replaceAll("\\s+", " "));
      e.printStackTrace();
      code = 3;
    } finally {
      Files.write(result, out, StandardCharsets.UTF_8);
      spark.stop();
    }
    System.exit(code);
  }

  /** The BINDINGS lines of the class comment. */
  static void compareBindings(
      SparkSession spark,
      Dataset<Row> batch,
      String keyspace,
      PipelineVersion version,
      List<String> out) {
    org.apache.spark.SparkConf conf = WindowWriter.connectorConf(spark, keyspace);
    CassandraConnector connector = CassandraConnector.apply(conf);
    com.datastax.spark.connector.writer.WriteConf writeConf =
        com.datastax.spark.connector.writer.WriteConf.fromSparkConf(conf);
    Timestamp writtenAt = Timestamp.from(Instant.parse("2026-12-05T18:00:00.123456Z"));
    Map<String, Dataset<Row>> tables = new java.util.LinkedHashMap<>();
    tables.put(version.zoneWindowsTable(), Aggregations.zoneRows(batch));
    tables.put(version.windowZonesTable(), Aggregations.zoneRows(batch));
    tables.put(version.boroughWindowsTable(), Aggregations.boroughRows(batch));
    try (var session = connector.openSession()) {
      var protocol = session.getContext().getProtocolVersion();
      for (Map.Entry<String, Dataset<Row>> t : tables.entrySet()) {
        Dataset<Row> rows = t.getValue().withColumn(WindowWriter.WRITTEN_AT, lit(writtenAt));
        List<com.datastax.spark.connector.ColumnRef> refs = new ArrayList<>();
        for (String c : rows.columns()) {
          refs.add(new com.datastax.spark.connector.ColumnName(c, scala.Option.empty()));
        }
        TableStatements statements =
            TableStatements.of(connector, writeConf, keyspace, t.getKey(), refs);
        var insert = statements.binder(session).insert;
        List<Row> list = rows.collectAsList();
        for (boolean ignoreNulls : new boolean[] {false, true}) {
          var fast =
              new TableStatements.Binder(statements.rowWriter(), insert, ignoreNulls, protocol);
          var connectors =
              new com.datastax.spark.connector.writer.BoundStatementBuilder<Row>(
                  statements.rowWriter(),
                  insert,
                  scala.collection.immutable.Seq$.MODULE$.<Object>empty(),
                  ignoreNulls,
                  protocol);
          List<String> diffs = new ArrayList<>();
          int nulls = 0;
          int unset = 0;
          for (Row r : list) {
            var a = connectors.bind(r);
            var f = fast.bindByIndex(r);
            if (f == null) {
              diffs.add("by-index binding fell back on " + r);
              continue;
            }
            var x = a.stmt();
            var y = f.stmt();
            for (int i = 0; i < insert.getVariableDefinitions().size(); i++) {
              String name = insert.getVariableDefinitions().get(i).getName().asInternal();
              if (x.isSet(i) != y.isSet(i)
                  || !java.util.Objects.equals(x.getBytesUnsafe(i), y.getBytesUnsafe(i))) {
                diffs.add(name + " of " + r);
              } else if (!x.isSet(i)) {
                unset++;
              } else if (x.getBytesUnsafe(i) == null) {
                nulls++;
              }
            }
            if (a.bytesCount() != f.bytesCount()
                || !java.util.Objects.equals(x.getRoutingKey(), y.getRoutingKey())
                || !java.util.Objects.equals(x.isIdempotent(), y.isIdempotent())
                || !java.util.Objects.equals(x.getConsistencyLevel(), y.getConsistencyLevel())) {
              diffs.add(
                  "bytes "
                      + a.bytesCount()
                      + "/"
                      + f.bytesCount()
                      + ", routing key, idempotence or consistency of "
                      + r);
            }
          }
          if (!ignoreNulls && t.getKey().equals(version.zoneWindowsTable())) {
            out.add(fallback(list.get(0), fast, connectors, insert));
          }
          out.add(
              ("BINDINGS "
                      + t.getKey()
                      + " ignoreNulls="
                      + ignoreNulls
                      + " rows="
                      + list.size()
                      + " nulls="
                      + nulls
                      + " unset="
                      + unset
                      + " diffs="
                      + diffs.size()
                      + (diffs.isEmpty() ? "" : " first: " + diffs.get(0)))
                  .replaceAll("\\s+", " "));
        }
      }
    }
  }

  /**
   * {@code FALLBACK by-index=<null|bound> diffs=<n>}: {@code row} with its {@code trip_count} (a
   * bigint) as an {@code Integer}, which the by-index binding leaves to the connector's converters
   * ({@code bindByIndex} null), and {@code bind} then binds as the connector's builder does.
   */
  static String fallback(
      Row row,
      TableStatements.Binder fast,
      com.datastax.spark.connector.writer.BoundStatementBuilder<Row> connectors,
      com.datastax.oss.driver.api.core.cql.PreparedStatement insert) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    int count = row.fieldIndex("trip_count");
    values[count] = ((Long) values[count]).intValue();
    Row other = RowFactory.create(values);
    int diffs = 0;
    var a = connectors.bind(other).stmt();
    var f = fast.bind(other).stmt();
    for (int i = 0; i < insert.getVariableDefinitions().size(); i++) {
      if (a.isSet(i) != f.isSet(i)
          || !java.util.Objects.equals(a.getBytesUnsafe(i), f.getBytesUnsafe(i))) {
        diffs++;
      }
    }
    return "FALLBACK by-index="
        + (fast.bindByIndex(other) == null ? "null" : "bound")
        + " diffs="
        + diffs;
  }

  /** The sink before issue 11: one DataFrame write per table. */
  static void writeWithDataFrames(
      Dataset<Row> batch, String keyspace, PipelineVersion version, Instant writtenAt) {
    Dataset<Row> zoneRows =
        Aggregations.zoneRows(batch).withColumn("written_at", lit(Timestamp.from(writtenAt)));
    for (String table : List.of(version.zoneWindowsTable(), version.windowZonesTable())) {
      write(zoneRows, keyspace, table);
    }
    write(
        Aggregations.boroughRows(batch).withColumn("written_at", lit(Timestamp.from(writtenAt))),
        keyspace,
        version.boroughWindowsTable());
  }

  private static void write(Dataset<Row> rows, String keyspace, String table) {
    rows.write()
        .format("org.apache.spark.sql.cassandra")
        .options(Map.of("keyspace", keyspace, "table", table))
        .mode(SaveMode.Append)
        .save();
  }

  /**
   * {@link Aggregations#windowAggregates} of 400 synthetic trips over 90 minutes in zones 1, 4,
   * 132, 138 and 229 (229 is not in the lookup: Unknown), through the job's own parse; zone 1 has
   * only zero-fare trips (so its {@code avg_tip_pct} is null), amounts with 3 decimals (rounded to
   * cents by the parser).
   */
  static Dataset<Row> batch(SparkSession spark) {
    ZoneLookup zones = AggregationsTest.testZones();
    Random rnd = new Random(11);
    int[] zoneIds = {1, 4, 132, 138, 229};
    Instant start = Instant.parse("2025-03-01T07:00:00Z");
    Instant ingest = Instant.parse("2026-11-30T12:00:00Z");
    List<Row> records = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int zone = zoneIds[rnd.nextInt(zoneIds.length)];
      Instant dropoff =
          start.plusMillis((long) (rnd.nextDouble() * Duration.ofMinutes(90).toMillis()));
      double fare = zone == 1 ? 0.0 : Math.round(rnd.nextDouble() * 80_000) / 1000.0;
      TripEvent e =
          TripEvent.builder()
              .tripId("sink-" + i)
              .pickupTime(dropoff.minusMillis(60_000 + (long) (rnd.nextDouble() * 2_000_000)))
              .dropoffTime(dropoff)
              .tripDistance(Math.round(rnd.nextDouble() * 30_000) / 1000.0)
              .pickupZone(zone)
              .dropoffZone(1 + rnd.nextInt(265))
              .fareAmount(fare)
              .tipAmount(Math.round(rnd.nextDouble() * 15_000) / 1000.0)
              .totalAmount(fare + Math.round(rnd.nextDouble() * 20_000) / 1000.0)
              .build();
      records.add(
          RowFactory.create(
              ("k" + i).getBytes(StandardCharsets.UTF_8),
              TripEventJson.toJson(e).getBytes(StandardCharsets.UTF_8),
              "taxi.trips",
              i % 3,
              (long) i,
              Timestamp.from(ingest.plusMillis(i * 53L))));
    }
    Dataset<Row> trips =
        Aggregations.validTrips(
            Aggregations.parse(
                spark.createDataFrame(records, AggregationsTest.KAFKA), Duration.ofHours(1)));
    return Aggregations.windowAggregates(
        trips,
        zones,
        new Aggregations.WindowSpec(
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(5)));
  }
}
