package io.taxiplatform.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the tests find the build's outputs: system properties set by this module's POM, or else
 * paths relative to the repository root (the nearest directory upwards with {@code mvnw} and {@code
 * pom.xml}).
 */
final class ImagePaths {

  private ImagePaths() {}

  static Path producerTarget() {
    return dir("images.producer.dir", "apps/producer/target");
  }

  static Path streamingTarget() {
    return dir("images.streaming.dir", "apps/streaming-job/target");
  }

  static Path sparkDependencies() {
    return dir("images.spark.dependencies", "apps/images/spark-runtime/target/dependencies.txt");
  }

  static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + name
              + " is not set: run through Maven "
              + "(./mvnw -pl apps/images/image-tests verify) or set it");
    }
    return value;
  }

  static Path repoRoot() {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))
          && Files.isRegularFile(dir.resolve("pom.xml"))
          && Files.isDirectory(dir.resolve("apps"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root above " + Paths.get("").toAbsolutePath());
  }

  /** {@code git rev-parse HEAD} of the repository, when git and a .git directory are there. */
  static Optional<String> gitHead() {
    return git("rev-parse", "HEAD").filter(out -> out.matches("[0-9a-f]{40}"));
  }

  /**
   * Whether {@code revision} is HEAD or one of its ancestors (the image was built from this
   * history; other commits may have landed since in a shared working tree); empty when git cannot
   * tell.
   */
  static Optional<Boolean> isHeadOrAncestor(String revision) {
    if (gitHead().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(git("merge-base", "--is-ancestor", revision, "HEAD").isPresent());
  }

  /** Output of a successful git command in the repository root, or empty. */
  private static Optional<String> git(String... args) {
    try {
      List<String> command = new ArrayList<>();
      command.add("git");
      command.addAll(List.of(args));
      Process git =
          new ProcessBuilder(command)
              .directory(repoRoot().toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!git.waitFor(30, TimeUnit.SECONDS)) {
        git.destroyForcibly();
        return Optional.empty();
      }
      return git.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Path dir(String property, String relative) {
    String value = System.getProperty(property);
    if (value != null && !value.isBlank()) {
      return Paths.get(value).toAbsolutePath().normalize();
    }
    return repoRoot().resolve(relative);
  }
}
