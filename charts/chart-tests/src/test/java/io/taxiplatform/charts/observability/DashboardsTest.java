package io.taxiplatform.charts.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taxiplatform.charts.ChartRenderer;
import io.taxiplatform.charts.ChartRenderer.Rendered;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards as the Grafana sidecar receives them (rendered ConfigMaps): picked up by the
 * sidecar configuration of the grafana dependency, wired to the provisioned datasources, every
 * PromQL expression parsed by promtool, every CQL query shaped the way the Cassandra plugin needs.
 * The CQL queries run against real pipeline output in apps/local-services ObservabilityIT.
 */
class DashboardsTest {

  static final Set<String> TABLES = Set.of("zone_windows", "window_zones", "borough_windows");

  /**
   * Columns of CQL type decimal (docs/contracts.md): the plugin cannot read decimal, so they must
   * be CAST.
   */
  static final Set<String> DECIMAL_COLUMNS =
      Set.of("fare_total", "revenue_total", "distance_total");

  private static Rendered rendered;
  private static Map<String, Object> values;
  private static Map<String, JsonNode> dashboards;

  @BeforeAll
  static void render() {
    rendered = ChartRenderer.render("default");
    values = ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    dashboards = Observability.dashboards(rendered, "grafana_dashboard");
  }

  @Test
  void bothDashboardsAreRenderedWithUniqueUidsAndNoPlaceholdersLeft() {
    assertThat(dashboards).containsOnlyKeys("taxi-business.json", "taxi-pipeline-health.json");
    Set<String> uids = new java.util.HashSet<>();
    for (Map.Entry<String, JsonNode> d : dashboards.entrySet()) {
      assertThat(uids.add(d.getValue().path("uid").asText()))
          .as("unique uid of " + d.getKey())
          .isTrue();
      assertThat(d.getValue().toString()).as(d.getKey()).doesNotContainPattern("@[A-Z_]+@");
      assertThat(Observability.panels(d.getValue()))
          .as(d.getKey() + " panels")
          .hasSizeGreaterThan(5);
    }
    // placeholders follow the release's values
    JsonNode business =
        ChartRenderer.render(
                "default",
                Map.of(
                    "cassandra.keyspace",
                    "rides",
                    "streaming.pipelines[0].version",
                    "v2",
                    "streaming.serving",
                    "v2"))
            .ofKind("ConfigMap")
            .stream()
            .map(cm -> ((Map<?, ?>) cm.get("data")).get("taxi-business.json"))
            .filter(java.util.Objects::nonNull)
            .map(
                s -> {
                  try {
                    return Observability.JSON.readTree(String.valueOf(s));
                  } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                  }
                })
            .findFirst()
            .orElseThrow();
    assertThat(Observability.fixedVariables(business))
        .containsEntry("keyspace", "rides")
        .containsEntry("pipeline_version", "v2");
  }

  @Test
  @SuppressWarnings("unchecked")
  void configMapsCarryTheLabelsTheGrafanaSidecarsWatch() {
    Map<String, Object> sidecar =
        (Map<String, Object>) ((Map<String, Object>) values.get("grafana")).get("sidecar");
    Map<String, Object> dash = (Map<String, Object>) sidecar.get("dashboards");
    Map<String, Object> ds = (Map<String, Object>) sidecar.get("datasources");
    assertThat(dash.get("enabled")).isEqualTo(true);
    assertThat(ds.get("enabled")).isEqualTo(true);

    int dashboardMaps = 0;
    int datasourceMaps = 0;
    for (Map<String, Object> cm : rendered.ofKind("ConfigMap")) {
      Map<String, Object> labels =
          (Map<String, Object>) ChartRenderer.Rendered.path(cm, "metadata", "labels");
      Map<String, Object> data = (Map<String, Object>) cm.get("data");
      boolean hasDashboard = data.keySet().stream().anyMatch(k -> k.endsWith(".json"));
      boolean hasDatasource = data.keySet().stream().anyMatch(k -> k.endsWith("datasources.yaml"));
      if (hasDashboard) {
        dashboardMaps++;
        assertSelected(labels, dash, ChartRenderer.Rendered.name(cm));
        Map<String, Object> annotations =
            (Map<String, Object>) ChartRenderer.Rendered.path(cm, "metadata", "annotations");
        assertThat(annotations)
            .as("folder annotation of " + ChartRenderer.Rendered.name(cm))
            .containsKey(String.valueOf(dash.get("folderAnnotation")));
      }
      if (hasDatasource) {
        datasourceMaps++;
        assertSelected(labels, ds, ChartRenderer.Rendered.name(cm));
      }
    }
    assertThat(dashboardMaps).isEqualTo(2);
    assertThat(datasourceMaps).isEqualTo(1);
  }

  /**
   * The k8s-sidecar selects on LABEL, and on LABEL_VALUE when it is set (grafana chart _pod.tpl).
   */
  private static void assertSelected(
      Map<String, Object> labels, Map<String, Object> sidecar, String name) {
    String label = String.valueOf(sidecar.get("label"));
    assertThat(labels).as(name + " labels").containsKey(label);
    Object value = sidecar.get("labelValue");
    if (value != null && !String.valueOf(value).isEmpty()) {
      assertThat(String.valueOf(labels.get(label)))
          .as(name + " label value")
          .isEqualTo(String.valueOf(value));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void cassandraPluginIsInstalledAndEveryPanelUsesAProvisionedDatasource() throws Exception {
    List<String> plugins =
        (List<String>) ((Map<String, Object>) values.get("grafana")).get("plugins");
    assertThat(plugins)
        .anyMatch(p -> p.matches("hadesarchitect-cassandra-datasource@3\\.3\\.\\d+"));

    Map<String, Object> dsMap =
        rendered.ofKind("ConfigMap").stream()
            .filter(
                cm ->
                    ((Map<String, Object>) cm.get("data"))
                        .keySet().stream().anyMatch(k -> k.endsWith("datasources.yaml")))
            .findFirst()
            .orElseThrow();
    String provisioning =
        String.valueOf(((Map<String, Object>) dsMap.get("data")).values().iterator().next());
    Map<String, Object> file = ChartRenderer.yamlMapper().readValue(provisioning, Map.class);
    Map<String, String> typeByUid = new HashMap<>();
    for (Map<String, Object> d : (List<Map<String, Object>>) file.get("datasources")) {
      typeByUid.put(String.valueOf(d.get("uid")), String.valueOf(d.get("type")));
      if ("hadesarchitect-cassandra-datasource".equals(d.get("type"))) {
        // The plugin's jsonData keys (pkg/settings.go) and a host:port URL (the CQL service).
        Map<String, Object> jsonData = (Map<String, Object>) d.get("jsonData");
        assertThat(jsonData).containsKeys("keyspace", "consistency");
        assertThat(jsonData.keySet())
            .isSubsetOf(
                "keyspace",
                "consistency",
                "user",
                "timeout",
                "useCustomTLS",
                "useCertContent",
                "certPath",
                "rootPath",
                "caPath",
                "allowInsecureTLS",
                "allowedAuthenticators");
        assertThat(String.valueOf(d.get("url"))).matches("[a-z0-9.-]+:9042");
        assertThat(String.valueOf(d.get("url")))
            .isEqualTo(ChartRenderer.RELEASE + "-taxi-platform-" + "dc1-service:9042");
      }
    }
    assertThat(typeByUid.values()).contains("prometheus", "hadesarchitect-cassandra-datasource");
    for (Map.Entry<String, JsonNode> d : dashboards.entrySet()) {
      for (JsonNode panel : Observability.panels(d.getValue())) {
        if (panel.path("type").asText().equals("row")) {
          continue;
        }
        String uid = panel.path("datasource").path("uid").asText();
        assertThat(typeByUid)
            .as(d.getKey() + " / " + panel.path("title").asText())
            .containsKey(uid);
        assertThat(panel.path("datasource").path("type").asText()).isEqualTo(typeByUid.get(uid));
        for (JsonNode t : panel.path("targets")) {
          assertThat(t.path("datasource").path("uid").asText()).isEqualTo(uid);
        }
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void cassandraDatasourceVerifiesTheClusterCaWhenClientEncryptionIsOn() throws Exception {
    Map<String, Object> plain = cassandraDatasource(rendered);
    assertThat((Map<String, Object>) plain.get("jsonData")).doesNotContainKey("useCustomTLS");
    Map<String, Object> tls =
        cassandraDatasource(ChartRenderer.render("default", Map.of("cassandra.tls.enabled", true)));
    assertThat((Map<String, Object>) tls.get("jsonData"))
        .containsEntry("useCustomTLS", true)
        .containsEntry("caPath", "/etc/grafana/cassandra-tls/ca.crt");
    Map<String, Object> noAuth =
        cassandraDatasource(
            ChartRenderer.render("default", Map.of("cassandra.authentication.enabled", false)));
    assertThat((Map<String, Object>) noAuth.get("jsonData")).doesNotContainKey("user");
    assertThat(noAuth).doesNotContainKey("secureJsonData");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cassandraDatasource(Rendered r) throws Exception {
    Map<String, Object> cm =
        r.ofKind("ConfigMap").stream()
            .filter(
                c ->
                    ((Map<String, Object>) c.get("data"))
                        .keySet().stream().anyMatch(k -> k.endsWith("datasources.yaml")))
            .findFirst()
            .orElseThrow();
    Map<String, Object> file =
        ChartRenderer.yamlMapper()
            .readValue(
                String.valueOf(((Map<String, Object>) cm.get("data")).values().iterator().next()),
                Map.class);
    return ((List<Map<String, Object>>) file.get("datasources"))
        .stream()
            .filter(d -> "hadesarchitect-cassandra-datasource".equals(d.get("type")))
            .findFirst()
            .orElseThrow();
  }

  @Test
  void everyPromqlExpressionParses(@TempDir Path dir) {
    List<Observability.PanelExpr> exprs = Observability.promqlTargets(dashboards);
    assertThat(exprs).hasSizeGreaterThan(10);
    assertThat(
            promtoolCheck(dir, exprs.stream().map(Observability.PanelExpr::expr).toList())
                .exitCode())
        .as("promtool check rules over every dashboard expression: " + exprs)
        .isZero();
    assertThat(exprs)
        .allSatisfy(
            e -> assertThat(e.expr()).as(e.dashboard() + " / " + e.panel()).doesNotContain("$"));
  }

  @Test
  void thePromqlCheckRejectsABrokenExpression(@TempDir Path dir) {
    // The check above is only worth something if promtool really parses the expressions.
    Promtool.Result r = promtoolCheck(dir, List.of("sum(rate(taxi_stream_input_rows_total[1m])"));
    assertThat(r.exitCode()).isNotZero();
  }

  private static Promtool.Result promtoolCheck(Path dir, List<String> exprs) {
    Promtool.require();
    List<Map<String, Object>> rules = new ArrayList<>();
    for (int i = 0; i < exprs.size(); i++) {
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("record", "dashboard:expr_" + i);
      rule.put("expr", exprs.get(i));
      rules.add(rule);
    }
    Observability.writeYaml(
        dir.resolve("dashboards.rules.yaml"),
        Map.of("groups", List.of(Map.of("name", "dashboard-expressions", "rules", rules))));
    return Promtool.run(dir, "check", "rules", "dashboards.rules.yaml");
  }

  @Test
  void everyCqlQueryReadsAContractTableTheWayThePluginNeeds() {
    List<Observability.PanelCql> queries = Observability.cqlTargets(dashboards);
    assertThat(queries).hasSizeGreaterThan(10);
    Pattern from =
        Pattern.compile("FROM\\s+\\$\\{keyspace\\}\\.([a-z_]+)_\\$\\{pipeline_version\\}");
    for (Observability.PanelCql q : queries) {
      String where = q.dashboard() + " / " + q.panel() + " / " + q.refId();
      assertThat(q.cql()).as(where).startsWith("SELECT ");
      Matcher m = from.matcher(q.cql());
      assertThat(m.find()).as(where + " reads ${keyspace}.<table>_${pipeline_version}").isTrue();
      assertThat(TABLES).as(where).contains(m.group(1));
      for (String decimal : DECIMAL_COLUMNS) {
        // the plugin rejects decimal values ("unsupported type"): only CAST(... AS double) may read
        // them
        assertThat(q.cql().replaceAll("CAST\\(" + decimal + " AS double\\)", ""))
            .as(where + " reads decimal column " + decimal + " without CAST")
            .doesNotContainPattern("\\b" + decimal + "\\b");
      }
      if (q.panelType().equals("timeseries") || q.panelType().equals("stat")) {
        assertThat(q.cql())
            .as(where + " is limited to the panel's time range")
            .contains("$__timeFrom")
            .contains("$__timeTo");
      }
    }
  }

  @Test
  void bothDashboardsChooseThePipelineVersionAmongTheRunningOnes() {
    Rendered two =
        ChartRenderer.render(
            "default", ChartRenderer.chartDir().resolve("ci/two-pipelines-values.yaml"), Map.of());
    List<String> versions =
        two.ofKind("SparkApplication").stream()
            .map(
                a ->
                    String.valueOf(
                        ChartRenderer.Rendered.path(
                            a, "metadata", "labels", "taxi-platform/pipeline-version")))
            .toList();
    assertThat(versions).containsExactly("v1", "v2_10m");
    Map<String, JsonNode> d = Observability.dashboards(two, "grafana_dashboard");
    for (String file : List.of("taxi-business.json", "taxi-pipeline-health.json")) {
      JsonNode dash = d.get(file);
      assertThat(Observability.customOptions(dash, "pipeline_version"))
          .as(file + " options")
          .containsExactlyElementsOf(versions);
      assertThat(Observability.fixedVariables(dash))
          .as(file + " default")
          .containsEntry("pipeline_version", "v2_10m");
      JsonNode options = null;
      for (JsonNode v : dash.path("templating").path("list")) {
        if (v.path("name").asText().equals("pipeline_version")) {
          options = v.path("options");
        }
      }
      assertThat(options).as(file + " options array").isNotNull();
      assertThat(options.size()).isEqualTo(2);
      assertThat(options.get(1).path("value").asText()).isEqualTo("v2_10m");
      assertThat(options.get(1).path("selected").asBoolean()).isTrue();
      assertThat(options.get(0).path("selected").asBoolean()).isFalse();
    }
    // every CQL query of the business dashboard reads the chosen version's tables: a table of each
    // running SparkApplication's PIPELINE_VERSION, whatever version is picked
    for (Observability.PanelCql q :
        Observability.cqlTargets(Map.of("taxi-business.json", d.get("taxi-business.json")))) {
      for (String v : versions) {
        String cql = q.cql().replace("${pipeline_version}", v);
        assertThat(cql)
            .as(q.panel())
            .containsPattern("\\.(zone_windows|window_zones|borough_windows)_" + v + "\\b");
      }
    }
  }

  @Test
  void pipelineDashboardShowsEachVersionsLagCatchUpLateRowsAndDuplicates() {
    JsonNode health = dashboards.get("taxi-pipeline-health.json");
    List<Observability.PanelExpr> exprs =
        Observability.promqlTargets(Map.of("taxi-pipeline-health.json", health));
    String all = exprs.toString();
    for (String metric :
        List.of(
            "taxi_stream_offsets_behind_latest",
            "taxi_stream_caught_up",
            "taxi_stream_rows_dropped_late_total",
            "taxi_stream_duplicate_trips_dropped_total")) {
      assertThat(exprs)
          .as(metric)
          .anySatisfy(
              e -> {
                assertThat(e.expr()).contains(metric);
                assertThat(e.expr()).as("per version").contains("by (pipeline_version");
              });
    }
    assertThat(all).contains("taxi_stream_caught_up");
    // the job's panels follow the variable or split by version: none sums the versions together
    for (JsonNode panel : Observability.panels(health)) {
      for (JsonNode t : panel.path("targets")) {
        String expr = t.path("expr").asText();
        if (expr.contains("taxi_stream_")) {
          assertThat(
                  expr.contains("pipeline_version=~\"$pipeline_version\"")
                      || expr.contains("by (pipeline_version"))
              .as(panel.path("title").asText() + ": " + expr)
              .isTrue();
          assertThat(
                  expr.contains("sum(")
                      && !expr.contains("by (pipeline_version")
                      && !expr.contains("kafka_"))
              .as(panel.path("title").asText() + " sums over versions: " + expr)
              .isFalse();
        }
      }
    }
  }

  @Test
  void businessDashboardHasOneHourAnd24HourViews() {
    List<String> timeFroms = new ArrayList<>();
    for (JsonNode p : Observability.panels(dashboards.get("taxi-business.json"))) {
      if (p.has("timeFrom")) {
        timeFroms.add(p.path("timeFrom").asText());
      }
    }
    assertThat(timeFroms).contains("1h", "24h");
    assertThat(dashboards.get("taxi-business.json").path("time").path("from").asText())
        .isEqualTo("now-1h");
  }
}
