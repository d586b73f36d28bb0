package io.taxiplatform.images;

import static io.taxiplatform.images.ImageChecks.fieldNames;
import static io.taxiplatform.images.ImageChecks.libsIn;
import static io.taxiplatform.images.ImageChecks.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the streaming job's image tarball ({@code
 * apps/streaming-job/target/jib/taxi-streaming-job.tar}, built by {@code package} on {@code
 * scratch}: apache/spark cannot be pulled here, so every layer in it is the image's own) and checks
 * it against docs/contracts.md "Images", against what Maven resolved for the job and against
 * Spark's own resolved classpath (apps/images/spark-runtime: what apache/spark ships).
 */
class StreamingImageIT {

  private static final String APP_JAR = "/opt/taxi/app/taxi-streaming-job.jar";
  private static final String LIBS = "/opt/taxi/libs/";

  private static ImageTarball image;
  private static JsonNode config;

  @BeforeAll
  static void readTarball() {
    image = ImageTarball.read(ImagePaths.streamingTarget().resolve("jib/taxi-streaming-job.tar"));
    config = image.containerConfig();
  }

  @Test
  void isTaggedWithTheChartsImageName() {
    ImageChecks.assertTaggedWithTheChartsImageName(image, "taxi-streaming-job");
  }

  @Test
  void keepsTheBaseEntrypointAndRunsAsSpark() {
    // entrypoint INHERIT: Jib writes neither entrypoint nor cmd of its own, so apache/spark's
    // /opt/entrypoint.sh receives the spark-operator's driver/executor arguments.
    assertThat(strings(config.path("Entrypoint"))).isEmpty();
    assertThat(strings(config.path("Cmd"))).isEmpty();
    assertThat(config.path("User").asText()).isEqualTo("185");
    assertThat(config.path("WorkingDir").asText()).isEqualTo("/opt/spark/work-dir");
    assertThat(fieldNames(config.path("ExposedPorts"))).containsExactly("9091/tcp");
    assertThat(strings(config.path("Env"))).contains("SPARK_EXTRA_CLASSPATH=/opt/taxi/libs/*");
  }

  @Test
  void carriesTheOciLabels() {
    JsonNode labels = config.path("Labels");
    ImageChecks.assertCommonOciLabels(labels);
    assertThat(labels.path("org.opencontainers.image.base.name").asText())
        .matches("apache/spark:3\\.5\\.\\d+-scala2\\.12-java17-ubuntu");
  }

  @Test
  void applicationJarIsTheBuiltJarAtTheChartsPath() throws IOException {
    Path built = builtJar();
    byte[] inImage = image.readFile(APP_JAR);
    assertThat(inImage).as("%s vs %s", APP_JAR, built).isEqualTo(Files.readAllBytes(built));
    Set<String> entries = new TreeSet<>();
    try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(inImage))) {
      JarEntry entry;
      while ((entry = jar.getNextJarEntry()) != null) {
        entries.add(entry.getName());
      }
    }
    assertThat(entries).contains("io/taxiplatform/streaming/StreamingJob.class");
  }

  @Test
  void holdsOnlyTheJarAndTheLibs() {
    Set<String> unexpected =
        image.files().keySet().stream()
            .filter(p -> !p.equals(APP_JAR) && !(p.startsWith(LIBS) && p.endsWith(".jar")))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(unexpected)
        .as("files besides the application jar and /opt/taxi/libs/*.jar")
        .isEmpty();
  }

  @Test
  void libsAreTheResolvedRuntimeDependenciesThatSparkDoesNotShip() {
    List<MavenDependency> runtime =
        MavenDependency.readList(
            ImagePaths.streamingTarget().resolve("image/runtime-dependencies.txt"));
    Set<String> sparkArtifacts =
        sparkRuntime().stream().map(MavenDependency::artifactId).collect(Collectors.toSet());
    // A library Spark ships counts as shipped whatever its version or group (e.g. org.lz4:lz4-java
    // and its
    // relocation at.yawk.lz4:lz4-java hold the same classes): a second copy would shadow Spark's
    // own.
    Set<String> expected =
        runtime.stream()
            .filter(d -> !sparkArtifacts.contains(d.artifactId()))
            .map(MavenDependency::fileName)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(expected)
        .as("dependencies the job needs beyond Spark")
        .anyMatch(jar -> jar.startsWith("spark-cassandra-connector_"))
        .anyMatch(jar -> jar.startsWith("spark-sql-kafka-0-10_"));
    assertThat(libsIn(image.files().keySet(), LIBS)).isEqualTo(expected);
  }

  @Test
  void shipsNoJarThatSparkAlreadyHas() {
    List<MavenDependency> spark = sparkRuntime();
    Set<String> sparkKeys = spark.stream().map(MavenDependency::key).collect(Collectors.toSet());
    Set<String> sparkArtifacts =
        spark.stream().map(MavenDependency::artifactId).collect(Collectors.toSet());
    List<MavenDependency> runtime =
        MavenDependency.readList(
            ImagePaths.streamingTarget().resolve("image/runtime-dependencies.txt"));
    Set<String> libs = libsIn(image.files().keySet(), LIBS);
    // By coordinates, for the jars Maven resolved for the job ...
    Set<String> sparkOwnedInImage =
        runtime.stream()
            .filter(d -> sparkKeys.contains(d.key()) && libs.contains(d.fileName()))
            .map(MavenDependency::key)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(sparkOwnedInImage).isEmpty();
    // ... and by name, whatever put them there.
    assertThat(libs)
        .noneMatch(
            jar ->
                sparkArtifacts.stream()
                    .anyMatch(
                        name ->
                            jar.startsWith(name + "-")
                                && jar.substring(name.length() + 1).matches("\\d.*")));
    assertThat(libs)
        .noneMatch(jar -> jar.matches("(spark-(core|sql|catalyst)_.*|scala-library-.*|hadoop-.*)"));
  }

  /**
   * Spark's own runtime, resolved on its own by apps/images/spark-runtime: what apache/spark ships.
   */
  private static List<MavenDependency> sparkRuntime() {
    List<MavenDependency> spark = MavenDependency.readList(ImagePaths.sparkDependencies());
    assertThat(spark)
        .extracting(MavenDependency::key)
        .as("Spark's own runtime (apps/images/spark-runtime)")
        .contains("org.apache.spark:spark-sql_2.12", "org.scala-lang:scala-library");
    return spark;
  }

  private static Path builtJar() throws IOException {
    try (Stream<Path> files = Files.list(ImagePaths.streamingTarget())) {
      List<Path> jars =
          files
              .filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith("streaming-job-")
                        && name.endsWith(".jar")
                        && !name.endsWith("-tests.jar")
                        && !name.endsWith("-sources.jar");
                  })
              .toList();
      assertThat(jars).as("the streaming job's jar in %s", ImagePaths.streamingTarget()).hasSize(1);
      return jars.get(0);
    }
  }
}
