package io.taxiplatform.charts.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.charts.ChartRenderer;
import io.taxiplatform.charts.ChartRenderer.Rendered;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scrape objects of the chart are selected by the Prometheus of the same install, and select
 * the pods they are meant for.
 *
 * <p>Selection: kube-prometheus-stack 88.3.0 renders the Prometheus CR's
 * serviceMonitorSelector/podMonitorSelector/ruleSelector from its values
 * (templates/prometheus/prometheus.yaml): the selector value when non-empty; else, when {@code
 * *SelectorNilUsesHelmValues} is true, {@code matchLabels: {release: <release>}}; else {@code {}}
 * (everything). {@link #prometheusSelector} reproduces that; when the subchart is vendored, the
 * real Prometheus CR is compared as well.
 */
class MonitoringSelectionTest {

  @SuppressWarnings("unchecked")
  static Map<String, Object> mergedValues(String profile) {
    Map<String, Object> values =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    Optional<java.nio.file.Path> p = ChartRenderer.profileValues(profile);
    p.ifPresent(path -> merge(values, ChartRenderer.readYamlMap(path)));
    return values;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> base, Map<String, Object> over) {
    for (Map.Entry<String, Object> e : over.entrySet()) {
      if (base.get(e.getKey()) instanceof Map && e.getValue() instanceof Map) {
        merge((Map<String, Object>) base.get(e.getKey()), (Map<String, Object>) e.getValue());
      } else {
        base.put(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * matchLabels of the Prometheus selector kube-prometheus-stack renders for a kind
   * ("serviceMonitor", "podMonitor", "rule"); an empty map selects everything.
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> prometheusSelector(Map<String, Object> values, String kind) {
    Map<String, Object> spec =
        (Map<String, Object>)
            ChartRenderer.Rendered.path(
                values, "kube-prometheus-stack", "prometheus", "prometheusSpec");
    Map<String, Object> selector =
        spec == null ? null : (Map<String, Object>) spec.get(kind + "Selector");
    if (selector != null && !selector.isEmpty()) {
      assertThat(selector.keySet())
          .as("only matchLabels selectors are modelled here")
          .containsOnly("matchLabels");
      Map<String, String> out = new LinkedHashMap<>();
      ((Map<String, Object>) selector.get("matchLabels"))
          .forEach((k, v) -> out.put(k, String.valueOf(v)));
      return out;
    }
    Object nilUsesHelm = spec == null ? null : spec.get(kind + "SelectorNilUsesHelmValues");
    // the chart's default is true (kube-prometheus-stack values.yaml)
    if (nilUsesHelm == null || Boolean.TRUE.equals(nilUsesHelm)) {
      return Map.of("release", ChartRenderer.RELEASE);
    }
    return Map.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> labels(Map<String, Object> object) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> l =
        (Map<String, Object>) ChartRenderer.Rendered.path(object, "metadata", "labels");
    if (l != null) {
      l.forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"default", "dev", "kind", "staging"})
  void kubePrometheusStackOfTheReleaseSelectsEveryPodMonitorAndRule(String profile) {
    Map<String, Object> values = mergedValues(profile);
    Rendered r = ChartRenderer.render(profile);
    Map<String, String> pods = prometheusSelector(values, "podMonitor");
    Map<String, String> rules = prometheusSelector(values, "rule");

    assertThat(pods).as("selection is deliberate: not 'everything in the cluster'").isNotEmpty();
    assertThat(r.ofKind("PodMonitor")).as("PodMonitors of " + profile).hasSize(3);
    for (Map<String, Object> pm : r.ofKind("PodMonitor")) {
      assertThat(labels(pm))
          .as("labels of PodMonitor " + ChartRenderer.Rendered.name(pm))
          .containsAllEntriesOf(pods);
    }
    for (Map<String, Object> pr : r.ofKind("PrometheusRule")) {
      assertThat(labels(pr))
          .as("labels of PrometheusRule " + ChartRenderer.Rendered.name(pr))
          .containsAllEntriesOf(rules);
    }
  }

  @Test
  void aSelectorThatDoesNotMatchIsDetected() {
    // The model of the selection must be able to say "not selected".
    Map<String, Object> values = mergedValues("default");
    Map<String, Object> spec =
        asMap(
            ChartRenderer.Rendered.path(
                values, "kube-prometheus-stack", "prometheus", "prometheusSpec"));
    spec.put("podMonitorSelector", Map.of("matchLabels", Map.of("team", "someone-else")));
    Map<String, String> selector = prometheusSelector(values, "podMonitor");
    Map<String, Object> pm = ChartRenderer.render("default").ofKind("PodMonitor").get(0);
    assertThat(labels(pm)).doesNotContainEntry("team", "someone-else");
    assertThat(selector).containsEntry("team", "someone-else");
  }

  @Test
  @SuppressWarnings("unchecked")
  void cassandraServiceMonitorCreatedByK8ssandraIsSelected() {
    Rendered r = ChartRenderer.render("default");
    Map<String, Object> kc = r.one("K8ssandraCluster");
    Object telemetry = ChartRenderer.Rendered.path(kc, "spec", "cassandra", "telemetry");
    Assumptions.assumeTrue(
        telemetry != null,
        "the K8ssandraCluster does not include \"taxi-platform.monitoring.cassandraTelemetry\" yet "
            + "(templates/cassandra, chart engineer): no Cassandra ServiceMonitor would be created");
    assertThat(ChartRenderer.Rendered.path(telemetry, "prometheus", "enabled")).isEqualTo(true);
    assertThat(ChartRenderer.Rendered.path(telemetry, "mcac", "enabled"))
        .as("MCAC does not run on Cassandra 5.0")
        .isEqualTo(false);
    Map<String, Object> common =
        (Map<String, Object>) ChartRenderer.Rendered.path(telemetry, "prometheus", "commonLabels");
    Map<String, String> commonLabels = new LinkedHashMap<>();
    common.forEach((k, v) -> commonLabels.put(k, String.valueOf(v)));
    // k8ssandra-operator puts commonLabels (plus its own) on the ServiceMonitor it creates.
    assertThat(commonLabels)
        .containsAllEntriesOf(prometheusSelector(mergedValues("default"), "serviceMonitor"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void kafkaClusterExportsMetricsThroughTheChartsConfigMapAndRunsKafkaExporter() {
    Rendered r = ChartRenderer.render("default");
    Map<String, Object> kafka = r.one("Kafka");
    Object metricsConfig = ChartRenderer.Rendered.path(kafka, "spec", "kafka", "metricsConfig");
    Assumptions.assumeTrue(
        metricsConfig != null,
        "the Kafka CR does not include \"taxi-platform.monitoring.kafkaMetricsConfig\" yet "
            + "(templates/kafka, chart engineer): the brokers would expose no metrics");
    assertThat(ChartRenderer.Rendered.path(metricsConfig, "type"))
        .isEqualTo("jmxPrometheusExporter");
    String cmName =
        String.valueOf(
            ChartRenderer.Rendered.path(metricsConfig, "valueFrom", "configMapKeyRef", "name"));
    String key =
        String.valueOf(
            ChartRenderer.Rendered.path(metricsConfig, "valueFrom", "configMapKeyRef", "key"));
    Map<String, Object> cm =
        r.find("ConfigMap", cmName).orElseThrow(() -> new AssertionError("ConfigMap " + cmName));
    assertThat((Map<String, Object>) cm.get("data")).containsKey(key);
    assertThat(ChartRenderer.Rendered.path(kafka, "spec", "kafkaExporter"))
        .as("spec.kafkaExporter")
        .isNotNull();

    Map<String, Object> pm =
        r.find("PodMonitor", ChartRenderer.Rendered.name(kafka) + "-kafka").orElseThrow();
    assertThat(
            (Map<String, Object>)
                ChartRenderer.Rendered.path(pm, "spec", "selector", "matchLabels"))
        .containsEntry("strimzi.io/cluster", ChartRenderer.Rendered.name(kafka));
  }

  @Test
  @SuppressWarnings("unchecked")
  void producerPodMonitorSelectsTheProducerPodsOnTheirMetricsPort() {
    Rendered r = ChartRenderer.render("default");
    Map<String, Object> deployment =
        r.ofKind("Deployment").stream()
            .filter(d -> ChartRenderer.Rendered.name(d).endsWith("-producer"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> podLabels =
        (Map<String, Object>)
            ChartRenderer.Rendered.path(deployment, "spec", "template", "metadata", "labels");
    Map<String, Object> pm =
        r.find("PodMonitor", ChartRenderer.Rendered.name(deployment)).orElseThrow();
    Map<String, Object> selector =
        (Map<String, Object>) ChartRenderer.Rendered.path(pm, "spec", "selector", "matchLabels");
    assertThat(podLabels).containsAllEntriesOf(selector);

    String port =
        String.valueOf(
            ((List<Map<String, Object>>)
                    ChartRenderer.Rendered.path(pm, "spec", "podMetricsEndpoints"))
                .get(0)
                .get("port"));
    List<Map<String, Object>> containers =
        (List<Map<String, Object>>)
            ChartRenderer.Rendered.path(deployment, "spec", "template", "spec", "containers");
    assertThat(containers.get(0).get("ports").toString()).contains("name=" + port);
  }

  /**
   * The labels the driver pod of a SparkApplication carries: its spec.driver.labels, plus what
   * spark-operator 2.2.1 adds (sparkoperator.k8s.io/app-name, launched-by-spark-operator;
   * submission.go driverConfOption) and Spark's spark-role=driver.
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> driverPodLabels(Map<String, Object> app) {
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, Object> own =
        (Map<String, Object>) ChartRenderer.Rendered.path(app, "spec", "driver", "labels");
    if (own != null) {
      own.forEach((k, v) -> labels.put(k, String.valueOf(v)));
    }
    labels.put("sparkoperator.k8s.io/app-name", ChartRenderer.Rendered.name(app));
    labels.put("sparkoperator.k8s.io/launched-by-spark-operator", "true");
    labels.put("spark-role", "driver");
    return labels;
  }

  /**
   * A Kubernetes label selector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist)
   * against labels.
   */
  @SuppressWarnings("unchecked")
  static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
    Map<String, Object> match =
        (Map<String, Object>) selector.getOrDefault("matchLabels", Map.of());
    for (Map.Entry<String, Object> e : match.entrySet()) {
      if (!String.valueOf(e.getValue()).equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Map<String, Object> ex :
        (List<Map<String, Object>>) selector.getOrDefault("matchExpressions", List.of())) {
      String key = String.valueOf(ex.get("key"));
      List<Object> values = (List<Object>) ex.getOrDefault("values", List.of());
      boolean has = labels.containsKey(key);
      boolean ok =
          switch (String.valueOf(ex.get("operator"))) {
            case "In" ->
                has && values.stream().map(String::valueOf).anyMatch(labels.get(key)::equals);
            case "NotIn" ->
                !has || values.stream().map(String::valueOf).noneMatch(labels.get(key)::equals);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default -> throw new AssertionError("unknown operator " + ex.get("operator"));
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "two-pipelines-values.yaml"})
  @SuppressWarnings("unchecked")
  void sparkDriverPodMonitorSelectsEveryDriverAndLabelsItsSeriesWithThePipelineVersion(
      String ciFile) {
    Rendered r =
        ciFile.isEmpty()
            ? ChartRenderer.render("default")
            : ChartRenderer.render(
                "default", ChartRenderer.chartDir().resolve("ci").resolve(ciFile), Map.of());
    List<Map<String, Object>> apps = r.ofKind("SparkApplication");
    assertThat(apps).hasSize(ciFile.isEmpty() ? 1 : 2);
    Map<String, Object> pm =
        r.ofKind("PodMonitor").stream()
            .filter(m -> ChartRenderer.Rendered.name(m).endsWith("-streaming-driver"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> selector =
        (Map<String, Object>) ChartRenderer.Rendered.path(pm, "spec", "selector");
    Map<String, Object> endpoint =
        ((List<Map<String, Object>>) ChartRenderer.Rendered.path(pm, "spec", "podMetricsEndpoints"))
            .get(0);
    for (Map<String, Object> app : apps) {
      Map<String, String> labels = driverPodLabels(app);
      assertThat(selects(selector, labels))
          .as("PodMonitor selects the driver of " + ChartRenderer.Rendered.name(app))
          .isTrue();
      // the executors are not scraped (no /metrics there)
      Map<String, String> executor = new LinkedHashMap<>(labels);
      executor.put("spark-role", "executor");
      assertThat(selects(selector, executor))
          .as("executors of " + ChartRenderer.Rendered.name(app))
          .isFalse();
      // relabeling: the pod label taxi-platform/pipeline-version -> pipeline_version =
      // PIPELINE_VERSION of the app
      String version = labels.get("taxi-platform/pipeline-version");
      Object env = ChartRenderer.Rendered.path(app, "spec", "driver", "env");
      assertThat(String.valueOf(env)).contains("name=PIPELINE_VERSION, value=" + version + "}");
      String metaLabel =
          "__meta_kubernetes_pod_label_"
              + "taxi-platform/pipeline-version".replaceAll("[^a-zA-Z0-9_]", "_");
      assertThat((List<Map<String, Object>>) endpoint.get("relabelings"))
          .anySatisfy(
              rl -> {
                assertThat(rl.get("sourceLabels")).isEqualTo(List.of(metaLabel));
                assertThat(rl.get("targetLabel")).isEqualTo("pipeline_version");
                assertThat(
                        String.valueOf(rl.getOrDefault("action", "replace"))
                            .toLowerCase(java.util.Locale.ROOT))
                    .isEqualTo("replace");
              });
      String port = String.valueOf(endpoint.get("port"));
      List<Map<String, Object>> ports =
          (List<Map<String, Object>>) ChartRenderer.Rendered.path(app, "spec", "driver", "ports");
      assertThat(ports)
          .as("driver ports of the SparkApplication")
          .anySatisfy(
              p -> {
                assertThat(p.get("name")).isEqualTo(port);
                assertThat(String.valueOf(p.get("containerPort")))
                    .isEqualTo(
                        String.valueOf(
                            ChartRenderer.Rendered.path(
                                mergedValues("default"), "streaming", "metricsPort")));
              });
    }
    // a driver of another release (or a retired version) is not selected
    Map<String, String> stranger = driverPodLabels(apps.get(0));
    stranger.put("sparkoperator.k8s.io/app-name", "someone-elses-app");
    assertThat(selects(selector, stranger)).isFalse();
  }

  @Test
  @SuppressWarnings("unchecked")
  void producerPodMonitorAndServiceSelectTheReplayJobPod() {
    Rendered r =
        ChartRenderer.render(
            "default", ChartRenderer.chartDir().resolve("ci/replay-job-values.yaml"), Map.of());
    assertThat(r.ofKind("Deployment")).isEmpty();
    Map<String, Object> job = r.one("Job", "producer");
    Map<String, String> podLabels = new LinkedHashMap<>();
    ((Map<String, Object>)
            ChartRenderer.Rendered.path(job, "spec", "template", "metadata", "labels"))
        .forEach((k, v) -> podLabels.put(k, String.valueOf(v)));
    Map<String, Object> pm =
        r.ofKind("PodMonitor").stream()
            .filter(m -> ChartRenderer.Rendered.name(m).endsWith("-producer"))
            .findFirst()
            .orElseThrow();
    assertThat(
            selects(
                (Map<String, Object>) ChartRenderer.Rendered.path(pm, "spec", "selector"),
                podLabels))
        .isTrue();
    Map<String, Object> svcSelector =
        (Map<String, Object>) ChartRenderer.Rendered.path(r.one("Service"), "spec", "selector");
    assertThat(selects(Map.of("matchLabels", svcSelector), podLabels)).isTrue();
  }

  @Test
  void realPrometheusCrSelectsTheMonitorsWhenTheSubchartIsVendored() {
    Assumptions.assumeTrue(
        ChartRenderer.allSubchartsVendored(),
        "subcharts not vendored (run `helm dependency build charts/taxi-platform`; missing: "
            + ChartRenderer.missingSubcharts()
            + ")");
    Rendered r = ChartRenderer.renderVendored("default", Map.of());
    Map<String, Object> prometheus = r.one("Prometheus");
    for (String kind : List.of("podMonitor", "rule")) {
      Object sel =
          ChartRenderer.Rendered.path(prometheus, "spec", kind + "Selector", "matchLabels");
      assertThat(asMap(sel))
          .as(kind + "Selector of the rendered Prometheus")
          .containsAllEntriesOf(prometheusSelector(mergedValues("default"), kind));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o == null ? new LinkedHashMap<>() : (Map<String, Object>) o;
  }
}
