package io.taxiplatform.bench.probe;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another program's {@code main} in this JVM and, when the JVM exits (also through {@code
 * System.exit}), prints {@code BENCH_CPU_NS <process CPU ns since main started>} and {@code
 * BENCH_WALL_NS <wall ns since main started>}: the CPU a producer run costs, JVM start-up excluded,
 * JIT and GC included. It references nothing but the JDK, so it runs on any classpath (the
 * producer's, the broker's).
 *
 * <p>Arguments: {@code <main class> [its arguments...]}.
 */
public final class CpuProbe {

  private CpuProbe() {}

  public static void main(String[] args) throws Throwable {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("BENCH_CPU_NS " + (os.getProcessCpuTime() - cpu0));
                  System.out.println("BENCH_WALL_NS " + (System.nanoTime() - wall0));
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
