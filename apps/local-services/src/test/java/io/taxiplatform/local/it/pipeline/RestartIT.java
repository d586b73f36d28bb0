package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job is killed hard (SIGKILL) mid-stream and restarted from the same checkpoint: the final
 * aggregates are still exact (nothing lost, nothing counted twice), and every dead letter is there.
 */
class RestartIT {

  private static final Logger LOG = LoggerFactory.getLogger(RestartIT.class);

  @Test
  void killedJobResumesFromItsCheckpointWithExactAggregates() {
    // Small micro-batches so that the kill lands mid-stream.
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "restart",
            Map.of("WATERMARK_DELAY", "3650 days", "MAX_OFFSETS_PER_TRIGGER", "60"))) {
      Instant start = Instant.parse("2025-02-03T07:00:00Z");
      List<byte[]> first = new ArrayList<>();
      KnownTrips.valid("r1", 11, 900, start, Duration.ofHours(2))
          .forEach(s -> first.add(s.getBytes(StandardCharsets.UTF_8)));
      first.add(300, "{broken".getBytes(StandardCharsets.UTF_8));
      first.add(
          600,
          KnownTrips.trip("r-neg", start, start.plusSeconds(60), 1, 4, 4, -3, 0, -3)
              .getBytes(StandardCharsets.UTF_8));
      f.send(first);

      var job = f.startJob();
      f.awaitUntil("the first rows in Cassandra", () -> f.tripCountSum("zone_windows_v1") > 0);
      long atKill = f.tripCountSum("zone_windows_v1");
      job.killHard();
      LOG.info("killed the job with {} of 900 trips in zone_windows_v1", atKill);
      assertThat(atKill).as("the kill landed mid-stream").isLessThan(900);

      List<byte[]> second = new ArrayList<>();
      KnownTrips.valid("r2", 12, 300, start.plusSeconds(1800), Duration.ofHours(2))
          .forEach(s -> second.add(s.getBytes(StandardCharsets.UTF_8)));
      second.add(
          100,
          KnownTrips.trip("r-zone", start, start.plusSeconds(60), 1, 300, 4, 3, 0, 3)
              .getBytes(StandardCharsets.UTF_8));
      f.send(second);

      f.startJob();
      ExpectedWindows expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      assertThat(expected.validCount()).isEqualTo(1200);
      long boroughTotal = expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      f.awaitUntil(
          "the restarted job's aggregates of 1200 trips",
          () ->
              f.tripCountSum("zone_windows_v1") == 1200
                  && f.tripCountSum("window_zones_v1") == 1200
                  && f.tripCountSum("borough_windows_v1") == boroughTotal);
      f.awaitUntil("the 3 dead letters", () -> f.deadLetterSources().size() >= 3);
      f.awaitUntil(
          "every record through the restarted query",
          () ->
              f.metric("taxi_stream_input_rows_total", Map.of("query", "window_aggregates"))
                      .orElse(0)
                  > 0);

      f.assertTablesEqual(expected, "v1");
      assertThat(stateFiles(f, ".changelog"))
          .as("the default state store is RocksDB with changelog checkpointing")
          .isNotEmpty();
      assertThat(stateFiles(f, ".delta")).as("no heap-backed store's files").isEmpty();
      // Dead letters are at-least-once (a re-run micro-batch may write one again): each rejected
      // record is
      // there, and nothing else.
      assertThat(f.deadLetterSources()).hasSize(3);
      assertThat(f.deadLetterReasons().keySet())
          .containsExactlyInAnyOrder("malformed_json", "fare_out_of_range", "zone_out_of_range");
    }
  }

  /**
   * A pipeline version whose checkpoint was started with the heap-backed store (every version
   * before RocksDB became the default) is resumed by a job whose default is RocksDB: Spark keeps
   * the checkpoint's store, the job says so, and the aggregates stay exact across the upgrade.
   */
  @Test
  void aVersionStartedOnTheHeapStoreKeepsItWhenTheDefaultIsRocksDb() throws Exception {
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "storeupgrade",
            Map.of(
                "WATERMARK_DELAY", "3650 days",
                "MAX_OFFSETS_PER_TRIGGER", "100",
                "STATE_STORE", "hdfs"))) {
      Instant start = Instant.parse("2025-02-03T07:00:00Z");
      List<byte[]> first = new ArrayList<>();
      KnownTrips.valid("u1", 21, 400, start, Duration.ofHours(2))
          .forEach(t -> first.add(t.getBytes(StandardCharsets.UTF_8)));
      f.send(first);
      var old = f.startJob();
      f.awaitUntil(
          "the 400 trips of the first run", () -> f.tripCountSum("zone_windows_v1") == 400);
      old.destroy();
      assertThat(old.waitFor(Duration.ofSeconds(60))).as("the first job stopped").isTrue();
      // SIGTERM: the shutdown hook stops the query, and Spark is stopped only after that (the main
      // thread, woken by the query's end, used to stop Spark under the hook's stop in most runs)
      assertThat(Files.readString(old.logFile()))
          .contains("stopping the queries (JVM shutdown)")
          .doesNotContain("cannot stop query");
      assertThat(stateFiles(f, ".delta"))
          .as("the first run kept its state on the heap")
          .isNotEmpty();
      int deltasBefore = stateFiles(f, ".delta").size();

      f.env.remove("STATE_STORE");
      List<byte[]> second = new ArrayList<>();
      // The same trips again (de-duplicated by the resumed state) and new ones.
      KnownTrips.valid("u1", 21, 400, start, Duration.ofHours(2))
          .forEach(t -> second.add(t.getBytes(StandardCharsets.UTF_8)));
      KnownTrips.valid("u2", 22, 300, start.plusSeconds(900), Duration.ofHours(2))
          .forEach(t -> second.add(t.getBytes(StandardCharsets.UTF_8)));
      f.send(second);
      var resumed = f.startJob();
      // Each trip as the first run counted it: the earliest copy (the copies are not keyed, so
      // they may sit in other partitions than the originals).
      Map<String, ExpectedWindows.Input> counted = new java.util.LinkedHashMap<>();
      for (ExpectedWindows.Input in : f.tripInputs()) {
        counted.merge(
            ExpectedWindows.tripId(in.value()),
            in,
            (a, b) -> b.ingestTime().isBefore(a.ingestTime()) ? b : a);
      }
      ExpectedWindows expected =
          ExpectedWindows.compute(
              List.copyOf(counted.values()),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      assertThat(expected.validCount()).isEqualTo(700);
      f.awaitUntil(
          "the resumed job's aggregates of 700 distinct trips",
          () -> f.tripCountSum("zone_windows_v1") == 700);
      f.awaitUntil(
          "every offset of the second send read",
          () ->
              f.metric("taxi_stream_input_rows_total", Map.of("query", "window_aggregates"))
                      .orElse(0)
                  >= 700);
      f.assertTablesEqual(expected, "v1");
      assertThat(stateFiles(f, ".delta").size())
          .as("the resumed job went on writing the heap-backed store's files")
          .isGreaterThan(deltasBefore);
      assertThat(stateFiles(f, ".changelog")).as("and no RocksDB state").isEmpty();
      assertThat(Files.readString(resumed.logFile()))
          .contains(
              "state store: org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider,"
                  + " recorded in the checkpoint of pipeline version v1")
          .contains("STATE_STORE=rocksdb applies to new pipeline versions");
    }
  }

  /** The files under the window query's state directory whose names end with {@code suffix}. */
  private static List<Path> stateFiles(PipelineFixture f, String suffix) {
    Path state = f.workDir.resolve("checkpoints/v1/window_aggregates/state");
    if (!Files.isDirectory(state)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(state)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
