package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The job's exit codes, which the spark-operator's restart policy relies on: 2 for bad
 * configuration (a malformed setting; a state store bound too small for the shuffle partitions), 1
 * when a running query fails (here: its Cassandra table disappears under it).
 */
class JobExitCodesIT {

  @Test
  void badConfigurationExitsTwoWithTheReason() {
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(), SharedServices.cassandra(), "badconf", Map.of())) {
      Map<String, String> env = new HashMap<>(f.env);
      env.put("PIPELINE_VERSION", "V-2");
      StreamingJobProcess job = StreamingJobProcess.start(env, f.workDir.resolve("job-badconf"));
      try {
        assertThat(job.waitFor(Duration.ofMinutes(1))).as("the job exits").isTrue();
        assertThat(job.exitCode()).hasValue(2);
        // the generated usage lists every option on two lines: read past it to the error
        assertThat(job.logTail(200))
            .contains("PIPELINE_VERSION must match [a-z0-9_]+")
            .contains("Usage: StreamingJob");
      } finally {
        job.destroy();
      }
    }
  }

  @Test
  void aStateStoreBoundTooSmallForItsPartitionsExitsTwoBeforeAnyQueryStarts() throws Exception {
    // 4 shuffle partitions x 2 stateful operators x 2 memtables of at least 1 MiB, in half the
    // bound: at least 32 MiB (StateStoreMemory); RocksDB is the default store
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "smallstate",
            Map.of("SHUFFLE_PARTITIONS", "4", "STATE_STORE_MEMORY_MB", "16"))) {
      StreamingJobProcess job = f.startJob();
      try {
        assertThat(job.waitFor(Duration.ofMinutes(1))).as("the job exits").isTrue();
        assertThat(job.exitCode()).as(job.logTail(60)).hasValue(2);
        assertThat(readLog(job))
            .contains(
                "STATE_STORE_MEMORY_MB=16 cannot hold the RocksDB memtables of 8 state stores")
            .contains("SHUFFLE_PARTITIONS=4")
            .contains("raise STATE_STORE_MEMORY_MB to at least 32");
        Path checkpoints = f.workDir.resolve("checkpoints");
        if (Files.exists(checkpoints)) {
          try (Stream<Path> files = Files.walk(checkpoints)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                .as("no query started: no offset log")
                .doesNotContain("offsets");
          }
        }
      } finally {
        job.destroy();
      }
    }
  }

  @Test
  void aFailingQueryMakesTheJobExitOne() {
    try (PipelineFixture f =
        new PipelineFixture(SharedServices.kafka(), SharedServices.cassandra(), "fail", Map.of())) {
      Instant t = Instant.parse("2025-04-01T12:00:00Z");
      f.send(KnownTrips.valid("f1", 5, 20, t, Duration.ofMinutes(10)).toArray(String[]::new));
      StreamingJobProcess job = f.startJob();
      f.awaitUntil("the first aggregates", () -> f.tripCountSum("zone_windows_v1") == 20);

      f.session().execute("DROP TABLE " + f.keyspace + ".zone_windows_v1");
      f.send(KnownTrips.valid("f2", 6, 20, t, Duration.ofMinutes(10)).toArray(String[]::new));

      assertThat(job.waitFor(PipelineFixture.CONVERGE_TIMEOUT))
          .as("the job exits after the write fails")
          .isTrue();
      assertThat(job.exitCode()).as(job.logTail(60)).hasValue(1);
      // The whole log: the failure's message carries the query's plan and the driver's stack
      // trace, hundreds of lines after the line that names it.
      assertThat(readLog(job)).contains("a streaming query failed");
    }
  }

  private static String readLog(StreamingJobProcess job) {
    try {
      return Files.readString(job.logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
