package io.taxiplatform.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing (AppCDS, JDK 17) for the JVMs local mode forks: Kafka, Cassandra and the
 * streaming job load some 8,000, 10,000 and 18,000 classes while they start, all three at once on a
 * laptop's cores. With an archive of those classes a JVM maps them instead of reading, parsing and
 * verifying each one again.
 *
 * <p>How: a JVM started while no archive exists for its classpath records the classes it loads
 * ({@code -XX:DumpLoadedClassList}); once the pipeline has shown its first aggregates (by then its
 * JVMs have loaded their start-up classes), {@link #keepRecorded} keeps those lists, and when the
 * pipeline stops, {@link #stop} hands them to one detached background process that builds an
 * archive from each ({@code java -Xshare:dump}, one at a time, at the lowest CPU priority), which
 * outlives the pipeline. The next run's JVMs start with {@code -XX:SharedArchiveFile}. An archive
 * is keyed by the JVM's name, the JDK and its classpath (each jar's path, size and time), so a
 * rebuilt jar or another JDK records and archives again; a JVM never starts on an archive that does
 * not match it (the JVM itself also checks, and falls back to loading classes as usual). A dump
 * that fails leaves its log and a {@code .failed} marker, and that classpath is not recorded again.
 *
 * <p>Why after the stop, not while the pipeline runs: a dump holds about as much memory as the JVM
 * whose classes it archives (~0.9 GB for the job's 18,000), and beside the running services it took
 * a first run's peak over 3 GB (docs/benchmarks.md, "Forty-fourth round"). After the stop it runs
 * alone. A run stopped before its first aggregates keeps nothing: its JVMs may not have loaded
 * their start-up classes yet.
 *
 * <p>Enabled by {@link #enable(Path)} (local mode does, unless {@code --no-cds}). The benchmarks
 * and the services' tests never enable it, so their JVMs start exactly as before; only the tests of
 * local mode itself run it with archives, in their own work directories.
 */
public final class ClassDataArchives {

  private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchives.class);

  /** The JVMs whose classes are archived (JvmProcess names). */
  static final Set<String> ARCHIVED = Set.of("kafka", "cassandra", "streaming-job");

  /** The order of the dumps: the JVM that gains most first. */
  private static final List<String> DUMP_ORDER = List.of("streaming-job", "cassandra", "kafka");

  /**
   * How long a detached dump may take: an older {@link #DETACHED_LIST} was left by a dump that
   * died.
   */
  static final java.time.Duration DUMP_TIMEOUT = java.time.Duration.ofMinutes(10);

  /** The suffix of the class list a detached dump ({@link #stop}) archives. */
  static final String DETACHED_LIST = ".detached.classlist";

  private static volatile ClassDataArchives current;

  private final Path dir;
  private final String jdk;
  private final List<Recording> recordings = new ArrayList<>();

  /** Recordings kept by {@link #keepRecorded}, to be archived by {@link #stop}. */
  private final List<Recording> kept = new ArrayList<>();

  private boolean stopped;

  /** A class list being recorded by a running JVM, for the archive {@code key}. */
  private record Recording(String name, String key, String classpath, Path classList) {}

  ClassDataArchives(Path dir, String jdk) {
    this.dir = dir;
    this.jdk = jdk;
  }

  /** Archives under {@code dir} for every JVM forked from now on (local mode). */
  public static synchronized ClassDataArchives enable(Path dir) {
    current = new ClassDataArchives(dir, jdkId());
    return current;
  }

  /**
   * The JVM options for a JVM {@code name} on {@code classpath}: {@code -XX:SharedArchiveFile} when
   * its archive exists, {@code -XX:DumpLoadedClassList} when it should be recorded, none otherwise
   * (not enabled, not an archived JVM, a failed dump, a directory on the classpath).
   */
  static List<String> jvmOptions(String name, String classpath) {
    ClassDataArchives archives = current;
    return archives == null ? List.of() : archives.optionsFor(name, classpath);
  }

  synchronized List<String> optionsFor(String name, String classpath) {
    if (stopped || !ARCHIVED.contains(name)) {
      return List.of();
    }
    String key;
    try {
      key = key(name, classpath);
    } catch (IOException e) {
      return List.of(); // an entry that is not a readable jar: CDS archives jars only
    }
    Path archive = dir.resolve(key + ".jsa");
    if (Files.isRegularFile(archive)) {
      try {
        removeOlder(key); // a detached dump (stop) leaves them
      } catch (IOException e) {
        // left behind under .local/cds; harmless
      }
      return List.of("-XX:SharedArchiveFile=" + archive);
    }
    if (Files.exists(dir.resolve(key + ".failed"))
        || recordings.stream().anyMatch(r -> r.key().equals(key))
        || detachedDumpUnderWay(key)) {
      return List.of();
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      LOG.warn("cannot create {}: {}; no class-data archives", dir, e.toString());
      return List.of();
    }
    Path list = dir.resolve(key + "." + UUID.randomUUID() + ".classlist");
    recordings.add(new Recording(name, key, classpath, list));
    return List.of("-XX:DumpLoadedClassList=" + list);
  }

  /**
   * {@code <name>-<hash>}: the hash covers the JDK and each classpath entry's path, size and
   * modification time.
   */
  String key(String name, String classpath) throws IOException {
    StringBuilder s = new StringBuilder(jdk);
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry);
      if (!Files.isRegularFile(p)) {
        throw new IOException("not a file: " + entry);
      }
      s.append('\n')
          .append(p.toAbsolutePath())
          .append(' ')
          .append(Files.size(p))
          .append(' ')
          .append(Files.getLastModifiedTime(p).toMillis());
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return name + "-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String jdkId() {
    return System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
  }

  /**
   * Whether a detached dump of {@code key} (a previous run's, {@link #stop}) is still under way:
   * its class list exists and is younger than {@link #DUMP_TIMEOUT}. An older one is left by a dump
   * that died (a reboot): it is deleted, and the JVM records anew.
   */
  private boolean detachedDumpUnderWay(String key) {
    Path list = dir.resolve(key + DETACHED_LIST);
    try {
      if (!Files.exists(list)) {
        return false;
      }
      long ageMs = System.currentTimeMillis() - Files.getLastModifiedTime(list).toMillis();
      if (ageMs < DUMP_TIMEOUT.toMillis()) {
        return true;
      }
      // what the dead dump left: its list, argument file and log
      for (String suffix : List.of(DETACHED_LIST, ".detached.jvmargs", ".detached.log")) {
        Files.deleteIfExists(dir.resolve(key + suffix));
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether some JVM is recording its classes (so that {@link #keepRecorded} has work). */
  public synchronized boolean recording() {
    return !recordings.isEmpty();
  }

  /**
   * Keeps the class lists recorded so far (their JVMs have loaded their start-up classes), the
   * job's first (it has the most classes and its start is the longest), for {@link #stop} to
   * archive once the pipeline has stopped; returns them.
   */
  synchronized List<Recording> keepRecorded() {
    if (stopped) {
      return List.of();
    }
    List<Recording> work =
        recordings.stream()
            .sorted(java.util.Comparator.comparingInt(r -> DUMP_ORDER.indexOf(r.name())))
            .toList();
    recordings.clear();
    kept.addAll(work);
    return work;
  }

  /** Removes the archives of other builds of the same JVM (a rebuilt jar makes a new key). */
  private void removeOlder(String key) throws IOException {
    String name = key.substring(0, key.lastIndexOf('-'));
    java.util.regex.Pattern other =
        java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(name) + "-[0-9a-f]{16}\\.jsa");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (other.matcher(n).matches() && !n.equals(key + ".jsa")) {
          deleteQuietly(f);
        }
      }
    }
  }

  /**
   * Records nothing more (the pipeline has stopped): JVMs forked from now on start as usual. The
   * lists kept by {@link #keepRecorded} are archived by a detached process at the lowest CPU
   * priority, one after the other, which outlives this JVM ({@link #detach}); the other class lists
   * of this run are deleted.
   *
   * @return the detached process, when one was started
   */
  public Optional<ProcessHandle> stop() {
    List<Recording> left;
    List<Recording> unarchived;
    synchronized (this) {
      if (stopped) {
        return Optional.empty();
      }
      stopped = true;
      left = List.copyOf(recordings);
      recordings.clear();
      unarchived = List.copyOf(kept);
      kept.clear();
      if (current == this) {
        current = null;
      }
    }
    left.forEach(r -> deleteQuietly(r.classList()));
    Optional<ProcessHandle> detached = Optional.empty();
    try {
      detached = detach(unarchived);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot archive the classes in the background: {}", e.toString());
    } finally {
      unarchived.forEach(r -> deleteQuietly(r.classList()));
    }
    return detached;
  }

  /**
   * Starts one detached {@code /bin/sh} (in its own session where {@code setsid} exists) that
   * builds the archive of each recording in turn: a {@code .jsa} on success, the log and a {@code
   * .failed} marker on failure; an archive that exists by then is not built again. Each class list
   * is copied first (its JVM may have been killed in the middle of a line) to {@code <key>}{@link
   * #DETACHED_LIST}, which also tells the next run that the dump is under way.
   */
  private Optional<ProcessHandle> detach(List<Recording> unarchived) throws IOException {
    Path sh = JvmProcess.SH;
    if (unarchived.isEmpty() || !Files.isExecutable(sh)) {
      return Optional.empty();
    }
    StringBuilder script = new StringBuilder();
    for (Recording r : unarchived) {
      Path list = dir.resolve(r.key() + DETACHED_LIST);
      Path argFile = dir.resolve(r.key() + ".detached.jvmargs");
      Path tmp = dir.resolve(r.key() + "." + UUID.randomUUID() + ".jsa.tmp");
      Path log = dir.resolve(r.key() + ".detached.log");
      Path archive = dir.resolve(r.key() + ".jsa");
      if (!snapshot(r, list, argFile)) {
        continue;
      }
      List<String> dump = new ArrayList<>(nice());
      dump.addAll(dumpCommand(list, tmp, argFile));
      // the archive unless it exists: on success move it in place and drop the log, on failure
      // leave the log and a .failed marker naming it; then clean up
      script.append(
          String.format(
              "if [ ! -f %1$s ]; then %2$s >%3$s 2>&1 && mv -f %4$s %1$s && rm -f %3$s"
                  + " || echo %5$s >%6$s; fi; rm -f %4$s %7$s %8$s%n",
              sq(archive),
              String.join(" ", dump.stream().map(ClassDataArchives::sq).toList()),
              sq(log),
              sq(tmp),
              sq("see " + log),
              sq(dir.resolve(r.key() + ".failed")),
              sq(list),
              sq(argFile)));
    }
    if (script.isEmpty()) {
      return Optional.empty();
    }
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid"); // out of the terminal's process group: a later Ctrl-C
    }
    command.addAll(List.of(sh.toString(), "-c", script.toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    LOG.debug(
        "archiving the classes of {} in the background (pid {}), for a faster next start",
        unarchived.stream().map(Recording::name).toList(),
        p.pid());
    return Optional.of(p.toHandle());
  }

  /**
   * Copies the complete lines of {@code r}'s class list to {@code list} (its JVM, stopped before
   * {@link #stop} or not, may have left a line unfinished) and writes the dump's argument file;
   * false when nothing was recorded.
   */
  private static boolean snapshot(Recording r, Path list, Path argFile) throws IOException {
    String recorded;
    try {
      recorded = Files.readString(r.classList(), StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
    int end = recorded.lastIndexOf('\n');
    if (end < 0) {
      return false;
    }
    Files.writeString(list, recorded.substring(0, end + 1), StandardCharsets.UTF_8);
    Files.writeString(argFile, "-cp " + JvmProcess.Builder.quote(r.classpath()) + "\n");
    return true;
  }

  /** {@code value} quoted for {@code /bin/sh}. */
  static String sq(Object value) {
    return "'" + value.toString().replace("'", "'\\''") + "'";
  }

  private static List<String> nice() {
    return Files.isExecutable(Path.of("/usr/bin/nice"))
        ? List.of("/usr/bin/nice", "-n", "19")
        : List.of();
  }

  /** The {@code java} that builds the archives: this JVM's (a failing one in a test). */
  static volatile String dumpJava =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private static List<String> dumpCommand(Path list, Path archive, Path argFile) {
    return List.of(
        dumpJava,
        "-Xshare:dump",
        "-XX:SharedClassListFile=" + list,
        "-XX:SharedArchiveFile=" + archive,
        "@" + argFile);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left behind under .local/cds; harmless
    }
  }
}
