package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CassandraSchemaTest {

  @ParameterizedTest
  @CsvSource({
    "taxi, v1, 604800",
    "taxi_staging, v2, 86400",
    "Taxi_Mixed, v10_b, 1",
  })
  void theCqlResourcesRenderTheStatementsTheJavaStringsDid(
      String keyspace, String version, int ttl) {
    List<CassandraSchema.Migration> migrations = CassandraSchema.migrations(keyspace, version, ttl);
    assertThat(migrations)
        .containsExactly(
            LegacyDdl.migrations(keyspace, version, ttl).toArray(new CassandraSchema.Migration[0]));
    for (String replication :
        List.of(
            "{'class': 'SimpleStrategy', 'replication_factor': 1}",
            "{'class': 'NetworkTopologyStrategy', 'dc1': 3}")) {
      assertThat(CassandraSchema.bootstrapStatements(keyspace, replication))
          .isEqualTo(LegacyDdl.bootstrapStatements(keyspace, replication));
    }
  }

  @Test
  void splitDropsCommentsAndKeepsSemicolonsInsideQuotes() {
    assertThat(
            CqlScript.split(
                """
                -- a comment; with a semicolon
                INSERT INTO t (a, "b;c") // trailing; comment
                  VALUES ('x; ''y'' -- z', /* block; */ 1);
                /* a block
                   comment; */
                ;
                SELECT * FROM t
                """,
                "test"))
        .containsExactly(
            "INSERT INTO t (a, \"b;c\") VALUES ('x; ''y'' -- z', 1)", "SELECT * FROM t");
  }

  @Test
  void splitFailsOnAnUnclosedStringNamingTheLine() {
    assertThatThrownBy(() -> CqlScript.split("SELECT 1;\nSELECT 'x;\n", "s.cql"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("s.cql: unclosed ' at line 2");
    assertThatThrownBy(() -> CqlScript.split("SELECT 1 /* no end", "s.cql"))
        .hasMessage("s.cql: unclosed /* comment at line 1");
  }

  @Test
  void anUnknownPlaceholderOrMissingResourceIsNamed() {
    assertThatThrownBy(
            () -> CqlScript.render(CassandraSchema.BOOTSTRAP_RESOURCE, Map.of("keyspace", "k")))
        .hasMessageContaining("cql/bootstrap.cql: placeholder ${replication} has no value");
    assertThatThrownBy(() -> CqlScript.render("cql/none.cql", Map.of()))
        .hasMessage("cql/none.cql: no such resource on the classpath");
  }

  @Test
  void aValueCannotAddAStatement() {
    assertThat(
            CassandraSchema.bootstrapStatements(
                "k", "{'class': 'SimpleStrategy'}; DROP KEYSPACE x"))
        .hasSize(2)
        .first()
        .isEqualTo(
            "CREATE KEYSPACE IF NOT EXISTS k WITH replication = {'class': 'SimpleStrategy'}; DROP KEYSPACE x");
  }

  /**
   * A frozen copy of CassandraSchema's DDL as Java strings (before the DDL moved to {@code
   * src/main/resources/cql}): the resources must render exactly these statements.
   */
  private static final class LegacyDdl {

    static List<String> bootstrapStatements(String keyspace, String replication) {
      return List.of(
          "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication,
          "CREATE TABLE IF NOT EXISTS "
              + keyspace
              + ".schema_migrations ("
              + "version text PRIMARY KEY, description text, applied_at timestamp)");
    }

    static List<CassandraSchema.Migration> migrations(
        String keyspace, String pipelineVersion, int ttlSeconds) {
      String metrics =
          "trip_count bigint, fare_total decimal, avg_fare double, revenue_total decimal, "
              + "distance_total decimal, avg_distance double, avg_tip_pct double, duration_total_s bigint, "
              + "avg_duration_s double, max_ingest_time timestamp, written_at timestamp";
      String ttl = "default_time_to_live = " + ttlSeconds;
      String v = pipelineVersion;
      return List.of(
          new CassandraSchema.Migration(
              v + "/001-window-tables",
              "zone, window-zone and borough window tables of pipeline " + v,
              List.of(
                  "CREATE TABLE IF NOT EXISTS "
                      + keyspace
                      + ".zone_windows_"
                      + v
                      + " ("
                      + "pickup_zone int, window_start timestamp, window_end timestamp, zone_name text, borough text, "
                      + metrics
                      + ", PRIMARY KEY ((pickup_zone), window_start))"
                      + " WITH CLUSTERING ORDER BY (window_start DESC) AND "
                      + ttl,
                  "CREATE TABLE IF NOT EXISTS "
                      + keyspace
                      + ".window_zones_"
                      + v
                      + " ("
                      + "window_start timestamp, pickup_zone int, window_end timestamp, zone_name text, borough text, "
                      + metrics
                      + ", PRIMARY KEY ((window_start), pickup_zone))"
                      + " WITH "
                      + ttl,
                  "CREATE TABLE IF NOT EXISTS "
                      + keyspace
                      + ".borough_windows_"
                      + v
                      + " ("
                      + "borough text, window_start timestamp, window_end timestamp, "
                      + metrics
                      + ", PRIMARY KEY ((borough), window_start))"
                      + " WITH CLUSTERING ORDER BY (window_start DESC) AND "
                      + ttl)));
    }
  }
}
