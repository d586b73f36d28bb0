package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.LocalPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Local mode end to end: a bounded synthetic run goes through real Kafka, the real streaming job
 * (with the zone lookup it ships: no {@code --zones}) and real Cassandra, local mode notices that
 * the job has taken in every record, prints the summary with zone names, exits 0 and leaves no
 * process behind.
 */
class LocalPipelineIT {

  @Test
  void aBoundedRunIsProcessedSummarisedAndCleanedUp() {
    Set<Long> before =
        ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        LocalPipeline.run(
            new String[] {
              "--max-events",
              "300",
              "--rate",
              "0",
              "--seed",
              "7",
              "--progress",
              "2",
              "--work-dir",
              LocalPaths.newWorkDir("local-pipeline").toString()
            },
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    String output = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", output, err).isZero();
    assertThat(output)
        .contains("producer finished; waiting for the job to take in every record")
        .containsPattern("sent:\\s+300")
        .contains("last reading: 300 records in taxi.trips, 300 taken in by the job")
        .contains("busiest zones, window starting")
        // named from the lookup the job ships (a zone missing from it would show "Unknown")
        .containsPattern(
            "busiest zone of the last window \\([^)]*\\): \\d+ [^(]+ "
                + "\\((Manhattan|Queens|Brooklyn|Bronx|Staten Island|EWR)\\), \\d+ trips")
        .contains("all local services stopped");
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(p -> !before.contains(p.pid()) && p.isAlive())
                .toList())
        .as("processes started by local mode")
        .isEmpty();
  }
}
