package io.taxiplatform.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** What both image ITs check the same way, and their helpers for reading an image config. */
final class ImageChecks {

  private ImageChecks() {}

  /** The image is tagged {@code <images.registry>/<name>:<images.tag>}, the chart's image name. */
  static void assertTaggedWithTheChartsImageName(ImageTarball image, String name) {
    assertThat(image.repoTags())
        .containsExactly(
            ImagePaths.property("images.registry")
                + "/"
                + name
                + ":"
                + ImagePaths.property("images.tag"));
  }

  /**
   * The OCI labels every image carries: source, version, and a revision that is a commit id (HEAD
   * or an ancestor of it when this is a git checkout).
   */
  static void assertCommonOciLabels(JsonNode labels) {
    assertThat(labels.path("org.opencontainers.image.source").asText())
        .isEqualTo(ImagePaths.property("images.source"));
    assertThat(labels.path("org.opencontainers.image.version").asText())
        .isEqualTo(ImagePaths.property("images.project.version"));
    String revision = labels.path("org.opencontainers.image.revision").asText();
    assertThat(revision).matches("[0-9a-f]{40}");
    ImagePaths.isHeadOrAncestor(revision)
        .ifPresent(
            known ->
                assertThat(known)
                    .as(
                        "revision label %s is HEAD or an ancestor of it in this repository",
                        revision)
                    .isTrue());
  }

  static Set<String> libsIn(Set<String> paths, String dir) {
    return paths.stream()
        .filter(p -> p.startsWith(dir) && p.indexOf('/', dir.length()) < 0)
        .map(p -> p.substring(dir.length()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<String> strings(JsonNode array) {
    List<String> result = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(node -> result.add(node.asText()));
    }
    return result;
  }

  static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
