package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ci/kind cannot run here (no container engine); what can be checked offline is: every script is
 * valid bash, the images the scripts build and load are the ones the kind profile deploys, and the
 * run order is cluster -> images -> helmfile -> helm test with diagnostics on failure.
 */
class KindScriptsTest {

  private static final Path KIND = ChartRenderer.repoRoot().resolve("ci/kind");

  private static String bash(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(KIND.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("bash %s: %s", script, out).isZero();
    return out.trim();
  }

  @Test
  void scriptsAreValidBash() throws Exception {
    for (String s :
        List.of(
            "lib.sh",
            "up.sh",
            "build-images.sh",
            "deploy.sh",
            "test.sh",
            "collect.sh",
            "down.sh",
            "run.sh")) {
      assertThat(KIND.resolve(s)).isRegularFile();
      bash("bash -n " + s);
    }
  }

  @Test
  void scriptsLoadTheImagesTheKindProfileDeploys() throws Exception {
    String images =
        bash(
            "source ./lib.sh && echo \"$PRODUCER_IMAGE $STREAMING_IMAGE $HELMFILE_ENV $NAMESPACE\"");
    ChartRenderer.Rendered r = ChartRenderer.render("kind");
    String producer =
        String.valueOf(path(r.one("Deployment"), "spec", "template", "spec", "containers"))
            .replaceAll("(?s).*image=([^,}]+).*", "$1");
    String streaming = String.valueOf(path(r.one("SparkApplication"), "spec", "image"));
    assertThat(images).isEqualTo(producer + " " + streaming + " kind " + ChartRenderer.NAMESPACE);
    assertThat(path(r.one("SparkApplication"), "spec", "imagePullPolicy"))
        .as("images come from kind load")
        .isEqualTo("Never");
  }

  @Test
  void runOrderAndDiagnostics() throws IOException {
    String run = Files.readString(KIND.resolve("run.sh"));
    int up = run.indexOf("up.sh\"\n");
    int build = run.indexOf("build-images.sh\"\n");
    int deploy = run.indexOf("deploy.sh\"\n");
    int test = run.indexOf("test.sh\"\n", deploy);
    assertThat(up).isPositive().isLessThan(build);
    assertThat(build).isLessThan(deploy);
    assertThat(deploy).isLessThan(test);
    assertThat(run).contains("trap finish EXIT").contains("collect.sh").contains("down.sh");
    assertThat(Files.readString(KIND.resolve("deploy.sh")))
        .contains("helmfile -e \"$HELMFILE_ENV\" sync");
    assertThat(Files.readString(KIND.resolve("test.sh"))).contains("helm test \"$RELEASE\"");
    Map<String, Object> kindConfig = ChartRenderer.readYamlMap(KIND.resolve("kind-config.yaml"));
    assertThat((List<?>) kindConfig.get("nodes"))
        .as("one node: ReadWriteOnce checkpoint and local-path volumes")
        .hasSize(1);
  }
}
