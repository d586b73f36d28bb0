package io.taxiplatform.local.it.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.local.harness.Waits;
import io.taxiplatform.local.it.pipeline.KnownTrips;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Restarting a pipeline version with settings its checkpoint cannot serve fails at start with exit
 * 2 and a message that names each changed setting (recorded and new value) and the fix (a new
 * PIPELINE_VERSION), not with a Spark stack trace; so does a checkpoint location the job cannot
 * write. One job run writes the checkpoint, then several short starts are refused, then the
 * original settings resume it, with {@code SHUFFLE_PARTITIONS} left to its default ({@code auto}:
 * the recorded 3, not the 2 cores of local[2]).
 */
class CheckpointSettingsIT {

  private static final Instant T = Instant.parse("2025-05-01T08:00:00Z");

  @Test
  void changedSettingsAndAnUnusableLocationAreRefusedAtStart() throws Exception {
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "ckpt",
            Map.of("SHUFFLE_PARTITIONS", "3"))) {
      f.send(bytes(KnownTrips.valid("c1", 41, 20, T, Duration.ofMinutes(10))));
      StreamingJobProcess first = f.startJob();
      f.awaitUntil("the first 20 trips aggregated", () -> f.tripCountSum("zone_windows_v1") == 20);
      first.destroy();
      assertThat(first.waitFor(Duration.ofMinutes(1))).isTrue();
      Path settings = Path.of(f.env.get("CHECKPOINT_LOCATION"), "v1", "_settings");
      assertThat(Files.readString(settings))
          .contains("SHUFFLE_PARTITIONS=3\n", "ZONE_WINDOW=300 seconds\n");

      Map<String, String> original = new HashMap<>(f.env);
      refused(
          f,
          original,
          Map.of("SHUFFLE_PARTITIONS", "2"),
          "SHUFFLE_PARTITIONS: 3 -> 2 (recorded -> now)");
      refused(
          f,
          original,
          Map.of("ZONE_WINDOW", "10 minutes"),
          "ZONE_WINDOW: 300 seconds -> 600 seconds");
      refused(
          f,
          original,
          Map.of("BOROUGH_WINDOW", "30 minutes", "BOROUGH_SLIDE", "10 minutes"),
          "BOROUGH_WINDOW: 900 seconds -> 1800 seconds; BOROUGH_SLIDE: 300 seconds -> 600 seconds");

      // A job whose queries or row schema changed (TOPOLOGY bumped in the code) meets an older
      // checkpoint:
      // simulated by recording an older topology.
      String recorded = Files.readString(settings);
      Files.writeString(settings, recorded.replaceFirst("(?m)^topology=.*$", "topology=0"));
      refused(f, original, Map.of(), "topology: 0 -> ");
      Files.writeString(settings, recorded);

      Path notADirectory = Files.writeString(f.workDir.resolve("a-file"), "x");
      StreamingJobProcess unusable =
          refused(
              f,
              original,
              Map.of("CHECKPOINT_LOCATION", notADirectory.resolve("checkpoints").toString()),
              "cannot use the checkpoint location");
      assertThat(unusable.logTail(60))
          .contains("CHECKPOINT_LOCATION=" + notADirectory.resolve("checkpoints"));

      // The refusals left the checkpoint as it was: the original settings resume it, the shuffle
      // partitions by default (auto) from the record.
      f.env.clear();
      f.env.putAll(original);
      f.env.remove("SHUFFLE_PARTITIONS");
      f.send(
          bytes(
              KnownTrips.valid(
                  "c2", 42, 20, T.plus(Duration.ofMinutes(10)), Duration.ofMinutes(10))));
      StreamingJobProcess resumed = f.startJob();
      // (not f.awaitUntil: it fails on the refused jobs' exit code 2)
      Waits.await(
              "40 trips after the resume", PipelineFixture.CONVERGE_TIMEOUT, Duration.ofSeconds(1))
          .failFast(() -> assertThat(resumed.isAlive()).as(() -> resumed.logTail(80)).isTrue())
          .until(() -> f.tripCountSum("zone_windows_v1") == 40);
      assertThat(Files.readString(settings)).isEqualTo(recorded);
      assertThat(resumed.logTail(400)).contains("shuffle partitions: 3 (SHUFFLE_PARTITIONS=auto");
    }
  }

  /**
   * Starts the job with {@code changes} over {@code original}; asserts exit 2, the message, no
   * stack trace.
   */
  private static StreamingJobProcess refused(
      PipelineFixture f,
      Map<String, String> original,
      Map<String, String> changes,
      String message) {
    f.env.clear();
    f.env.putAll(original);
    f.env.putAll(changes);
    StreamingJobProcess job = f.startJob();
    assertThat(job.waitFor(Duration.ofMinutes(2)))
        .as("the job with " + changes + " exits")
        .isTrue();
    String log = job.logTail(400);
    assertThat(job.exitCode()).as(log).hasValue(2);
    assertThat(log).as("the message on stderr").contains("error: ").contains(message);
    if (!changes.containsKey("CHECKPOINT_LOCATION")) {
      assertThat(log).contains("pipeline version v1").contains("new PIPELINE_VERSION");
    }
    assertThat(log)
        .as("no stack trace")
        .doesNotContain("\tat ")
        .doesNotContain("Exception in thread")
        .doesNotContain("StreamingQueryException");
    return job;
  }

  private static List<byte[]> bytes(List<String> values) {
    return values.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
  }
}
