package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taxiplatform.bench.probe.FakeThreads;
import io.taxiplatform.bench.probe.ThreadCpu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Thread CPU by group from a /proc tree: a fake one, and this JVM's own on Linux. */
class JvmThreadCpuTest {

  @TempDir Path proc;

  private void thread(long pid, int tid, String comm, long utime, long stime) throws IOException {
    FakeThreads.thread(proc.resolve(pid + "/task"), tid, comm, utime, stime);
  }

  @Test
  void groupsTheThreadsOfOneProcess() throws IOException {
    thread(42, 1, "java", 500, 100);
    thread(42, 2, "Executor task l", 1500, 120);
    thread(42, 3, "Executor task l", 1400, 80);
    thread(42, 4, "C2 CompilerThre", 2000, 10);
    thread(42, 5, "C1 CompilerThre", 600, 6);
    thread(42, 6, "GC Thread#0", 70, 3);
    thread(42, 7, "G1 Conc#0", 20, 0);
    thread(42, 8, "VM Thread", 10, 0);
    thread(42, 9, "stream executio", 450, 40);
    thread(42, 10, "rocksdb:high", 150, 10);
    thread(42, 11, "odd) name (x", 7, 3);
    thread(43, 1, "Executor task l", 99999, 0); // another process: not counted

    Map<String, Double> cpu = JvmThreadCpu.byGroup(proc, 42);

    assertGroups(cpu, 31.0, 26.16, 1.03, 4.9, 1.6, 6.1, 70.79);
    assertThat(JvmThreadCpu.describe(cpu)).startsWith("tasks 31.0 s, jit 26.2 s, gc 1.0 s");
  }

  @Test
  void coresBetweenTwoReadingsCountWhatEachLiveThreadAddedOverTheSeconds() {
    Map<String, ThreadCpu.Sample> before =
        Map.of(
            "1", new ThreadCpu.Sample("Executor task l", 10.0),
            "2", new ThreadCpu.Sample("C2 CompilerThre", 5.0),
            "3", new ThreadCpu.Sample("rocksdb:low", 2.0),
            "4", new ThreadCpu.Sample("Executor task l", 1.0), // ends before the second reading
            "7", new ThreadCpu.Sample("old thread", 9.0)); // id 7 reused by a new thread
    Map<String, ThreadCpu.Sample> after =
        Map.of(
            "1", new ThreadCpu.Sample("Executor task l", 16.0),
            "2", new ThreadCpu.Sample("C2 CompilerThre", 6.0),
            "3", new ThreadCpu.Sample("rocksdb:low", 4.0),
            "5", new ThreadCpu.Sample("stream executio", 1.0), // born in between
            "7", new ThreadCpu.Sample("GC Thread#0", 0.5));

    Map<String, Double> cores = JvmThreadCpu.coresBetween(before, after, 2.0);

    assertGroups(cores, 3.0, 0.5, 0.25, 0.5, 1.0, 0.0, 5.25);
    assertThat(JvmThreadCpu.coresBetween(Map.of(), after, 2.0)).isEmpty();
    assertThat(JvmThreadCpu.coresBetween(before, Map.of(), 2.0)).isEmpty();
    assertThat(JvmThreadCpu.coresBetween(before, after, 0)).isEmpty();
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "reads /proc, which only Linux has")
  void thisJvmsCoresOverASpinAreAtLeastTheSpinsShare() {
    long pid = ProcessHandle.current().pid();
    Map<String, ThreadCpu.Sample> before = JvmThreadCpu.threads(Path.of("/proc"), pid);
    long t0 = System.nanoTime();
    assertThat(FakeThreads.spin(500)).isPositive();
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> cores =
        JvmThreadCpu.coresBetween(before, JvmThreadCpu.threads(Path.of("/proc"), pid), seconds);
    // the main thread spun for the whole span, if the machine gave it a core for half of it
    assertThat(cores.get("total"))
        .isGreaterThan(0.5)
        .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 0.1);
  }

  @Test
  void aProcessThatCannotBeReadGivesNoFigures() {
    assertThat(JvmThreadCpu.byGroup(proc, 7)).isEmpty();
    assertThat(JvmThreadCpu.describe(Map.of())).contains("unavailable");
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "reads /proc, which only Linux has")
  void thisJvmsOwnThreadsAddUp() {
    long pid = ProcessHandle.current().pid();
    assertThat(FakeThreads.spin(300)).isPositive(); // some CPU on the main thread
    Map<String, Double> cpu = JvmThreadCpu.byGroup(pid);
    assertThat(cpu.get("total")).isGreaterThanOrEqualTo(0.2);
    double sum = 0;
    for (String g : JvmThreadCpu.GROUPS) {
      if (!g.equals("total")) {
        sum += cpu.get(g);
      }
    }
    assertThat(sum).isCloseTo(cpu.get("total"), within(1e-6));
  }

  /**
   * {@code cpu} has exactly {@link JvmThreadCpu#GROUPS}, in order, with these figures (tasks, jit,
   * gc, query_driver, rocksdb, other, total).
   */
  private static void assertGroups(Map<String, Double> cpu, double... expected) {
    assertThat(cpu.keySet()).containsExactlyElementsOf(JvmThreadCpu.GROUPS);
    assertThat(expected).hasSameSizeAs(JvmThreadCpu.GROUPS.toArray());
    for (int i = 0; i < expected.length; i++) {
      String g = JvmThreadCpu.GROUPS.get(i);
      assertThat(cpu.get(g)).as(g).isCloseTo(expected[i], within(1e-9));
    }
  }
}
