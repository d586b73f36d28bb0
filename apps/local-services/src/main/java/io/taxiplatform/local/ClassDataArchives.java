package io.taxiplatform.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * ({@code -XX:DumpLoadedClassList}); once the pipeline has shown its first aggregates, {@link
 * #dumpRecorded} builds an archive from each list ({@code java -Xshare:dump}, one at a time, at the
 * lowest CPU priority, in the background) and the next run's JVMs start with {@code
 * -XX:SharedArchiveFile}. An archive is keyed by the JVM's name, the JDK and its classpath (each
 * jar's path, size and time), so a rebuilt jar or another JDK records and archives again; a JVM
 * never starts on an archive that does not match it (the JVM itself also checks, and falls back to
 * loading classes as usual). A dump that fails leaves its log and a {@code .failed} marker, and
 * that classpath is not recorded again. Stopping the pipeline stops a dump in progress (it is
 * retried next time).
 *
 * <p>Enabled by {@link #enable(Path)} (local mode does, unless {@code --no-cds}); tests and the
 * benchmarks never enable it, so their JVMs start exactly as before.
 */
public final class ClassDataArchives {

  private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchives.class);

  /** The JVMs whose classes are archived (JvmProcess names). */
  static final Set<String> ARCHIVED = Set.of("kafka", "cassandra", "streaming-job");

  /** The order of the dumps: the JVM that gains most first. */
  private static final List<String> DUMP_ORDER = List.of("streaming-job", "cassandra", "kafka");

  private static volatile ClassDataArchives current;

  private final Path dir;
  private final String jdk;
  private final List<Recording> recordings = new ArrayList<>();
  private Process dumping;
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
      return List.of("-XX:SharedArchiveFile=" + archive);
    }
    if (Files.exists(dir.resolve(key + ".failed"))
        || recordings.stream().anyMatch(r -> r.key().equals(key))) {
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

  /** Whether some JVM is recording its classes (so that {@link #dumpRecorded} has work). */
  public synchronized boolean recording() {
    return !recordings.isEmpty();
  }

  /**
   * Builds the archives of the class lists recorded so far, one after the other, on a daemon thread
   * at the lowest CPU priority; returns at once with that thread (null when nothing was recorded).
   */
  public Thread dumpRecorded() {
    List<Recording> work;
    synchronized (this) {
      // the job first: it has the most classes and its start is the longest
      work =
          recordings.stream()
              .sorted(java.util.Comparator.comparingInt(r -> DUMP_ORDER.indexOf(r.name())))
              .toList();
      recordings.clear();
    }
    if (work.isEmpty()) {
      return null;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                for (Recording r : work) {
                  if (!dump(r)) {
                    return;
                  }
                }
              } finally {
                work.forEach(r -> deleteQuietly(r.classList()));
              }
            },
            "class-data-archives");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** One archive; false when stopped. */
  private boolean dump(Recording r) {
    Path list = dir.resolve(r.key() + ".classlist");
    Path tmp = dir.resolve(r.key() + "." + UUID.randomUUID() + ".jsa.tmp");
    Path log = dir.resolve(r.key() + ".dump.log");
    Path argFile = dir.resolve(r.key() + ".jvmargs");
    try {
      // the JVM is still running and appending: take its complete lines
      String recorded = Files.readString(r.classList(), StandardCharsets.UTF_8);
      int end = recorded.lastIndexOf('\n');
      if (end < 0) {
        return true;
      }
      Files.writeString(list, recorded.substring(0, end + 1), StandardCharsets.UTF_8);
      Files.writeString(argFile, "-cp " + JvmProcess.Builder.quote(r.classpath()) + "\n");
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
        command.addAll(List.of("/usr/bin/nice", "-n", "19"));
      }
      command.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xshare:dump",
              "-XX:SharedClassListFile=" + list,
              "-XX:SharedArchiveFile=" + tmp,
              "@" + argFile));
      Process p;
      synchronized (this) {
        if (stopped) {
          return false;
        }
        p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        dumping = p;
      }
      boolean exited = p.waitFor(10, TimeUnit.MINUTES);
      synchronized (this) {
        dumping = null;
        if (stopped) {
          deleteQuietly(log);
          return false;
        }
      }
      if (exited && p.exitValue() == 0 && Files.isRegularFile(tmp)) {
        removeOlder(r.key());
        Files.move(tmp, dir.resolve(r.key() + ".jsa"), StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(log);
        LOG.info("class-data archive {} saved", dir.resolve(r.key() + ".jsa"));
      } else {
        p.destroyForcibly();
        Files.writeString(dir.resolve(r.key() + ".failed"), "see " + log + "\n");
        LOG.warn("class-data archive {} failed (see {})", r.key(), log);
      }
      return true;
    } catch (IOException e) {
      LOG.warn("class-data archive {}: {}", r.key(), e.toString());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      deleteQuietly(tmp);
      deleteQuietly(list);
      deleteQuietly(argFile);
    }
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
   * Stops a dump in progress and records nothing more (the pipeline is stopping): JVMs forked from
   * now on start as usual. The class lists of this run are deleted.
   */
  public void stop() {
    List<Recording> left;
    Process p;
    synchronized (this) {
      stopped = true;
      p = dumping;
      left = List.copyOf(recordings);
      recordings.clear();
      if (current == this) {
        current = null;
      }
    }
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    left.forEach(r -> deleteQuietly(r.classList()));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left behind under .local/cds; harmless
    }
  }
}
