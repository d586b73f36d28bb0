package io.taxiplatform.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The images the build names (Maven properties image.registry, image.tag; names from
 * docs/contracts.md) are the images the chart deploys by default, and the streaming image's base is
 * the Spark the build compiles against.
 */
class ChartImageNamesTest {

  private static final Path VALUES =
      ImagePaths.repoRoot().resolve("charts/taxi-platform/values.yaml");

  @Test
  void chartDefaultsAreTheImagesTheBuildProduces() throws IOException {
    assertThat(VALUES).exists();
    JsonNode images =
        new ObjectMapper(new YAMLFactory()).readTree(Files.readString(VALUES)).path("images");
    assertImage(images.path("producer"), "taxi-producer");
    assertImage(images.path("streaming"), "taxi-streaming-job");
  }

  @Test
  void chartRunsTheJarAtThePathTheImageHasIt() throws IOException {
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(VALUES));
    assertThat(values.path("streaming").path("mainApplicationFile").asText())
        .isEqualTo("local:///opt/taxi/app/taxi-streaming-job.jar");
    assertThat(values.path("streaming").path("mainClass").asText())
        .isEqualTo("io.taxiplatform.streaming.StreamingJob");
    assertThat(values.path("streaming").path("sparkVersion").asText())
        .isEqualTo(ImagePaths.property("images.spark.version"));
  }

  @Test
  void streamingBaseIsTheSparkTheJobIsBuiltAgainst() {
    assertThat(ImagePaths.property("images.streaming.base"))
        .isEqualTo(
            "apache/spark:"
                + ImagePaths.property("images.spark.version")
                + "-scala2.12-java17-ubuntu");
  }

  private static void assertImage(JsonNode image, String repository) {
    assertThat(image.path("registry").asText())
        .as("%s registry", repository)
        .isEqualTo(ImagePaths.property("images.registry"));
    assertThat(image.path("repository").asText()).isEqualTo(repository);
    assertThat(image.path("tag").asText())
        .as("%s tag", repository)
        .isEqualTo(ImagePaths.property("images.tag"));
  }
}
