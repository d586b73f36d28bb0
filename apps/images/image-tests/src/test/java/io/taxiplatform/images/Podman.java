package io.taxiplatform.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the podman CLI (configured by ci/install-podman.sh: runc, cgroupfs, vfs, explicit ulimits).
 */
final class Podman {

  private static final Logger LOG = LoggerFactory.getLogger(Podman.class);

  /** Exit code and combined stdout+stderr of one podman command. */
  record Result(int exitCode, String output, Duration elapsed) {}

  private Podman() {}

  /**
   * Why podman cannot run containers here, or empty when it can (a tiny container is actually
   * started).
   */
  static Optional<String> unavailableReason(Path probeImageTar, String probeImage) {
    try {
      Result version = run(Duration.ofSeconds(30), "--version");
      if (version.exitCode() != 0) {
        return Optional.of("`podman --version` failed: " + version.output());
      }
      Result info = run(Duration.ofSeconds(60), "info", "--format", "{{.Host.OCIRuntime.Name}}");
      if (info.exitCode() != 0) {
        return Optional.of("`podman info` failed (run ci/install-podman.sh): " + info.output());
      }
      if (probeImageTar != null) {
        Result load = run(Duration.ofMinutes(5), "load", "-i", probeImageTar.toString());
        if (load.exitCode() != 0) {
          return Optional.of("`podman load` of " + probeImageTar + " failed: " + load.output());
        }
        Result probe = run(Duration.ofMinutes(2), "run", "--rm", "--network=host", probeImage);
        if (probe.exitCode() != 0) {
          return Optional.of(
              "podman cannot start a container (" + probeImage + "): " + probe.output());
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "podman is not installed (Debian: apt-get install podman runc; see ci/install-podman.sh): "
              + e.getMessage());
    }
  }

  /**
   * Runs {@code podman <args>}, killing it after {@code timeout}; never throws for a non-zero exit.
   */
  static Result run(Duration timeout, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("podman");
    command.addAll(List.of(args));
    Path output = Files.createTempFile("podman-", ".log");
    try {
      long start = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      boolean exited;
      try {
        exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IOException("interrupted while running " + command, e);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (!exited) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        String text = Files.readString(output, StandardCharsets.UTF_8);
        throw new IOException("timed out after " + timeout + ": " + command + "\n" + text);
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      LOG.info("{} -> exit {} in {} ms", command, process.exitValue(), elapsed.toMillis());
      return new Result(process.exitValue(), text, elapsed);
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
