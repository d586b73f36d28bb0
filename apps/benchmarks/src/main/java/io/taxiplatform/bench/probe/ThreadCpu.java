package io.taxiplatform.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a program's CPU went, by thread group: {@link CpuProbe} reads the CPU time of each of its
 * JVM's threads from Linux's {@code /proc/self/task/<tid>/stat} when {@code main} starts, then
 * every {@link #POLL_MILLIS} ms ({@link Tracker}: a thread that ends keeps the time last read) and
 * when the JVM exits, and prints the difference by group ({@link #GROUPS}): the program's own
 * threads against the JIT compilers and the garbage collector. A sampling profiler cannot tell this
 * on a machine whose cores are all busy: it samples a thread that the kernel has taken off its core
 * as if it were running. References nothing but the JDK, as CpuProbe.
 *
 * <p>Groups, by the thread's name ({@code comm}, which Linux cuts to 15 characters): {@code main}
 * (the program's main thread), {@code kafka_io} (a Kafka producer's I/O thread), {@code replay} (a
 * replay's reading and first-pass threads), {@code jit} (the C1 and C2 compiler threads), {@code
 * gc} (the collector's threads and the VM thread that runs its pauses), {@code other} (every other
 * thread, the probe's own poll among them), {@code untracked} (the process's CPU less every thread
 * seen: the time of threads that ended less than a poll after their last read, or lived shorter).
 * Times are in clock ticks of {@code USER_HZ}, 100 per second.
 */
public final class ThreadCpu {

  /** The groups, in report order. */
  public static final List<String> GROUPS =
      List.of("main", "kafka_io", "replay", "jit", "gc", "other", "untracked");

  /** How often {@link CpuProbe} reads the threads while the program runs. */
  public static final long POLL_MILLIS = 200;

  /** The label of the line {@link CpuProbe} prints. */
  public static final String LABEL = "BENCH_THREAD_CPU";

  private static final double TICKS_PER_SECOND = 100.0;

  /** One thread's name and CPU seconds so far. */
  public record Sample(String name, double seconds) {}

  private ThreadCpu() {}

  /**
   * Every thread of a JVM seen so far, with the time last read: a thread that ended keeps it. Safe
   * to poll from any thread.
   */
  public static final class Tracker {
    private final Path taskDir;
    private final Map<String, Sample> seen = new LinkedHashMap<>();

    public Tracker(Path taskDir) {
      this.taskDir = taskDir;
    }

    /** Reads the live threads; returns every thread seen so far (empty without {@code /proc}). */
    public synchronized Map<String, Sample> poll() {
      seen.putAll(read(taskDir));
      return new LinkedHashMap<>(seen);
    }
  }

  /**
   * The live threads of {@code taskDir} ({@code /proc/<pid>/task}) by thread id; empty when it
   * cannot be read (not Linux).
   */
  public static Map<String, Sample> read(Path taskDir) {
    Map<String, Sample> out = new LinkedHashMap<>();
    try (Stream<Path> threads = Files.list(taskDir)) {
      for (Path t : (Iterable<Path>) threads::iterator) {
        try {
          out.put(
              t.getFileName().toString(),
              new Sample(
                  Files.readString(t.resolve("comm")).strip(),
                  cpuSeconds(Files.readString(t.resolve("stat")))));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  /**
   * The CPU seconds by group ({@link #GROUPS}, all present) from {@code before} to {@code now} (two
   * {@link #read}s of the same JVM), {@code processSeconds} being the process's CPU over the same
   * span; empty when {@code now} is (no {@code /proc}). A thread id in both whose time went down is
   * a new thread with a reused id: all its time counts.
   */
  public static Map<String, Double> byGroup(
      Map<String, Sample> before, Map<String, Sample> now, double processSeconds) {
    if (now.isEmpty()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : GROUPS) {
      out.put(g, 0.0);
    }
    double live = 0;
    for (Sample t : since(before, now)) {
      live += t.seconds();
      out.merge(group(t.name()), t.seconds(), Double::sum);
    }
    // ticks are 10 ms per thread: the threads' rounding may exceed what was not seen
    out.put("untracked", Math.max(0, processSeconds - live));
    return out;
  }

  /**
   * Each thread of {@code now} (a {@link #read}) with the CPU seconds it used since {@code before}
   * (an earlier read of the same JVM): all of its time when it was not there, or when its time went
   * down (a new thread with a reused id). A thread of {@code before} that ended is not in it.
   */
  public static List<Sample> since(Map<String, Sample> before, Map<String, Sample> now) {
    List<Sample> out = new java.util.ArrayList<>(now.size());
    for (Map.Entry<String, Sample> e : now.entrySet()) {
      Sample then = before.get(e.getKey());
      double s = e.getValue().seconds();
      if (then != null && then.seconds() <= s) {
        s -= then.seconds();
      }
      out.add(new Sample(e.getValue().name(), s));
    }
    return out;
  }

  /** The group of a thread named {@code comm}. */
  static String group(String comm) {
    String jvm = jvmGroup(comm);
    if (jvm != null) {
      return jvm;
    }
    if (comm.equals("main") || comm.equals("java")) {
      return "main"; // the launcher's main thread keeps the process's name
    }
    if (comm.startsWith("kafka-producer-")) {
      return "kafka_io"; // "kafka-producer-network-thread | <client id>"
    }
    if (comm.startsWith("replay-")) {
      return "replay"; // "replay-read", "replay-index", "replay-merge"
    }
    return "other";
  }

  /**
   * {@code jit} for the JIT compilers' threads ({@code C1 CompilerThread0}, {@code C2
   * CompilerThread0}), {@code gc} for the collector's workers and the VM thread that runs its
   * pauses, else {@code null}: the JVM's own threads, in any program.
   */
  public static String jvmGroup(String comm) {
    if (comm.contains("CompilerThre")) {
      return "jit";
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
      return "gc";
    }
    return null;
  }

  /**
   * utime + stime of a {@code stat} line, in seconds. The name field (in parentheses) may hold
   * spaces and parentheses, so the fields are counted from the last {@code )}: utime and stime are
   * the 14th and 15th fields of the line, the 12th and 13th after the name.
   */
  public static double cpuSeconds(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line: " + stat);
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 13) {
      throw new IllegalArgumentException("not a /proc stat line: " + stat);
    }
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /**
   * The CPU seconds (utime + stime) of process {@code pid} so far: every thread it has had, ended
   * ones included (Linux adds a thread's time to its process's when it ends); {@code NaN} when
   * {@code /proc/<pid>/stat} cannot be read (not Linux, no such process).
   */
  public static double processSeconds(long pid) {
    try {
      return cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The line CpuProbe prints: {@code BENCH_THREAD_CPU main=3.71 kafka_io=1.20 ...}. */
  public static String line(Map<String, Double> groups) {
    StringBuilder s = new StringBuilder(LABEL);
    groups.forEach(
        (g, v) ->
            s.append(' ').append(g).append('=').append(String.format(Locale.ROOT, "%.2f", v)));
    return s.toString();
  }

  /** The groups of the last {@link #line} in {@code log}; empty when it has none. */
  public static Map<String, Double> parse(String log) {
    String found = null;
    for (String l : log.lines().toList()) {
      if (l.startsWith(LABEL + " ")) {
        found = l;
      }
    }
    if (found == null) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String part : found.substring(LABEL.length()).trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq), Double.parseDouble(part.substring(eq + 1)));
      }
    }
    return out;
  }
}
