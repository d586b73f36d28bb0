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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
   * Grafana (values rendered by the grafana chart with tpl in its own context) logs in to Cassandra
   * as the read-only role (the reader Secret the chart renders and the access setup Job sets up),
   * mounts only ca.crt of the Secret cert-manager issues for the nodes at the datasource's caPath,
   * and takes its admin password from the chart's kept Secret, whatever
   * fullnameOverride/nameOverride say. No pod but the access setup Job names the superuser Secret.
   */
  @ParameterizedTest
  @MethodSource("nameSettings")
  @SuppressWarnings("unchecked")
  void grafanaReadsTheReaderRoleTheCaAndTheKeptAdminSecret(Map<String, Object> names) {
    Map<String, Object> sets = new LinkedHashMap<>(names);
    sets.put("cassandra.tls.enabled", true);
    ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(List.of(), sets);
    Map<String, Object> k8c = r.one("K8ssandraCluster");
    Object superuser = path(k8c, "spec", "cassandra", "superuserSecretRef", "name");
    assertThat(superuser).as("the K8ssandraCluster names its superuser Secret").isNotNull();
    Map<String, Object> grafana = r.find("Pod", ChartRenderer.GRAFANA_STUB_POD).orElseThrow();
    Map<String, Object> container =
        ((List<Map<String, Object>>) path(grafana, "spec", "containers")).get(0);
    List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
    assertThat(env)
        .extracting(e -> e.get("name"))
        .contains(
            "CASSANDRA_USERNAME",
            "CASSANDRA_PASSWORD",
            "GF_SECURITY_ADMIN_USER",
            "GF_SECURITY_ADMIN_PASSWORD");
    for (Map<String, Object> e : env) {
      String secret = String.valueOf(path(e, "valueFrom", "secretKeyRef", "name"));
      String key = String.valueOf(path(e, "valueFrom", "secretKeyRef", "key"));
      Map<String, Object> s = r.find("Secret", secret).orElse(null);
      assertThat(s)
          .as(sets + ": Grafana's " + e.get("name") + " reads a Secret of this release: " + secret)
          .isNotNull();
      assertThat((Map<String, Object>) s.get("data")).as(secret).containsKey(key);
      if (String.valueOf(e.get("name")).startsWith("CASSANDRA_")) {
        assertThat(path(s, "metadata", "labels", "taxi-platform/cassandra-role"))
            .as(sets + ": " + secret)
            .isEqualTo("reader");
      }
    }
    // The CA: one Secret volume of the node certificate's Secret, key ca.crt only, at the
    // datasource's caPath.
    String caPath =
        String.valueOf(
            path(datasource(r, "hadesarchitect-cassandra-datasource"), "jsonData", "caPath"));
    Map<String, Object> mount =
        ((List<Map<String, Object>>) container.get("volumeMounts"))
            .stream()
                .filter(m -> caPath.startsWith(m.get("mountPath") + "/"))
                .findFirst()
                .orElseThrow();
    assertThat(caPath.substring(String.valueOf(mount.get("mountPath")).length() + 1))
        .isEqualTo("ca.crt");
    Map<String, Object> volume =
        ((List<Map<String, Object>>) path(grafana, "spec", "volumes"))
            .stream()
                .filter(v -> mount.get("name").equals(v.get("name")))
                .findFirst()
                .orElseThrow();
    String nodeCertSecret =
        r.ofKind("Certificate").stream()
            .filter(c -> path(c, "spec", "keystores") != null)
            .map(c -> String.valueOf(path(c, "spec", "secretName")))
            .findFirst()
            .orElseThrow();
    assertThat(path(volume, "secret", "secretName"))
        .as(sets + ": the CA volume")
        .isEqualTo(nodeCertSecret);
    assertThat((List<Object>) path(volume, "secret", "items"))
        .as("only ca.crt, never tls.key or the keystore")
        .containsExactly(Map.of("key", "ca.crt", "path", "ca.crt"));
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      boolean namesSuperuser =
          p.env().stream()
                  .anyMatch(e -> superuser.equals(path(e, "valueFrom", "secretKeyRef", "name")))
              || p.volumes().stream()
                  .anyMatch(v -> superuser.equals(path(v, "secret", "secretName")));
      assertThat(namesSuperuser)
          .as(sets + ": " + p.owner() + " names the superuser Secret")
          .isEqualTo(WiringTest.isAccessSetup(p));
    }
    assertThat(String.valueOf(superuser)).hasSizeLessThanOrEqualTo(63);
  }

  /** The provisioned datasource of a plugin type (the datasources ConfigMap). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> datasource(ChartRenderer.Rendered r, String type) {
    for (Map<String, Object> cm : r.ofKind("ConfigMap")) {
      Map<String, Object> data = (Map<String, Object>) cm.get("data");
      if (data != null && data.containsKey("taxi-platform-datasources.yaml")) {
        Map<String, Object> file =
            ChartRenderer.parse(String.valueOf(data.get("taxi-platform-datasources.yaml")))
                .objects()
                .get(0);
        return ((List<Map<String, Object>>) file.get("datasources"))
            .stream().filter(d -> type.equals(d.get("type"))).findFirst().orElseThrow();
      }
    }
    throw new AssertionError("no datasources ConfigMap");
  }

  /**
   * With Cassandra off and Grafana on, Grafana's Secret would never exist: the chart refuses to
   * render, naming the way out.
   */
  @Test
  void grafanaWithoutCassandraIsRefusedUnlessItsCredentialsPointElsewhere() {
    assertThatThrownBy(() -> ChartRenderer.render("default", Map.of("cassandra.enabled", false)))
        .hasMessageContaining("grafana.enabled=false")
        .hasMessageContaining("grafana.envValueFrom");
    assertThat(
            ChartRenderer.render(
                    "default", Map.of("cassandra.enabled", false, "grafana.enabled", false))
                .ofKind("K8ssandraCluster"))
        .isEmpty();
    Map<String, Object> external = new LinkedHashMap<>();
    external.put("cassandra.enabled", false);
    external.put("grafana.envValueFrom.CASSANDRA_USERNAME.secretKeyRef.name", "external-cassandra");
    external.put("grafana.envValueFrom.CASSANDRA_PASSWORD.secretKeyRef.name", "external-cassandra");
    external.put("monitoring.grafana.cassandra.url", "cassandra.example:9042");
    ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(List.of(), external);
    assertThat(r.find("Pod", ChartRenderer.GRAFANA_STUB_POD)).isPresent();
    assertThat(r.yaml()).contains("url: cassandra.example:9042");
  }

  /**
   * The driver's probes use its named port `metrics`, which is METRICS_PORT: changing the port
   * moves the probes too.
   */
  @Test
  @SuppressWarnings("unchecked")
  void driverProbesUseTheNamedMetricsPort() {
    for (Map<String, Object> sets :
        List.<Map<String, Object>>of(Map.of(), Map.of("streaming.metricsPort", 9191))) {
      Map<String, Object> app = ChartRenderer.render("default", sets).one("SparkApplication");
      Map<String, Object> driver = (Map<String, Object>) path(app, "spec", "driver");
      List<Map<String, Object>> ports = (List<Map<String, Object>>) driver.get("ports");
      Map<String, Object> container =
          ((List<Map<String, Object>>) path(driver, "template", "spec", "containers")).get(0);
      String metricsPort =
          ((List<Map<String, Object>>) driver.get("env"))
              .stream()
                  .filter(e -> "METRICS_PORT".equals(e.get("name")))
                  .map(e -> String.valueOf(e.get("value")))
                  .findFirst()
                  .orElseThrow();
      for (String probe : List.of("livenessProbe", "readinessProbe")) {
        Object port = path(container, probe, "httpGet", "port");
        assertThat(port).as(sets + " " + probe + " uses a named port").isInstanceOf(String.class);
        Map<String, Object> declared =
            ports.stream().filter(p -> port.equals(p.get("name"))).findFirst().orElse(null);
        assertThat(declared)
            .as(sets + " " + probe + " port " + port + " is declared on the driver")
            .isNotNull();
        assertThat(String.valueOf(declared.get("containerPort")))
            .as(sets + " " + probe)
            .isEqualTo(metricsPort);
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
      Pattern regex =
          Pattern.compile(
              String.valueOf(path(r.one("Kafka"), "spec", "kafkaExporter", "topicRegex")));
      List<String> topics =
          r.ofKind("KafkaTopic").stream()
              .map(
                  t ->
                      String.valueOf(
                          path(t, "spec", "topicName") != null
                              ? path(t, "spec", "topicName")
                              : name(t)))
              .toList();
      assertThat(topics)
          .hasSize(2)
          .allMatch(t -> regex.matcher(t).matches(), "matched by " + regex);
      assertThat(regex.matcher("other.topic").matches()).isFalse();
      assertThat(regex.matcher(topics.get(0) + "x").matches()).as("anchored").isFalse();
    }
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "default", Map.of("monitoring.kafka.exporter.topicRegex", "x.*")))
        .as("the separate topicRegex value is gone")
        .hasMessageContaining("topicRegex");
  }

  /**
   * Default: the lookup shipped in the image (no init container, no download, no ZONE_LOOKUP_PATH);
   * a ConfigMap overrides it.
   */
  @Test
  void zoneLookupComesFromTheImageUnlessAConfigMapIsNamed() {
    PodSpecs.PodSpec driver =
        PodSpecs.of(ChartRenderer.render("default")).stream()
            .filter(p -> p.owner().endsWith("#driver"))
            .findFirst()
            .orElseThrow();
    assertThat(driver.initContainers()).isEmpty();
    assertThat(driver.envEntry("ZONE_LOOKUP_PATH")).isNull();
    assertThat(driver.volumes()).noneMatch(v -> "zone-lookup".equals(v.get("name")));
    assertThat(ChartRenderer.render("default").yaml()).doesNotContain("taxi_zone_lookup.csv");
    PodSpecs.PodSpec withCm =
        PodSpecs.of(
                ChartRenderer.render(
                    "default", Map.of("zoneLookup.existingConfigMap", "taxi-zones")))
            .stream()
            .filter(p -> p.owner().endsWith("#driver"))
            .findFirst()
            .orElseThrow();
    assertThat(withCm.envValue("ZONE_LOOKUP_PATH"))
        .isEqualTo("/opt/taxi/zones/taxi_zone_lookup.csv");
    assertThat(withCm.volumes()).anyMatch(v -> "taxi-zones".equals(path(v, "configMap", "name")));
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "default", Map.of("zoneLookup.url", "https://example.org/z.csv")))
        .as("the download URL is gone")
        .hasMessageContaining("url");
  }
}
