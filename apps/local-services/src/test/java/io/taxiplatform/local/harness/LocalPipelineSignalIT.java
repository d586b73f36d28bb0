package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Local mode stops everything on a signal: LocalPipeline {@code --services-only} runs in its own
 * JVM with real Kafka and Cassandra; a SIGINT (what Ctrl-C sends) must leave no process and no
 * listening port.
 */
class LocalPipelineSignalIT {

  @Test
  void ctrlCStopsEveryServiceAndFreesThePorts() throws Exception {
    StopSignal stop = StopSignal.here();
    JvmProcess pipeline = startServicesOnly("local-pipeline-signal");
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

      stop.sendAndAwaitExit(pipeline);
      assertThat(pipeline.exitCode()).hasValue(stop.exitCode());
      assertThat(services)
          .as("services after SIG%s", stop.name())
          .noneMatch(ProcessHandle::isAlive);
      assertThat(ports).noneMatch(FreePorts::isListening);
      assertThat(Files.readString(pipeline.logFile())).contains("all local services stopped");
    } finally {
      pipeline.destroy(Duration.ofSeconds(5));
    }
  }

  /**
   * A stop while the services start: they are stopped as they are, not waited for until they are
   * ready. Before, local mode went on starting Kafka and waited for Cassandra to be ready before it
   * stopped them (18-23 s after one Ctrl-C during the start-up of the README's command).
   */
  @Test
  void aStopDuringTheStartUpDoesNotWaitForTheServices() throws Exception {
    StopSignal stop = StopSignal.here();
    JvmProcess pipeline = startServicesOnly("local-pipeline-start-stop");
    try {
      // the signal once Kafka's broker and Cassandra run, seconds before either is ready
      List<ProcessHandle> services =
          Waits.until(
              "Kafka's broker and Cassandra forked",
              Duration.ofMinutes(2),
              Duration.ofMillis(20),
              () -> pipeline.handle().descendants().toList(),
              jvms ->
                  runs(jvms, KafkaNode.LAUNCHER)
                      && runs(jvms, "org.apache.cassandra.service.CassandraDaemon"),
              () -> "not both forked:\n" + pipeline.logTail(40));
      stop.sendAndAwaitExit(pipeline);
      String log = Files.readString(pipeline.logFile());
      assertThat(pipeline.exitCode()).as(log).hasValue(stop.exitCode());
      assertThat(log).contains("stopping ...");
      String afterStop = log.substring(log.indexOf("stopping ..."));
      assertThat(afterStop)
          .as("stopped as they were")
          .doesNotContain("Kafka (KRaft) ready at")
          .doesNotContain("Cassandra ready at")
          .contains("all local services stopped");
      assertThat(services)
          .as("services after SIG%s", stop.name())
          .noneMatch(ProcessHandle::isAlive);
      assertThat(pipeline.handle().descendants().toList()).isEmpty();
    } finally {
      pipeline.destroy(Duration.ofSeconds(5));
    }
  }

  private static boolean runs(List<ProcessHandle> jvms, String mainClass) {
    return jvms.stream().anyMatch(h -> arguments(h).contains(mainClass));
  }

  /** A process's command-line arguments (none once it has gone). */
  private static List<String> arguments(ProcessHandle h) {
    return h.info().arguments().map(List::of).orElse(List.of());
  }

  /**
   * Ctrl-C in a terminal: SIGINT to local mode's whole process group, the services included, while
   * the producer sends, after the first aggregates of a first run. The services ignore it, and
   * local mode stops them in order: the producer first, while Kafka still takes its last sends (no
   * send error, no "FAILED" in the summary), then the job, Cassandra and Kafka. Before, the broker
   * went down with the signal under the producer's sends (246 send errors and a flood of warnings
   * in one Ctrl-C of the README's command).
   */
  @Test
  void ctrlCInATerminalStopsTheProducerWhileKafkaStillRuns() throws Exception {
    Path perl = Path.of("/usr/bin/perl");
    Path setsid = Path.of("/usr/bin/setsid");
    Assumptions.assumeTrue(
        Files.isExecutable(perl) && Files.isExecutable(setsid),
        "needs /usr/bin/setsid and /usr/bin/perl to start local mode in a process group of its own"
            + " with SIGINT deliverable");
    Path workDir = LocalPaths.newWorkDir("local-pipeline-ctrl-c");
    List<String> command = new ArrayList<>();
    // its own session and process group (the terminal's foreground group), SIGINT at its default
    // even where this JVM inherited it ignored
    command.addAll(
        List.of(
            setsid.toString(),
            perl.toString(),
            "-e",
            "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m"));
    for (String property :
        List.of(
            LocalPaths.KAFKA_CLASSPATH_PROPERTY,
            LocalPaths.CASSANDRA_CLASSPATH_PROPERTY,
            LocalPaths.STREAMING_CLASSPATH_PROPERTY,
            LocalPaths.STREAMING_JAR_PROPERTY)) {
      String value = System.getProperty(property);
      if (value != null) {
        command.add("-D" + property + "=" + value);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            LocalPipeline.class.getName(),
            "--work-dir",
            workDir.toString(),
            "--progress",
            "1"));
    Files.createDirectories(workDir);
    Path log = workDir.resolve("local-pipeline.log");
    Process pipeline =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    try {
      // A first run, as a user's: its first aggregates are out, its services' class lists kept for
      // the archives the stop hands to a background process, and the producer sends.
      Waits.until(
          "the first aggregates, in " + log,
          Duration.ofMinutes(4),
          Duration.ofMillis(250),
          () -> {
            String text = Files.readString(log);
            if (!pipeline.isAlive()) {
              throw new AssertionError(
                  "local mode exited with " + pipeline.exitValue() + ":\n" + text);
            }
            return text;
          },
          text -> text.contains("first run of this build"),
          () -> "no first aggregates within 4 minutes:\n" + JvmProcess.tail(log, 40));
      List<ProcessHandle> services = pipeline.toHandle().descendants().toList();
      assertThat(services).as("Kafka, Cassandra and the job").hasSizeGreaterThanOrEqualTo(3);
      // the README's command (1,000 events/s): the services and the job run with the light JIT
      // (LocalPipeline.lightJit), and the first aggregates above came out of them
      for (String main :
          List.of(
              KafkaNode.LAUNCHER,
              "org.apache.cassandra.service.CassandraDaemon",
              "io.taxiplatform.streaming.StreamingJob")) {
        assertThat(
                services.stream()
                    .map(LocalPipelineSignalIT::arguments)
                    .filter(arguments -> arguments.contains(main))
                    .toList())
            .as("the command lines of %s", main)
            .isNotEmpty()
            .allMatch(arguments -> arguments.contains(LocalPipeline.LIGHT_JIT));
      }

      int killed =
          new ProcessBuilder("kill", "-INT", "--", "-" + pipeline.pid())
              .inheritIO()
              .start()
              .waitFor();
      assertThat(killed).isZero();

      assertThat(pipeline.waitFor(2, java.util.concurrent.TimeUnit.MINUTES))
          .as("local mode exits after Ctrl-C")
          .isTrue();
      String text = Files.readString(log);
      assertThat(pipeline.exitValue()).as(text).isEqualTo(130);
      assertThat(text)
          .contains("all local services stopped")
          .containsPattern("send errors:\\s+0\\R")
          .doesNotContain("FAILED")
          .doesNotContain("Producer closed while send in progress");
      assertThat(services).as("services after Ctrl-C").noneMatch(ProcessHandle::isAlive);
      // the archives are left to a detached process, started once the services have stopped
      // (ClassDataArchivesTest); none is marked failed (its JVM would not be archived again)
      assertThat(text)
          .containsPattern("archiving the services' classes under .* in the background");
      List<Path> cds;
      try (java.util.stream.Stream<Path> files = Files.list(workDir.resolve("cds"))) {
        cds = files.sorted().toList();
      }
      StringBuilder logs = new StringBuilder();
      for (Path f : cds) {
        if (f.getFileName().toString().endsWith(".log")) {
          logs.append("\n--- ").append(f).append(":\n").append(JvmProcess.tail(f, 20));
        }
      }
      assertThat(cds.stream().map(f -> f.getFileName().toString()))
          .as("class-data files; the dumps' logs:%s", logs)
          .noneMatch(f -> f.endsWith(".failed"));
    } finally {
      pipeline.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      pipeline.destroyForcibly();
      // the detached archiving process, in a session of its own: not needed after the test
      Matcher dump =
          Pattern.compile("in the background \\(pid (\\d+)\\)").matcher(Files.readString(log));
      if (dump.find()) {
        ProcessHandle.of(Long.parseLong(dump.group(1)))
            .ifPresent(
                h -> {
                  h.descendants().forEach(ProcessHandle::destroyForcibly);
                  h.destroyForcibly();
                });
      }
    }
  }

  /**
   * The signal a test stops local mode with, and the exit code that stop gives: SIGINT (what Ctrl-C
   * sends, exit 130), or SIGTERM (143) where this JVM inherited SIGINT ignored, as its children
   * then do (a background job of a non-interactive shell).
   */
  private record StopSignal(String name, int exitCode) {
    static StopSignal here() throws IOException {
      return sigintIgnoredHere() ? new StopSignal("TERM", 143) : new StopSignal("INT", 130);
    }

    /** Sends the signal to local mode alone and waits (a minute at most) for it to exit. */
    void sendAndAwaitExit(JvmProcess pipeline) throws Exception {
      int killed =
          new ProcessBuilder("kill", "-" + name, String.valueOf(pipeline.pid()))
              .inheritIO()
              .start()
              .waitFor();
      assertThat(killed).isZero();
      assertThat(pipeline.waitFor(Duration.ofMinutes(1)))
          .as("local mode exits after SIG%s", name)
          .isTrue();
    }
  }

  /** LocalPipeline {@code --services-only} in a JVM of its own, in a new work directory. */
  private static JvmProcess startServicesOnly(String name) {
    Path workDir = LocalPaths.newWorkDir(name);
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m"));
    for (String property :
        List.of(LocalPaths.KAFKA_CLASSPATH_PROPERTY, LocalPaths.CASSANDRA_CLASSPATH_PROPERTY)) {
      String value = System.getProperty(property);
      if (value != null) {
        jvmArgs.add("-D" + property + "=" + value);
      }
    }
    return JvmProcess.builder("local-pipeline", LocalPipeline.class.getName())
        .classpath(System.getProperty("java.class.path"))
        .jvmArgs(jvmArgs)
        .args(List.of("--services-only", "--work-dir", workDir.toString()))
        .workDir(workDir)
        .start();
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
