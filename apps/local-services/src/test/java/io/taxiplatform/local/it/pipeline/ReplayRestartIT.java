package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.SharedServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replay is idempotent end to end: the producer (its own JVM, as in its image) is SIGKILLed
 * mid-replay of the real unsorted samples, started again with the same arguments (as a Kubernetes
 * Job's retry does), then run a third time over the finished replay. The job runs throughout in
 * rate-limited micro-batches. The aggregates equal the independent computation over each trip once,
 * nothing is dropped as late, and the topic holds every trip exactly once: the restarted producer
 * resumed after what the topic already held, and the third run sent nothing.
 */
class ReplayRestartIT {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayRestartIT.class);

  @Test
  void producerKilledMidReplayRestartedAndRunAgainCountsEveryTripOnce() throws Exception {
    List<Path> samples = ReplayOrderIT.realSamples();
    Optional<String> classpath = LocalPaths.producerClasspath();
    assumeTrue(
        classpath.isPresent(),
        "the producer module is not built (apps/producer/target): run the reactor build");
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "resume",
            Map.of(
                "MAX_OFFSETS_PER_TRIGGER", Integer.toString(ReplayOrderIT.MAX_OFFSETS_PER_TRIGGER)),
            ReplayOrderIT.PARTITIONS)) {
      f.startJob();
      String input = samples.stream().map(Path::toString).collect(Collectors.joining(","));

      JvmProcess first = producer(f, classpath.get(), input, "1500", "first");
      try {
        f.awaitUntil(
            "the first run mid-replay", () -> recordsInTopic(f) >= 3000 || !first.isAlive());
        assertThat(first.isAlive())
            .as("the first run is still sending when killed:%n%s", first.logTail(20))
            .isTrue();
        first.killHard();
      } finally {
        first.destroy();
      }
      long atKill = recordsInTopic(f);
      LOG.info("producer SIGKILLed with {} records in the topic", atKill);

      JvmProcess second = producer(f, classpath.get(), input, "0", "second");
      assertThat(second.waitFor(Duration.ofMinutes(3))).as("second run finishes").isTrue();
      String secondLog = Files.readString(second.logFile());
      assertThat(second.exitCode()).as(secondLog).hasValue(0);
      long afterSecond = recordsInTopic(f);

      JvmProcess third = producer(f, classpath.get(), input, "0", "third");
      assertThat(third.waitFor(Duration.ofMinutes(3))).as("third run finishes").isTrue();
      String thirdLog = Files.readString(third.logFile());
      assertThat(third.exitCode()).as(thirdLog).hasValue(0);
      assertThat(recordsInTopic(f))
          .as("a run over a finished replay sends nothing:%n%s", thirdLog)
          .isEqualTo(afterSecond);

      ExpectedWindows expected = ReplayOrderIT.awaitEverything(f);
      assertThat(f.tripInputs())
          .as("every trip once in the topic")
          .hasSameSizeAs(f.distinctTripInputs());
      f.assertTablesEqual(expected, "v1");
      for (String query : new String[] {"window_aggregates"}) {
        assertThat(f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("rows dropped as late by " + query)
            .hasValue(0);
      }
      assertThat(f.metric("taxi_stream_valid_trips_total", Map.of()))
          .hasValue(expected.validCount());
      LOG.info(
          "killed at {} records; after the restart {}; after a third run {}; {} valid trips exact",
          atKill,
          afterSecond,
          recordsInTopic(f),
          expected.validCount());
    }
  }

  private static JvmProcess producer(
      PipelineFixture f, String classpath, String input, String rate, String name) {
    return JvmProcess.builder("producer", "io.taxiplatform.producer.ProducerMain")
        .classpath(classpath)
        .jvmArgs(List.of("-Xmx256m"))
        .workDir(f.workDir.resolve("producer-" + name))
        .env(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS",
                f.kafka.bootstrapServers(),
                "TRIPS_TOPIC",
                f.tripsTopic,
                "METRICS_PORT",
                "0"))
        .args(List.of("--mode", "replay", "--input", input, "--rate", rate))
        .start();
  }

  private static long recordsInTopic(PipelineFixture f) {
    return f.endOffsets(f.tripsTopic);
  }
}
