package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chart.yaml and Chart.lock: apiVersion v2, kubeVersion, the five pinned dependencies with their
 * real repositories and conditions, and a Chart.lock whose digest is the one Helm computes.
 */
class ChartDefinitionTest {

  private static final Path CHART = ChartRenderer.chartDir();

  @Test
  void chartIsV2WithAKubeVersion() {
    Map<String, Object> chart = ChartRenderer.readYamlMap(CHART.resolve("Chart.yaml"));
    assertThat(chart.get("apiVersion")).isEqualTo("v2");
    assertThat(chart.get("name")).isEqualTo("taxi-platform");
    assertThat(String.valueOf(chart.get("kubeVersion"))).startsWith(">=1.30");
    assertThat(String.valueOf(chart.get("appVersion")))
        .isEqualTo(Contracts.pomProperty("image.tag"));
  }

  @Test
  void dependenciesArePinnedWithConditionsAndRealRepositories() {
    List<Map<String, Object>> deps = ChartRenderer.dependencies(CHART);
    Map<String, String> repos = new LinkedHashMap<>();
    for (Map<String, Object> d : deps) {
      String name = String.valueOf(d.get("name"));
      assertThat(String.valueOf(d.get("version")))
          .as("%s version is an exact pin", name)
          .matches("\\d+\\.\\d+\\.\\d+");
      assertThat(d.get("condition")).as("%s condition", name).isEqualTo(name + ".enabled");
      repos.put(name, String.valueOf(d.get("repository")));
    }
    // Repositories as published by each project (see docs/install-topology.md for where each was
    // checked).
    assertThat(repos)
        .containsExactly(
            Map.entry("strimzi-kafka-operator", "https://strimzi.io/charts/"),
            Map.entry("k8ssandra-operator", "https://helm.k8ssandra.io/stable"),
            Map.entry("spark-operator", "https://kubeflow.github.io/spark-operator"),
            Map.entry("grafana", "https://grafana-community.github.io/helm-charts"),
            Map.entry(
                "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts"));
    Map<String, String> versions = new LinkedHashMap<>();
    deps.forEach(
        d -> versions.put(String.valueOf(d.get("name")), String.valueOf(d.get("version"))));
    assertThat(versions.get("spark-operator"))
        .as("spark-operator 2.2.x submits Spark 3.5")
        .startsWith("2.2.");
    assertThat(versions.get("strimzi-kafka-operator")).isEqualTo("1.2.0");
    assertThat(versions.get("k8ssandra-operator")).startsWith("1.32.");
  }

  @Test
  void everyDependencyHasAValuesBlockWithEnabled() {
    Map<String, Object> values = ChartRenderer.readYamlMap(CHART.resolve("values.yaml"));
    for (Map<String, Object> d : ChartRenderer.dependencies(CHART)) {
      Object block = values.get(String.valueOf(d.get("name")));
      assertThat(block).as("values block of %s", d.get("name")).isInstanceOf(Map.class);
      assertThat(((Map<?, ?>) block).get("enabled"))
          .as("%s.enabled", d.get("name"))
          .isInstanceOf(Boolean.class);
    }
  }

