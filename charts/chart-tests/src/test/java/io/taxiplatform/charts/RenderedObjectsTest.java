package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every object of every scenario parses strictly: core kinds with the fabric8 model (unknown fields
 * rejected), custom resources against the upstream CRD schemas (closed objects).
 */
class RenderedObjectsTest {

  private static CrdValidator crds;

  /**
   * The CRD schemas, or a skip with the reason when neither ../shared/crds nor vendored subcharts
   * exist.
   */
  private static synchronized CrdValidator crds() {
    assumeTrue(
        Files.isDirectory(ChartRenderer.sharedDir().resolve("crds"))
            || ChartRenderer.allSubchartsVendored(),
        "no CRD schemas here: neither ../shared/crds nor vendored subcharts (helm dependency build)");
    if (crds == null) {
      crds = CrdValidator.load();
    }
    return crds;
  }

  @TestFactory
  Stream<DynamicTest> everyObjectParsesStrictly() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Scenarios.Scenario s : Scenarios.all()) {
      ChartRenderer.Rendered r = s.render();
      for (Map<String, Object> o : r.objects()) {
        String label =
            s.label()
                + ": "
                + o.get("apiVersion")
                + " "
                + o.get("kind")
                + " "
                + ChartRenderer.Rendered.name(o);
        tests.add(DynamicTest.dynamicTest(label, () -> check(o)));
      }
    }
    return tests.stream();
  }

  private static void check(Map<String, Object> o) {
    assertThat(o).containsKeys("apiVersion", "kind", "metadata");
    if (StrictKubernetes.isBuiltInApi(o)) {
      assertThat(StrictKubernetes.modelOf(o))
          .as(
              "a strict model for built-in kind %s/%s (add it to StrictKubernetes)",
              o.get("apiVersion"), o.get("kind"))
          .isPresent();
      StrictKubernetes.parse(o, StrictKubernetes.modelOf(o).orElseThrow());
      return;
    }
    CrdValidator crds = crds();
    assumeTrue(
        crds.knows(o),
        "no upstream CRD for "
            + o.get("apiVersion")
            + "/"
            + o.get("kind")
            + " in ../shared/crds or the vendored subcharts (cert-manager's CRDs are not available offline here)");
    assertThat(crds.validate(o))
        .as(
            "%s %s against %s",
            o.get("kind"),
            ChartRenderer.Rendered.name(o),
            crds.sourceOf(String.valueOf(o.get("apiVersion")), String.valueOf(o.get("kind")))
                .orElse("?"))
        .isEmpty();
  }

  @Test
  void crdSchemasForTheOperatorsAreLoaded() {
    for (String kind :
        List.of(
            "kafka.strimzi.io/v1/Kafka",
            "kafka.strimzi.io/v1/KafkaNodePool",
            "kafka.strimzi.io/v1/KafkaTopic",
            "kafka.strimzi.io/v1/KafkaUser",
            "k8ssandra.io/v1alpha1/K8ssandraCluster",
            "sparkoperator.k8s.io/v1beta2/SparkApplication")) {
      int slash = kind.lastIndexOf('/');
      assertThat(crds().sourceOf(kind.substring(0, slash), kind.substring(slash + 1)))
          .as(kind)
          .isPresent();
    }
  }

  @Test
  void strictParsingRejectsAMisspeltCoreField() {
    Map<String, Object> deployment =
        deepCopy(
            ChartRenderer.render("dev")
                .find("Deployment", "taxi-taxi-platform-producer")
                .orElseThrow());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
    spec.put("replica", 2);
    assertThatThrownBy(() -> StrictKubernetes.parse(deployment, Deployment.class))
        .hasMessageContaining("replica");
  }

  @Test
  void crdValidationRejectsAMisspeltCustomResourceField() {
    Map<String, Object> kafka = deepCopy(ChartRenderer.render("dev").one("Kafka"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) ((Map<String, Object>) kafka.get("spec")).get("kafka");
    spec.put("listenrs", List.of());
    assertThat(crds().validate(kafka)).anySatisfy(m -> assertThat(m).contains("listenrs"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> deepCopy(Map<String, Object> m) {
    return ChartRenderer.yamlMapper().convertValue(m, LinkedHashMap.class);
  }
}
