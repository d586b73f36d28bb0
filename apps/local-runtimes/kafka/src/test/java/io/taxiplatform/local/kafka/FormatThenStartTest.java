package io.taxiplatform.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's format step on the broker's own classes (no broker is started: the controller port
 * is only written into the configuration).
 */
class FormatThenStartTest {

  private static final String CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qk";

  @TempDir Path dir;

  @Test
  void formatsTheStorageOnceAndReportsASecondFormatAsTheToolDoes() throws IOException {
    Path config = serverProperties();
    List<String> args = List.of("format", "-t", CLUSTER_ID, "-c", config.toString());

    assertThat(FormatThenStart.format(args)).isZero();
    assertThat(Files.readString(dir.resolve("data/meta.properties")))
        .contains("cluster.id=" + CLUSTER_ID)
        .contains("node.id=1");
    assertThat(dir.resolve("data/bootstrap.checkpoint")).isRegularFile();

    // formatted already: StorageTool's FormatterException, its message on stderr, exit code 1
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    int exit;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      exit = FormatThenStart.format(args);
    } finally {
      System.setErr(before);
    }
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(dir.resolve("data").toString())
        .contains("already formatted");
  }

  /**
   * A configuration the broker cannot read is not the format's failure: its exception ends the JVM
   * with its stack trace, as it ends {@code kafka-storage format}'s (StorageTool's main does not
   * catch it either), before anything is written.
   */
  @Test
  void letsAnUnreadableConfigurationFailAsTheToolDoes() throws IOException {
    Path config = dir.resolve("zookeeper.properties");
    Files.writeString(config, "broker.id=1\nlog.dirs=" + dir.resolve("data") + "\n");

    assertThatThrownBy(
            () ->
                FormatThenStart.format(
                    List.of("format", "-t", CLUSTER_ID, "-c", config.toString())))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("process.roles");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  private Path serverProperties() throws IOException {
    Path config = dir.resolve("server.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:9093",
            "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
            "controller.listener.names=CONTROLLER",
            "log.dirs=" + dir.resolve("data"),
            ""));
    return config;
  }
}
