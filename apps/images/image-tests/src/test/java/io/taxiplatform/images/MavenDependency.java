package io.taxiplatform.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code maven-dependency-plugin:list} output ({@code
 * groupId:artifactId:type[:classifier]:version:scope [-- module ...]}).
 */
record MavenDependency(
    String groupId,
    String artifactId,
    String type,
    String classifier,
    String version,
    String scope) {

  /** {@code groupId:artifactId}: the identity of a library whatever its version. */
  String key() {
    return groupId + ":" + artifactId;
  }

  /** The file name Maven (and Jib) give the jar. */
  String fileName() {
    return artifactId + "-" + version + (classifier.isEmpty() ? "" : "-" + classifier) + "." + type;
  }

  static MavenDependency parse(String line) {
    String coordinates = line.strip();
    int module = coordinates.indexOf(" -- ");
    if (module >= 0) {
      coordinates = coordinates.substring(0, module).strip();
    }
    String[] parts = coordinates.split(":");
    return switch (parts.length) {
      case 5 -> new MavenDependency(parts[0], parts[1], parts[2], "", parts[3], parts[4]);
      case 6 -> new MavenDependency(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
      default -> throw new IllegalArgumentException("not a dependency:list line: '" + line + "'");
    };
  }

  /**
   * Reads a {@code dependency:list} output file; fails clearly when the build has not written it.
   */
  static List<MavenDependency> readList(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "dependency list "
              + file
              + " is missing: build first with "
              + "./mvnw -DskipTests package (from the repository root)");
    }
    try {
      List<MavenDependency> result = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String stripped = line.strip();
        if (stripped.isEmpty() || stripped.startsWith("The following") || stripped.equals("none")) {
          continue;
        }
        result.add(parse(stripped));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
