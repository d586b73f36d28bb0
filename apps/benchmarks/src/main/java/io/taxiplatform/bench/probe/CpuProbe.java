package io.taxiplatform.bench.probe;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs another program's {@code main} in this JVM and, when the JVM exits (also through {@code
 * System.exit}), prints {@code BENCH_CPU_NS <process CPU ns since main started>} and {@code
 * BENCH_WALL_NS <wall ns since main started>}: the CPU a producer run costs, JVM start-up excluded,
 * JIT and GC included; then, on Linux, {@code BENCH_THREAD_CPU <group>=<seconds> ...}: the same CPU
 * by thread group ({@link ThreadCpu}). It references nothing but the JDK, so it runs on any
 * classpath (the producer's, the broker's).
 *
 * <p>Arguments: {@code <main class> [its arguments...]}.
 */
public final class CpuProbe {

  private CpuProbe() {}

  public static void main(String[] args) throws Throwable {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ThreadCpu.Tracker threads = new ThreadCpu.Tracker(Path.of("/proc/self/task"));
    Map<String, ThreadCpu.Sample> threads0 = threads.poll();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    if (!threads0.isEmpty()) {
      Thread poll =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Thread.sleep(ThreadCpu.POLL_MILLIS);
                    threads.poll();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "bench-thread-cpu");
      poll.setDaemon(true);
      poll.start();
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  long cpu = os.getProcessCpuTime() - cpu0;
                  Map<String, Double> groups =
                      ThreadCpu.byGroup(threads0, threads.poll(), cpu / 1e9);
                  System.out.println("BENCH_CPU_NS " + cpu);
                  System.out.println("BENCH_WALL_NS " + (System.nanoTime() - wall0));
                  if (!groups.isEmpty()) {
                    System.out.println(ThreadCpu.line(groups));
                  }
                  System.out.flush();
                },
                "bench-cpu-probe"));
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
