package io.taxiplatform.streaming;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import com.datastax.spark.connector.ColumnRef;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.writer.AsyncStatementWriter;
import com.datastax.spark.connector.writer.BatchStatementBuilder;
import com.datastax.spark.connector.writer.BoundStatementBuilder;
import com.datastax.spark.connector.writer.GroupingBatchBuilderBase;
import com.datastax.spark.connector.writer.RateLimiter;
import com.datastax.spark.connector.writer.RateLimiter$;
import com.datastax.spark.connector.writer.RichBoundStatementWrapper;
import com.datastax.spark.connector.writer.RichStatement;
import com.datastax.spark.connector.writer.SqlRowWriter;
import com.datastax.spark.connector.writer.TableWriter;
import com.datastax.spark.connector.writer.WriteConf;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.immutable.Seq$;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The per-task writer of one window table: the connector's own {@link TableWriter#getAsyncWriter()}
 * (spark-cassandra-connector 3.5.1's {@code getAsyncWriterInternal}: the prepared INSERT of the
 * table writer, its unlogged batches grouped by {@code spark.cassandra.output.batch.*}, its rate
 * limit, its {@link AsyncStatementWriter} with {@code concurrent.writes} in flight), except for how
 * a row is bound to the INSERT: {@link Binder} sets each value by index with the column's codec,
 * where the connector converts every value twice through its Scala type converters (the row
 * writer's, then the statement builder's) and sets it by name on an immutable statement, copying
 * the statement once per column. A month's reprocessing spent ~48 % of its Cassandra-writing task
 * time in those conversions and copies (docs/benchmarks.md, "Twenty-eighth round").
 *
 * <p>The bytes bound are the connector's: the window tables' columns are {@code int, bigint, text,
 * timestamp, decimal, double}, whose values come from Spark as {@code Integer, Long, String,
 * Timestamp, BigDecimal, Double}; the connector's converters turn a {@code Timestamp} into its
 * {@code Instant} and leave the others equal, and the driver's codecs of those types encode them.
 * Any other value class, and any table with another column type, goes through the connector's own
 * binding ({@code super.bind}); a counter table or a per-row TTL or timestamp through the
 * connector's own writer ({@link #asyncWriter()}). A null is bound as the connector binds it: left
 * unset with {@code spark.cassandra.output.ignoreNulls=true}, set to null otherwise.
 * local-services' {@code WindowSinkIT} compares both bindings value by value on a real node.
 */
final class TableStatements implements Serializable {

  private static final long serialVersionUID = 1L;

  private final CassandraConnector connector;
  private final WriteConf writeConf;
  private final TableDef table;
  private final TableWriter<Row> writer;
  private final List<ColumnRef> columns;

  /**
   * The statements of {@code table}'s {@code columns} (in the order of the rows to write), read
   * from Cassandra on the driver.
   */
  static TableStatements of(
      CassandraConnector connector,
      WriteConf writeConf,
      String keyspace,
      String table,
      List<ColumnRef> columns) {
    TableDef def =
        com.datastax.spark.connector.util.package$.MODULE$.tableFromCassandra(
            connector, keyspace, table);
    TableWriter<Row> writer =
        TableWriter.apply(
            connector,
            def,
            new com.datastax.spark.connector.SomeColumns(
                JavaConverters.asScalaBuffer(columns).toSeq()),
            writeConf,
            false,
            SqlRowWriter.Factory$.MODULE$);
    return new TableStatements(connector, writeConf, def, writer, columns);
  }

  private TableStatements(
      CassandraConnector connector,
      WriteConf writeConf,
      TableDef table,
      TableWriter<Row> writer,
      List<ColumnRef> columns) {
    this.connector = connector;
    this.writeConf = writeConf;
    this.table = table;
    this.writer = writer;
    this.columns = List.copyOf(columns);
  }

