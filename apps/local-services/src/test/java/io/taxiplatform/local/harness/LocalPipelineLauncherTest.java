package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.local.LocalPipelineLauncher;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `local` profile's launcher: LocalPipeline's exit code becomes the exit code of the JVM that
 * ran the launcher (Maven's, in the profile), and what the user sees is LocalPipeline's own
 * message.
 */
class LocalPipelineLauncherTest {

  @TempDir Path dir;

  @Test
  void theCommandForwardsJvmArgsAndTaxiPropertiesOnly() {
    List<String> command =
        command(
            Map.of(
                "taxi.local.java", "/jdk/bin/java",
                "taxi.local.classpath", "/a.jar:/b.jar",
                "taxi.local.jvmArgs", " -Xmx512m  -Dx=1 ",
                "taxi.local.dir", "/repo",
                "taxi.kafka.classpath", "/k.txt",
                "user.home", "/home/me"),
            "--duration",
            "60",
            "");

    assertThat(command)
        .containsExactly(
            "/jdk/bin/java",
            "-Xmx512m",
            "-Dx=1",
            "-Dtaxi.kafka.classpath=/k.txt",
            "-cp",
            "/a.jar:/b.jar",
            "io.taxiplatform.local.LocalPipeline",
            "--duration",
            "60");
    assertThatThrownBy(() -> command(Map.of("java.home", "/jdk")))
        .hasMessageContaining("taxi.local.classpath");
  }

  @Test
  void aBadFlagPrintsUsageAndExitsTwo() throws Exception {
    Result r = launch("--bogus");

    assertThat(r.code).as(r.toString()).isEqualTo(2);
    assertThat(r.stderr)
        .contains("error: Unknown option: '--bogus'")
        .contains("Usage: LocalPipeline");
    assertThat(r.stdout).isEmpty();
  }

  @Test
  void aFailurePrintsTheErrorAndExitsOne() throws Exception {
    Result r =
        launch("-Dtaxi.kafka.classpath=" + dir.resolve("missing-classpath.txt"), "--duration", "1");

    assertThat(r.code).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr)
        .contains("error: classpath file")
        .contains("missing-classpath.txt")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void helpExitsZero() throws Exception {
    Result r = launch("--help");

    assertThat(r.code).as(r.toString()).isZero();
    assertThat(r.stdout).contains("Usage: LocalPipeline");
  }

  private static List<String> command(Map<String, String> properties, String... args) {
    return LocalPipelineLauncher.command(properties, args);
  }

  private record Result(int code, String stdout, String stderr) {}

  /**
   * Runs the launcher in its own JVM, as exec:java runs it in Maven's: {@code -D...} entries of
   * {@code args} become the launcher JVM's system properties, the rest LocalPipeline's arguments.
   */
  private Result launch(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Dtaxi.local.classpath=" + classpath,
                "-Dtaxi.local.jvmArgs=-Xmx128m",
                "-Dtaxi.local.workdir=" + dir));
    List<String> pipelineArgs = new ArrayList<>();
    for (String a : args) {
      (a.startsWith("-D") ? command : pipelineArgs).add(a);
    }
    command.addAll(List.of("-cp", classpath, LocalPipelineLauncher.class.getName()));
    command.addAll(pipelineArgs);
    File out = dir.resolve("out.txt").toFile();
    File err = dir.resolve("err.txt").toFile();
    Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("launcher did not exit within 60 s: " + command);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }
}
