package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.local.JvmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forks real JVMs (a test main that forks a grandchild) and checks that the whole tree goes away.
 */
class JvmProcessTest {

  @TempDir Path dir;

  private JvmProcess.Builder sleeper(String name, String... args) {
    return JvmProcess.builder(name, TreeMain.class.getName())
        .classpath(System.getProperty("java.class.path"))
        .jvmArg("-Xmx32m")
        .args(List.of(args))
        .env(Map.of("TAXI_TEST_MARKER", "marker-" + name))
        .workDir(dir);
  }

  @Test
  void destroyStopsTheWholeProcessTree() {
    JvmProcess process = sleeper("tree", "fork").start();
    List<ProcessHandle> tree = awaitDescendants(process, 1);
    assertThat(process.isAlive()).isTrue();
    assertThat(process.exitCode()).isEmpty();

    process.destroy(Duration.ofSeconds(5));

    assertThat(process.isAlive()).isFalse();
    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    assertThat(process.exitCode()).isPresent();
  }

  @Test
  void killHardStopsTheTreeAtOnceAndStopIsIdempotent() {
    JvmProcess process = sleeper("hard", "fork").start();
    List<ProcessHandle> tree = awaitDescendants(process, 1);

    process.killHard();

    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    assertThat(process.exitCode()).hasValue(137);
    process.destroy();
    assertThat(process.isAlive()).isFalse();
  }

  @Test
  void runReturnsTheExitCodeAndTheLogHoldsOutputAndEnvironment() throws Exception {
    int exit = sleeper("exit", "exit", "3").run(Duration.ofSeconds(60));

    assertThat(exit).isEqualTo(3);
    Path log = dir.resolve("exit.log");
    assertThat(Files.readString(log)).contains("marker-exit").contains("to stderr");
    // the JVM options it ran with, beside its log
    assertThat(Files.readAllLines(dir.resolve("exit" + JvmProcess.JVM_OPTIONS_FILE)))
        .startsWith("-Xmx32m");
  }

  /** The running JVMs under a directory: what local mode's stop finds still starting. */
  @Test
  void runningListsTheLiveJvmsUnderADirectory() throws Exception {
    JvmProcess process = sleeper("running", "fork").start();
    awaitDescendants(process, 1);
    Path elsewhere = Files.createTempDirectory("jvm-process-elsewhere");
    try {
      assertThat(JvmProcess.running(dir)).containsExactly(process);
      assertThat(JvmProcess.running(dir.getParent())).contains(process);
      assertThat(JvmProcess.running(elsewhere)).doesNotContain(process);

      process.destroy(Duration.ofSeconds(5));
      assertThat(JvmProcess.running(dir)).as("once it exited").isEmpty();
    } finally {
      process.destroy(Duration.ofSeconds(5));
      Files.deleteIfExists(elsewhere);
    }
  }

  /**
   * Local mode's stop during the start-up: once it has taken its list, no start under its run
   * directory forks a service it would not stop (before, a Kafka broker and a Cassandra node forked
   * beside a Ctrl-C ran on after local mode had exited).
   */
  @Test
  void refusedStartsForkNothingAndTheListHoldsWhatRuns() throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    Path other = Files.createDirectories(dir.resolve("other"));
    JvmProcess running = sleeper("before-stop").workDir(run.resolve("service")).start();
    try {
      assertThat(JvmProcess.refuseStartsUnder(run)).containsExactly(running);

      String marker = "refused-" + System.nanoTime();
      assertThatThrownBy(
              () -> sleeper("after-stop", "sleep", marker).workDir(run.resolve("late")).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not starting after-stop: its owner is stopping");
      assertThat(processesWith(marker)).as("no JVM forked").isEmpty();

      JvmProcess elsewhere = sleeper("elsewhere").workDir(other).start();
      assertThat(elsewhere.isAlive()).as("a directory not refused still starts JVMs").isTrue();
      elsewhere.destroy(Duration.ofSeconds(5));
    } finally {
      running.destroy(Duration.ofSeconds(5));
    }
  }

  /**
   * A JVM forked while its parent shuts down (a start beside a Ctrl-C, after the stop's shutdown
   * hook began) is stopped at once, not left running without a hook to stop it.
   */
  @Test
  void aJvmForkedDuringShutdownIsStoppedNotOrphaned() throws Exception {
    String marker = "orphan-" + System.nanoTime();
    try {
      int exit =
          sleeper("shutdown-fork", "fork-in-shutdown", dir.toString(), marker)
              .run(Duration.ofSeconds(60));
      String log = Files.readString(dir.resolve("shutdown-fork.log"));
      assertThat(exit).as(log).isZero();
      assertThat(log).contains("start refused: not starting late: this JVM is shutting down");
      assertThat(processesWith(marker)).as("the JVM forked during the shutdown").isEmpty();
    } finally {
      processesWith(marker).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** Live processes whose command line holds {@code marker}. */
  private static List<ProcessHandle> processesWith(String marker) {
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .toList();
  }

  private static List<ProcessHandle> awaitDescendants(JvmProcess process, int count) {
    return Waits.until(
        count + " descendants",
        Duration.ofSeconds(60),
        Duration.ofMillis(100),
        () -> process.handle().descendants().toList(),
        children -> children.size() >= count,
        () -> "the forked JVM did not start its child; log:\n" + process.logTail(20));
  }

  /**
   * Test program: {@code fork} starts a grandchild JVM then sleeps; {@code exit N} prints and
   * exits.
   */
  public static final class TreeMain {
    public static void main(String[] args) throws Exception {
      switch (args.length == 0 ? "sleep" : args[0]) {
        case "fork" -> {
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx32m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  TreeMain.class.getName(),
                  "sleep")
              .inheritIO()
              .start();
          Thread.sleep(600_000);
        }
        case "fork-in-shutdown" -> {
          // a start that runs while this JVM shuts down, as local mode's may beside a Ctrl-C
          Runtime.getRuntime()
              .addShutdownHook(
                  new Thread(
                      () -> {
                        try {
                          JvmProcess.builder("late", TreeMain.class.getName())
                              .classpath(System.getProperty("java.class.path"))
                              .jvmArg("-Xmx32m")
                              .args(List.of("sleep", args[2]))
                              .workDir(Path.of(args[1]).resolve("late"))
                              .start();
                          System.out.println("started during the shutdown");
                        } catch (IllegalStateException e) {
                          System.out.println("start refused: " + e.getMessage());
                        }
                      }));
        }
        case "exit" -> {
          System.out.println("env " + System.getenv("TAXI_TEST_MARKER"));
          System.err.println("to stderr");
          System.exit(Integer.parseInt(args[1]));
        }
        default -> Thread.sleep(600_000);
      }
    }
  }
}
