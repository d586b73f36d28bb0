package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The producer stays light: no Spark and no Hadoop jars on its runtime classpath (written by
 * maven-dependency-plugin to target/runtime-classpath.txt), and the Hadoop classes parquet-hadoop
 * touches come from parquet-floor's stubs.
 */
class RuntimeClasspathTest {

  private static List<String> runtimeJars() throws Exception {
    String file = System.getProperty("taxi.producer.runtimeClasspath");
    assumeTrue(
        file != null && Files.isRegularFile(Path.of(file)),
        "run through Maven: target/runtime-classpath.txt is written by the build");
    return Arrays.stream(Files.readString(Path.of(file)).trim().split(File.pathSeparator))
        .map(p -> Path.of(p).getFileName().toString())
        .toList();
  }

  @Test
  void noSparkNoHadoopOnTheRuntimeClasspath() throws Exception {
    List<String> jars = runtimeJars();
    assertThat(jars)
        .anyMatch(j -> j.startsWith("kafka-clients-4."))
        .anyMatch(j -> j.startsWith("parquet-floor-"))
        .anyMatch(j -> j.startsWith("trip-model-") || j.equals("classes"));
    assertThat(jars)
        .noneMatch(j -> j.startsWith("spark-"))
        .noneMatch(j -> j.startsWith("hadoop-"))
        .noneMatch(j -> j.startsWith("scala-library"));
  }

  @Test
  void hadoopClassesComeFromParquetFloorStubs() throws Exception {
    Class<?> conf = Class.forName("org.apache.hadoop.conf.Configuration");
    String location = conf.getProtectionDomain().getCodeSource().getLocation().toString();
    assertThat(location).contains("parquet-floor");
  }
}
