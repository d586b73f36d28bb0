package io.taxiplatform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's classpath: the build's classpath file, then the launcher jar beside it. */
class LocalPathsTest {

  @TempDir Path dir;

  private final String before = System.getProperty(LocalPaths.KAFKA_CLASSPATH_PROPERTY);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(LocalPaths.KAFKA_CLASSPATH_PROPERTY);
    } else {
      System.setProperty(LocalPaths.KAFKA_CLASSPATH_PROPERTY, before);
    }
  }

  @Test
  void theBrokersClasspathEndsWithTheLauncherBesideItsFile() throws IOException {
    Path dependency = Files.writeString(dir.resolve("kafka.jar"), "");
    Path launcher = Files.writeString(dir.resolve(LocalPaths.KAFKA_LAUNCHER_JAR), "");
    Path file = Files.writeString(dir.resolve("classpath.txt"), dependency + "\n");
    System.setProperty(LocalPaths.KAFKA_CLASSPATH_PROPERTY, file.toString());

    assertThat(LocalPaths.kafkaClasspath()).isEqualTo(dependency + File.pathSeparator + launcher);
  }

  @Test
  void aMissingLauncherSaysToBuild() throws IOException {
    Path dependency = Files.writeString(dir.resolve("kafka.jar"), "");
    Path file = Files.writeString(dir.resolve("classpath.txt"), dependency.toString());
    System.setProperty(LocalPaths.KAFKA_CLASSPATH_PROPERTY, file.toString());

    assertThatThrownBy(LocalPaths::kafkaClasspath)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.resolve(LocalPaths.KAFKA_LAUNCHER_JAR).toString())
        .hasMessageContaining("install first");
  }
}
