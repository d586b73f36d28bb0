package io.taxiplatform.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where the forked services find their classpaths and write their files.
 *
 * <p>Each classpath is a file written by the build ({@code target/classpath.txt}). Its location
 * comes from a system property ({@code taxi.kafka.classpath}, {@code taxi.cassandra.classpath},
 * {@code taxi.streaming.classpath}, {@code taxi.streaming.jar}), or else from the repository root,
 * found by walking up from the working directory to the directory holding {@code mvnw} and the root
 * {@code pom.xml}. A missing file is a clear error that says to build first.
 */
public final class LocalPaths {

  public static final String KAFKA_CLASSPATH_PROPERTY = "taxi.kafka.classpath";
  public static final String CASSANDRA_CLASSPATH_PROPERTY = "taxi.cassandra.classpath";
  public static final String STREAMING_CLASSPATH_PROPERTY = "taxi.streaming.classpath";

  /** A jar file, or a directory searched for {@code streaming-job-*.jar}. */
  public static final String STREAMING_JAR_PROPERTY = "taxi.streaming.jar";

  /** Root of the per-run work directories (data, logs); default: the system temp directory. */
  public static final String WORK_DIR_PROPERTY = "taxi.local.workdir";

  private static final String BUILD_FIRST =
      "run ./mvnw -DskipTests install first (from the repository root)";

  private LocalPaths() {}

  /**
   * The repository root: the nearest directory upwards from the working directory with {@code mvnw}
   * and {@code pom.xml}.
   */
  public static Optional<Path> findRepoRoot() {
    return findRepoRoot(Paths.get("").toAbsolutePath());
  }

  static Optional<Path> findRepoRoot(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))
          && Files.isRegularFile(dir.resolve("pom.xml"))
          && Files.isDirectory(dir.resolve("apps"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** Like {@link #findRepoRoot()} but fails with a clear message. */
  public static Path repoRoot() {
    return findRepoRoot()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "cannot find the taxi-platform repository root (a directory with mvnw, pom.xml and apps/) above "
                        + Paths.get("").toAbsolutePath()
                        + "; run from inside the repository or set the -D"
                        + KAFKA_CLASSPATH_PROPERTY
                        + "/... system properties"));
  }

  /**
   * The Kafka broker's classpath (kafka_2.13, kafka-tools, log4j2 binding), then the launcher that
   * formats its storage and starts it in one JVM ({@code kafka-launcher.jar}).
   */
  public static String kafkaClasspath() {
    Path file = pathFromProperty(KAFKA_CLASSPATH_PROPERTY, KAFKA_CLASSPATH_FILE);
    String classpath = readClasspath(file);
    Path launcher = file.resolveSibling(KAFKA_LAUNCHER_JAR);
    if (!Files.isRegularFile(launcher)) {
      throw new IllegalStateException(
          "the broker's launcher " + launcher + " is missing: " + BUILD_FIRST);
    }
    return classpath + java.io.File.pathSeparator + launcher;
  }

  private static final String KAFKA_CLASSPATH_FILE =
      "apps/local-runtimes/kafka/target/classpath.txt";

  /**
   * The jar of {@code apps/local-runtimes/kafka} (its {@code FormatThenStart}), beside the broker's
   * classpath file; {@link #kafkaClasspath()} ends with it.
   */
  static final String KAFKA_LAUNCHER_JAR = "kafka-launcher.jar";

  /** Cassandra's classpath (cassandra-all). */
  public static String cassandraClasspath() {
    return readClasspath(
        CASSANDRA_CLASSPATH_PROPERTY, "apps/local-runtimes/cassandra/target/classpath.txt");
  }

  /** The streaming job's dependencies (Spark, the connector, ...), without the job's own jar. */
  public static String streamingClasspath() {
    return readClasspath(STREAMING_CLASSPATH_PROPERTY, "apps/streaming-job/target/classpath.txt");
  }

  /**
   * The producer's own runtime classpath (its classes and {@code
   * apps/producer/target/runtime-classpath.txt}, what its image runs: no Spark, no Hadoop), to run
   * {@code ProducerMain} as a separate JVM; empty when the producer module is not built.
   */
  public static Optional<String> producerClasspath() {
    Path module = repoRoot().resolve("apps/producer/target");
    Path cp = module.resolve("runtime-classpath.txt");
    Path classes = module.resolve("classes");
    if (!Files.isRegularFile(cp) || !Files.isDirectory(classes)) {
      return Optional.empty();
    }
    try {
      return Optional.of(classes + java.io.File.pathSeparator + Files.readString(cp).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + cp, e);
    }
  }

  /**
   * The streaming job's jar: {@code apps/streaming-job/target/streaming-job-*.jar}, or the jar (or
   * the directory holding it) that system property {@value #STREAMING_JAR_PROPERTY} names.
   */
  public static Path streamingJar() {
    Path configured = pathFromProperty(STREAMING_JAR_PROPERTY, "apps/streaming-job/target");
    if (Files.isRegularFile(configured)) {
      return configured;
    }
    if (Files.isDirectory(configured)) {
      try (Stream<Path> files = Files.list(configured)) {
        List<Path> jars =
            files
                .filter(
                    p -> {
                      String n = p.getFileName().toString();
                      return n.startsWith("streaming-job-")
                          && n.endsWith(".jar")
                          && !n.endsWith("-sources.jar")
                          && !n.endsWith("-tests.jar")
                          && !n.endsWith("-javadoc.jar");
                    })
                .sorted()
                .toList();
        if (jars.size() == 1) {
          return jars.get(0);
        }
        if (jars.size() > 1) {
          throw new IllegalStateException(
              "several streaming-job jars in "
                  + configured
                  + ": "
                  + jars
                  + "; set -D"
                  + STREAMING_JAR_PROPERTY
                  + " to one of them");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException(
        "the streaming job jar (streaming-job-*.jar) was not found at "
            + configured
            + ": "
            + BUILD_FIRST);
  }

  /**
   * A new, empty work directory {@code <root>/<prefix>-<random>} under {@value #WORK_DIR_PROPERTY}
   * or the temp dir.
   */
  public static Path newWorkDir(String prefix) {
    String root = System.getProperty(WORK_DIR_PROPERTY);
    try {
      Path base =
          root == null || root.isBlank()
              ? Paths.get(System.getProperty("java.io.tmpdir"))
              : Files.createDirectories(Paths.get(root));
      Path dir = base.resolve(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory for " + prefix, e);
    }
  }

  private static String readClasspath(String property, String defaultRelative) {
    return readClasspath(pathFromProperty(property, defaultRelative));
  }

  /** The classpath in {@code file}, every entry of it existing. */
  private static String readClasspath(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("classpath file " + file + " is missing: " + BUILD_FIRST);
    }
    try {
      String classpath = Files.readString(file).trim();
      if (classpath.isEmpty()) {
        throw new IllegalStateException("classpath file " + file + " is empty: " + BUILD_FIRST);
      }
      List<String> missing =
          Arrays.stream(classpath.split(java.io.File.pathSeparator))
              .filter(entry -> !entry.isBlank() && !Files.exists(Paths.get(entry)))
              .limit(3)
              .toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "classpath file "
                + file
                + " names files that do not exist (e.g. "
                + missing
                + "): "
                + BUILD_FIRST);
      }
      return classpath;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Path pathFromProperty(String property, String defaultRelative) {
    String value = System.getProperty(property);
    if (value != null && !value.isBlank()) {
      return Paths.get(value).toAbsolutePath().normalize();
    }
    return repoRoot().resolve(defaultRelative);
  }
}
