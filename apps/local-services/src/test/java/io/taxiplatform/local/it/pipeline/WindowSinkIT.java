package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Row;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The window sink ({@code Sinks.windows}: one Spark job per micro-batch, the rows upserted from the
 * executors by {@code WindowWriter}) writes exactly what the DataFrame writer it replaced wrote, on
 * a real Cassandra. The Spark side is {@code io.taxiplatform.streaming.WindowSinkCheck} (the
 * streaming-job module's test classes, run as its own JVM on the job's classpath): it writes one
 * static micro-batch of window aggregates with the old DataFrame writer into the tables of pipeline
 * version {@code old} and twice (a re-run micro-batch) through the sink into version {@code new}.
 * This test then reads both from Cassandra and compares every column of every row, and checks the
 * check's comparison of the two bindings of every row (the connector's and the sink's by-index one,
 * {@code TableStatements.Binder}).
 */
class WindowSinkIT {

  private static final String CHECK_MAIN = "io.taxiplatform.streaming.WindowSinkCheck";
  private static final String[] TABLES = {"zone_windows", "window_zones", "borough_windows"};
  private static final Map<String, List<String>> KEYS =
      Map.of(
          "zone_windows", List.of("pickup_zone", "window_start"),
          "window_zones", List.of("window_start", "pickup_zone"),
          "borough_windows", List.of("borough", "window_start"));

