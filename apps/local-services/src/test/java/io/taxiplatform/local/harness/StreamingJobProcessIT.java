package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher of the streaming job: the forked job sees its environment, and a hard kill takes it
 * down.
 */
class StreamingJobProcessIT {

  @Test
  void theJobReadsTheEnvironmentItIsGivenAndRejectsAMissingZoneLookup() throws IOException {
    Path dir = LocalPaths.newWorkDir("job-bad-config");
    // Unset, the job reads the lookup it ships; a path that names no file is an error.
    StreamingJobProcess job =
        StreamingJobProcess.start(
            Map.of(
                "ZONE_LOOKUP_PATH",
                dir.resolve("no-such-lookup.csv").toString(),
                "KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:1",
                "CHECKPOINT_LOCATION",
                dir.resolve("cp").toString()),
            dir);
    try {
      assertThat(job.waitFor(Duration.ofMinutes(2)))
          .as("the job exits on bad configuration")
          .isTrue();
      assertThat(job.exitCode()).isPresent();
      assertThat(job.exitCode().getAsInt()).isNotZero();
      assertThat(Files.readString(job.logFile()))
          .contains("ZONE_LOOKUP_PATH")
          .contains("no-such-lookup.csv");
    } finally {
      job.destroy();
    }
  }

  @Test
  void killHardStopsARunningJobAtOnce() throws Exception {
    Path zones = SharedData.zoneLookup().orElse(null);
    assumeTrue(
        zones != null,
        "needs ../shared/data/" + SharedData.ZONE_LOOKUP + " next to the repository");
    Path dir = LocalPaths.newWorkDir("job-kill");
    Map<String, String> env =
        StreamingJobProcess.environment(
            SharedServices.kafka(), SharedServices.cassandra(), dir.resolve("checkpoints"), zones);
    env.put("TRIPS_TOPIC", "harness.kill.trips");
    env.put("DEAD_LETTER_TOPIC", "harness.kill.dlq");
    env.put("PIPELINE_VERSION", "harness_kill");
    SharedServices.kafka().createTopic("harness.kill.trips", 1);
    SharedServices.kafka().createTopic("harness.kill.dlq", 1);
    StreamingJobProcess job = StreamingJobProcess.start(env, dir.resolve("job"));
    try {
      awaitMetrics(job, Integer.parseInt(env.get("METRICS_PORT")));
      List<ProcessHandle> tree =
          new java.util.ArrayList<>(job.process().handle().descendants().toList());
      tree.add(job.process().handle());

      job.killHard();

      assertThat(job.isAlive()).isFalse();
      assertThat(job.exitCode()).hasValue(137);
      assertThat(tree).noneMatch(ProcessHandle::isAlive);
    } finally {
      job.destroy();
    }
  }

  private static void awaitMetrics(StreamingJobProcess job, int port) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Waits.until(
        "the job's metrics endpoint",
        Duration.ofMinutes(3),
        Duration.ofMillis(250),
        () -> {
          assertThat(job.isAlive()).as("job alive; log:%n%s", job.logTail(40)).isTrue();
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .GET()
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false; // not up yet
          }
        },
        () -> "the job's metrics endpoint did not answer; log:\n" + job.logTail(40));
  }
}
