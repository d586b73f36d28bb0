package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraAccessTest {

  private static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void rolesGetTheContractsGrantsOnTheKeyspace() {
    CassandraAccess.Settings s =
        CassandraAccess.parse(
            env(
                "CASSANDRA_KEYSPACE",
                "taxi",
                "CASSANDRA_USERNAME",
                "taxi_superuser",
                "CASSANDRA_PASSWORD",
                "admin-pw",
                "CASSANDRA_JOB_ROLE",
                "taxi_job",
                "CASSANDRA_JOB_ROLE_PASSWORD",
                "job-pw",
                "CASSANDRA_READER_ROLE",
                "taxi_grafana",
                "CASSANDRA_READER_ROLE_PASSWORD",
                "reader-pw",
                "CASSANDRA_TEST_ROLE",
                "taxi_test",
                "CASSANDRA_TEST_ROLE_PASSWORD",
                "test-pw"));
    assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(5));
    List<String> cql =
        CassandraAccess.statements(s).stream().map(CassandraAccess.Statement::cql).toList();
    assertThat(cql)
        .containsExactly(
            "CREATE KEYSPACE IF NOT EXISTS taxi WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            "CREATE TABLE IF NOT EXISTS taxi.schema_migrations (version text PRIMARY KEY, description text, "
                + "applied_at timestamp)",
            "CREATE ROLE IF NOT EXISTS taxi_job WITH LOGIN = true AND PASSWORD = 'job-pw'",
            "ALTER ROLE taxi_job WITH LOGIN = true AND PASSWORD = 'job-pw'",
            "GRANT CREATE ON KEYSPACE taxi TO taxi_job",
            "GRANT ALTER ON KEYSPACE taxi TO taxi_job",
            "GRANT SELECT ON KEYSPACE taxi TO taxi_job",
            "GRANT MODIFY ON KEYSPACE taxi TO taxi_job",
            "CREATE ROLE IF NOT EXISTS taxi_grafana WITH LOGIN = true AND PASSWORD = 'reader-pw'",
            "ALTER ROLE taxi_grafana WITH LOGIN = true AND PASSWORD = 'reader-pw'",
            "GRANT SELECT ON KEYSPACE taxi TO taxi_grafana",
            "CREATE ROLE IF NOT EXISTS taxi_test WITH LOGIN = true AND PASSWORD = 'test-pw'",
            "ALTER ROLE taxi_test WITH LOGIN = true AND PASSWORD = 'test-pw'",
            "GRANT SELECT ON KEYSPACE taxi TO taxi_test");
    // The bootstrap DDL is the job's own.
    assertThat(cql.subList(0, 2))
        .isEqualTo(
            CassandraSchema.bootstrapStatements(
                "taxi", "{'class': 'SimpleStrategy', 'replication_factor': 1}"));
    assertThat(CassandraAccess.statements(s))
        .extracting(CassandraAccess.Statement::shown)
        .noneMatch(t -> t.contains("-pw"));
    assertThat(s.toString()).doesNotContain("-pw");
  }

  @Test
  void aPasswordWithQuotesIsACqlLiteral() {
    CassandraAccess.Settings s =
        CassandraAccess.parse(
            env(
                "CASSANDRA_READER_ROLE",
                "r",
                "CASSANDRA_READER_ROLE_PASSWORD",
                "it's'; DROP KEYSPACE x; --\n"));
    assertThat(CassandraAccess.statements(s).get(2).cql())
        .isEqualTo(
            "CREATE ROLE IF NOT EXISTS r WITH LOGIN = true AND PASSWORD = 'it''s''; DROP KEYSPACE x; --'");
  }

  @Test
  void aRoleWithoutItsPasswordOrThePasswordWithoutItsRoleIsAUsageErrorNamingTheVariable() {
    assertThatThrownBy(() -> CassandraAccess.parse(env("CASSANDRA_JOB_ROLE", "taxi_job")))
        .hasMessageContaining("CASSANDRA_JOB_ROLE_PASSWORD");
    assertThatThrownBy(() -> CassandraAccess.parse(env("CASSANDRA_READER_ROLE_PASSWORD", "x")))
        .hasMessageContaining("CASSANDRA_READER_ROLE ");
    assertThatThrownBy(
            () ->
                CassandraAccess.parse(
                    env("CASSANDRA_TEST_ROLE", "Taxi-Test", "CASSANDRA_TEST_ROLE_PASSWORD", "x")))
        .hasMessageContaining("CASSANDRA_TEST_ROLE must match");
    assertThatThrownBy(
            () ->
                CassandraAccess.parse(
                    env(
                        "CASSANDRA_USERNAME",
                        "su",
                        "CASSANDRA_PASSWORD",
                        "p",
                        "CASSANDRA_JOB_ROLE",
                        "su",
                        "CASSANDRA_JOB_ROLE_PASSWORD",
                        "x")))
        .hasMessageContaining("superuser");
    assertThatThrownBy(
            () ->
                CassandraAccess.parse(
                    env(
                        "CASSANDRA_JOB_ROLE",
                        "a",
                        "CASSANDRA_JOB_ROLE_PASSWORD",
                        "x",
                        "CASSANDRA_READER_ROLE",
                        "a",
                        "CASSANDRA_READER_ROLE_PASSWORD",
                        "y")))
        .hasMessageContaining("CASSANDRA_READER_ROLE");
    assertThatThrownBy(() -> CassandraAccess.parse(env("CASSANDRA_ACCESS_TIMEOUT", "soon")))
        .hasMessageContaining("CASSANDRA_ACCESS_TIMEOUT");
    assertThatThrownBy(() -> CassandraAccess.parse(env("CASSANDRA_KEYSPACE", "bad-name")))
        .hasMessageContaining("CASSANDRA_KEYSPACE");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        CassandraAccess.run(
            new String[0], env("CASSANDRA_JOB_ROLE", "taxi_job"), print(out), print(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("error: CASSANDRA_JOB_ROLE is set but " + "CASSANDRA_JOB_ROLE_PASSWORD is not");
  }

  @Test
  void contactPointsTakeTheConnectorsForm() {
    assertThat(CassandraAccess.contactPoints("127.0.0.1:9142, 127.0.0.2"))
        .extracting(a -> a.getHostString() + ":" + a.getPort())
        .containsExactly("127.0.0.1:9142", "127.0.0.2:9042");
    assertThatThrownBy(() -> CassandraAccess.contactPoints("h:x"))
        .hasMessageContaining("CASSANDRA_CONTACT_POINTS");
  }

  @Test
  void anUnreachableClusterIsRetriedUntilTheTimeoutThenExitsOneWithOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    int code =
        CassandraAccess.run(
            new String[0],
            env(
                "CASSANDRA_CONTACT_POINTS",
                "127.0.0.1:" + port,
                "CASSANDRA_ACCESS_TIMEOUT",
                "8 seconds",
                "CASSANDRA_USERNAME",
                "su",
                "CASSANDRA_PASSWORD",
                "secret-pw"),
            print(out),
            print(err));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(1);
    assertThat(e.lines().count()).as(e).isEqualTo(1);
    assertThat(e)
        .startsWith(
            "error: cannot connect to Cassandra at 127.0.0.1:"
                + port
                + " within CASSANDRA_ACCESS_TIMEOUT (8 s");
    // Every attempt but the last says why it retries (a loaded machine may manage only one in the
    // timeout).
    var attempts = java.util.regex.Pattern.compile("s, (\\d+) attempts\\)").matcher(e);
    assertThat(attempts.find()).as(e).isTrue();
    long retries =
        out.toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.contains("Cassandra not ready"))
            .count();
    assertThat(retries).isEqualTo(Long.parseLong(attempts.group(1)) - 1);
    assertThat(out.toString(StandardCharsets.UTF_8) + e).doesNotContain("secret-pw");
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(8))
        .isLessThan(Duration.ofSeconds(40));
  }

  private static PrintStream print(ByteArrayOutputStream b) {
    return new PrintStream(b, true, StandardCharsets.UTF_8);
  }
}
