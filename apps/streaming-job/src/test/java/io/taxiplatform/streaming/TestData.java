package io.taxiplatform.streaming;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared data directory ({@code <repo root>/../shared/data}), found by walking up to the root
 * with mvnw.
 */
final class TestData {

  private TestData() {}

  /** A file of the repository, by its path from the root. */
  static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("apps"))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(
        "repository root not found above " + Path.of("").toAbsolutePath());
  }

  static Path shared(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("apps"))) {
        return dir.resolve("../shared/data").resolve(name).normalize();
      }
    }
    return Path.of("../shared/data", name);
  }
}
