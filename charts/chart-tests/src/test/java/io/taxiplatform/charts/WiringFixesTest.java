package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Wiring that used to be written twice and drifted (issue 12, item 6): each test fails on the chart
 * before the fix. The smoke pod's ZONE_WINDOW is covered by PipelinesTest.
 */
class WiringFixesTest {

  /** Name settings under which every Secret reference must still resolve. */
  static List<Map<String, Object>> nameSettings() {
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(Map.of());
    out.add(Map.of("fullnameOverride", "analytics"));
    out.add(Map.of("nameOverride", "rides"));
    Map<String, Object> both = new LinkedHashMap<>();
    both.put("fullnameOverride", "very-long-full-name-override-that-is-truncated");
    both.put("nameOverride", "rides");
    out.add(both);
    return out;
  }

  /**
   * Grafana's Cassandra credentials (grafana.envValueFrom, rendered by the grafana chart with tpl in
   * its own context) name the same Secret as the K8ssandraCluster's superuserSecretRef and the apps'
   * env, whatever fullnameOverride/nameOverride say.
   */
  @ParameterizedTest
  @MethodSource("nameSettings")
  @SuppressWarnings("unchecked")
  void grafanaAppsAndK8ssandraNameTheSameSuperuserSecret(Map<String, Object> sets) {
    ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(List.of(), sets);
    Map<String, Object> k8c = r.one("K8ssandraCluster");
    Object ref = path(k8c, "spec", "cassandra", "superuserSecretRef", "name");
    assertThat(ref).as("the K8ssandraCluster names its superuser Secret").isNotNull();
    Map<String, Object> grafana = r.find("Pod", ChartRenderer.GRAFANA_STUB_POD).orElseThrow();
    List<Map<String, Object>> env = (List<Map<String, Object>>) path(((List<Object>) path(grafana, "spec", "containers")).get(0), "env");
    assertThat(env).extracting(e -> e.get("name")).contains("CASSANDRA_USERNAME", "CASSANDRA_PASSWORD");
    for (Map<String, Object> e : env) {
      assertThat(path(e, "valueFrom", "secretKeyRef", "name")).as(sets + ": Grafana's " + e.get("name")).isEqualTo(ref);
    }
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      Map<String, Object> user = p.envEntry("CASSANDRA_USERNAME");
      if (user != null && !p.owner().contains(ChartRenderer.GRAFANA_STUB_POD)) {
        assertThat(path(user, "valueFrom", "secretKeyRef", "name")).as(sets + ": " + p.owner()).isEqualTo(ref);
      }
    }
    assertThat(String.valueOf(ref)).hasSizeLessThanOrEqualTo(63);
  }

  /** With Cassandra off and Grafana on, Grafana's Secret would never exist: the chart refuses to render, naming the way out. */
  @Test
  void grafanaWithoutCassandraIsRefusedUnlessItsCredentialsPointElsewhere() {
    assertThatThrownBy(() -> ChartRenderer.render("default", Map.of("cassandra.enabled", false)))
        .hasMessageContaining("grafana.enabled=false").hasMessageContaining("grafana.envValueFrom");
    assertThat(ChartRenderer.render("default", Map.of("cassandra.enabled", false, "grafana.enabled", false)).ofKind("K8ssandraCluster")).isEmpty();
    Map<String, Object> external = new LinkedHashMap<>();
    external.put("cassandra.enabled", false);
    external.put("grafana.envValueFrom.CASSANDRA_USERNAME.secretKeyRef.name", "external-cassandra");
    external.put("grafana.envValueFrom.CASSANDRA_PASSWORD.secretKeyRef.name", "external-cassandra");
    external.put("monitoring.grafana.cassandra.url", "cassandra.example:9042");
    ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(List.of(), external);
    assertThat(r.find("Pod", ChartRenderer.GRAFANA_STUB_POD)).isPresent();
    assertThat(r.yaml()).contains("url: cassandra.example:9042");
  }

  /** The driver's probes use its named port `metrics`, which is METRICS_PORT: changing the port moves the probes too. */
  @Test
  @SuppressWarnings("unchecked")
  void driverProbesUseTheNamedMetricsPort() {
    for (Map<String, Object> sets : List.<Map<String, Object>>of(Map.of(), Map.of("streaming.metricsPort", 9191))) {
      Map<String, Object> app = ChartRenderer.render("default", sets).one("SparkApplication");
      Map<String, Object> driver = (Map<String, Object>) path(app, "spec", "driver");
      List<Map<String, Object>> ports = (List<Map<String, Object>>) driver.get("ports");
      Map<String, Object> container = ((List<Map<String, Object>>) path(driver, "template", "spec", "containers")).get(0);
      String metricsPort = ((List<Map<String, Object>>) driver.get("env")).stream().filter(e -> "METRICS_PORT".equals(e.get("name")))
          .map(e -> String.valueOf(e.get("value"))).findFirst().orElseThrow();
      for (String probe : List.of("livenessProbe", "readinessProbe")) {
        Object port = path(container, probe, "httpGet", "port");
        assertThat(port).as(sets + " " + probe + " uses a named port").isInstanceOf(String.class);
        Map<String, Object> declared = ports.stream().filter(p -> port.equals(p.get("name"))).findFirst().orElse(null);
        assertThat(declared).as(sets + " " + probe + " port " + port + " is declared on the driver").isNotNull();
        assertThat(String.valueOf(declared.get("containerPort"))).as(sets + " " + probe).isEqualTo(metricsPort);
      }
    }
  }

  /** Kafka Exporter reports exactly the chart's topics, also when they are renamed. */
  @Test
  void kafkaExporterTopicRegexFollowsTheTopicNames() {
    Map<String, Object> renamed = new LinkedHashMap<>();
    renamed.put("kafka.topics.trips.name", "rides.v2");
    renamed.put("kafka.topics.deadLetters.name", "rides-dead");
    for (Map<String, Object> sets : List.<Map<String, Object>>of(Map.of(), renamed)) {
      ChartRenderer.Rendered r = ChartRenderer.render("default", sets);
      Pattern regex = Pattern.compile(String.valueOf(path(r.one("Kafka"), "spec", "kafkaExporter", "topicRegex")));
      List<String> topics = r.ofKind("KafkaTopic").stream().map(t -> String.valueOf(path(t, "spec", "topicName") != null
          ? path(t, "spec", "topicName") : name(t))).toList();
      assertThat(topics).hasSize(2).allMatch(t -> regex.matcher(t).matches(), "matched by " + regex);
      assertThat(regex.matcher("other.topic").matches()).isFalse();
      assertThat(regex.matcher(topics.get(0) + "x").matches()).as("anchored").isFalse();
    }
    assertThatThrownBy(() -> ChartRenderer.render("default", Map.of("monitoring.kafka.exporter.topicRegex", "x.*")))
        .as("the separate topicRegex value is gone").hasMessageContaining("topicRegex");
  }

  /** Default: the lookup shipped in the image (no init container, no download, no ZONE_LOOKUP_PATH); a ConfigMap overrides it. */
  @Test
  void zoneLookupComesFromTheImageUnlessAConfigMapIsNamed() {
    PodSpecs.PodSpec driver = PodSpecs.of(ChartRenderer.render("default")).stream().filter(p -> p.owner().endsWith("#driver")).findFirst().orElseThrow();
    assertThat(driver.initContainers()).isEmpty();
    assertThat(driver.envEntry("ZONE_LOOKUP_PATH")).isNull();
    assertThat(driver.volumes()).noneMatch(v -> "zone-lookup".equals(v.get("name")));
    assertThat(ChartRenderer.render("default").yaml()).doesNotContain("taxi_zone_lookup.csv");
    PodSpecs.PodSpec withCm = PodSpecs.of(ChartRenderer.render("default", Map.of("zoneLookup.existingConfigMap", "taxi-zones")))
        .stream().filter(p -> p.owner().endsWith("#driver")).findFirst().orElseThrow();
    assertThat(withCm.envValue("ZONE_LOOKUP_PATH")).isEqualTo("/opt/taxi/zones/taxi_zone_lookup.csv");
    assertThat(withCm.volumes()).anyMatch(v -> "taxi-zones".equals(path(v, "configMap", "name")));
    assertThatThrownBy(() -> ChartRenderer.render("default", Map.of("zoneLookup.url", "https://example.org/z.csv")))
        .as("the download URL is gone").hasMessageContaining("url");
  }
}