  @Test
  void sinkWritesTheSameRowsAsTheDataFrameWriterAndTheLatencyOfEach() throws Exception {
    CassandraNode cassandra = SharedServices.cassandra();
    String ks = "sink_check_" + Long.toHexString(System.nanoTime());
    List<String> result = runCheck(cassandra, ks, "compare", List.of(), 0);
    CqlSession session = cassandra.session();

    Map<String, Integer> rowCounts = new HashMap<>();
    Set<Instant> writtenAt = new HashSet<>();
    for (String table : TABLES) {
      Map<String, Map<String, Object>> old = rows(session, ks, table + "_old", null);
      Map<String, Map<String, Object>> now = rows(session, ks, table + "_new", writtenAt);
      rowCounts.put(table, now.size());
      assertThat(old).as("rows of %s by the DataFrame writer", table).hasSizeGreaterThan(10);
      // Every column carries a value somewhere, so the comparison below covers them all.
      Set<String> nonNull = new HashSet<>();
      old.values().forEach(r -> r.forEach((c, v) -> nonNull.add(v == null ? "<null>" : c)));
      assertThat(nonNull)
          .as("columns of %s with a value", table)
          .containsAll(old.values().iterator().next().keySet());
      // Same keys, same columns, same values (decimals with their scale, timestamps to the ms).
      assertThat(now.keySet()).as("primary keys of %s", table).isEqualTo(old.keySet());
      for (String key : old.keySet()) {
        assertThat(now.get(key)).as("%s row %s", table, key).isEqualTo(old.get(key));
      }
    }
    assertThat(rowCounts.get("window_zones")).isEqualTo(rowCounts.get("zone_windows"));
    // A zone without paid fares: avg_tip_pct is written as null, as the DataFrame writer did.
    assertThat(
            session
                .execute(
                    "SELECT avg_tip_pct FROM " + ks + ".zone_windows_new WHERE pickup_zone = 1")
                .all())
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.isNull("avg_tip_pct")).isTrue());

    // One written_at for the whole micro-batch, that of the second (re-run) call.
    // The by-index binding (TableStatements.Binder) binds what the connector's builder binds:
    // every table, nulls set to null, or left unset with ignoreNulls (zone 1's avg_tip_pct).
    List<String> bindings = result.stream().filter(l -> l.startsWith("BINDINGS ")).toList();
    assertThat(bindings).as("binding comparisons: %s", result).hasSize(2 * TABLES.length);
    for (String line : bindings) {
      Map<String, String> f = new HashMap<>();
      for (String kv : line.split(" ")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      assertThat(f.get("diffs")).as(line).isEqualTo("0");
      assertThat(Integer.parseInt(f.get("rows"))).as(line).isGreaterThan(10);
      if (!line.contains("borough_windows")) {
        boolean ignoreNulls = Boolean.parseBoolean(f.get("ignoreNulls"));
        assertThat(Integer.parseInt(f.get(ignoreNulls ? "unset" : "nulls"))).as(line).isPositive();
        assertThat(Integer.parseInt(f.get(ignoreNulls ? "nulls" : "unset"))).as(line).isZero();
      }
    }

    // A value of another class than the column's codec takes (trip_count as an Integer) goes
    // through the connector's converters, with the same bytes.
    assertThat(result).contains("FALLBACK by-index=null diffs=0");

    List<long[]> runs = new ArrayList<>();
    Map<String, Double> count = new HashMap<>();
    Map<String, Double> sum = new HashMap<>();
    for (String line : result) {
      if (line.startsWith("OLD_JOBS ")) {
        // The listener counts: the DataFrame writer took at least one Spark job per table.
        assertThat(Integer.parseInt(line.substring("OLD_JOBS ".length())))
            .as("Spark jobs of the DataFrame writes")
            .isGreaterThanOrEqualTo(3);
      } else if (line.startsWith("RUN ")) {
        String[] p = line.split(" ");
        runs.add(new long[] {Long.parseLong(p[1]), Long.parseLong(p[2])});
        assertThat(Integer.parseInt(p[3]))
            .as("Spark jobs of one micro-batch's sink: %s", line)
            .isEqualTo(1);
      } else if (line.startsWith("taxi_stream_end_to_end_latency_seconds_")) {
        String table = line.replaceAll(".*table=\"([^\"]+)\".*", "$1");
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        (line.contains("_count{") ? count : sum).put(table, value);
      }
    }
    assertThat(runs).hasSize(2);
    assertThat(writtenAt).as("written_at values of all three tables").hasSize(1);
    long written = writtenAt.iterator().next().toEpochMilli();
    assertThat(written).isBetween(runs.get(1)[0], runs.get(1)[1]);
    // Re-run: upserts, the same rows again (the row counts above equal the DataFrame writer's).

    // The latency histogram: one observation per row written per call, per table, from
    // max_ingest_time until the call's rows are acknowledged (after written_at, before the call
    // returns); a zone row counts for both zone tables.
    for (String table : TABLES) {
      String name = table + "_new";
      int rows = rowCounts.get(table);
      assertThat(count.get(name)).as("latency observations of %s", name).isEqualTo(2.0 * rows);
      double ingestSum = 0;
      for (Row r : session.execute("SELECT max_ingest_time FROM " + ks + "." + name).all()) {
        ingestSum += r.getInstant("max_ingest_time").toEpochMilli() / 1000.0;
      }
      double secondLow = rows * (written / 1000.0) - ingestSum;
      double secondHigh = rows * (runs.get(1)[1] / 1000.0) - ingestSum;
      double firstLow = rows * (runs.get(0)[0] / 1000.0) - ingestSum;
      double firstHigh = rows * (runs.get(0)[1] / 1000.0) - ingestSum;
      assertThat(sum.get(name))
          .as("latency sum of %s", name)
          .isBetween(firstLow + secondLow - 0.01 * rows, firstHigh + secondHigh + 0.01 * rows);
    }

    // The connector's output TTL (spark.cassandra.output.ttl = CASSANDRA_TTL_SECONDS) applies.
    for (String table : TABLES) {
      for (Row r : session.execute("SELECT TTL(trip_count) FROM " + ks + "." + table + "_new")) {
        assertThat(r.getInt(0)).as("TTL of a %s row", table).isBetween(3000, 3600);
      }
    }
  }

  /**
   * The sink honours the connector's output consistency level: at THREE on a one-node cluster every
   * write is unavailable, and the failure fails the micro-batch instead of losing the rows.
   */
  @Test
  void aFailedWriteFailsTheMicroBatch() throws Exception {
    CassandraNode cassandra = SharedServices.cassandra();
    String ks = "sink_fail_" + Long.toHexString(System.nanoTime());
    List<String> result =
        runCheck(
            cassandra,
            ks,
            "new-only",
            List.of("-Dspark.cassandra.output.consistency.level=THREE"),
            3);
    assertThat(String.join("\n", result))
        .startsWith("FAILED ")
        .contains("Failed to write statements to " + ks)
        .contains("consistency THREE");
    for (String table : TABLES) {
      assertThat(rows(cassandra.session(), ks, table + "_new", null)).isEmpty();
    }
  }

  private static List<String> runCheck(
      CassandraNode cassandra, String ks, String mode, List<String> extraJvmArgs, int expectedExit)
      throws Exception {
    Path testClasses = LocalPaths.repoRoot().resolve("apps/streaming-job/target/test-classes");
    assertThat(testClasses.resolve("io/taxiplatform/streaming/WindowSinkCheck.class"))
        .as("the streaming-job module's test classes (build it first)")
        .isRegularFile();
    Path work = LocalPaths.newWorkDir("window-sink");
    Files.createDirectories(work.resolve("tmp"));
    Path result = work.resolve("result.txt");
    List<String> jvmArgs = new ArrayList<>();
    jvmArgs.add("-Xmx1g");
    jvmArgs.addAll(StreamingJobProcess.SPARK_JDK17_OPTIONS);
    jvmArgs.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
    jvmArgs.add("-Dspark.local.dir=" + work.resolve("spark-local"));
    jvmArgs.addAll(extraJvmArgs);
    JvmProcess.Builder check =
        JvmProcess.builder("window-sink-check", CHECK_MAIN)
            .classpath(
                LocalPaths.streamingJar()
                    + File.pathSeparator
                    + testClasses
                    + File.pathSeparator
                    + LocalPaths.streamingClasspath())
            .jvmArgs(jvmArgs)
            .args(List.of(cassandra.contactPoint(), ks, mode, result.toString()))
            .workDir(work);
    int exit = check.run(Duration.ofMinutes(5));
    assertThat(result).as("result of %s (log in %s)", CHECK_MAIN, work).isRegularFile();
    List<String> lines = Files.readAllLines(result);
    assertThat(exit)
        .as("exit code of %s: %s (log in %s)", CHECK_MAIN, lines, work)
        .isEqualTo(expectedExit);
    return lines;
  }

  /**
   * The rows of {@code ks.table} by primary key, every column but {@code written_at}, whose values
   * go to {@code writtenAt} when it is not null.
   */
  private static Map<String, Map<String, Object>> rows(
      CqlSession session, String ks, String table, Set<Instant> writtenAt) {
    String base = table.substring(0, table.lastIndexOf('_'));
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Row r : session.execute("SELECT * FROM " + ks + "." + table)) {
      Map<String, Object> values = new TreeMap<>();
      for (ColumnDefinition c : r.getColumnDefinitions()) {
        String name = c.getName().asInternal();
        if (name.equals("written_at")) {
          assertThat(r.getInstant(name)).as("written_at of a %s row", table).isNotNull();
          if (writtenAt != null) {
            writtenAt.add(r.getInstant(name));
          }
        } else {
          values.put(name, r.getObject(name));
        }
      }
      StringBuilder key = new StringBuilder();
      for (String k : KEYS.get(base)) {
        key.append(values.get(k)).append('|');
      }
      out.put(key.toString(), values);
    }
    return out;
  }
}
