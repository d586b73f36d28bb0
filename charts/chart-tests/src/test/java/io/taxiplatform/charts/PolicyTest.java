package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Policy over every scenario: requests and limits on every container, non-root without privilege
 * escalation, pinned image tags (never latest), probes on long-running workloads, names within 63
 * characters (including the names the operators derive from ours), no version in selectors.
 *
 * <p>Exemptions, stated: helm test Pods run to completion (no probes); Spark executors are
 * supervised by their driver, which replaces lost executors (no probes).
 */
class PolicyTest {

  private static final int DNS_LABEL = 63;

  @TestFactory
  Stream<DynamicTest> policy() {
    return Scenarios.all().stream().map(s -> DynamicTest.dynamicTest(s.label(), () -> {
      ChartRenderer.Rendered r = s.render();
      List<String> problems = new ArrayList<>();
      checkPods(r, problems);
      checkOperatorManagedResources(r, problems);
      checkNames(r, problems);
      checkSelectors(r, problems);
      assertThat(problems).as(s.label()).isEmpty();
    }));
  }

  @Test
  void namesStayWithinLimitsWithTheLongestBaseName() {
    String longest = "a".repeat(DNS_LABEL);
    ChartRenderer.Rendered r = ChartRenderer.render("staging", Map.of("fullnameOverride", longest));
    List<String> problems = new ArrayList<>();
    checkNames(r, problems);
    assertThat(problems).isEmpty();
    assertThat(name(r.one("Kafka"))).hasSizeLessThanOrEqualTo(26);
  }

  /** helm test pods: test hooks, deleted before re-creation and on success, never restarted. */
  @Test
  void helmTestPodsAreTestHooks() {
    ChartRenderer.Rendered r = ChartRenderer.render("kind");
    List<Map<String, Object>> pods = r.ofKind("Pod");
    assertThat(pods).extracting(o -> String.valueOf(path(o, "spec", "containers")))
        .hasSize(2);
    String prefix = ChartRenderer.HOOK_ANNOTATION_PREFIX;
    for (Map<String, Object> pod : pods) {
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations = (Map<String, Object>) path(pod, "metadata", "annotations");
      assertThat(annotations).containsEntry(prefix + "hook", "test")
          .containsEntry(prefix + "hook-delete-policy", "before-hook-creation,hook-succeeded");
      assertThat(path(pod, "spec", "restartPolicy")).isEqualTo("Never");
      assertThat(path(pod, "spec", "activeDeadlineSeconds")).isNotNull();
    }
    // the connectivity check runs first, then the end-to-end smoke test
    assertThat(pods).extracting(p -> String.valueOf(path(p, "metadata", "annotations", prefix + "hook-weight")))
        .containsExactlyInAnyOrder("0", "1");
  }

  @SuppressWarnings("unchecked")
  private static void checkPods(ChartRenderer.Rendered r, List<String> problems) {
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      Map<String, Object> podSc = (Map<String, Object>) p.spec().get("securityContext");
      for (Map<String, Object> c : p.allContainers()) {
        String where = p.owner() + " container " + c.get("name");
        boolean isInit = p.initContainers().contains(c);
        // resources
        if (p.spark() && !isInit) {
          Map<String, Object> sp = (Map<String, Object>) p.spec().get("_spark");
          for (String k : List.of("coreRequest", "coreLimit", "memory", "memoryOverhead")) {
            if (sp.get(k) == null) {
              problems.add(where + ": no " + k + " (Spark sets requests/limits from these)");
            }
          }
        } else {
          for (String kind : List.of("requests", "limits")) {
            for (String res : List.of("cpu", "memory")) {
              if (path(c, "resources", kind, res) == null) {
                problems.add(where + ": no resources." + kind + "." + res);
              }
            }
          }
        }
        // non-root, no privilege escalation
        Object nonRoot = path(c, "securityContext", "runAsNonRoot");
        if (nonRoot == null && podSc != null) {
          nonRoot = podSc.get("runAsNonRoot");
        }
        if (!Boolean.TRUE.equals(nonRoot)) {
          problems.add(where + ": runAsNonRoot is not true");
        }
        Object uid = path(c, "securityContext", "runAsUser");
        if (uid == null && podSc != null) {
          uid = podSc.get("runAsUser");
        }
        if (uid != null && ((Number) uid).longValue() == 0) {
          problems.add(where + ": runs as uid 0");
        }
        if (!Boolean.FALSE.equals(path(c, "securityContext", "allowPrivilegeEscalation"))) {
          problems.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (Boolean.TRUE.equals(path(c, "securityContext", "privileged"))) {
          problems.add(where + ": privileged");
        }
        // image tags
        String image = String.valueOf(c.get("image"));
        String afterRegistry = image.substring(image.lastIndexOf('/') + 1);
        if (!afterRegistry.contains(":") && !image.contains("@sha256:")) {
          problems.add(where + ": image " + image + " has no tag");
        } else if (image.endsWith(":latest")) {
          problems.add(where + ": image " + image + " uses latest");
        }
        // probes on long-running workloads (main containers)
        if (p.longRunning() && !isInit && !p.owner().endsWith("#executor")) {
          for (String probe : List.of("livenessProbe", "readinessProbe")) {
            if (c.get(probe) == null) {
              problems.add(where + ": no " + probe);
            }
          }
        }
      }
    }
  }