  /**
   * A writer for one task, opened on its first row: {@link TableWriter#getAsyncWriter()} with
   * {@link Binder}, or the connector's own where that writes otherwise than an INSERT of the
   * columns: a per-row TTL or timestamp (placeholders besides the columns) or a counter table (an
   * UPDATE).
   */
  AsyncStatementWriter<Row> asyncWriter() {
    if (writer.columnNames().size() != columns.size() || hasCounters()) {
      return writer.getAsyncWriter();
    }
    try (CqlSession session = connector.openSession()) {
      Binder binder = binder(session);
      GroupingBatchBuilderBase<Row> batches =
          new GroupingBatchBuilderBase<>(
              binder,
              new BatchStatementBuilder(DefaultBatchType.UNLOGGED, writeConf.consistencyLevel()),
              new AbstractFunction1<RichBoundStatementWrapper, Object>() {
                @Override
                public Object apply(RichBoundStatementWrapper statement) {
                  return writer.batchRoutingKey(session, statement);
                }
              },
              writeConf.batchSize(),
              writeConf.batchGroupingBufferSize());
      return new AsyncStatementWriter<>(
          connector,
          writeConf,
          table,
          binder.insert,
          batches,
          rateLimit(writeConf),
          Option.empty(),
          Option.empty());
    }
  }

  private boolean hasCounters() {
    return JavaConverters.seqAsJavaList(table.columns()).stream()
        .anyMatch(c -> c.isCounterColumn());
  }

  /** A {@link Binder} of the table's INSERT, prepared on {@code session}. */
  Binder binder(CqlSession session) {
    return new Binder(
        rowWriter(),
        prepare(session),
        writeConf.ignoreNulls(),
        session.getContext().getProtocolVersion());
  }

  /** The connector's row writer of these columns (what {@link TableWriter} binds with). */
  SqlRowWriter rowWriter() {
    return new SqlRowWriter(table, JavaConverters.asScalaBuffer(columns).toIndexedSeq());
  }

  /** The connector's prepare: its INSERT, idempotence and consistency level. */
  private PreparedStatement prepare(CqlSession session) {
    String cql = writer.queryTemplateUsingInsert();
    try {
      return session.prepare(
          SimpleStatement.newInstance(cql)
              .setIdempotent(writer.isIdempotent())
              .setConsistencyLevel(writeConf.consistencyLevel()));
    } catch (RuntimeException e) {
      throw new UncheckedIOException(
          new IOException("Failed to prepare statement " + cql + ": " + e.getMessage(), e));
    }
  }

  /** {@code spark.cassandra.output.throughputMBPerSec} as the connector applies it, or nothing. */
  private static scala.Function1<RichStatement, BoxedUnit> rateLimit(WriteConf writeConf) {
    if (writeConf.throughputMiBPS().isEmpty()) {
      return new AbstractFunction1<>() {
        @Override
        public BoxedUnit apply(RichStatement statement) {
          return BoxedUnit.UNIT;
        }
      };
    }
    double mibps = (Double) writeConf.throughputMiBPS().get();
    // TableWriter's: the rate in bytes per second, a bucket of 1 MiB, its default clock and sleep
    RateLimiter limiter =
        new RateLimiter(
            (long) (mibps * 1024 * 1024),
            1024 * 1024,
            RateLimiter$.MODULE$.$lessinit$greater$default$3(),
            RateLimiter$.MODULE$.$lessinit$greater$default$4());
    return new AbstractFunction1<>() {
      @Override
      public BoxedUnit apply(RichStatement statement) {
        limiter.maybeSleep(statement.bytesCount());
        return BoxedUnit.UNIT;
      }
    };
  }

  /**
   * Binds a row (its values in the INSERT's variable order) by index with each column's codec;
   * {@code super.bind} (the connector's) for a row with a value of another class, or for every row
   * of a statement with another column type.
   */
  static final class Binder extends BoundStatementBuilder<Row> {

