package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * helmfile.yaml: environments dev/kind/staging, releases ordered with needs (cert-manager first,
 * then the operators, then the platform), every version pinned and equal to the umbrella chart's
 * dependencies, the same chart for the platform. The release values templates
 * (values/helmfile/*.gotmpl) are rendered with Helm's template engine (the same Go template + sprig
 * functions helmfile uses).
 */
class HelmfileTest {

  private static final Path ROOT = ChartRenderer.repoRoot();

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> docs() {
    return ChartRenderer.parse(read(ROOT.resolve("helmfile.yaml"))).objects();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> releases() {
    return (List<Map<String, Object>>) docs().get(1).get("releases");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void isPlainYamlWithEnvironmentsAboveTheReleases() {
    assertThat(read(ROOT.resolve("helmfile.yaml"))).doesNotContain("{{");
    List<Map<String, Object>> docs = docs();
    assertThat(docs).hasSize(2);
    assertThat(docs.get(0)).containsOnlyKeys("environments");
    @SuppressWarnings("unchecked")
    Map<String, Object> envs = (Map<String, Object>) docs.get(0).get("environments");
    assertThat(envs).containsOnlyKeys("dev", "kind", "staging");
    envs.forEach(
        (env, spec) -> {
          @SuppressWarnings("unchecked")
          List<Object> files = (List<Object>) path(spec, "values");
          assertThat(files)
              .as(env)
              .containsExactly(
                  (Object) "charts/taxi-platform/values.yaml", "values/" + env + ".yaml");
          files.forEach(f -> assertThat(ROOT.resolve(String.valueOf(f))).as(env).isRegularFile());
        });
  }

  @Test
  @SuppressWarnings("unchecked")
  void releasesArePinnedAndMatchTheUmbrellaDependencies() {
    Map<String, String> repoUrls = new HashMap<>();
    for (Map<String, Object> repo : (List<Map<String, Object>>) docs().get(1).get("repositories")) {
      repoUrls.put(String.valueOf(repo.get("name")), String.valueOf(repo.get("url")));
    }
    Map<String, Map<String, Object>> deps = new HashMap<>();
    ChartRenderer.dependencies(ChartRenderer.chartDir())
        .forEach(d -> deps.put(String.valueOf(d.get("name")), d));
    int matched = 0;
    for (Map<String, Object> rel : releases()) {
      String chart = String.valueOf(rel.get("chart"));
      if (chart.startsWith("./")) {
        assertThat(chart).isEqualTo("./charts/taxi-platform");
        assertThat(rel).doesNotContainKey("version");
        continue;
      }
      String version = String.valueOf(rel.get("version"));
      assertThat(version).as("%s pinned", rel.get("name")).matches("v?\\d+\\.\\d+\\.\\d+");
      String repo = chart.substring(0, chart.indexOf('/'));
      String chartName = chart.substring(chart.indexOf('/') + 1);
      assertThat(repoUrls).as("repository of %s", chart).containsKey(repo);
      Map<String, Object> dep = deps.get(chartName);
      if (dep != null) {
        matched++;
        assertThat(version)
            .as("%s version equals Chart.yaml", chartName)
            .isEqualTo(String.valueOf(dep.get("version")));
        assertThat(repoUrls.get(repo))
            .as("%s repository equals Chart.yaml", chartName)
            .isEqualTo(dep.get("repository"));
      }
    }
    assertThat(matched).as("operator releases matched to Chart.yaml dependencies").isEqualTo(3);
  }

  @Test
  @SuppressWarnings("unchecked")
  void needsOrderCertManagerThenOperatorsThenPlatform() {
    Map<String, List<String>> needs = new LinkedHashMap<>();
    for (Map<String, Object> rel : releases()) {
      String id = rel.get("namespace") + "/" + rel.get("name");
      needs.put(id, (List<String>) rel.getOrDefault("needs", List.of()));
    }
    needs
        .values()
        .forEach(
            list ->
                list.forEach(
                    n -> {
                      assertThat(n)
                          .as("needs in namespace/name form")
                          .matches("[a-z0-9-]+/[a-z0-9-]+");
                      assertThat(needs).as("needed release %s exists", n).containsKey(n);
                    }));
    // topological order exists (no cycle) and cert-manager has no needs
    assertThat(needs.get("cert-manager/cert-manager")).isEmpty();
    List<String> order = topologicalOrder(needs);
    assertThat(order).hasSize(needs.size());
    assertThat(needs.get("taxi/k8ssandra-operator")).contains("cert-manager/cert-manager");
    assertThat(needs.get("taxi/taxi"))
        .containsExactlyInAnyOrder(
            "cert-manager/cert-manager",
            "taxi/strimzi-kafka-operator",
            "taxi/k8ssandra-operator",
            "taxi/spark-operator");
    Map<String, Object> defaults = (Map<String, Object>) docs().get(1).get("helmDefaults");
    assertThat(defaults).containsEntry("wait", true);
    Map<String, Object> certManager = releases().get(0);
    assertThat(certManager.get("chart")).isEqualTo("jetstack/cert-manager");
    assertThat(path(((List<Object>) certManager.get("values")).get(0), "crds", "enabled"))
        .isEqualTo(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "kind", "staging"})
  @SuppressWarnings("unchecked")
  void releaseValuesTemplatesRender(String env, @TempDir Path tmp) throws IOException {
    Map<String, Object> envValues =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    ChartRenderer.deepMerge(
        envValues, ChartRenderer.readYamlMap(ROOT.resolve("values/" + env + ".yaml")));
    Map<String, Map<String, Object>> rendered = new HashMap<>();
    for (Map<String, Object> rel : releases()) {
      Map<String, Object> merged = new LinkedHashMap<>();
      for (Object v : (List<Object>) rel.getOrDefault("values", List.of())) {
        if (v instanceof Map<?, ?> inline) {
          ChartRenderer.deepMerge(merged, (Map<String, Object>) inline);
        } else if (String.valueOf(v).endsWith(".gotmpl")) {
          ChartRenderer.deepMerge(
              merged, renderGotmpl(ROOT.resolve(String.valueOf(v)), envValues, tmp));
        } else {
          ChartRenderer.deepMerge(
              merged, ChartRenderer.readYamlMap(ROOT.resolve(String.valueOf(v))));
        }
      }
      rendered.put(String.valueOf(rel.get("name")), merged);
    }
    assertThat(rendered.get("spark-operator")).doesNotContainKey("enabled");
    assertThat((List<Object>) path(rendered.get("spark-operator"), "spark", "jobNamespaces"))
        .contains((Object) "taxi");
    assertThat(path(rendered.get("k8ssandra-operator"), "global", "clusterScoped"))
        .isEqualTo(false);
    assertThat(rendered.get("strimzi-kafka-operator")).containsKey("resources");
    Map<String, Object> platform = rendered.get("taxi");
    for (String op : List.of("strimzi-kafka-operator", "k8ssandra-operator", "spark-operator")) {
      assertThat(path(platform, op, "enabled"))
          .as("%s off in the platform release", op)
          .isEqualTo(false);
    }
    // The platform release gets the profile's own choices.
    Map<String, Object> profile =
        ChartRenderer.readYamlMap(ROOT.resolve("values/" + env + ".yaml"));
    assertThat(path(platform, "kafka", "topology")).isEqualTo(path(profile, "kafka", "topology"));
    // And it renders with the chart (values schema included).
    Path valuesFile = tmp.resolve("platform-" + env + ".yaml");
    ChartRenderer.yamlMapper().writeValue(valuesFile.toFile(), platform);
    ChartRenderer.Rendered r = ChartRenderer.renderWithValues(valuesFile);
    assertThat(r.ofKind("Kafka")).hasSize(1);
    assertThat(r.ofKind("SparkApplication")).hasSize(1);
    // NetworkPolicies: on in staging only
    assertThat(r.ofKind("NetworkPolicy").isEmpty()).as(env).isEqualTo(!"staging".equals(env));
    // Pod Security of the namespace (namespaceHasPodSecurityLabels): no node exporter in the
    // platform
    // release, and Strimzi's restricted pod security provider
    assertThat(path(platform, "kube-prometheus-stack", "nodeExporter", "enabled"))
        .as(env)
        .isEqualTo(false);
    assertThat(
            (List<Map<String, Object>>) path(rendered.get("strimzi-kafka-operator"), "extraEnvs"))
        .as(env)
        .contains(Map.of("name", "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value", "restricted"));
  }

  /**
   * The platform namespace gets Pod Security labels: every release installed into it first applies
   * values/helmfile/namespace-taxi.yaml with kubectl in a presync hook (never run by
   * diff/template/lint); enforce at baseline (the Cassandra pods of cass-operator do not meet
   * restricted), warn and audit at restricted. createNamespace alone would create it unlabelled.
   */
  @Test
  @SuppressWarnings("unchecked")
  void namespaceHasPodSecurityLabels() {
    Path manifest = ROOT.resolve("values/helmfile/namespace-taxi.yaml");
    Map<String, Object> ns = ChartRenderer.readYamlMap(manifest);
    assertThat(ns).containsEntry("apiVersion", "v1").containsEntry("kind", "Namespace");
    String name = String.valueOf(path(ns, "metadata", "name"));
    Map<String, Object> labels = (Map<String, Object>) path(ns, "metadata", "labels");
    assertThat(labels)
        .containsEntry("pod-security.kubernetes.io/enforce", "baseline")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted");
    for (String mode : List.of("enforce", "warn", "audit")) {
      assertThat(String.valueOf(labels.get("pod-security.kubernetes.io/" + mode + "-version")))
          .matches("v1\\.\\d+");
    }
    int hooked = 0;
    for (Map<String, Object> rel : releases()) {
      boolean inPlatformNamespace = name.equals(rel.get("namespace"));
      List<Map<String, Object>> hooks =
          (List<Map<String, Object>>) rel.getOrDefault("hooks", List.of());
      boolean applies =
          hooks.stream()
              .anyMatch(
                  h ->
                      ((List<Object>) h.get("events")).equals(List.of("presync"))
                          && "kubectl".equals(h.get("command"))
                          && List.of("apply", "-f", "values/helmfile/namespace-taxi.yaml")
                              .equals(h.get("args")));
      assertThat(applies)
          .as("release %s applies the namespace manifest", rel.get("name"))
          .isEqualTo(inPlatformNamespace);
      hooked += applies ? 1 : 0;
    }
    assertThat(hooked).isEqualTo(4);
  }

  /**
   * Renders a helmfile values template with Helm's engine: same Go templates and sprig functions.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> renderGotmpl(
      Path gotmpl, Map<String, Object> envValues, Path tmp) throws IOException {
    Path chart = Files.createTempDirectory(tmp, "gotmpl");
    Files.writeString(
        chart.resolve("Chart.yaml"), "apiVersion: v2\nname: gotmpl\nversion: 0.1.0\n");
    ChartRenderer.yamlMapper().writeValue(chart.resolve("values.yaml").toFile(), envValues);
    Files.createDirectories(chart.resolve("templates"));
    Files.writeString(
        chart.resolve("templates/_gotmpl.tpl"),
        "{{- define \"gotmpl\" -}}\n" + Files.readString(gotmpl) + "\n{{- end -}}\n");
    Files.writeString(
        chart.resolve("templates/out.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: out\ndata:\n  values: |\n{{ include \"gotmpl\" . | indent 4 }}\n");
    String out =
        new Helm(chart).template().withName("x").withKubeVersion(ChartRenderer.KUBE_VERSION).call();
    String text = String.valueOf(path(ChartRenderer.parse(out).one("ConfigMap"), "data", "values"));
    Map<String, Object> m = ChartRenderer.yamlMapper().readValue(text, LinkedHashMap.class);
    return m == null ? new LinkedHashMap<>() : m;
  }

  private static List<String> topologicalOrder(Map<String, List<String>> needs) {
    List<String> order = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    for (String n : needs.keySet()) {
      visit(n, needs, state, order, stack);
    }
    return order;
  }

  private static void visit(
      String n,
      Map<String, List<String>> needs,
      Map<String, Integer> state,
      List<String> order,
      Deque<String> stack) {
    Integer s = state.get(n);
    if (s != null && s == 2) {
      return;
    }
    if (s != null && s == 1) {
      throw new AssertionError("cycle in needs: " + stack);
    }
    state.put(n, 1);
    stack.push(n);
    for (String m : needs.getOrDefault(n, List.of())) {
      visit(m, needs, state, order, stack);
    }
    stack.pop();
    state.put(n, 2);
    order.add(n);
  }
}
