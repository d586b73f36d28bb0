package io.taxiplatform.bench;

import io.taxiplatform.bench.probe.ThreadCpu;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a JVM's CPU went so far, by thread group: the CPU time (user + system) of each of its
 * threads, read from Linux's {@code /proc/<pid>/task/<tid>/stat} and grouped by the thread's name
 * ({@code comm}, which Linux cuts to 15 characters). Taken from the streaming job just before the
 * harness stops it, so every throughput run reports how much of the job JVM's CPU the Spark tasks
 * had against the JIT compilers, the garbage collector, the query's driver thread and RocksDB.
 *
 * <p>The threads are read by {@link ThreadCpu#read}: times in clock ticks of {@code USER_HZ}, which
 * Linux fixes at 100 per second for user space on the architectures this runs on.
 */
final class JvmThreadCpu {

  /** The groups, in report order; {@code total} is every thread, {@code other} the rest. */
  static final List<String> GROUPS =
      List.of("tasks", "jit", "gc", "query_driver", "rocksdb", "other", "total");

  private JvmThreadCpu() {}

  /**
   * The CPU seconds of {@code pid}'s threads by group ({@link #GROUPS}, all present), from {@code
   * procRoot} (normally {@code /proc}); empty when that process's threads cannot be read (not
   * Linux, the process gone).
   */
  static Map<String, Double> byGroup(Path procRoot, long pid) {
    Map<String, ThreadCpu.Sample> threads = threads(procRoot, pid);
    if (threads.isEmpty()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : GROUPS) {
      out.put(g, 0.0);
    }
    for (ThreadCpu.Sample t : threads.values()) {
      out.merge(group(t.name()), t.seconds(), Double::sum);
      out.merge("total", t.seconds(), Double::sum);
    }
    return out;
  }

  /** {@link #byGroup(Path, long)} of {@code /proc}. */
  static Map<String, Double> byGroup(long pid) {
    return byGroup(Path.of("/proc"), pid);
  }

  /**
   * The threads of {@code pid} now, by thread id ({@link ThreadCpu#read} of {@code procRoot});
   * empty when they cannot be read.
   */
  static Map<String, ThreadCpu.Sample> threads(Path procRoot, long pid) {
    return ThreadCpu.read(procRoot.resolve(Long.toString(pid)).resolve("task"));
  }

  /**
   * The cores each group ({@link #GROUPS}, all present) used between two {@link #threads} readings
   * of one JVM {@code seconds} apart: each thread's CPU since the first ({@link ThreadCpu#since}:
   * all of it for a thread born in between, or whose id was reused). A thread that ended in between
   * counts for nothing: its CPU since {@code before} is unknown. Empty when either reading is (no
   * {@code /proc}, the process gone).
   */
  static Map<String, Double> coresBetween(
      Map<String, ThreadCpu.Sample> before, Map<String, ThreadCpu.Sample> after, double seconds) {
    if (before.isEmpty() || after.isEmpty() || !(seconds > 0)) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : GROUPS) {
      out.put(g, 0.0);
    }
    for (ThreadCpu.Sample t : ThreadCpu.since(before, after)) {
      out.merge(group(t.name()), t.seconds() / seconds, Double::sum);
      out.merge("total", t.seconds() / seconds, Double::sum);
    }
    return out;
  }

  /** The job JVM's groups recorded in a throughput run ({@link StreamingBench#JOB_JVM_CPU}). */
  @SuppressWarnings("unchecked")
  static Map<String, Double> ofJob(StreamingBench.ThroughputRun r) {
    Object cpu = r.extra().get(StreamingBench.JOB_JVM_CPU);
    return cpu instanceof Map<?, ?> m ? (Map<String, Double>) m : Map.of();
  }

  /** The group of a thread named {@code comm} (at most 15 characters). */
  static String group(String comm) {
    if (comm.startsWith("Executor task")) {
      return "tasks"; // "Executor task launch worker for task ..."
    }
    String jvm = ThreadCpu.jvmGroup(comm);
    if (jvm != null) {
      return jvm;
    }
    if (comm.startsWith("stream executio")) {
      return "query_driver"; // "stream execution thread for <query> ..."
    }
    if (comm.startsWith("rocksdb:")) {
      return "rocksdb";
    }
    return "other";
  }

  /** "tasks 32.4 s, jit 30.1 s, ..." (empty map: "unavailable"). */
  static String describe(Map<String, Double> cpu) {
    if (cpu.isEmpty()) {
      return "unavailable (no /proc)";
    }
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, Double> e : cpu.entrySet()) {
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.1f s", e.getValue()));
    }
    return s.toString();
  }
}