    final PreparedStatement insert;
    private final boolean ignoreNulls;
    private final ProtocolVersion protocol;

    /** The codec of each variable, or null for all when one has a type without a fast path. */
    private final TypeCodec<?>[] codecs;

    /** The Java class of each codec (read once: the codec's generic type is slow to ask). */
    private final Class<?>[] classes;

    Binder(
        com.datastax.spark.connector.writer.RowWriter<Row> rowWriter,
        PreparedStatement insert,
        boolean ignoreNulls,
        ProtocolVersion protocol) {
      super(rowWriter, insert, Seq$.MODULE$.<Object>empty(), ignoreNulls, protocol);
      this.insert = insert;
      this.ignoreNulls = ignoreNulls;
      this.protocol = protocol;
      int n = insert.getVariableDefinitions().size();
      TypeCodec<?>[] c = new TypeCodec<?>[n];
      for (int i = 0; i < n; i++) {
        c[i] = codec(insert.getVariableDefinitions().get(i).getType());
        if (c[i] == null) {
          c = null;
          break;
        }
      }
      this.codecs = c;
      this.classes = new Class<?>[n];
      if (c != null) {
        for (int i = 0; i < n; i++) {
          classes[i] = c[i].getJavaType().getRawType();
        }
      }
    }

    /** The driver's codec for the Java class this binder passes for {@code type}, or null. */
    static TypeCodec<?> codec(DataType type) {
      if (type.equals(DataTypes.INT)) {
        return TypeCodecs.INT;
      } else if (type.equals(DataTypes.BIGINT)) {
        return TypeCodecs.BIGINT;
      } else if (type.equals(DataTypes.TEXT)) {
        return TypeCodecs.TEXT;
      } else if (type.equals(DataTypes.TIMESTAMP)) {
        return TypeCodecs.TIMESTAMP;
      } else if (type.equals(DataTypes.DECIMAL)) {
        return TypeCodecs.DECIMAL;
      } else if (type.equals(DataTypes.DOUBLE)) {
        return TypeCodecs.DOUBLE;
      }
      return null;
    }

    @Override
    public RichBoundStatementWrapper bind(Row row) {
      RichBoundStatementWrapper fast = codecs == null ? null : bindByIndex(row);
      return fast != null ? fast : super.bind(row);
    }

    /**
     * The row bound by index, or null when a value is not of its codec's class (call it only on a
     * binder whose columns all have a codec: {@link #bind} checks).
     */
    RichBoundStatementWrapper bindByIndex(Row row) {
      if (row.size() != codecs.length) {
        return null;
      }
      com.datastax.oss.driver.api.core.cql.BoundStatementBuilder b = insert.boundStatementBuilder();
      int bytes = 0;
      for (int i = 0; i < codecs.length; i++) {
        Object v = row.get(i);
        if (v == null) {
          if (!ignoreNulls) {
            b = b.setToNull(i);
          }
          continue;
        }
        ByteBuffer encoded = encode(codecs[i], classes[i], v, protocol);
        if (encoded == null) {
          return null;
        }
        b = b.setBytesUnsafe(i, encoded);
        bytes += encoded.remaining();
      }
      BoundStatement statement = b.build();
      RichBoundStatementWrapper w = new RichBoundStatementWrapper(statement);
      w.bytesCount_$eq(bytes);
      return w;
    }

    /**
     * {@code v} encoded by {@code codec} (of Java class {@code expected}), a {@code Timestamp} as
     * its instant; null if {@code v} is neither.
     */
    @SuppressWarnings("unchecked")
    private static ByteBuffer encode(
        TypeCodec<?> codec, Class<?> expected, Object v, ProtocolVersion protocol) {
      Object value = v instanceof Timestamp t && expected == Instant.class ? t.toInstant() : v;
      if (!expected.isInstance(value)) {
        return null;
      }
      return ((TypeCodec<Object>) codec).encode(value, protocol);
    }
  }
}
