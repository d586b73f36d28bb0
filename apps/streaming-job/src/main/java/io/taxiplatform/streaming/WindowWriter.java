package io.taxiplatform.streaming;

import com.datastax.spark.connector.ColumnName;
import com.datastax.spark.connector.ColumnRef;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import com.datastax.spark.connector.writer.AsyncStatementWriter;
import com.datastax.spark.connector.writer.WriteConf;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Writes one micro-batch of {@link Aggregations#windowAggregates} rows to the three window tables
 * in ONE Spark job: each task upserts its rows from the executor and returns only {@code
 * (dimension, max_ingest_time)} per row, which the driver collects for the latency histogram.
 *
 * <p>The executor side is the connector's own write path, the one its DataFrame writer ({@code
 * format("org.apache.spark.sql.cassandra")}, {@code CassandraDriverDataWriter} in
 * spark-cassandra-connector 3.5.1) runs per task: a {@code TableWriter} per table, built on the
 * driver with the table's metadata and the connector's {@link WriteConf}; per task, on the task's
 * first row for the table (an empty partition opens nothing), its async writer ({@link
 * TableStatements#asyncWriter()}, which binds a row's values by index instead of through the
 * connector's type converters, the same bytes): a prepared INSERT (prepared per task, as that
 * writer does), bound per row, grouped into unlogged batches by partition key ({@code
 * spark.cassandra.output.batch.*}), at most {@code spark.cassandra.output.concurrent.writes} in
 * flight, and {@code close()} waits for all of them and throws when one failed, so a failed write
 * fails the task, hence the micro-batch. Sessions come from the connector's per-JVM cache.
 *
 * <p>The connector settings are read as that writer reads them (less its per-write {@code ttl} and
 * {@code writetime} options, which the job never set): the Spark configuration merged with the
 * session's SQL configuration for the keyspace ({@code CassandraSourceUtil.consolidateConfs}), then
 * {@code CassandraConnector(conf)} (contact points, local DC, auth, SSL) and {@code
 * WriteConf.fromSparkConf(conf)} (consistency level, TTL, batch size, concurrency, throughput
 * limit, ignoreNulls, ifNotExists, timestamp).
 *
 * <p>The rows and columns are those of {@link Aggregations#zoneRows} and {@link
 * Aggregations#boroughRows} (their column names, in their order, taken from the batch's plan) plus
 * {@code written_at}; values keep their Spark types (decimals as {@code BigDecimal}, timestamps as
 * {@code Timestamp}) and go through the same converters to the Cassandra column types.
 */
final class WindowWriter implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The column stamped on every row: the micro-batch's write time. */
  static final String WRITTEN_AT = "written_at";

  /** What each task returns per row written: its dimension and newest Kafka record timestamp. */
  static final StructType INGEST_SCHEMA =
      new StructType()
          .add("dimension", DataTypes.StringType)
          .add("max_ingest_time", DataTypes.TimestampType);

  private final List<TableStatements> zoneWriters;
  private final TableStatements boroughWriter;
  private final int[] zoneColumns;
  private final int[] boroughColumns;
  private final int dimensionIndex;
  private final int ingestIndex;

  private WindowWriter(
      List<TableStatements> zoneWriters,
      TableStatements boroughWriter,
      int[] zoneColumns,
      int[] boroughColumns,
      int dimensionIndex,
      int ingestIndex) {
    this.zoneWriters = zoneWriters;
    this.boroughWriter = boroughWriter;
    this.zoneColumns = zoneColumns;
    this.boroughColumns = boroughColumns;
    this.dimensionIndex = dimensionIndex;
    this.ingestIndex = ingestIndex;
  }

  /**
   * A writer for batches of {@code batchSchemaSource}'s schema (a {@link
   * Aggregations#windowAggregates} result), on the driver: reads the connector settings of {@code
   * spark} and the tables' metadata.
   *
   * @throws IllegalArgumentException when a table column is not a column of the batch
   */
  static WindowWriter create(
      SparkSession spark,
      Dataset<Row> batchSchemaSource,
      String keyspace,
      List<String> zoneTables,
      String boroughTable) {
    SparkConf conf = connectorConf(spark, keyspace);
    CassandraConnector connector = CassandraConnector.apply(conf);
    WriteConf writeConf = WriteConf.fromSparkConf(conf);
    StructType schema = batchSchemaSource.schema();
    String[] zoneNames = Aggregations.zoneRows(batchSchemaSource).columns();
    String[] boroughNames = Aggregations.boroughRows(batchSchemaSource).columns();
    List<TableStatements> zoneWriters = new ArrayList<>();
    for (String table : zoneTables) {
      zoneWriters.add(tableWriter(connector, writeConf, keyspace, table, zoneNames));
    }
    return new WindowWriter(
        List.copyOf(zoneWriters),
        tableWriter(connector, writeConf, keyspace, boroughTable, boroughNames),
        indexes(schema, zoneNames),
        indexes(schema, boroughNames),
        index(schema, "dimension"),
        index(schema, "max_ingest_time"));
  }

  /**
   * Upserts {@code batch} (this writer's schema) with {@code written_at = writtenAt} in one Spark
   * job and returns {@link #INGEST_SCHEMA} rows, one per row of {@code batch}.
   */
  List<Row> write(Dataset<Row> batch, Timestamp writtenAt) {
    return batch
        .mapPartitions(new Task(this, writtenAt), Encoders.row(INGEST_SCHEMA))
        .collectAsList();
  }

  /** The table row of {@code columns} of {@code row}, then {@code writtenAt}. */
  static Row tableRow(Row row, int[] columns, Timestamp writtenAt) {
    Object[] values = new Object[columns.length + 1];
    for (int i = 0; i < columns.length; i++) {
      values[i] = row.get(columns[i]);
    }
    values[columns.length] = writtenAt;
    return RowFactory.create(values);
  }

  /**
   * The Spark configuration of {@code spark} merged with its SQL configuration for {@code keyspace}
   * (SQL keys {@code spark.cassandra.*}, {@code default/...}, {@code default:<keyspace>/...}), as
   * the connector's DataFrame source does for cluster {@code default}.
   */
  static SparkConf connectorConf(SparkSession spark, String keyspace) {
    return CassandraSourceUtil.consolidateConfs(
        spark.sparkContext().getConf(),
        spark.conf().getAll(),
        "default",
        keyspace,
        scala.collection.immutable.Map$.MODULE$.<String, String>empty());
  }

  private static TableStatements tableWriter(
      CassandraConnector connector,
      WriteConf writeConf,
      String keyspace,
      String table,
      String[] columns) {
    List<ColumnRef> refs = new ArrayList<>();
    for (String c : columns) {
      refs.add(new ColumnName(c, Option.empty()));
    }
    refs.add(new ColumnName(WRITTEN_AT, Option.empty()));
    return TableStatements.of(connector, writeConf, keyspace, table, refs);
  }

  private static int[] indexes(StructType schema, String[] names) {
    return Arrays.stream(names).mapToInt(n -> index(schema, n)).toArray();
  }

  private static int index(StructType schema, String name) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(
          "window table column "
              + name
              + " is not a column of the window aggregates "
              + Arrays.toString(schema.fieldNames()));
    }
    return schema.fieldIndex(name);
  }

  /** One task: writes its partition's rows to the three tables, returns the ingest times. */
  private static final class Task implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final WindowWriter w;
    private final Timestamp writtenAt;

    Task(WindowWriter w, Timestamp writtenAt) {
      this.w = w;
      this.writtenAt = writtenAt;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      // Opened on a table's first row: an empty partition prepares nothing and opens no session.
      List<AsyncStatementWriter<Row>> zone = null;
      AsyncStatementWriter<Row> borough = null;
      List<AsyncStatementWriter<Row>> open = new ArrayList<>();
      List<Row> out = new ArrayList<>();
      boolean done = false;
      try {
        while (rows.hasNext()) {
          Row r = rows.next();
          String dimension = r.getString(w.dimensionIndex);
          if (Aggregations.ZONE.equals(dimension)) {
            if (zone == null) {
              zone = new ArrayList<>();
              for (TableStatements t : w.zoneWriters) {
                AsyncStatementWriter<Row> a = t.asyncWriter();
                open.add(a);
                zone.add(a);
              }
            }
            Row z = tableRow(r, w.zoneColumns, writtenAt);
            for (AsyncStatementWriter<Row> a : zone) {
              a.write(z);
            }
          } else if (Aggregations.BOROUGH.equals(dimension)) {
            if (borough == null) {
              borough = w.boroughWriter.asyncWriter();
              open.add(borough);
            }
            borough.write(tableRow(r, w.boroughColumns, writtenAt));
          } else {
            throw new IllegalStateException("unknown window dimension '" + dimension + "'");
          }
          out.add(RowFactory.create(dimension, r.get(w.ingestIndex)));
        }
        // Waits for every statement in flight; throws (failing the task) when one failed.
        for (AsyncStatementWriter<Row> a : open) {
          a.close();
        }
        done = true;
      } finally {
        if (!done) {
          // Release the sessions; the first failure is the one that propagates.
          for (AsyncStatementWriter<Row> a : open) {
            closeQuietly(a);
          }
        }
      }
      return out.iterator();
    }

    private static void closeQuietly(AsyncStatementWriter<Row> a) {
      try {
        a.close();
      } catch (Exception e) {
        // already failing
      }
    }
  }
}
