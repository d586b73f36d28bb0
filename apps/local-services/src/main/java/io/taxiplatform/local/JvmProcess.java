package io.taxiplatform.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A forked JVM: {@code java [jvmArgs] -cp <classpath> <mainClass> [args]} with extra environment
 * variables, stdout and stderr appended to {@code <workDir>/<name>.log}.
 *
 * <p>{@link #destroy()} stops the whole process tree (SIGTERM, then SIGKILL after a grace period);
 * {@link #killHard()} sends SIGKILL at once (crash tests). A JVM shutdown hook kills the tree if
 * the parent JVM ends first (test failure, Ctrl-C), so nothing is left behind; it first waits for
 * an owner's own stop where one is registered ({@link #hooksAwait}).
 */
public final class JvmProcess implements AutoCloseable {

  /**
   * The suffix of the file beside a forked JVM's log that lists its JVM options (those before the
   * classpath's {@code @argfile}), one per line.
   */
  public static final String JVM_OPTIONS_FILE = ".jvmoptions";

  private static final Logger LOG = LoggerFactory.getLogger(JvmProcess.class);
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);
  private static final Duration HOOK_GRACE = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Path workDir;
  private final Thread shutdownHook;

  private JvmProcess(String name, Process process, Path logFile, Path workDir) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.workDir = workDir;
    this.shutdownHook =
        new Thread(
            () -> {
              awaitOwnersStop();
              stopTree(HOOK_GRACE);
            },
            "kill-" + name);
    try {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Forked while this JVM shuts down (a start that went on beside a Ctrl-C): no hook would
      // stop it and no owner will, so it is stopped here instead of being left running.
      stopTree(Duration.ZERO);
      throw new IllegalStateException(
          "not starting " + name + ": this JVM is shutting down", shuttingDown);
    }
    STARTED.add(this);
    process.onExit().thenRun(() -> STARTED.remove(this));
  }

  /**
   * Held while a JVM is forked and registered ({@link Builder#start}) and while an owner's stop
   * takes its list ({@link #refuseStartsUnder}): a JVM is either in that list or never forked.
   */
  private static final Object FORKS = new Object();

  /** Directories under which {@link Builder#start} forks no JVM any more. */
  private static final java.util.Set<Path> REFUSED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * From now on no JVM is forked in {@code dir} or below it ({@link Builder#start} throws {@link
   * IllegalStateException}), and the JVMs forked there that still run are returned: an owner's stop
   * (local mode's Ctrl-C during the start-up) gets every service it has to stop, including one
   * whose start was forking at that moment, and no start that goes on beside the stop leaves a
   * service behind it.
   */
  public static List<JvmProcess> refuseStartsUnder(Path dir) {
    synchronized (FORKS) {
      REFUSED.add(dir.toAbsolutePath().normalize());
      return running(dir);
    }
  }

  /** The JVMs forked by this one that have not exited yet ({@link #running}). */
  private static final java.util.Set<JvmProcess> STARTED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The JVMs forked by this one that still run in {@code dir} or below it (an owner's stop takes
   * this list with {@link #refuseStartsUnder}, which also keeps later starts from forking there).
   */
  public static List<JvmProcess> running(Path dir) {
    Path under = dir.toAbsolutePath().normalize();
    return STARTED.stream()
        .filter(JvmProcess::isAlive)
        .filter(p -> p.workDir.toAbsolutePath().normalize().startsWith(under))
        .toList();
  }

  /** An owner's stop that the shutdown hooks wait for ({@link #hooksAwait}); null: none. */
  private static volatile CountDownLatch ownersStop;

  private static volatile Duration ownersStopMax = Duration.ZERO;

  /**
   * Makes the shutdown hooks that kill the forked JVMs when this JVM ends wait, at most {@code
   * max}, until {@code stopped} is counted down: an owner that stops them in its own order on a
   * signal (local mode: the producer first, while Kafka still takes its last sends) is not raced by
   * the hooks. {@code null} ends the wait.
   */
  public static void hooksAwait(CountDownLatch stopped, Duration max) {
    ownersStopMax = max == null ? Duration.ZERO : max;
    ownersStop = stopped;
  }

  private static void awaitOwnersStop() {
    CountDownLatch latch = ownersStop;
    if (latch == null) {
      return;
    }
    try {
      latch.await(ownersStopMax.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a service again on the ports it had (after a kill or a stop): {@code start} launches it,
   * {@code awaitReady} returns once it serves or throws {@link IllegalStateException}. While the
   * old process's sockets still hold a port ("Address already in use"), the start is retried for up
   * to 30 s.
   *
   * @param what for the log: the service's address
   * @return the running process
   */
  static JvmProcess restartOnSamePorts(
      String what, java.util.function.Supplier<JvmProcess> start, Runnable awaitReady) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JvmProcess process = start.get();
      try {
        awaitReady.run();
        return process;
      } catch (IllegalStateException e) {
        process.destroy(Duration.ofSeconds(5));
        boolean portBusy = String.valueOf(e.getMessage()).contains("Address already in use");
        if (!portBusy || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.warn("port of {} still in use, retrying the restart", what);
        KafkaNode.sleep(1000);
      }
    }
  }

  /** A builder for a JVM running {@code mainClass}. */
  public static Builder builder(String name, String mainClass) {
    return new Builder(name, mainClass);
  }

  /** The name given to the builder (used for the log file). */
  public String name() {
    return name;
  }

  /** The process id of the forked JVM. */
  public long pid() {
    return process.pid();
  }

  /** The process handle, e.g. for {@code descendants()}. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Where stdout and stderr go. */
  public Path logFile() {
    return logFile;
  }

  /** The directory the process runs in. */
  public Path workDir() {
    return workDir;
  }

  /** Whether the JVM is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, or empty while the JVM runs. */
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /** Waits up to {@code timeout} for the JVM to exit; returns whether it exited. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last {@code lines} lines of the log (for error messages). */
  public String logTail(int lines) {
    return tail(logFile, lines);
  }

  /** Stops the process tree: SIGTERM, then SIGKILL after 15 s. Idempotent. */
  public void destroy() {
    destroy(DEFAULT_GRACE);
  }

  /** Stops the process tree: SIGTERM, then SIGKILL after {@code grace}. Idempotent. */
  public void destroy(Duration grace) {
    stopTree(grace);
    removeHook();
  }

  /** SIGKILL to the whole tree at once, as a crash would; returns when the JVM is gone. */
  public void killHard() {
    stopTree(Duration.ZERO);
    removeHook();
  }

  /** Same as {@link #destroy()}. */
  @Override
  public void close() {
    destroy();
  }

  private void stopTree(Duration grace) {
    // Collect the descendants first: once the parent is gone they are re-parented and no longer
    // found.
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    if (tree.stream().noneMatch(ProcessHandle::isAlive)) {
      return;
    }
    if (!grace.isZero()) {
      tree.forEach(ProcessHandle::destroy);
      long deadline = System.nanoTime() + grace.toNanos();
      for (ProcessHandle handle : tree) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          awaitExit(handle, Duration.ofNanos(left));
        }
      }
    }
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : tree) {
      if (!awaitExit(handle, Duration.ofSeconds(10))) {
        LOG.warn("process {} ({}) did not exit after SIGKILL", handle.pid(), name);
      }
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs (or ran) anyway.
    }
  }

  /** The last {@code lines} lines of {@code file}, or why it cannot be read. */
  public static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no log at " + file + ")";
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(
          System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  static final Path SH = Path.of("/bin/sh");

  /**
   * {@code command} started with SIGINT ignored: through {@code /bin/sh -c 'trap "" INT; exec
   * "$@"'} where it exists (the ignored disposition survives exec, and a JVM keeps it: the same
   * pid, no extra process), else unchanged.
   */
  static List<String> ignoringInterrupt(List<String> command) {
    if (!Files.isExecutable(SH)) {
      return command;
    }
    List<String> wrapped =
        new ArrayList<>(List.of(SH.toString(), "-c", "trap '' INT; exec \"$@\"", "sh"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Builds and starts a {@link JvmProcess}. */
  public static final class Builder {
    private final String name;
    private final String mainClass;
    private String classpath = "";
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private boolean ignoreInterrupt;

    private Builder(String name, String mainClass) {
      this.name = Objects.requireNonNull(name, "name");
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
    }

    /** The classpath, entries separated by {@link File#pathSeparator}. */
    public Builder classpath(String value) {
      this.classpath = Objects.requireNonNull(value, "classpath");
      return this;
    }

    /**
     * JVM options before the main class ({@code -Xmx512m}, {@code -Dk=v}, {@code --add-opens ...}).
     */
    public Builder jvmArgs(List<String> values) {
      jvmArgs.addAll(values);
      return this;
    }

    /** One JVM option. */
    public Builder jvmArg(String value) {
      jvmArgs.add(value);
      return this;
    }

    /** Program arguments after the main class. */
    public Builder args(List<String> values) {
      args.addAll(values);
      return this;
    }

    /** Environment variables added to (and overriding) this JVM's environment. */
    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    /**
     * Working directory; also holds the log and the argument file. Default: a new work directory.
     */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /**
     * Starts the JVM with SIGINT ignored (through {@code /bin/sh}'s {@code trap '' INT}, where it
     * exists), so that Ctrl-C in a terminal, which reaches every process of its foreground group,
     * leaves this JVM to its owner, which stops it with SIGTERM in its own order. The services of
     * local mode.
     */
    public Builder ignoreInterrupt() {
      this.ignoreInterrupt = true;
      return this;
    }

    /** Forks the JVM. */
    public JvmProcess start() {
      Path dir = workDir != null ? workDir : LocalPaths.newWorkDir(name);
      try {
        Files.createDirectories(dir);
        // The classpath goes into a java @argfile: long classpaths stay off the command line (and
        // ps).
        Path argFile = dir.resolve(name + ".jvmargs");
        Files.writeString(
            argFile, "-cp " + quote(classpath) + System.lineSeparator(), StandardCharsets.UTF_8);
        List<String> options = new ArrayList<>(jvmArgs);
        options.addAll(ClassDataArchives.jvmOptions(name, classpath));
        // what the JVM ran with, one option per line, for whoever reads its work directory
        Files.write(dir.resolve(name + JVM_OPTIONS_FILE), options, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("@" + argFile);
        command.add(mainClass);
        command.addAll(args);
        if (ignoreInterrupt) {
          command = ignoringInterrupt(command);
        }
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Path absolute = dir.toAbsolutePath().normalize();
        synchronized (FORKS) {
          for (Path refused : REFUSED) {
            if (absolute.startsWith(refused)) {
              throw new IllegalStateException(
                  "not starting " + name + ": its owner is stopping (" + refused + ")");
            }
          }
          Process process = builder.start();
          LOG.debug("started {} (pid {}): {} ; log {}", name, process.pid(), command, log);
          return new JvmProcess(name, process, log, dir);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name + " (" + mainClass + ")", e);
      }
    }

    /**
     * Forks the JVM and waits for it to exit; returns the exit code (the process is killed on
     * timeout).
     */
    public int run(Duration timeout) {
      JvmProcess process = start();
      try {
        if (!process.waitFor(timeout)) {
          throw new IllegalStateException(
              name + " did not finish within " + timeout + "; log tail:\n" + process.logTail(40));
        }
        return process.exitCode().orElseThrow();
      } finally {
        process.destroy(Duration.ofSeconds(1));
      }
    }

    /** {@code value} quoted for a java {@code @argfile}. */
    static String quote(String value) {
      return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }
}
