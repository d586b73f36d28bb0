package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Several pipeline versions at once (streaming.pipelines, streaming.serving): one SparkApplication
 * per version whose name, label, PIPELINE_VERSION and settings agree; shared checkpoint root, claim
 * and service account; the helm smoke test reads the serving version with its window size; bad
 * lists fail `helm template` naming the key.
 */
class PipelinesTest {

  static final Path TWO = ChartRenderer.chartDir().resolve("ci/two-pipelines-values.yaml");

  private static PodSpecs.PodSpec driver(ChartRenderer.Rendered r, Map<String, Object> app) {
    return PodSpecs.of(r).stream()
        .filter(p -> p.owner().equals("SparkApplication/" + name(app) + "#driver"))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Every scenario: each SparkApplication is one version, named and labelled by it; the smoke test
   * reads the serving one.
   */
  @TestFactory
  Stream<DynamicTest> everySparkApplicationIsOnePipelineVersion() {
    return Scenarios.all().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.label(),
                    () -> {
                      ChartRenderer.Rendered r = s.render();
                      List<String> problems = new ArrayList<>();
                      Map<String, String> zoneWindowByVersion = new LinkedHashMap<>();
                      String checkpointRoot = null;
                      for (Map<String, Object> app : r.ofKind("SparkApplication")) {
                        PodSpecs.PodSpec d = driver(r, app);
                        String version = d.envValue("PIPELINE_VERSION");
                        if (version == null || !version.matches("[a-z0-9_]+")) {
                          problems.add(
                              name(app)
                                  + ": PIPELINE_VERSION "
                                  + version
                                  + " is not the job's [a-z0-9_]+");
                          continue;
                        }
                        if (!name(app).endsWith("-streaming-" + version.replace('_', '-'))) {
                          problems.add(
                              name(app) + ": name does not carry its PIPELINE_VERSION " + version);
                        }
                        for (String[] where :
                            new String[][] {
                              {"metadata", "labels"},
                              {"spec", "driver", "labels"},
                              {"spec", "executor", "labels"}
                            }) {
                          Object label = path(path(app, where), "taxi-platform/pipeline-version");
                          if (!version.equals(label)) {
                            problems.add(
                                name(app)
                                    + ": "
                                    + String.join(".", where)
                                    + " taxi-platform/pipeline-version="
                                    + label
                                    + ", not "
                                    + version);
                          }
                        }
                        if (zoneWindowByVersion.put(version, d.envValue("ZONE_WINDOW")) != null) {
                          problems.add("version " + version + " rendered twice");
                        }
                        // The job appends /<version>/<query> itself: every version gets the same
                        // root, so they share the claim.
                        String cp = d.envValue("CHECKPOINT_LOCATION");
                        if (checkpointRoot != null && !checkpointRoot.equals(cp)) {
                          problems.add(
                              name(app)
                                  + ": CHECKPOINT_LOCATION "
                                  + cp
                                  + " differs from the other versions' "
                                  + checkpointRoot);
                        }
                        checkpointRoot = cp;
                      }
                      for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
                        if (p.owner().endsWith("-test-smoke")) {
                          String serving =
                              String.valueOf(
                                  path(
                                      ChartRenderer.yamlMapper()
                                          .readValue(mergedValuesYaml(s), Map.class),
                                      "streaming",
                                      "serving"));
                          if (!serving.equals(p.envValue("PIPELINE_VERSION"))) {
                            problems.add(
                                p.owner()
                                    + ": PIPELINE_VERSION "
                                    + p.envValue("PIPELINE_VERSION")
                                    + " is not streaming.serving "
                                    + serving);
                          }
                          if (zoneWindowByVersion.containsKey(serving)
                              && !Objects.equals(
                                  zoneWindowByVersion.get(serving), p.envValue("ZONE_WINDOW"))) {
                            problems.add(
                                p.owner()
                                    + ": ZONE_WINDOW "
                                    + p.envValue("ZONE_WINDOW")
                                    + " is not the serving version's "
                                    + zoneWindowByVersion.get(serving));
                          }
                        }
                        if (p.owner().startsWith("Deployment/") || p.owner().startsWith("Job/")) {
                          if (p.envEntry("PIPELINE_VERSION") != null) {
                            problems.add(
                                p.owner()
                                    + ": the producer gets PIPELINE_VERSION (switching the serving version would roll it)");
                          }
                        }
                      }
                      assertThat(problems).as(s.label()).isEmpty();
                    }));
  }

  /** The chart's values merged with the scenario's profile, file and sets, as YAML. */
  private static String mergedValuesYaml(Scenarios.Scenario s) throws Exception {
    Map<String, Object> values =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    ChartRenderer.profileValues(s.profile())
        .ifPresent(p -> ChartRenderer.deepMerge(values, ChartRenderer.readYamlMap(p)));
    ChartRenderer.deepMerge(values, new LinkedHashMap<>(s.fileValues()));
    return ChartRenderer.yamlMapper().writeValueAsString(values);
  }

  @Test
  void twoVersionsRunSideBySideWithTheirOwnSettings() {
    ChartRenderer.Rendered r = ChartRenderer.render("default", TWO, Map.of());
    List<Map<String, Object>> apps = r.ofKind("SparkApplication");
    assertThat(apps)
        .extracting(ChartRenderer.Rendered::name)
        .containsExactly("taxi-taxi-platform-streaming-v1", "taxi-taxi-platform-streaming-v2-10m");
    PodSpecs.PodSpec v1 = driver(r, apps.get(0));
    PodSpecs.PodSpec v2 = driver(r, apps.get(1));
    assertThat(v1.envValue("PIPELINE_VERSION")).isEqualTo("v1");
    assertThat(v2.envValue("PIPELINE_VERSION")).isEqualTo("v2_10m");
    // v1 keeps the defaults, v2_10m its overrides
    assertThat(v1.envValue("ZONE_WINDOW")).isEqualTo("5 minutes");
    assertThat(v2.envValue("ZONE_WINDOW")).isEqualTo("10 minutes");
    assertThat(v1.envValue("WATERMARK_DELAY")).isEqualTo("10 minutes");
    assertThat(v2.envValue("WATERMARK_DELAY")).isEqualTo("15 minutes");
    assertThat(v1.envValue("MAX_OFFSETS_PER_TRIGGER")).isEqualTo("250000");
    assertThat(v2.envValue("MAX_OFFSETS_PER_TRIGGER")).isEqualTo("50000");
    assertThat(path(apps.get(0), "spec", "executor", "instances")).isEqualTo(1);
    assertThat(path(apps.get(1), "spec", "executor", "instances")).isEqualTo(2);
    assertThat(path(apps.get(1), "spec", "executor", "memory"))
        .as("unset executor keys keep the defaults")
        .isEqualTo(path(apps.get(0), "spec", "executor", "memory"));
    // one claim, one service account, one Role for both; one driver PodMonitor
    assertThat(r.ofKind("PersistentVolumeClaim")).hasSize(1);
    assertThat(path(apps.get(0), "spec", "volumes").toString())
        .isEqualTo(path(apps.get(1), "spec", "volumes").toString());
    assertThat(path(apps.get(0), "spec", "driver", "serviceAccount"))
        .isEqualTo(path(apps.get(1), "spec", "driver", "serviceAccount"));
    assertThat(r.ofKind("Role")).hasSize(1);
    assertThat(r.ofKind("PodMonitor")).filteredOn(m -> name(m).endsWith("-driver")).hasSize(1);
    // both share the trips topic
    assertThat(v1.envValue("TRIPS_TOPIC")).isEqualTo(v2.envValue("TRIPS_TOPIC"));
    // the smoke test reads the serving version v2_10m, with its 10-minute windows
    PodSpecs.PodSpec smoke =
        PodSpecs.of(r).stream()
            .filter(p -> p.owner().endsWith("-test-smoke"))
            .findFirst()
            .orElseThrow();
    assertThat(smoke.envValue("PIPELINE_VERSION")).isEqualTo("v2_10m");
    assertThat(smoke.envValue("ZONE_WINDOW")).isEqualTo("10 minutes");
  }

  @Test
  void switchingTheServingVersionChangesOnlyWhatReadsIt() {
    ChartRenderer.Rendered a = ChartRenderer.render("default", TWO, Map.of());
    ChartRenderer.Rendered b =
        ChartRenderer.render("default", TWO, Map.of("streaming.serving", "v1"));
    assertThat(b.ofKind("SparkApplication").toString())
        .as("the jobs are untouched")
        .isEqualTo(a.ofKind("SparkApplication").toString());
    assertThat(b.ofKind("Deployment").toString())
        .as("the producer is untouched")
        .isEqualTo(a.ofKind("Deployment").toString());
    PodSpecs.PodSpec smoke =
        PodSpecs.of(b).stream()
            .filter(p -> p.owner().endsWith("-test-smoke"))
            .findFirst()
            .orElseThrow();
    assertThat(smoke.envValue("PIPELINE_VERSION")).isEqualTo("v1");
    assertThat(smoke.envValue("ZONE_WINDOW")).isEqualTo("5 minutes");
  }

  @Test
  void retiringAVersionRemovesOnlyItsSparkApplication() {
    ChartRenderer.Rendered both = ChartRenderer.render("default", TWO, Map.of());
    // the same release after `v1` was removed from the list (and v2_10m serves)
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("streaming.pipelines[0].version", "v2_10m");
    sets.put("streaming.pipelines[0].zoneWindow", "10 minutes");
    sets.put("streaming.pipelines[0].watermarkDelay", "15 minutes");
    sets.put("streaming.pipelines[0].startingOffsets", "earliest");
    sets.put("streaming.pipelines[0].maxOffsetsPerTrigger", 50000);
    sets.put("streaming.pipelines[0].executor.instances", 2);
    sets.put("streaming.serving", "v2_10m");
    ChartRenderer.Rendered retired = ChartRenderer.render("default", sets);
    assertThat(retired.ofKind("SparkApplication"))
        .extracting(ChartRenderer.Rendered::name)
        .containsExactly("taxi-taxi-platform-streaming-v2-10m");
    assertThat(retired.one("SparkApplication").toString())
        .as("the remaining version is untouched by the upgrade")
        .isEqualTo(
            both.find("SparkApplication", "taxi-taxi-platform-streaming-v2-10m")
                .orElseThrow()
                .toString());
    assertThat(retired.ofKind("PersistentVolumeClaim"))
        .as("the shared checkpoint claim stays")
        .hasSize(1);
  }

  @Test
  void badPipelineListsFailNamingTheKey() {
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "default",
                    Map.of(
                        "streaming.pipelines[0].version",
                        "v1",
                        "streaming.pipelines[1].version",
                        "v1")))
        .hasMessageContaining("streaming.pipelines[1].version")
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> ChartRenderer.render("default", Map.of("streaming.serving", "v9")))
        .hasMessageContaining("streaming.serving")
        .hasMessageContaining("v9")
        .hasMessageContaining("v1");
    assertThatThrownBy(
            () -> ChartRenderer.render("default", Map.of("streaming.pipelineVersion", "v2")))
        .hasMessageContaining("streaming.pipelineVersion was removed")
        .hasMessageContaining("streaming.pipelines")
        .hasMessageContaining("streaming.serving");
    // the job's own rule and the name limit, checked by the schema
    assertThatThrownBy(
            () -> ChartRenderer.render("default", Map.of("streaming.pipelines[0].version", "v-2")))
        .hasMessageContaining("schema")
        .hasMessageContaining("version");
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "default", Map.of("streaming.pipelines[0].version", "a".repeat(17))))
        .hasMessageContaining("schema")
        .hasMessageContaining("version");
  }

  @Test
  void disabledJobStillValidatesTheServingVersion() {
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "default", Map.of("streaming.enabled", false, "streaming.serving", "v2")))
        .hasMessageContaining("streaming.serving");
  }

  @Test
  void longestVersionAndBaseNameStayWithinNameLimits() {
    ChartRenderer.Rendered r =
        ChartRenderer.render(
            "staging",
            Map.of(
                "fullnameOverride",
                "a".repeat(63),
                "streaming.pipelines[0].version",
                "v1234567890_abcd",
                "streaming.serving",
                "v1234567890_abcd"));
    List<String> problems = new ArrayList<>();
    PolicyTest.checkNames(r, problems);
    assertThat(problems).isEmpty();
    assertThat(name(r.one("SparkApplication"))).endsWith("-streaming-v1234567890-abcd");
  }
}
