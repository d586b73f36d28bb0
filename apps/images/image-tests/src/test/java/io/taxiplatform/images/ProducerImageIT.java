package io.taxiplatform.images;

import static io.taxiplatform.images.ImageChecks.fieldNames;
import static io.taxiplatform.images.ImageChecks.libsIn;
import static io.taxiplatform.images.ImageChecks.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the producer's image tarball ({@code apps/producer/target/jib/taxi-producer.tar}, built by
 * {@code package} on the offline JRE base) and checks its config and layers against
 * docs/contracts.md "Images" and against what Maven resolved for the producer.
 */
class ProducerImageIT {

  private static final String MAIN_CLASS = "io.taxiplatform.producer.ProducerMain";

  private static ImageTarball image;
  private static JsonNode config;

  @BeforeAll
  static void readTarball() {
    image = ImageTarball.read(ImagePaths.producerTarget().resolve("jib/taxi-producer.tar"));
    config = image.containerConfig();
  }

  @Test
  void isTaggedWithTheChartsImageName() {
    ImageChecks.assertTaggedWithTheChartsImageName(image, "taxi-producer");
  }

  @Test
  void entrypointRunsTheProducerMainWithContainerAwareJvmFlags() {
    List<String> entrypoint = strings(config.path("Entrypoint"));
    assertThat(entrypoint).isNotEmpty();
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint)
        .contains("-XX:+UseContainerSupport", "-XX:+ExitOnOutOfMemoryError")
        .anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage="));
    assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(MAIN_CLASS);
    // No default arguments: flags given to the container (or the chart's args) go straight to the
    // producer.
    assertThat(strings(config.path("Cmd"))).isEmpty();
  }

  @Test
  void runsAsTheNonRootNumericUser() {
    assertThat(config.path("User").asText()).isEqualTo("65532:65532");
  }

  @Test
  void exposesTheMetricsPortAndSetsItsEnvironment() {
    assertThat(fieldNames(config.path("ExposedPorts"))).containsExactly("8080/tcp");
    List<String> env = strings(config.path("Env"));
    assertThat(env).contains("METRICS_PORT=8080");
    // The base's Java runtime is on the PATH the entrypoint's `java` is looked up in.
    String path = env.stream().filter(e -> e.startsWith("PATH=")).findFirst().orElse("PATH=");
    String javaHome =
        env.stream()
            .filter(e -> e.startsWith("JAVA_HOME="))
            .findFirst()
            .map(e -> e.substring("JAVA_HOME=".length()))
            .orElseThrow();
    assertThat(path.substring("PATH=".length()).split(":")).contains(javaHome + "/bin");
    assertThat(image.files()).containsKey(javaHome + "/bin/java");
    assertThat(config.path("WorkingDir").asText()).isEqualTo("/app");
  }

  @Test
  void carriesTheOciLabels() {
    JsonNode labels = config.path("Labels");
    ImageChecks.assertCommonOciLabels(labels);
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("taxi-producer");
  }

  @Test
  void layersHoldTheCompiledApplication() throws IOException {
    Path classes = ImagePaths.producerTarget().resolve("classes");
    Map<String, ImageTarball.FileEntry> files = image.files();
    List<Path> built;
    try (Stream<Path> walk = Files.walk(classes)) {
      built = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(built).as("compiled producer classes in %s", classes).isNotEmpty();
    for (Path file : built) {
      String relative = classes.relativize(file).toString().replace('\\', '/');
      String inImage =
          (relative.endsWith(".class") ? "/app/classes/" : "/app/resources/") + relative;
      assertThat(files).as("image file for %s", relative).containsKey(inImage);
      assertThat(files.get(inImage).size()).as("size of %s", inImage).isEqualTo(Files.size(file));
    }
    long classesInImage =
        files.keySet().stream().filter(p -> p.startsWith("/app/classes/")).count();
    assertThat(classesInImage)
        .as("classes in the image that the build did not compile")
        .isEqualTo(built.stream().filter(p -> p.toString().endsWith(".class")).count());
    assertThat(files).containsKey("/app/classes/" + MAIN_CLASS.replace('.', '/') + ".class");
  }

  @Test
  void libsAreExactlyTheResolvedRuntimeDependencies() {
    List<MavenDependency> runtime =
        MavenDependency.readList(
            ImagePaths.producerTarget().resolve("image/runtime-dependencies.txt"));
    Set<String> expected =
        runtime.stream()
            .map(MavenDependency::fileName)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> libs = libsIn(image.files().keySet(), "/app/libs/");
    assertThat(libs).isEqualTo(expected);

    // ... and the entrypoint's classpath file names exactly those jars, after the classes.
    String classpath =
        new String(image.readFile("/app/jib-classpath-file"), StandardCharsets.UTF_8).strip();
    Set<String> onClasspath = new TreeSet<>();
    for (String entry : classpath.split(":")) {
      if (entry.startsWith("/app/libs/")) {
        onClasspath.add(entry.substring("/app/libs/".length()));
      }
    }
    assertThat(onClasspath).isEqualTo(expected);
  }

  @Test
  void shipsNoSparkNorHadoop() {
    List<MavenDependency> runtime =
        MavenDependency.readList(
            ImagePaths.producerTarget().resolve("image/runtime-dependencies.txt"));
    assertThat(runtime)
        .extracting(MavenDependency::groupId)
        .noneMatch(
            g ->
                g.startsWith("org.apache.spark")
                    || g.startsWith("org.apache.hadoop")
                    || g.equals("org.scala-lang"));
    assertThat(libsIn(image.files().keySet(), "/app/libs/"))
        .noneMatch(
            jar ->
                jar.startsWith("spark-")
                    || jar.startsWith("hadoop-")
                    || jar.startsWith("scala-library"));
  }

  @Test
  void baseRuntimeHasEveryJavaModuleTheApplicationNeeds(@TempDir Path work) throws IOException {
    // Unpack what the image holds of the application, and let jdeps say which JDK modules it uses.
    List<String> args =
        new ArrayList<>(
            List.of("--multi-release", "17", "--ignore-missing-deps", "--print-module-deps", "-q"));
    image.extract(path -> path.startsWith("/app/libs/") || path.startsWith("/app/classes/"), work);
    try (Stream<Path> jars = Files.list(work.resolve("app/libs"))) {
      jars.map(Path::toString).sorted().forEach(args::add);
    }
    args.add(work.resolve("app/classes").toString());
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(
                () -> new IllegalStateException("jdeps is missing: run the tests on a JDK 17"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertThat(exit).as("jdeps: %s", err).isZero();
    Set<String> needed = new TreeSet<>(List.of(out.toString().strip().split(",")));
    assertThat(needed).contains("java.base");

    // The base's runtime lists its modules in $JAVA_HOME/release (MODULES="java.base ...").
    String javaHome =
        strings(config.path("Env")).stream()
            .filter(e -> e.startsWith("JAVA_HOME="))
            .findFirst()
            .map(e -> e.substring("JAVA_HOME=".length()))
            .orElseThrow();
    String release = new String(image.readFile(javaHome + "/release"), StandardCharsets.UTF_8);
    String modulesLine =
        release.lines().filter(l -> l.startsWith("MODULES=")).findFirst().orElseThrow();
    Set<String> present =
        new TreeSet<>(
            List.of(
                modulesLine
                    .substring("MODULES=".length())
                    .replace("\"", "")
                    .strip()
                    .split("\\s+")));
    assertThat(present).as("modules of the base's Java runtime").containsAll(needed);
  }
}
