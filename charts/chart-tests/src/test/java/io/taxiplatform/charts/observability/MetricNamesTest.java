package io.taxiplatform.charts.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.charts.ChartRenderer;
import io.taxiplatform.charts.ChartRenderer.Rendered;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric name a dashboard or an alert uses is exposed by an app (docs/contracts.md, checked
 * against the real endpoints by ObservabilityIT) or documented for a named exporter
 * (observability/metric-sources.yaml); Kafka names are proven by applying the chart's JMX exporter
 * rules to the MBeans they come from.
 */
class MetricNamesTest {

  private static Rendered rendered;
  private static Map<String, Map<String, Object>> exporterMetrics;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    rendered = ChartRenderer.render("default");
    Map<String, Object> sources;
    try (InputStream in =
        MetricNamesTest.class.getResourceAsStream("/observability/metric-sources.yaml")) {
      assertThat(in).as("observability/metric-sources.yaml").isNotNull();
      sources = ChartRenderer.yamlMapper().readValue(in, Map.class);
    }
    exporterMetrics = new LinkedHashMap<>();
    Map<String, Object> exporters = (Map<String, Object>) sources.get("exporters");
    for (Map.Entry<String, Object> ex : exporters.entrySet()) {
      Map<String, Object> exporter = (Map<String, Object>) ex.getValue();
      assertThat(String.valueOf(exporter.get("source")))
          .as(ex.getKey() + " names its source")
          .hasSizeGreaterThan(20);
      for (Map<String, Object> m : (List<Map<String, Object>>) exporter.get("metrics")) {
        Map<String, Object> entry = new LinkedHashMap<>(m);
        entry.put("exporter", ex.getKey());
        exporterMetrics.put(String.valueOf(m.get("name")), entry);
      }
    }
  }

  /** metric name -> where it is used. */
  static Map<String, List<String>> usedNames(Rendered r) {
    Map<String, List<String>> used = new TreeMap<>();
    for (Map.Entry<String, Map<String, Object>> a : Observability.alerts(r).entrySet()) {
      for (String name : Observability.metricNames(String.valueOf(a.getValue().get("expr")))) {
        used.computeIfAbsent(name, k -> new ArrayList<>()).add("alert " + a.getKey());
      }
    }
    for (Observability.PanelExpr e :
        Observability.promqlTargets(Observability.dashboards(r, "grafana_dashboard"))) {
      for (String name : Observability.metricNames(e.expr())) {
        used.computeIfAbsent(name, k -> new ArrayList<>()).add(e.dashboard() + " / " + e.panel());
      }
    }
    return used;
  }

  @Test
  void metricNameExtractionIgnoresFunctionsLabelsDurationsAndNumbers() {
    assertThat(
            Observability.metricNames(
                "histogram_quantile(0.95, sum by (le, table) (rate(a_seconds_bucket{table=~\"x|y\"}[5m] offset 30m))) / 1e6"
                    + " > 2 * sum(b_total) and on() c"))
        .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c");
    assertThat(
            Observability.metricNames(
                "time() - max by (query) (taxi_stream_last_progress_timestamp_seconds)"))
        .containsExactly("taxi_stream_last_progress_timestamp_seconds");
  }

  @Test
  void everyUsedMetricIsExposedByAnAppOrDocumentedForAnExporter() {
    Set<String> app = Observability.contractMetricNames();
    Map<String, List<String>> used = usedNames(rendered);
    assertThat(used).as("dashboards and alerts use metrics").isNotEmpty();
    Map<String, List<String>> unknown = new TreeMap<>();
    for (Map.Entry<String, List<String>> e : used.entrySet()) {
      if (!app.contains(e.getKey()) && !exporterMetrics.containsKey(e.getKey())) {
        unknown.put(e.getKey(), e.getValue());
      }
    }
    assertThat(unknown)
        .as("metric names in neither docs/contracts.md nor metric-sources.yaml")
        .isEmpty();
  }

  @Test
  void everyDocumentedExporterMetricIsUsed() {
    Set<String> used = usedNames(rendered).keySet();
    assertThat(used)
        .as("entries of metric-sources.yaml still used")
        .containsAll(exporterMetrics.keySet());
  }

  @Test
  void contractsListTheAppMetricsTheAlertsNeed() {
    // Sanity of the parser: names from both apps, histograms expanded.
    assertThat(Observability.contractMetricNames())
        .contains(
            "taxi_producer_events_sent_total", "taxi_stream_last_progress_timestamp_seconds",
            "taxi_stream_end_to_end_latency_seconds_bucket",
                "taxi_producer_send_latency_seconds_bucket");
  }

  @Test
  @SuppressWarnings("unchecked")
  void chartJmxRulesTurnTheDocumentedMbeansIntoTheUsedNames() throws IOException {
    Map<String, Object> cm =
        rendered.ofKind("ConfigMap").stream()
            .filter(c -> ChartRenderer.Rendered.name(c).endsWith("-kafka-metrics"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Kafka metrics ConfigMap rendered"));
    Map<String, Object> data = (Map<String, Object>) cm.get("data");
    Map<String, Object> config =
        ChartRenderer.yamlMapper()
            .readValue(String.valueOf(data.get("kafka-metrics-config.yml")), Map.class);
    boolean lowercase = Boolean.TRUE.equals(config.get("lowercaseOutputName"));
    List<Map<String, Object>> rules = (List<Map<String, Object>>) config.get("rules");

    int checked = 0;
    for (Map<String, Object> m : exporterMetrics.values()) {
      if (!m.containsKey("mbean")) {
        continue;
      }
      String mbean = String.valueOf(m.get("mbean"));
      assertThat(exportedName(rules, mbean, lowercase))
          .as("name the chart's JMX rules give " + mbean)
          .isEqualTo(m.get("name"));
      checked++;
    }
    assertThat(checked).isPositive();
    // The exporter compiles every rule's pattern as a Java regex at start: a broken one fails the
    // broker's agent.
    for (Map<String, Object> rule : rules) {
      assertThat(rule).containsKeys("pattern", "name");
      Pattern.compile(String.valueOf(rule.get("pattern")));
    }
    // A bean no rule matches is not exported (only what the dashboards need).
    assertThat(
            exportedName(
                rules, "kafka.log<type=LogCleaner, name=cleaner-recopy-percent><>Value", lowercase))
        .isNull();
  }

  /**
   * The JMX exporter's rule semantics: the first rule whose pattern matches the whole bean string
   * ("^.*(?:pattern).*$") names the sample; $n are the pattern's groups.
   */
  static String exportedName(List<Map<String, Object>> rules, String bean, boolean lowercase) {
    for (Map<String, Object> rule : rules) {
      Matcher matcher = Pattern.compile("^.*(?:" + rule.get("pattern") + ").*$").matcher(bean);
      if (matcher.matches()) {
        String name = String.valueOf(rule.get("name"));
        StringBuilder out = new StringBuilder();
        Matcher ref = Pattern.compile("\\$(\\d+)").matcher(name);
        while (ref.find()) {
          ref.appendReplacement(
              out, Matcher.quoteReplacement(matcher.group(Integer.parseInt(ref.group(1)))));
        }
        ref.appendTail(out);
        String result = out.toString().replaceAll("[^a-zA-Z0-9_:]", "_");
        return lowercase ? result.toLowerCase(Locale.ROOT) : result;
      }
    }
    return null;
  }

  @Test
  void everyAlertAndDashboardUsesOnlyKnownNamesInEveryProfile() {
    Set<String> known = new TreeSet<>(Observability.contractMetricNames());
    known.addAll(exporterMetrics.keySet());
    for (String profile : ChartRenderer.PROFILES) {
      assertThat(known)
          .as("names used with profile " + profile)
          .containsAll(usedNames(ChartRenderer.render(profile)).keySet());
    }
  }
}
