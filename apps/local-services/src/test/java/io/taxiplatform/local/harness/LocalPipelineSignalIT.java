package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.LocalPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Local mode stops everything on a signal: LocalPipeline {@code --services-only} runs in its own
 * JVM with real Kafka and Cassandra; a SIGINT (what Ctrl-C sends) must leave no process and no
 * listening port.
 */
class LocalPipelineSignalIT {

  @Test
  void ctrlCStopsEveryServiceAndFreesThePorts() throws Exception {
    boolean sigintDeliverable = !sigintIgnoredHere();
    String signal = sigintDeliverable ? "INT" : "TERM";
    Path workDir = LocalPaths.newWorkDir("local-pipeline-signal");
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m"));
    for (String property :
        List.of(LocalPaths.KAFKA_CLASSPATH_PROPERTY, LocalPaths.CASSANDRA_CLASSPATH_PROPERTY)) {
      String value = System.getProperty(property);
      if (value != null) {
        jvmArgs.add("-D" + property + "=" + value);
      }
    }
    JvmProcess pipeline =
        JvmProcess.builder("local-pipeline", LocalPipeline.class.getName())
            .classpath(System.getProperty("java.class.path"))
            .jvmArgs(jvmArgs)
            .args(List.of("--services-only", "--work-dir", workDir.toString()))
            .workDir(workDir)
            .start();
    try {
      String log = awaitLog(pipeline, "press Ctrl-C to stop", Duration.ofMinutes(4));
      List<ProcessHandle> services = pipeline.handle().descendants().toList();
      assertThat(services)
          .as("Kafka and Cassandra JVMs")
          .hasSizeGreaterThanOrEqualTo(2)
          .allMatch(ProcessHandle::isAlive);
      List<Integer> ports = new ArrayList<>();
      Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(log);
      while (m.find()) {
        ports.add(Integer.parseInt(m.group(1)));
      }
      assertThat(ports).isNotEmpty().allMatch(FreePorts::isListening);

      int killed =
          new ProcessBuilder("kill", "-" + signal, String.valueOf(pipeline.pid()))
              .inheritIO()
              .start()
              .waitFor();
      assertThat(killed).isZero();

      assertThat(pipeline.waitFor(Duration.ofMinutes(1)))
          .as("local mode exits after SIG%s", signal)
          .isTrue();
      assertThat(pipeline.exitCode()).hasValue(sigintDeliverable ? 130 : 143);
      assertThat(services).as("services after SIG%s", signal).noneMatch(ProcessHandle::isAlive);
      assertThat(ports).noneMatch(FreePorts::isListening);
      assertThat(Files.readString(pipeline.logFile())).contains("all local services stopped");
    } finally {
      pipeline.destroy(Duration.ofSeconds(5));
    }
  }

  /**
   * A JVM started with SIGINT ignored (a background job of a non-interactive shell) passes that on.
   */
  private static boolean sigintIgnoredHere() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        return (mask & (1L << 1)) != 0; // bit of signal 2 (SIGINT)
      }
    }
    return false;
  }

  private static String awaitLog(JvmProcess process, String marker, Duration timeout) {
    return Waits.until(
        "'" + marker + "' in the log",
        timeout,
        Duration.ofMillis(250),
        () -> {
          String log = Files.exists(process.logFile()) ? Files.readString(process.logFile()) : "";
          if (!log.contains(marker) && !process.isAlive()) {
            throw new AssertionError("local mode exited with " + process.exitCode() + ":\n" + log);
          }
          return log;
        },
        log -> log.contains(marker),
        () -> "no '" + marker + "' within " + timeout + ":\n" + process.logTail(40));
  }
}
