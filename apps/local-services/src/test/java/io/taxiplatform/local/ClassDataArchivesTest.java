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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClassDataArchivesTest {

  @TempDir Path dir;

  private ClassDataArchives archives;

  @AfterEach
  void disable() {
    if (archives != null) {
      archives.stop();
    }
  }

  /**
   * A real JVM, forked by JvmProcess as "kafka" (an archived name) on a jar, records the classes it
   * loads; the archive built from its list then serves those classes to the next JVM.
   */
  @Test
  void aForkedJvmRecordsItsClassesAndTheNextStartsOnTheArchiveBuiltFromThem() throws Exception {
    String jar = jarOf(CommandLine.class);
    archives = ClassDataArchives.enable(dir.resolve("cds"));

    int exit =
        JvmProcess.builder("kafka", "picocli.AutoComplete")
            .classpath(jar)
            .args(List.of("--help"))
            .workDir(dir.resolve("run1"))
            .run(Duration.ofMinutes(1));
    assertThat(exit).as("picocli's AutoComplete --help").isZero();
    assertThat(Files.readString(dir.resolve("run1/kafka.log"))).contains("Usage:");
    assertThat(archives.recording()).isTrue();
    assertThat(files(".classlist")).singleElement().satisfies(f -> assertThat(f).isNotEmptyFile());
    assertThat(Files.readString(files(".classlist").get(0)))
        .contains("picocli/AutoComplete")
        .contains("java/lang/Object");

    Thread dump = archives.dumpRecorded();
    dump.join(TimeUnit.MINUTES.toMillis(3));
    assertThat(dump.isAlive()).as("the dump ends").isFalse();
    List<Path> jsa = files(".jsa");
    assertThat(jsa).as("archives in %s", files("")).hasSize(1);
    assertThat(jsa.get(0).getFileName().toString()).matches("kafka-[0-9a-f]{16}\\.jsa");
    assertThat(files(".classlist")).as("the class lists are removed").isEmpty();
    assertThat(archives.recording()).isFalse();

    assertThat(ClassDataArchives.jvmOptions("kafka", jar))
        .containsExactly("-XX:SharedArchiveFile=" + jsa.get(0));
    // -Xshare:on fails instead of falling back when the archive cannot be used
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + jsa.get(0),
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
