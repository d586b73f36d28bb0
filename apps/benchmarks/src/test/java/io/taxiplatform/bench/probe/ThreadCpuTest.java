package io.taxiplatform.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A program's CPU by thread group between two reads of its threads, and the probe's line. */
class ThreadCpuTest {

  @TempDir Path task;

  private void thread(int tid, String comm, long utime, long stime) throws IOException {
    FakeThreads.thread(task, tid, comm, utime, stime);
  }

  private void end(int tid) throws IOException {
    FakeThreads.end(task, tid);
  }

  @Test
  void groupsTheCpuSpentBetweenTwoReadsAndKeepsWhatEndedThreadsSpent() throws IOException {
    ThreadCpu.Tracker tracker = new ThreadCpu.Tracker(task);
    thread(1, "java", 50, 10);
    thread(2, "C2 CompilerThre", 100, 0);
    thread(3, "replay-read", 5, 0);
    thread(4, "GC Thread#0", 3, 0);
    Map<String, ThreadCpu.Sample> before = tracker.poll();
    assertThat(before).hasSize(4);
    assertThat(before.get("1")).isEqualTo(new ThreadCpu.Sample("java", 0.6));

    thread(3, "replay-read", 105, 0); // +1.0 s, read by a poll, then it ends
    thread(8, "kafka-producer-", 40, 10); // new, read at 0.5 s, then it ends
    tracker.poll();
    thread(10, "replay-index", 30, 0); // new, 0.3 s, ends before any poll reads it: untracked
    end(3);
    end(8);
    end(10);
    thread(1, "java", 350, 20); // main: +3.1 s
    thread(2, "C2 CompilerThre", 300, 5); // jit: +2.05 s
    thread(4, "GC Thread#0", 13, 0); // gc: +0.1 s
    thread(5, "kafka-producer-", 90, 30); // new: all of its 1.2 s
    thread(6, "C1 CompilerThre", 40, 0); // new: 0.4 s
    thread(7, "prometheus-http", 2, 0); // new, other: 0.02 s
    Map<String, ThreadCpu.Sample> now = tracker.poll();
    assertThat(now).hasSize(8); // the ended threads 3 and 8 too

    // the process spent 9.0 s in all: 8.37 s in the threads seen
    Map<String, Double> cpu = ThreadCpu.byGroup(before, now, 9.0);

    assertThat(cpu.keySet()).containsExactlyElementsOf(ThreadCpu.GROUPS);
    assertThat(cpu.get("main")).isCloseTo(3.1, within(1e-9));
    assertThat(cpu.get("kafka_io")).isCloseTo(1.7, within(1e-9));
    assertThat(cpu.get("replay")).isCloseTo(1.0, within(1e-9));
    assertThat(cpu.get("jit")).isCloseTo(2.45, within(1e-9));
    assertThat(cpu.get("gc")).isCloseTo(0.1, within(1e-9));
    assertThat(cpu.get("other")).isCloseTo(0.02, within(1e-9));
    assertThat(cpu.get("untracked")).isCloseTo(9.0 - 8.37, within(1e-9));
  }

  @Test
  void aReusedThreadIdCountsAsANewThreadAndEndedIsNeverNegative() throws IOException {
    thread(9, "replay-index", 500, 0);
    Map<String, ThreadCpu.Sample> before = ThreadCpu.read(task);
    thread(9, "main", 30, 0); // the id now names another thread, with less time than before
    Map<String, Double> cpu = ThreadCpu.byGroup(before, ThreadCpu.read(task), 0.25);
    assertThat(cpu.get("main")).isCloseTo(0.3, within(1e-9));
    assertThat(cpu.get("untracked")).isZero(); // 0.25 - 0.3 < 0: the ticks' rounding
  }

  @Test
  void noProcGivesNoFigures() {
    assertThat(ThreadCpu.read(task.resolve("absent"))).isEmpty();
    assertThat(new ThreadCpu.Tracker(task.resolve("absent")).poll()).isEmpty();
    assertThat(ThreadCpu.byGroup(Map.of(), Map.of(), 1.0)).isEmpty();
    assertThat(ThreadCpu.parse("BENCH_CPU_NS 1\nBENCH_WALL_NS 2\n")).isEmpty();
  }

  @Test
  void aLineThatIsNotAStatLineIsRefused() {
    assertThatThrownBy(() -> ThreadCpu.cpuSeconds("no parentheses 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ThreadCpu.cpuSeconds("1 (x) S 1 2"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theLineParsesBackAndTheLastOneCounts() {
    Map<String, Double> groups = new LinkedHashMap<>();
    groups.put("main", 3.714);
    groups.put("jit", 2.0);
    groups.put("untracked", 0.0);
    String line = ThreadCpu.line(groups);
    assertThat(line).isEqualTo("BENCH_THREAD_CPU main=3.71 jit=2.00 untracked=0.00");
    Map<String, Double> back =
        ThreadCpu.parse("log line\nBENCH_THREAD_CPU main=9.00\nBENCH_CPU_NS 5\n" + line + "\n");
    assertThat(back)
        .containsExactly(
            Map.entry("main", 3.71), Map.entry("jit", 2.0), Map.entry("untracked", 0.0));
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "reads /proc, which only Linux has")
  void thisJvmsMainThreadIsSeen() {
    Path self = Path.of("/proc/self/task");
    Map<String, ThreadCpu.Sample> before = ThreadCpu.read(self);
    assertThat(FakeThreads.spin(300)).isPositive(); // CPU on this (the test's) thread
    Map<String, Double> cpu = ThreadCpu.byGroup(before, ThreadCpu.read(self), 10.0);
    // surefire runs the tests on the JVM's main thread
    assertThat(cpu.get("main")).isGreaterThanOrEqualTo(0.2);
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "reads /proc, which only Linux has")
  void aProcessesCpuGrowsWithItsWorkAndAnUnknownPidHasNone() {
    long pid = ProcessHandle.current().pid();
    double before = ThreadCpu.processSeconds(pid);
    assertThat(FakeThreads.spin(300)).isPositive();
    double after = ThreadCpu.processSeconds(pid);
    assertThat(before).isPositive(); // this JVM's start alone took CPU
    assertThat(after - before).isGreaterThanOrEqualTo(0.2);
    // above the kernel's pid_max, so no process has it
    assertThat(ThreadCpu.processSeconds(Integer.MAX_VALUE)).isNaN();
  }
}
