package io.taxiplatform.charts.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.charts.ChartRenderer;
import io.taxiplatform.charts.ChartRenderer.Rendered;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PrometheusRule of the chart: valid for promtool, every alert documented and linked to its
 * runbook, and every alert proven by promtool unit tests (observability/alerts-test.yaml) to fire
 * on the condition it describes and to stay quiet otherwise.
 */
class AlertRulesTest {

  private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

  @ParameterizedTest
  @ValueSource(strings = {"default", "dev", "kind", "staging"})
  void renderedRulesPassPromtoolCheck(String profile, @TempDir Path dir) {
    Rendered rendered = ChartRenderer.render(profile);
    Observability.writeYaml(dir.resolve("rules.yaml"), Observability.rulesFile(rendered));

    Promtool.Result result = Promtool.run(dir, "check", "rules", "rules.yaml");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void everyAlertHasSeveritySummaryDescriptionAndARunbookAnchorThatExists() {
    Map<String, Map<String, Object>> alerts = Observability.alerts(ChartRenderer.render("default"));
    Path runbook = ChartRenderer.repoRoot().resolve("docs/observability.md");
    Set<String> anchors = Observability.markdownAnchors(runbook);

    assertThat(alerts).isNotEmpty();
    for (Map.Entry<String, Map<String, Object>> e : alerts.entrySet()) {
      String name = e.getKey();
      Object labels = e.getValue().get("labels");
      Object annotations = e.getValue().get("annotations");
      assertThat(labels).as(name + " labels").isInstanceOf(Map.class);
      assertThat(annotations).as(name + " annotations").isInstanceOf(Map.class);
      Map<?, ?> l = (Map<?, ?>) labels;
      Map<?, ?> a = (Map<?, ?>) annotations;
      assertThat(SEVERITIES).as(name + " severity").contains(String.valueOf(l.get("severity")));
      assertThat(String.valueOf(a.get("summary")))
          .as(name + " summary")
          .isNotBlank()
          .isNotEqualTo("null");
      assertThat(String.valueOf(a.get("description")))
          .as(name + " description")
          .isNotBlank()
          .isNotEqualTo("null");
      String url = String.valueOf(a.get("runbook_url"));
      assertThat(url).as(name + " runbook_url").contains("docs/observability.md#");
      String anchor = url.substring(url.indexOf('#') + 1);
      assertThat(anchor)
          .as(name + " runbook anchor is the alert name")
          .isEqualTo(name.toLowerCase());
      assertThat(anchors).as("docs/observability.md has a heading for " + name).contains(anchor);
    }
  }

  @Test
  void runbookBaseUrlIsConfigurable() {
    Map<String, Map<String, Object>> alerts =
        Observability.alerts(
            ChartRenderer.render(
                "default",
                Map.of(
                    "monitoring.rules.runbookBaseUrl", "https://wiki.example.org/taxi/runbook/")));
    assertThat(alerts.values())
        .allSatisfy(
            rule ->
                assertThat(String.valueOf(((Map<?, ?>) rule.get("annotations")).get("runbook_url")))
                    .startsWith("https://wiki.example.org/taxi/runbook#"));
  }

  @Test
  void rulesAreNotRenderedWhenMonitoringIsOff() {
    assertThat(
            ChartRenderer.render("default", Map.of("monitoring.enabled", false))
                .ofKind("PrometheusRule"))
        .isEmpty();
    assertThat(
            ChartRenderer.render("default", Map.of("monitoring.rules.enabled", false))
                .ofKind("PrometheusRule"))
        .isEmpty();
  }

  @Test
  void alertsFollowTheComponentsThisReleaseRuns(@TempDir Path dir) {
    assertThat(Observability.alerts(ChartRenderer.render("default")).keySet())
        .contains(
            "TaxiPipelineStalled",
            "TaxiStreamingMetricsAbsent",
            "TaxiConsumerLagGrowing",
            "TaxiProducerSendErrors",
            "TaxiAverageFareDrop");
    // Without the job, its alerts would fire forever ("absent"): they are not rendered.
    Rendered noJob = ChartRenderer.render("default", Map.of("streaming.enabled", false));
    assertThat(Observability.alerts(noJob).keySet()).containsExactly("TaxiProducerSendErrors");
    Observability.writeYaml(dir.resolve("rules.yaml"), Observability.rulesFile(noJob));
    assertThat(Promtool.run(dir, "check", "rules", "rules.yaml").exitCode()).isZero();
    assertThat(
            Observability.alerts(ChartRenderer.render("default", Map.of("producer.enabled", false)))
                .keySet())
        .doesNotContain("TaxiProducerSendErrors")
        .contains("TaxiPipelineStalled");
    assertThat(
            Observability.alerts(
                    ChartRenderer.render(
                        "default", Map.of("monitoring.kafka.exporter.enabled", false)))
                .keySet())
        .as("the lag alert needs the Kafka Exporter's offsets")
        .doesNotContain("TaxiConsumerLagGrowing");
    assertThat(
            ChartRenderer.render(
                    "default", Map.of("streaming.enabled", false, "producer.enabled", false))
                .ofKind("PrometheusRule"))
        .isEmpty();
  }

  @Test
  void additionalAlertLabelsAreOnEveryAlert() {
    Map<String, Map<String, Object>> alerts =
        Observability.alerts(
            ChartRenderer.render(
                "default", Map.of("monitoring.rules.additionalAlertLabels.team", "data-platform")));
    assertThat(alerts.values())
        .allSatisfy(
            rule ->
                assertThat((Map<String, Object>) rule.get("labels"))
                    .containsEntry("team", "data-platform")
                    .containsKey("severity"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void unitTestsCoverEveryAlertFiringAndNotFiring() throws IOException {
    Map<String, Map<String, Object>> alerts = Observability.alerts(ChartRenderer.render("default"));
    Map<String, Object> tests;
    try (InputStream in = resource()) {
      tests = ChartRenderer.yamlMapper().readValue(in, Map.class);
    }
    Set<String> firing = new HashSet<>();
    Set<String> quiet = new HashSet<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
      for (Map<String, Object> t : (List<Map<String, Object>>) test.get("alert_rule_test")) {
        List<?> expected = (List<?>) t.get("exp_alerts");
        (expected == null || expected.isEmpty() ? quiet : firing)
            .add(String.valueOf(t.get("alertname")));
      }
    }
    assertThat(firing).as("alerts with a firing unit test").containsAll(alerts.keySet());
    assertThat(quiet).as("alerts with a not-firing unit test").containsAll(alerts.keySet());
    assertThat(alerts.keySet())
        .as("unit tests only name alerts that exist")
        .containsAll(firing)
        .containsAll(quiet);
  }

  @Test
  void promtoolUnitTestsPass(@TempDir Path dir) throws IOException {
    Promtool.require();
    Observability.writeYaml(
        dir.resolve("rules.yaml"), Observability.rulesFile(ChartRenderer.render("default")));
    try (InputStream in = resource()) {
      Files.copy(in, dir.resolve("alerts-test.yaml"), StandardCopyOption.REPLACE_EXISTING);
    }

    Promtool.Result result = Promtool.run(dir, "test", "rules", "alerts-test.yaml");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void promtoolUnitTestsCatchAChangedThreshold(@TempDir Path dir) throws IOException {
    // The same unit tests against rules whose thresholds moved must fail: they test the thresholds.
    Promtool.require();
    // (integers: Helm's --set keeps decimals as strings, which the schema rejects)
    Rendered moved =
        ChartRenderer.render(
            "default",
            Map.of(
                "monitoring.rules.stalledAfterSeconds",
                900,
                "monitoring.rules.tripSpikeRatio",
                10,
                "monitoring.rules.stateEvictionSeconds",
                2));
    Observability.writeYaml(dir.resolve("rules.yaml"), Observability.rulesFile(moved));
    try (InputStream in = resource()) {
      Files.copy(in, dir.resolve("alerts-test.yaml"), StandardCopyOption.REPLACE_EXISTING);
    }

    Promtool.Result result = Promtool.run(dir, "test", "rules", "alerts-test.yaml");

    assertThat(result.exitCode()).as(result.output()).isNotZero();
    assertThat(result.output())
        .contains("TaxiPipelineStalled")
        .contains("TaxiTripCountSpike")
        .contains("TaxiStateEvictionSlow");
  }

  private static InputStream resource() {
    InputStream in = AlertRulesTest.class.getResourceAsStream("/observability/alerts-test.yaml");
    assertThat(in).as("test resource observability/alerts-test.yaml").isNotNull();
    return in;
  }
}
