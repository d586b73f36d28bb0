package io.taxiplatform.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClassDataArchivesTest {

  @TempDir Path dir;

  private ClassDataArchives archives;

  /**
   * Stops the archives and waits for the detached dump of any list a test kept: it writes into
   * {@link #dir}, which JUnit deletes next (a dump still running failed that deletion once).
   */
  @AfterEach
  void disable() throws Exception {
    if (archives != null) {
      Optional<ProcessHandle> dump = archives.stop();
      if (dump.isPresent()) {
        dump.get().onExit().get(3, TimeUnit.MINUTES);
      }
    }
  }

  /**
   * A real JVM, forked by JvmProcess as "kafka" (an archived name), records the classes it loads;
   * at the first aggregates the list is kept for the stop, and nothing is archived while the
   * pipeline runs (a dump's memory would add to the services').
   */
  @Test
  void aForkedJvmRecordsItsClassesAndTheListIsKeptForTheStop() throws Exception {
    recordAForkedJvm();
    assertThat(Files.readString(dir.resolve("run1/kafka.log"))).contains("Usage:");
    assertThat(archives.recording()).isTrue();
    assertThat(files(".classlist")).singleElement().satisfies(f -> assertThat(f).isNotEmptyFile());
    assertThat(Files.readString(files(".classlist").get(0)))
        .contains("picocli/AutoComplete")
        .contains("java/lang/Object");

    assertThat(archives.keepRecorded()).as("the first aggregates: the list is kept").hasSize(1);
    assertThat(archives.recording()).isFalse();
    assertThat(archives.keepRecorded()).as("kept once").isEmpty();
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(
                    h ->
                        String.join(" ", h.info().arguments().orElse(new String[0]))
                            .contains("-Xshare:dump"))
                .toList())
        .as("no dump while the pipeline runs")
        .isEmpty();
    assertThat(files(".jsa")).isEmpty();
    assertThat(files(".classlist")).as("the list, until the stop").hasSize(1);
  }

  /**
   * The stop hands the kept lists to a detached process (out of this JVM's process group), which
   * archives them after the stop; the next run starts on the archive, and until then does not
   * record again.
   */
  @Test
  void theStopArchivesTheKeptListsInADetachedProcessAndTheNextRunStartsOnIt() throws Exception {
    String jar = recordAForkedJvm();
    assertThat(archives.keepRecorded()).hasSize(1);

    ProcessHandle dump = archives.stop().orElseThrow();
    assertThat(archives.stop()).as("stopped once").isEmpty();
    assertThat(files(ClassDataArchives.DETACHED_LIST)).hasSize(1);
    if (OS.LINUX.isCurrentOs()) {
      String ours = processGroup(ProcessHandle.current().pid());
      String its = processGroup(dump.pid());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (its.equals(ours) && System.nanoTime() < deadline) {
        Thread.sleep(20); // until setsid has run (the dump itself takes seconds)
        its = processGroup(dump.pid());
      }
      assertThat(its)
          .as("its own process group: a later Ctrl-C in the terminal does not reach it")
          .isNotEqualTo(ours);
    }
    // the next run, while the dump is under way: it neither records nor starts on a half archive
    ClassDataArchives next = ClassDataArchives.enable(dir.resolve("cds"));
    if (dump.isAlive()) {
      assertThat(ClassDataArchives.jvmOptions("kafka", jar)).isEmpty();
    }
    dump.onExit().get(3, TimeUnit.MINUTES);
    List<Path> jsa = files(".jsa");
    assertThat(jsa).as("archives in %s", files("")).hasSize(1);
    assertThat(jsa.get(0).getFileName().toString()).matches("kafka-[0-9a-f]{16}\\.jsa");
    assertThat(files("")).as("nothing else is left").containsExactlyElementsOf(jsa);
    assertThat(ClassDataArchives.jvmOptions("kafka", jar))
        .containsExactly("-XX:SharedArchiveFile=" + jsa.get(0));
    next.stop();
    assertStartsOn(jsa.get(0), jar);
  }

  /** A list recorded after the first aggregates (a later JVM's) is not archived: it is deleted. */
  @Test
  void aListRecordedAfterTheFirstAggregatesIsNotArchived() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jar"), "a");
    ClassDataArchives cds = new ClassDataArchives(dir.resolve("cds"), "jdk-17");
    assertThat(cds.keepRecorded()).isEmpty();
    List<String> options = cds.optionsFor("streaming-job", a.toString());
    Files.writeString(
        Path.of(options.get(0).substring("-XX:DumpLoadedClassList=".length())),
        "java/lang/Object\n");
    assertThat(cds.stop()).as("nothing kept, nothing to archive").isEmpty();
    assertThat(files("")).isEmpty();
  }

  /**
   * A detached dump that fails leaves its log and a {@code .failed} marker naming it, and no
   * archive (the dump's {@code java} replaced by {@code false}: a real dump hardly fails on
   * demand).
   */
  @Test
  void aDetachedDumpThatFailsLeavesItsLogAndAFailedMarker() throws Exception {
    Path fails = Path.of("/bin/false");
    Assumptions.assumeTrue(Files.isExecutable(fails), "needs /bin/false");
    Path jar = Files.writeString(dir.resolve("a.jar"), "a");
    archives = new ClassDataArchives(dir.resolve("cds"), "jdk-17");
    List<String> options = archives.optionsFor("kafka", jar.toString());
    Files.writeString(
        Path.of(options.get(0).substring("-XX:DumpLoadedClassList=".length())),
        "java/lang/Object\n");
    assertThat(archives.keepRecorded()).hasSize(1);
    String java = ClassDataArchives.dumpJava;
    ClassDataArchives.dumpJava = fails.toString();
    try {
      archives.stop().orElseThrow().onExit().get(3, TimeUnit.MINUTES);
    } finally {
      ClassDataArchives.dumpJava = java;
    }
    assertThat(files(".jsa")).isEmpty();
    List<Path> failed = files(".failed");
    assertThat(failed).hasSize(1);
    Path log = Path.of(Files.readString(failed.get(0)).strip().substring("see ".length()));
    assertThat(log).as("the log the marker names").exists();
    assertThat(files("")).as("nothing else is left").containsExactlyInAnyOrder(failed.get(0), log);
    assertThat(
            new ClassDataArchives(dir.resolve("cds"), "jdk-17").optionsFor("kafka", jar.toString()))
        .as("the next run does not record it again")
        .isEmpty();
  }

  /** A run stopped before its first aggregates keeps nothing: its lists may be partial. */
  @Test
  void aRunStoppedBeforeItsFirstAggregatesKeepsNothing() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jar"), "a");
    ClassDataArchives cds = new ClassDataArchives(dir.resolve("cds"), "jdk-17");
    List<String> options = cds.optionsFor("kafka", a.toString());
    assertThat(options).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");
    // what the JVM would write
    Files.writeString(
        Path.of(options.get(0).substring("-XX:DumpLoadedClassList=".length())),
        "java/lang/Object\n");
    assertThat(files(".classlist")).hasSize(1);
    assertThat(cds.stop()).isEmpty();
    assertThat(files("")).isEmpty();
  }

  /**
   * A detached dump's list younger than the dump timeout: the dump is under way, the JVM does not
   * record; an older one was left by a dump that died: it is deleted and the JVM records anew.
   */
  @Test
  void aDetachedDumpUnderWayIsNotRecordedAgainUnlessItIsStale() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jar"), "a");
    ClassDataArchives cds = new ClassDataArchives(dir.resolve("cds"), "jdk-17");
    Files.createDirectories(dir.resolve("cds"));
    Path list =
        Files.writeString(
            dir.resolve("cds")
                .resolve(cds.key("kafka", a.toString()) + ClassDataArchives.DETACHED_LIST),
            "java/lang/Object\n");
    Files.writeString(
        dir.resolve("cds").resolve(cds.key("kafka", a.toString()) + ".detached.jvmargs"), "-cp a");
    assertThat(cds.optionsFor("kafka", a.toString())).as("under way").isEmpty();

    Files.setLastModifiedTime(
        list,
        FileTime.fromMillis(
            System.currentTimeMillis() - ClassDataArchives.DUMP_TIMEOUT.toMillis() - 1000));
    assertThat(cds.optionsFor("kafka", a.toString()))
        .as("stale")
        .singleElement()
        .asString()
        .startsWith("-XX:DumpLoadedClassList=");
    assertThat(list).doesNotExist();
    assertThat(files(".detached.jvmargs")).as("what the dead dump left").isEmpty();
    cds.stop();
  }

  @Test
  void aQuotedArgumentIsOneShellWord() throws Exception {
    String odd = "it's a \"path\" with $HOME and `x` \\ ;";
    Process p =
        new ProcessBuilder("/bin/sh", "-c", "printf %s " + ClassDataArchives.sq(odd))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(out).isEqualTo(odd);
  }

  /**
   * Enables the archives under {@code <dir>/cds} and runs picocli's AutoComplete {@code --help} as
   * "kafka" (an archived name), which records its classes; returns its jar (the classpath).
   */
  private String recordAForkedJvm() {
    String jar = jarOf(CommandLine.class);
    archives = ClassDataArchives.enable(dir.resolve("cds"));
    int exit =
        JvmProcess.builder("kafka", "picocli.AutoComplete")
            .classpath(jar)
            .args(List.of("--help"))
            .workDir(dir.resolve("run1"))
            .run(Duration.ofMinutes(1));
    assertThat(exit).as("picocli's AutoComplete --help").isZero();
    return jar;
  }

  /** A JVM starts with every class it can from {@code archive} (-Xshare:on fails otherwise). */
  private static void assertStartsOn(Path archive, String jar) throws Exception {
    // -Xshare:on fails instead of falling back when the archive cannot be used
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info",
                "-cp",
                jar,
                "picocli.AutoComplete",
                "--help")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).containsPattern("picocli.AutoComplete source: shared objects file\\R");
  }

  /** The process group of {@code pid} (field 5 of /proc/<pid>/stat). */
  private static String processGroup(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
  }

  @Test
  void theKeyCoversTheNameAndEachJarsSizeAndTime() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jar"), "a");
    Path b = Files.writeString(dir.resolve("b.jar"), "bb");
    ClassDataArchives cds = new ClassDataArchives(dir.resolve("cds"), "jdk-17");
    String cp = a + File.pathSeparator + b;
    String key = cds.key("kafka", cp);
    assertThat(key).matches("kafka-[0-9a-f]{16}");
    assertThat(cds.key("kafka", cp)).isEqualTo(key);
    assertThat(cds.key("cassandra", cp)).startsWith("cassandra-").isNotEqualTo("cassandra-" + key);
    assertThat(new ClassDataArchives(dir.resolve("cds"), "jdk-17.0.2").key("kafka", cp))
        .as("another JDK")
        .isNotEqualTo(key);
    assertThat(cds.key("kafka", b + File.pathSeparator + a)).as("another order").isNotEqualTo(key);

    Files.setLastModifiedTime(
        b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() + 1000));
    assertThat(cds.key("kafka", cp)).as("a rebuilt jar").isNotEqualTo(key);
  }

  @Test
  void onlyTheServicesJarsAreRecordedOnceAndNotAfterAFailedDumpOrTheStop() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jar"), "a");
    ClassDataArchives cds = new ClassDataArchives(dir.resolve("cds"), "jdk-17");

    assertThat(cds.optionsFor("producer", a.toString())).as("not an archived JVM").isEmpty();
    assertThat(cds.optionsFor("kafka", a + File.pathSeparator + dir))
        .as("a directory on the classpath (CDS archives jars only)")
        .isEmpty();
    assertThat(cds.optionsFor("streaming-job", a.toString()))
        .singleElement()
        .asString()
        .startsWith("-XX:DumpLoadedClassList=" + dir.resolve("cds").resolve("streaming-job-"));
    assertThat(cds.optionsFor("streaming-job", a.toString()))
        .as("a second job beside the first (reprocessing) does not record the same list again")
        .isEmpty();

    Files.writeString(
        dir.resolve("cds").resolve(cds.key("cassandra", a.toString()) + ".failed"), "");
    assertThat(cds.optionsFor("cassandra", a.toString())).as("after a failed dump").isEmpty();

    cds.stop();
    assertThat(cds.optionsFor("kafka", a.toString())).as("after stop").isEmpty();
    assertThat(cds.recording()).isFalse();
  }

  @Test
  void nothingIsAddedUnlessEnabled() {
    assertThat(ClassDataArchives.jvmOptions("kafka", jarOf(CommandLine.class))).isEmpty();
  }

  private List<Path> files(String suffix) throws IOException {
    Path cds = dir.resolve("cds");
    if (!Files.isDirectory(cds)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(cds)) {
      return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static String jarOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
