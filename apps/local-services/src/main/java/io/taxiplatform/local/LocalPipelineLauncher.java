package io.taxiplatform.local;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code local} Maven profile runs (exec:java, inside Maven's JVM): starts {@link
 * LocalPipeline} in its own JVM with the terminal as its console, waits for it, and ends with its
 * exit code.
 *
 * <p>A non-zero code ends the calling JVM with {@link System#exit} at once, so that Maven prints
 * nothing of its own: a bad flag shows LocalPipeline's message and usage and exits 2, a failure its
 * error and exits 1, with no "BUILD FAILURE" or stack trace under them. Exit code 0 returns
 * normally and the build ends as usual. Ctrl-C reaches both JVMs (same process group); the shutdown
 * hook here also forwards SIGTERM and waits for LocalPipeline's summary before this JVM exits.
 *
 * <p>System properties read here: {@value #JAVA_PROPERTY} (the java executable), {@value
 * #CLASSPATH_PROPERTY} (LocalPipeline's classpath), {@value #JVM_ARGS_PROPERTY} (space-separated
 * JVM options, e.g. the heap), {@value #DIR_PROPERTY} (its working directory). Every other {@code
 * taxi.*} property is passed on to the pipeline's JVM ({@link LocalPaths} reads them).
 */
public final class LocalPipelineLauncher {

  public static final String JAVA_PROPERTY = "taxi.local.java";
  public static final String CLASSPATH_PROPERTY = "taxi.local.classpath";
  public static final String JVM_ARGS_PROPERTY = "taxi.local.jvmArgs";

  /** The pipeline's working directory (the repository root; default: this JVM's). */
  public static final String DIR_PROPERTY = "taxi.local.dir";

  private static final java.util.Set<String> OWN_PROPERTIES =
      java.util.Set.of(JAVA_PROPERTY, CLASSPATH_PROPERTY, JVM_ARGS_PROPERTY, DIR_PROPERTY);

  /** How long the hook waits for LocalPipeline to stop its services and print the summary. */
  private static final long STOP_WAIT_SECONDS = 60;

  private LocalPipelineLauncher() {}

  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs LocalPipeline with {@code args} in a new JVM; returns its exit code (1 if it cannot be
   * started).
   */
  static int run(String[] args) {
    List<String> command;
    try {
      command =
          command(
              System.getProperties().entrySet().stream()
                  .collect(
                      TreeMap::new,
                      (m, e) -> m.put(String.valueOf(e.getKey()), String.valueOf(e.getValue())),
                      Map::putAll),
              args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
      String dir = System.getProperty(DIR_PROPERTY);
      if (dir != null && !dir.isBlank()) {
        builder.directory(new File(dir));
      }
      process = builder.start();
    } catch (IOException e) {
      System.err.println("error: cannot start " + command.get(0) + ": " + e.getMessage());
      return 1;
    }
    Thread hook = new Thread(() -> stop(process), "local-pipeline-launcher-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    // From here this JVM (Maven's, under exec:java) only waits. A full collection lets the
    // collector give back the heap the build grew (G1 shrinks and uncommits after a full GC), so
    // the idle Maven JVM does not hold several hundred MB for the whole run.
    System.gc();
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(process);
      return process.isAlive() ? 1 : process.exitValue();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // this JVM is shutting down: the hook runs
      }
    }
  }

  /**
   * {@code java [jvm args] [-Dtaxi.*=...] -cp <classpath> io.taxiplatform.local.LocalPipeline
   * [args]}.
   */
  public static List<String> command(Map<String, String> properties, String[] args) {
    String java = properties.get(JAVA_PROPERTY);
    if (java == null || java.isBlank()) {
      java =
          properties.getOrDefault("java.home", "")
              + File.separator
              + "bin"
              + File.separator
              + "java";
    }
    String classpath = properties.get(CLASSPATH_PROPERTY);
    if (classpath == null || classpath.isBlank()) {
      throw new IllegalArgumentException(
          "system property "
              + CLASSPATH_PROPERTY
              + " (LocalPipeline's "
              + "classpath) is not set: run local mode through the `local` Maven profile (see README.md)");
    }
    List<String> command = new ArrayList<>();
    command.add(java);
    String jvmArgs = properties.getOrDefault(JVM_ARGS_PROPERTY, "");
    Arrays.stream(jvmArgs.trim().split("\\s+")).filter(a -> !a.isEmpty()).forEach(command::add);
    properties.forEach(
        (key, value) -> {
          if (key.startsWith("taxi.") && !OWN_PROPERTIES.contains(key)) {
            command.add("-D" + key + "=" + value);
          }
        });
    command.add("-cp");
    command.add(classpath.trim());
    command.add(LocalPipeline.class.getName());
    Arrays.stream(args).filter(a -> !a.isBlank()).forEach(command::add);
    return command;
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    // Ctrl-C in a terminal has already reached the pipeline; a SIGTERM sent to this JVM alone has
    // not.
    process.destroy();
    try {
      if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
