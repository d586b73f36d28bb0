package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taxiplatform.bench.probe.FakeThreads;
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

    assertThat(cpu.keySet()).containsExactlyElementsOf(JvmThreadCpu.GROUPS);
    assertThat(cpu.get("tasks")).isCloseTo(31.0, within(1e-9));
    assertThat(cpu.get("jit")).isCloseTo(26.16, within(1e-9));
    assertThat(cpu.get("gc")).isCloseTo(1.03, within(1e-9));
    assertThat(cpu.get("query_driver")).isCloseTo(4.9, within(1e-9));
    assertThat(cpu.get("rocksdb")).isCloseTo(1.6, within(1e-9));
    assertThat(cpu.get("other")).isCloseTo(6.1, within(1e-9));
    assertThat(cpu.get("total")).isCloseTo(70.79, within(1e-9));
    assertThat(JvmThreadCpu.describe(cpu)).startsWith("tasks 31.0 s, jit 26.2 s, gc 1.0 s");
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
}
