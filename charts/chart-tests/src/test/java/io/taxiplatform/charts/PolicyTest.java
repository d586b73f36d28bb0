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
 *
 * <p>Read-only root filesystems: every container that sets {@code readOnlyRootFilesystem: true}
 * mounts a writable volume (emptyDir, claim or generic ephemeral volume, not mounted read-only) at
 * or above each path its image writes ({@link #WRITABLE_PATHS}); the producer Deployment and the
 * helm test pods (producer image) run that way, and so do the Spark driver and executors (emptyDirs
 * at /tmp and the image's working directory; Spark's local directory is a {@code spark-local-dir-}
 * emptyDir). The other restricted Pod Security checks: {@link PodSecurityTest}.
 */
class PolicyTest {

  private static final int DNS_LABEL = 63;

  /**
   * Paths each image writes at run time, by image name (last path segment, without tag). A
   * container with a read-only root filesystem whose image is not listed here is a policy problem,
   * so a new read-only container has to declare its paths. curl also writes the directory of its
   * {@code --output} argument (see {@link #writablePaths}).
   */
  static final Map<String, List<String>> WRITABLE_PATHS =
      Map.of(
          // the JVM's java.io.tmpdir: kafka-clients' compression codecs (snappy, zstd) unpack
          // native
          // libraries there (docs/images.md, "Running them in Kubernetes")
          "taxi-producer", List.of("/tmp"),
          // the JVM's java.io.tmpdir; the Spark driver and executors also write the image's working
          // directory
          // and Spark's local directory (PodSecurityTest.sparkScratchDirectoriesAreEmptyDirs), a
          // plain
          // `java` run of the image (a setup Job) does not
          "taxi-streaming-job", List.of("/tmp"),
          // the zone lookup init container: only its --output directory
          "curl", List.of());

  private static final List<String> WRITABLE_VOLUME_TYPES =
      List.of("emptyDir", "persistentVolumeClaim", "ephemeral");

  @TestFactory
  Stream<DynamicTest> policy() {
    return Scenarios.all().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.label(),
                    () -> {
                      ChartRenderer.Rendered r = s.render();
                      List<String> problems = new ArrayList<>();
                      checkPods(r, problems);
                      checkWritablePaths(PodSpecs.of(r), problems);
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
    assertThat(pods).extracting(o -> String.valueOf(path(o, "spec", "containers"))).hasSize(2);
    String prefix = ChartRenderer.HOOK_ANNOTATION_PREFIX;
    for (Map<String, Object> pod : pods) {
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations = (Map<String, Object>) path(pod, "metadata", "annotations");
      assertThat(annotations)
          .containsEntry(prefix + "hook", "test")
          .containsEntry(prefix + "hook-delete-policy", "before-hook-creation,hook-succeeded");
      assertThat(path(pod, "spec", "restartPolicy")).isEqualTo("Never");
      assertThat(path(pod, "spec", "activeDeadlineSeconds")).isNotNull();
    }
    // the connectivity check runs first, then the end-to-end smoke test
    assertThat(pods)
        .extracting(p -> String.valueOf(path(p, "metadata", "annotations", prefix + "hook-weight")))
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

  /**
   * The producer and the helm test pods (producer image) run with a read-only root and a writable
   * /tmp emptyDir.
   */
  @Test
  void producerAndTestPodsHaveAReadOnlyRootAndAWritableTmp() {
    for (String profile : List.of("default", "kind", "staging")) {
      ChartRenderer.Rendered r = ChartRenderer.render(profile);
      List<PodSpecs.PodSpec> pods =
          PodSpecs.of(r).stream()
              .filter(p -> p.owner().startsWith("Deployment/") || p.owner().startsWith("Pod/"))
              .toList();
      assertThat(pods)
          .as(profile)
          .extracting(PodSpecs.PodSpec::owner)
          .anyMatch(o -> o.endsWith("-producer"))
          .anyMatch(o -> o.endsWith("-test-check"))
          .anyMatch(o -> o.endsWith("-test-smoke"));
      for (PodSpecs.PodSpec p : pods) {
        for (Map<String, Object> c : p.containers()) {
          String where = profile + ": " + p.owner() + " container " + c.get("name");
          assertThat(String.valueOf(c.get("image"))).as(where).contains("/taxi-producer:");
          assertThat(path(c, "securityContext", "readOnlyRootFilesystem"))
              .as(where)
              .isEqualTo(true);
          Map<String, Object> tmp = volumeMountedAt(p, c, "/tmp");
          assertThat(tmp).as(where + ": volume mounted at /tmp").isNotNull();
          assertThat(tmp).as(where + ": /tmp volume").containsKey("emptyDir");
        }
      }
      List<String> problems = new ArrayList<>();
      checkWritablePaths(pods, problems);
      assertThat(problems).as(profile).isEmpty();
    }
  }

  /**
   * The writable-path check reports a read-only container without /tmp, with /tmp from a ConfigMap,
   * or of an unknown image.
   */
  @Test
  void theWritablePathCheckFindsMissingMounts() {
    Map<String, Object> sc = Map.of("readOnlyRootFilesystem", true);
    Map<String, Object> noMount =
        Map.of("name", "a", "image", "r/taxi-producer:1", "securityContext", sc);
    Map<String, Object> cmMount =
        Map.of(
            "name",
            "b",
            "image",
            "r/taxi-producer:1",
            "securityContext",
            sc,
            "volumeMounts",
            List.of(Map.of("name", "cfg", "mountPath", "/tmp")));
    Map<String, Object> roMount =
        Map.of(
            "name",
            "c",
            "image",
            "r/taxi-producer:1",
            "securityContext",
            sc,
            "volumeMounts",
            List.of(Map.of("name", "tmp", "mountPath", "/tmp", "readOnly", true)));
    Map<String, Object> unknown = Map.of("name", "d", "image", "r/other:1", "securityContext", sc);
    Map<String, Object> curl =
        Map.of(
            "name",
            "e",
            "image",
            "docker.io/curlimages/curl:8",
            "securityContext",
            sc,
            "command",
            List.of("curl", "--output", "/zones/x.csv", "https://example.org/x.csv"),
            "volumeMounts",
            List.of(Map.of("name", "tmp", "mountPath", "/tmp")));
    Map<String, Object> ok =
        Map.of(
            "name",
            "f",
            "image",
            "r/taxi-producer:1",
            "securityContext",
            sc,
            "volumeMounts",
            List.of(Map.of("name", "tmp", "mountPath", "/tmp")));
    Map<String, Object> spec =
        Map.of(
            "containers", List.of(noMount, cmMount, roMount, unknown, curl, ok),
            "volumes",
                List.of(
                    Map.of("name", "tmp", "emptyDir", Map.of()),
                    Map.of("name", "cfg", "configMap", Map.of("name", "x"))));
    List<String> problems = new ArrayList<>();
    checkWritablePaths(List.of(new PodSpecs.PodSpec("Pod/x", spec, false, false)), problems);
    assertThat(problems)
        .hasSize(5)
        .anyMatch(m -> m.contains("container a") && m.contains("/tmp"))
        .anyMatch(m -> m.contains("container b") && m.contains("/tmp"))
        .anyMatch(m -> m.contains("container c") && m.contains("/tmp"))
        .anyMatch(m -> m.contains("container d") && m.contains("no writable paths declared"))
        .anyMatch(m -> m.contains("container e") && m.contains("/zones"))
        .noneMatch(m -> m.contains("container f"));
  }

  /**
   * Every container with a read-only root filesystem has each path its image writes on a writable
   * volume.
   */
  static void checkWritablePaths(List<PodSpecs.PodSpec> pods, List<String> problems) {
    for (PodSpecs.PodSpec p : pods) {
      for (Map<String, Object> c : p.allContainers()) {
        if (!Boolean.TRUE.equals(path(c, "securityContext", "readOnlyRootFilesystem"))) {
          continue;
        }
        String where = p.owner() + " container " + c.get("name");
        List<String> paths = writablePaths(c);
        if (paths == null) {
          problems.add(
              where
                  + ": read-only root filesystem but no writable paths declared for image "
                  + c.get("image")
                  + " (PolicyTest.WRITABLE_PATHS)");
          continue;
        }
        for (String needed : paths) {
          Map<String, Object> volume = volumeMountedAt(p, c, needed);
          if (volume == null) {
            problems.add(
                where + ": read-only root filesystem and no writable volume mounted at " + needed);
          } else if (WRITABLE_VOLUME_TYPES.stream().noneMatch(volume::containsKey)) {
            problems.add(
                where
                    + ": "
                    + needed
                    + " is mounted from volume "
                    + volume.get("name")
                    + ", which is not writable (emptyDir, persistentVolumeClaim or ephemeral)");
          }
        }
      }
    }
  }

  /** The paths a container's image writes, or null when its image is not in WRITABLE_PATHS. */
  @SuppressWarnings("unchecked")
  private static List<String> writablePaths(Map<String, Object> c) {
    String image = String.valueOf(c.get("image"));
    String last = image.substring(image.lastIndexOf('/') + 1);
    String imageName = last.replaceAll("[:@].*$", "");
    List<String> known = WRITABLE_PATHS.get(imageName);
    if (known == null) {
      return null;
    }
    List<String> out = new ArrayList<>(known);
    if (c.get("command") instanceof List<?> cmd) {
      List<Object> args = (List<Object>) cmd;
      for (int i = 0; i + 1 < args.size(); i++) {
        String a = String.valueOf(args.get(i));
        if (a.equals("--output") || a.equals("-o")) {
          String file = String.valueOf(args.get(i + 1));
          out.add(file.substring(0, Math.max(1, file.lastIndexOf('/'))));
        }
      }
    }
    return out;
  }

  /**
   * The pod volume mounted writable (not readOnly) by the container at {@code dir} or at one of its
   * parents (the deepest such mount), or null.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> volumeMountedAt(
      PodSpecs.PodSpec p, Map<String, Object> c, String dir) {
    Object mounts = c.get("volumeMounts");
    if (mounts == null) {
      return null;
    }
    Map<String, Object> best = null;
    int bestLength = -1;
    for (Map<String, Object> m : (List<Map<String, Object>>) mounts) {
      String mp = String.valueOf(m.get("mountPath")).replaceAll("/+$", "");
      boolean covers = mp.isEmpty() || dir.equals(mp) || dir.startsWith(mp + "/");
      if (!covers || Boolean.TRUE.equals(m.get("readOnly")) || mp.length() <= bestLength) {
        continue;
      }
      best = m;
      bestLength = mp.length();
    }
    if (best == null) {
      return null;
    }
    for (Map<String, Object> v : p.volumes()) {
      if (String.valueOf(best.get("name")).equals(String.valueOf(v.get("name")))) {
        return v;
      }
    }
    return Map.of("name", String.valueOf(best.get("name")));
  }

  /** Pods created by the operators from our CRs: their resources come from our values. */
  @SuppressWarnings("unchecked")
  private static void checkOperatorManagedResources(
      ChartRenderer.Rendered r, List<String> problems) {
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
        requestsAndLimits(
            "Kafka/" + name(k) + " kafkaExporter", path(exporter, "resources"), problems);
      }
    }
    for (Map<String, Object> c : r.ofKind("K8ssandraCluster")) {
      requestsAndLimits(
          "K8ssandraCluster/" + name(c), path(c, "spec", "cassandra", "resources"), problems);
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
        names.add(
            kafka
                + "-"
                + name(pool)
                + "-"
                + (replicas - 1)
                + "-"
                + "1234567890"); // pod revision label headroom
      }
    }
    for (Map<String, Object> c : r.ofKind("K8ssandraCluster")) {
      for (Map<String, Object> dc :
          (List<Map<String, Object>>) path(c, "spec", "cassandra", "datacenters")) {
        String prefix = name(c) + "-" + path(dc, "metadata", "name");
        names.add(prefix + "-service");
        names.add(prefix + "-all-pods-service");
        names.add(prefix + "-additional-seed-service");
        names.add(prefix + "-default-sts");
        // controller-revision-hash label value: "<statefulset>-<10 characters>"
        names.add(prefix + "-default-sts-1234567890");
      }
      names.add(WiringTest.superuserSecret(c));
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
    r.ofKind("Service")
        .forEach(s -> selectors.add((Map<String, Object>) path(s, "spec", "selector")));
    for (Map<String, Object> sel : selectors) {
      if (sel == null) {
        continue;
      }
      for (Map.Entry<String, Object> e : sel.entrySet()) {
        if (e.getKey().equals("app.kubernetes.io/version")
            || e.getKey().equals("helm.sh/chart")
            || String.valueOf(e.getValue()).matches(".*\\d+\\.\\d+\\.\\d+.*")) {
          problems.add("selector carries a version: " + e);
        }
      }
    }
  }
}
