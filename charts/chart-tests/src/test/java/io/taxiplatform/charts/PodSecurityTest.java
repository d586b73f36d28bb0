package io.taxiplatform.charts;

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
 * Every pod the chart renders itself meets the {@code restricted} Pod Security Standard, in every
 * scenario ({@link Scenarios#all()}: each profile, each {@code ci/*-values.yaml}, the toggles): the
 * producer Deployment or replay Job, the helm test pods, any hook Job, and the Spark driver and
 * executors (their SparkApplication fields, through {@link PodSpecs}). Checked per container, init
 * containers included: runAsNonRoot, seccompProfile RuntimeDefault/Localhost, no privilege
 * escalation, capabilities drop ALL (add at most NET_BIND_SERVICE), not privileged, a read-only
 * root filesystem; per pod: no host namespaces, no hostPath volumes, and no service account token
 * unless the pod calls the Kubernetes API (only the Spark driver, which creates its executors).
 */
class PodSecurityTest {

  @TestFactory
  Stream<DynamicTest> everyRenderedPodMeetsRestricted() {
    return Scenarios.all().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.label(),
                    () -> {
                      ChartRenderer.Rendered r = s.render();
                      List<PodSpecs.PodSpec> pods = PodSpecs.of(r);
                      List<String> problems = new ArrayList<>();
                      check(pods, problems);
                      assertThat(problems).as(s.label()).isEmpty();
                      // the scenario renders the pods it should (a check over nothing would pass)
                      if (s.value("producer.enabled") == null
                          && !"operators-only".equals(s.label())) {
                        assertThat(pods)
                            .as(s.label())
                            .extracting(PodSpecs.PodSpec::owner)
                            .anyMatch(o -> o.endsWith("#driver"))
                            .anyMatch(o -> o.endsWith("#executor"))
                            .anyMatch(o -> o.contains("-producer"));
                      }
                    }));
  }

  /**
   * Executors run as their own service account, which has no token and no Role; the driver keeps
   * its Role.
   */
  @Test
  @SuppressWarnings("unchecked")
  void executorsHaveTheirOwnServiceAccountWithoutTokenOrRights() {
    for (String profile : ChartRenderer.PROFILES) {
      ChartRenderer.Rendered r = ChartRenderer.render(profile);
      Map<String, Object> app = r.one("SparkApplication");
      String driverSa = String.valueOf(path(app, "spec", "driver", "serviceAccount"));
      String executorSa = String.valueOf(path(app, "spec", "executor", "serviceAccount"));
      assertThat(executorSa)
          .as(profile)
          .isNotEqualTo(driverSa)
          .isEqualTo("taxi-taxi-platform-spark-executor");
      assertThat(path(app, "spec", "executor", "template", "spec", "automountServiceAccountToken"))
          .as(profile)
          .isEqualTo(false);
      Map<String, Object> sa = r.find("ServiceAccount", executorSa).orElseThrow();
      assertThat(sa.get("automountServiceAccountToken")).as(profile).isEqualTo(false);
      List<String> boundSubjects = new ArrayList<>();
      for (String kind : List.of("RoleBinding", "ClusterRoleBinding")) {
        for (Map<String, Object> b : r.ofKind(kind)) {
          for (Map<String, Object> subject : (List<Map<String, Object>>) b.get("subjects")) {
            boundSubjects.add(String.valueOf(subject.get("name")));
          }
        }
      }
      assertThat(boundSubjects).as(profile).contains(driverSa).doesNotContain(executorSa);
    }
  }

  /**
   * The Spark pods write only to emptyDirs (/tmp, the working directory, the Spark local dir) and
   * the checkpoint.
   */
  @Test
  @SuppressWarnings("unchecked")
  void sparkScratchDirectoriesAreEmptyDirs() {
    Map<String, Object> app = ChartRenderer.render("staging").one("SparkApplication");
    Map<String, Map<String, Object>> volumes = new java.util.HashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) path(app, "spec", "volumes")) {
      volumes.put(String.valueOf(v.get("name")), v);
    }
    for (String role : List.of("driver", "executor")) {
      Map<String, String> mounts = new java.util.HashMap<>();
      for (Map<String, Object> m :
          (List<Map<String, Object>>) path(app, "spec", role, "volumeMounts")) {
        mounts.put(String.valueOf(m.get("mountPath")), String.valueOf(m.get("name")));
      }
      for (String dir : List.of("/tmp", "/opt/spark/work-dir", "/var/data/spark-local")) {
        assertThat(mounts).as(role + " " + dir).containsKey(dir);
        assertThat(volumes.get(mounts.get(dir))).as(role + " " + dir).containsKey("emptyDir");
      }
      // spark-operator 2.2.1 hands volumes named spark-local-dir-* to Spark as its local
      // directories
      assertThat(mounts.get("/var/data/spark-local")).startsWith("spark-local-dir-");
    }
  }

  /** The check finds each kind of violation (so an empty problem list means something). */
  @Test
  void theCheckReportsEachViolation() {
    Map<String, Object> good =
        Map.of(
            "name",
            "ok",
            "image",
            "r/x:1",
            "securityContext",
            Map.of(
                "runAsNonRoot",
                true,
                "allowPrivilegeEscalation",
                false,
                "readOnlyRootFilesystem",
                true,
                "capabilities",
                Map.of("drop", List.of("ALL")),
                "seccompProfile",
                Map.of("type", "RuntimeDefault")));
    Map<String, Object> bad =
        Map.of(
            "name",
            "bad",
            "image",
            "r/x:1",
            "securityContext",
            Map.of(
                "privileged",
                true,
                "capabilities",
                Map.of("add", List.of("NET_ADMIN"), "drop", List.of("CHOWN")),
                "seccompProfile",
                Map.of("type", "Unconfined")));
    Map<String, Object> spec = new java.util.LinkedHashMap<>();
    spec.put("containers", List.of(good, bad));
    spec.put("hostNetwork", true);
    spec.put("volumes", List.of(Map.of("name", "h", "hostPath", Map.of("path", "/"))));
    List<String> problems = new ArrayList<>();
    check(List.of(new PodSpecs.PodSpec("Pod/x", spec, false, false)), problems);
    assertThat(problems)
        .noneMatch(p -> p.contains("container ok"))
        .anyMatch(p -> p.contains("container bad") && p.contains("runAsNonRoot"))
        .anyMatch(p -> p.contains("container bad") && p.contains("seccompProfile"))
        .anyMatch(p -> p.contains("container bad") && p.contains("allowPrivilegeEscalation"))
        .anyMatch(p -> p.contains("container bad") && p.contains("drop ALL"))
        .anyMatch(p -> p.contains("container bad") && p.contains("adds capabilities"))
        .anyMatch(p -> p.contains("container bad") && p.contains("privileged"))
        .anyMatch(p -> p.contains("container bad") && p.contains("readOnlyRootFilesystem"))
        .anyMatch(p -> p.contains("hostNetwork"))
        .anyMatch(p -> p.contains("hostPath"))
        .anyMatch(p -> p.contains("service account token"));
  }

  /** Pods that call the Kubernetes API and so keep their token: the Spark driver only. */
  private static boolean needsApi(PodSpecs.PodSpec p) {
    return p.spark() && p.owner().endsWith("#driver");
  }

  @SuppressWarnings("unchecked")
  static void check(List<PodSpecs.PodSpec> pods, List<String> problems) {
    for (PodSpecs.PodSpec p : pods) {
      Map<String, Object> podSc = (Map<String, Object>) p.spec().get("securityContext");
      for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
        if (Boolean.TRUE.equals(p.spec().get(host))) {
          problems.add(p.owner() + ": " + host);
        }
      }
      for (Map<String, Object> v : p.volumes()) {
        if (v.containsKey("hostPath")) {
          problems.add(p.owner() + ": hostPath volume " + v.get("name"));
        }
      }
      if (!needsApi(p) && !Boolean.FALSE.equals(p.spec().get("automountServiceAccountToken"))) {
        problems.add(
            p.owner()
                + ": mounts a service account token (automountServiceAccountToken is not false)"
                + " but never calls the Kubernetes API");
      }
      for (Map<String, Object> c : p.allContainers()) {
        String where = p.owner() + " container " + c.get("name");
        Map<String, Object> sc =
            c.get("securityContext") == null
                ? Map.of()
                : (Map<String, Object>) c.get("securityContext");
        if (!Boolean.TRUE.equals(effective(sc, podSc, "runAsNonRoot"))) {
          problems.add(where + ": runAsNonRoot is not true");
        }
        Object seccomp = path(effective(sc, podSc, "seccompProfile"), "type");
        if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
          problems.add(
              where
                  + ": seccompProfile.type is "
                  + seccomp
                  + " (RuntimeDefault or Localhost needed)");
        }
        if (!Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))) {
          problems.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (Boolean.TRUE.equals(sc.get("privileged"))) {
          problems.add(where + ": privileged");
        }
        List<Object> drop = (List<Object>) path(sc, "capabilities", "drop");
        if (drop == null || !drop.contains("ALL")) {
          problems.add(where + ": capabilities do not drop ALL");
        }
        List<Object> add = (List<Object>) path(sc, "capabilities", "add");
        if (add != null && add.stream().anyMatch(a -> !"NET_BIND_SERVICE".equals(a))) {
          problems.add(where + ": adds capabilities " + add);
        }
        if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem"))) {
          problems.add(where + ": readOnlyRootFilesystem is not true");
        }
      }
    }
  }

  /** A container setting, else the pod's (runAsNonRoot, seccompProfile). */
  private static Object effective(
      Map<String, Object> container, Map<String, Object> pod, String key) {
    Object v = container.get(key);
    return v != null || pod == null ? v : pod.get(key);
  }
}