  /** Pods created by the operators from our CRs: their resources come from our values. */
  @SuppressWarnings("unchecked")
  private static void checkOperatorManagedResources(ChartRenderer.Rendered r, List<String> problems) {
    for (Map<String, Object> pool : r.ofKind("KafkaNodePool")) {
      requestsAndLimits("KafkaNodePool/" + name(pool), path(pool, "spec", "resources"), problems);
    }
    for (Map<String, Object> k : r.ofKind("Kafka")) {
      for (String op : List.of("topicOperator", "userOperator")) {
        Object eo = path(k, "spec", "entityOperator", op);
        if (eo != null) {
          requestsAndLimits("Kafka/" + name(k) + " " + op, path(eo, "resources"), problems);
        }
      }
      Object exporter = path(k, "spec", "kafkaExporter");
      if (exporter != null) {
        requestsAndLimits("Kafka/" + name(k) + " kafkaExporter", path(exporter, "resources"), problems);
      }
    }
    for (Map<String, Object> c : r.ofKind("K8ssandraCluster")) {
      requestsAndLimits("K8ssandraCluster/" + name(c), path(c, "spec", "cassandra", "resources"), problems);
    }
  }

  private static void requestsAndLimits(String where, Object resources, List<String> problems) {
    for (String kind : List.of("requests", "limits")) {
      for (String res : List.of("cpu", "memory")) {
        if (path(resources, kind, res) == null) {
          problems.add(where + ": no resources." + kind + "." + res);
        }
      }
    }
  }

  /** Our names and the names the operators derive from them are DNS labels (≤ 63). */
  @SuppressWarnings("unchecked")
  static void checkNames(ChartRenderer.Rendered r, List<String> problems) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> o : r.objects()) {
      names.add(name(o));
      Map<String, Object> labels = (Map<String, Object>) path(o, "metadata", "labels");
      if (labels != null) {
        labels.values().forEach(v -> names.add(String.valueOf(v)));
      }
    }
    for (Map<String, Object> k : r.ofKind("Kafka")) {
      String kafka = name(k);
      names.add(kafka + "-kafka-bootstrap");
      names.add(kafka + "-kafka-brokers");
      names.add(kafka + "-entity-operator");
      names.add(kafka + "-cluster-ca-cert");
      names.add(kafka + "-kafka-exporter");
      for (Map<String, Object> pool : r.ofKind("KafkaNodePool")) {
        int replicas = ((Number) path(pool, "spec", "replicas")).intValue();
        names.add(kafka + "-" + name(pool) + "-" + (replicas - 1));
        names.add(kafka + "-" + name(pool) + "-" + (replicas - 1) + "-" + "1234567890"); // pod revision label headroom
      }
    }
    for (Map<String, Object> c : r.ofKind("K8ssandraCluster")) {
      for (Map<String, Object> dc : (List<Map<String, Object>>) path(c, "spec", "cassandra", "datacenters")) {
        String prefix = name(c) + "-" + path(dc, "metadata", "name");
        names.add(prefix + "-service");
        names.add(prefix + "-all-pods-service");
        names.add(prefix + "-additional-seed-service");
        names.add(prefix + "-default-sts");
        // controller-revision-hash label value: "<statefulset>-<10 characters>"
        names.add(prefix + "-default-sts-1234567890");
      }
      names.add(name(c) + "-superuser");
    }
    for (Map<String, Object> app : r.ofKind("SparkApplication")) {
      names.add(name(app) + "-driver");
      names.add(name(app) + "-ui-svc");
    }
    for (String n : names) {
      if (n.length() > DNS_LABEL) {
        problems.add("name or label value longer than 63: " + n);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkSelectors(ChartRenderer.Rendered r, List<String> problems) {
    List<Map<String, Object>> selectors = new ArrayList<>();
    for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet")) {
      for (Map<String, Object> o : r.ofKind(kind)) {
        selectors.add((Map<String, Object>) path(o, "spec", "selector", "matchLabels"));
      }
    }
    r.ofKind("Service").forEach(s -> selectors.add((Map<String, Object>) path(s, "spec", "selector")));
    for (Map<String, Object> sel : selectors) {
      if (sel == null) {
        continue;
      }
      for (Map.Entry<String, Object> e : sel.entrySet()) {
        if (e.getKey().equals("app.kubernetes.io/version") || e.getKey().equals("helm.sh/chart")
            || String.valueOf(e.getValue()).matches(".*\\d+\\.\\d+\\.\\d+.*")) {
          problems.add("selector carries a version: " + e);
        }
      }
    }
  }
}
