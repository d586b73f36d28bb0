package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.LocalPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Local mode end to end: a bounded synthetic run goes through real Kafka, the real streaming job
 * (with the zone lookup it ships: no {@code --zones}) and real Cassandra, local mode notices that
 * the job has taken in every record, prints the summary with zone names, exits 0 and leaves no
 * process behind but the detached one that builds its class-data archives.
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
    // A run this short stops before its class-data archives are built: it leaves that to one
    // detached process, the only one allowed to outlive it (stopped here: the test is done).
    Matcher archiving =
        Pattern.compile(
                "archiving the services' classes under .* in the background \\(pid (\\d+)\\)")
            .matcher(output);
    assertThat(archiving.find())
        .as("the stop hands the archives over; stdout:%n%s", output)
        .isTrue();
    long dump = Long.parseLong(archiving.group(1));
    try {
      assertThat(
              ProcessHandle.current()
                  .descendants()
                  .filter(p -> !before.contains(p.pid()) && p.isAlive())
                  .filter(p -> !within(p, dump))
                  .toList())
          .as("processes started by local mode")
          .isEmpty();
    } finally {
      ProcessHandle.of(dump)
          .ifPresent(
              h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
              });
    }
  }

  /** Whether {@code p} is {@code pid} or one of its descendants. */
  private static boolean within(ProcessHandle p, long pid) {
    for (Optional<ProcessHandle> h = Optional.of(p); h.isPresent(); h = h.get().parent()) {
      if (h.get().pid() == pid) {
        return true;
      }
    }
    return false;
  }
}
