package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.spark.connector.writer.TTLOption;
import com.datastax.spark.connector.writer.WriteConf;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WindowWriter}'s pure parts: the connector settings it writes with and the table rows it
 * binds. Its writes on a real Cassandra: local-services' {@code WindowSinkIT}.
 */
class WindowWriterTest {

  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("window-writer-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.cassandra.connection.host", "c1:9042")
            .config("spark.cassandra.output.ttl", "3600")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void writesWithTheSparkConfigurationsConnectorSettings() {
    SparkConf conf = WindowWriter.connectorConf(spark, "taxi");
    assertThat(conf.get("spark.cassandra.connection.host")).isEqualTo("c1:9042");
    WriteConf w = WriteConf.fromSparkConf(conf);
    assertThat(w.ttl()).isEqualTo(TTLOption.constant(3600));
    assertThat(w.consistencyLevel()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
    assertThat(w.parallelismLevel()).isEqualTo(5);
  }

  @Test
  void sessionAndKeyspaceSettingsOverrideAsForTheDataFrameWriter() {
    try {
      spark.conf().set("spark.cassandra.output.consistency.level", "ONE");
      spark.conf().set("default:taxi/spark.cassandra.output.concurrent.writes", "17");
      WriteConf w = WriteConf.fromSparkConf(WindowWriter.connectorConf(spark, "taxi"));
      assertThat(w.consistencyLevel()).isEqualTo(DefaultConsistencyLevel.ONE);
      assertThat(w.parallelismLevel()).isEqualTo(17);
      assertThat(
              WriteConf.fromSparkConf(WindowWriter.connectorConf(spark, "other"))
                  .parallelismLevel())
          .as("a keyspace-level setting applies to its keyspace only")
          .isEqualTo(5);
    } finally {
      spark.conf().unset("spark.cassandra.output.consistency.level");
      spark.conf().unset("default:taxi/spark.cassandra.output.concurrent.writes");
    }
  }

  @Test
  void tableRowTakesTheColumnsInTableOrderThenWrittenAt() {
    Timestamp writtenAt = Timestamp.from(Instant.parse("2026-12-01T10:00:00.123Z"));
    Timestamp start = Timestamp.from(Instant.parse("2026-12-01T09:55:00Z"));
    Row aggregate =
        RowFactory.create("zone", 132, "JFK Airport", "Queens", start, new BigDecimal("12.50"));
    Row row = WindowWriter.tableRow(aggregate, new int[] {1, 4, 5, 3}, writtenAt);
    assertThat(row.size()).isEqualTo(5);
    assertThat(row.get(0)).isEqualTo(132);
    assertThat(row.get(1)).isEqualTo(start);
    assertThat(row.get(2)).isEqualTo(new BigDecimal("12.50"));
    assertThat(row.get(3)).isEqualTo("Queens");
    assertThat(row.get(4)).isSameAs(writtenAt);
  }
}
