package io.taxiplatform.charts.observability;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}). When it is not installed
 * the calling test is skipped with the reason, unless the system property {@code
 * taxi.require.promtool} is {@code true} (CI sets it), in which case the test fails.
 */
final class Promtool {

  static final String REQUIRE_PROPERTY = "taxi.require.promtool";

  private Promtool() {}

  /** The result of one promtool run. */
  record Result(int exitCode, String output) {}

  /** The promtool executable, or skips/fails the test when there is none. */
  static Path require() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      String reason =
          "promtool is not installed (Debian: apt-get install prometheus); "
              + "the alert and PromQL checks need it";
      if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
        fail(reason + " and -D" + REQUIRE_PROPERTY + "=true");
      }
      Assumptions.abort(reason);
    }
    return found.get();
  }

  static Optional<Path> find() {
    String path = System.getenv().getOrDefault("PATH", "");
    List<String> dirs = new ArrayList<>(List.of(path.split(java.io.File.pathSeparator)));
    dirs.add("/usr/bin");
    dirs.add("/usr/local/bin");
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs {@code promtool <args>} in a directory and returns its exit code and combined output. */
  static Result run(Path workDir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("promtool did not finish: " + command);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