  @Test
  void lockListsExactlyTheDependenciesAndHelmsDigest() throws Exception {
    Map<String, Object> lock = ChartRenderer.readYamlMap(CHART.resolve("Chart.lock"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> locked = (List<Map<String, Object>>) lock.get("dependencies");
    List<Map<String, Object>> deps = ChartRenderer.dependencies(CHART);
    assertThat(locked).hasSameSizeAs(deps);
    for (int i = 0; i < deps.size(); i++) {
      assertThat(locked.get(i))
          .containsEntry("name", deps.get(i).get("name"))
          .containsEntry("version", String.valueOf(deps.get(i).get("version")))
          .containsEntry("repository", deps.get(i).get("repository"));
    }
    assertThat(lock.get("digest")).isEqualTo(hashReq(deps, locked));
  }

  /**
   * Helm's own `dependency build` accepts the lock digest (and rejects it once Chart.yaml changes).
   */
  @Test
  void helmDependencyBuildAcceptsTheLock(@TempDir Path tmp) throws IOException {
    Path copy = copyChart(tmp.resolve("ok"));
    // Offline, Helm stops after verifying the digest: the repositories are not configured here.
    assertThatThrownBy(() -> new Helm(copy).dependency().build().skipRefresh().call())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("out of sync"))
        .satisfies(
            e ->
                System.out.println(
                    "helm dependency build (expected to stop at the repositories): "
                        + e.getMessage()));

    Path changed = copyChart(tmp.resolve("changed"));
    String chartYaml = Files.readString(changed.resolve("Chart.yaml"));
    Files.writeString(
        changed.resolve("Chart.yaml"), chartYaml.replace("version: 2.2.1", "version: 2.2.0"));
    assertThatThrownBy(() -> new Helm(changed).dependency().build().skipRefresh().call())
        .hasMessageContaining("out of sync");
  }

  @Test
  void noPackagedSubchartIsTracked() throws Exception {
    String gitignore = Files.readString(ChartRenderer.repoRoot().resolve(".gitignore"));
    assertThat(gitignore).contains("charts/*/charts/*.tgz");
    Process git =
        new ProcessBuilder("git", "ls-files", "charts/taxi-platform/charts")
            .directory(ChartRenderer.repoRoot().toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        git.waitFor() == 0,
        "not a git checkout (git ls-files failed: "
            + out.strip()
            + "); the .gitignore rule was checked");
    assertThat(out.lines().filter(l -> l.endsWith(".tgz") || l.contains("/Chart.yaml")).toList())
        .as("packaged or unpacked subcharts in git")
        .isEmpty();
  }

  /**
   * Helm 3.21 internal/resolver.HashReq: "sha256:" +
   * hex(sha256(json.Marshal([2][]*chart.Dependency{req, lock}))). Go's encoding/json writes the
   * struct fields in declaration order (name, version, repository, condition, tags, enabled,
   * import-values, alias), omits the omitempty ones that are empty, adds no whitespace and escapes
   * &lt;, &gt; and &amp;.
   */
  static String hashReq(List<Map<String, Object>> req, List<Map<String, Object>> lock)
      throws Exception {
    List<List<Map<String, Object>>> both = List.of(goDependencies(req), goDependencies(lock));
    ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
    String data =
        json.writeValueAsString(both)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026");
    byte[] sum = MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
    return "sha256:" + HexFormat.of().formatHex(sum);
  }

  private static List<Map<String, Object>> goDependencies(List<Map<String, Object>> deps) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> d : deps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", String.valueOf(d.get("name")));
      putIfNotEmpty(
          m, "version", d.get("version") == null ? null : String.valueOf(d.get("version")));
      m.put("repository", d.get("repository") == null ? "" : String.valueOf(d.get("repository")));
      putIfNotEmpty(m, "condition", d.get("condition"));
      putIfNotEmpty(m, "tags", d.get("tags"));
      if (Boolean.TRUE.equals(d.get("enabled"))) {
        m.put("enabled", true);
      }
      putIfNotEmpty(m, "import-values", d.get("import-values"));
      putIfNotEmpty(m, "alias", d.get("alias"));
      out.add(m);
    }
    return out;
  }

  private static void putIfNotEmpty(Map<String, Object> m, String key, Object value) {
    if (value == null || "".equals(value) || (value instanceof List<?> l && l.isEmpty())) {
      return;
    }
    m.put(key, value);
  }

  private static Path copyChart(Path dest) throws IOException {
    Files.createDirectories(dest);
    for (String f : List.of("Chart.yaml", "Chart.lock", "values.yaml")) {
      Files.copy(CHART.resolve(f), dest.resolve(f));
    }
    try (Stream<Path> s = Files.list(CHART)) {
      assertThat(s.map(p -> p.getFileName().toString())).contains("Chart.lock");
    }
    return dest;
  }
}
