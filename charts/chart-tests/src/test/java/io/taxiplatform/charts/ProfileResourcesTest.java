package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Resource requests of each profile, computed from the rendered manifests, and the table of
 * docs/profiles.md checked against them.
 *
 * <p>Counted from the rendered manifests (steady state): Deployments (× replicas), Kafka node pools
 * (× replicas), the Strimzi entity operator and Kafka Exporter containers set in the Kafka CR,
 * Cassandra nodes (× datacenter size), the Spark driver and executors (cpu = coreRequest, memory =
 * memory + memoryOverhead, as Spark requests them). The helm test pods are reported apart. Not
 * counted: init containers (a pod requests the larger of its init containers and the sum of its
 * containers; ours are smaller, which is asserted), and containers the operators add on their own
 * (cass-operator's server-system-logger, Strimzi's init/TLS sidecars).
 *
 * <p>Subcharts cannot be rendered here (not vendored), so their requests are taken from the values
 * this chart passes them (`resources` blocks set in values.yaml/the profile), listed as
 * "configured"; pods of subcharts without a `resources` value are listed as unset (not counted).
 * cert-manager is no subchart but the first helmfile release, installed in every profile: its three
 * Deployments are counted from that release's inline values in helmfile.yaml. Every path below is
 * the exact upstream values path at the pinned version (docs/profiles.md cites where it was read).
 */
class ProfileResourcesTest {

  /**
   * Requests of kind's own control plane and kube-system pods (kube-apiserver 250m,
   * controller-manager 200m, scheduler 100m, etcd 100m/100Mi, 2×coredns 100m/70Mi, kindnet
   * 100m/50Mi).
   */
  private static final long KIND_SYSTEM_MILLICPU = 950;

  private static final long KIND_SYSTEM_MIB = 290;
  private static final long LAPTOP_MILLICPU = 4000;
  private static final long LAPTOP_MIB = 8192;

  /** Subchart values paths holding `resources` that this chart passes. */
  private static final List<String[]> SUBCHART_RESOURCES =
      List.of(
          new String[] {"strimzi-kafka-operator", "resources"},
          new String[] {"k8ssandra-operator", "resources"},
          new String[] {"k8ssandra-operator", "cass-operator", "resources"},
          new String[] {"spark-operator", "controller", "resources"},
          new String[] {"spark-operator", "webhook", "resources"},
          new String[] {"grafana", "resources"},
          new String[] {"grafana", "sidecar", "resources"},
          new String[] {"kube-prometheus-stack", "prometheus", "prometheusSpec", "resources"},
          new String[] {"kube-prometheus-stack", "prometheusOperator", "resources"},
          new String[] {
            "kube-prometheus-stack", "prometheusOperator", "prometheusConfigReloader", "resources"
          },
          new String[] {"kube-prometheus-stack", "alertmanager", "alertmanagerSpec", "resources"},
          new String[] {"kube-prometheus-stack", "kube-state-metrics", "resources"});

  /**
   * Containers per pod set that one `resources` value applies to (default 1): the grafana chart's
   * single `sidecar.resources` covers its two sidecars here (dashboards, datasources); the
   * Prometheus operator gives its config-reloader sidecar to the Prometheus pod and the
   * Alertmanager pod.
   */
  private static final Map<String, Integer> CONTAINERS_PER_VALUE =
      Map.of(
          "grafana.sidecar.resources", 2,
          "kube-prometheus-stack.prometheusOperator.prometheusConfigReloader.resources", 2);

  /**
   * Values paths of the helmfile release `cert-manager` (v1.21.1) holding `resources`: controller,
   * webhook, cainjector.
   */
  private static final List<String[]> CERT_MANAGER_RESOURCES =
      List.of(
          new String[] {"resources"},
          new String[] {"webhook", "resources"},
          new String[] {"cainjector", "resources"});

  record Totals(
      long renderedMilliCpu,
      long renderedMib,
      long configuredMilliCpu,
      long configuredMib,
      long testMilliCpu,
      long testMib,
      List<String> unset) {
    long totalMilliCpu() {
      return renderedMilliCpu + configuredMilliCpu;
    }

    long totalMib() {
      return renderedMib + configuredMib;
    }
  }

  static Totals totals(String profile) {
    ChartRenderer.Rendered r = ChartRenderer.render(profile);
    long[] rendered = new long[2];
    long[] tests = new long[2];
    for (Map<String, Object> d : r.ofKind("Deployment")) {
      int replicas = ((Number) path(d, "spec", "replicas")).intValue();
      for (Map<String, Object> c : containers(path(d, "spec", "template", "spec", "containers"))) {
        add(rendered, path(c, "resources", "requests"), replicas);
      }
    }
    for (Map<String, Object> pod : r.ofKind("Pod")) {
      for (Map<String, Object> c : containers(path(pod, "spec", "containers"))) {
        add(tests, path(c, "resources", "requests"), 1);
      }
    }
    for (Map<String, Object> pool : r.ofKind("KafkaNodePool")) {
      add(
          rendered,
          path(pool, "spec", "resources", "requests"),
          ((Number) path(pool, "spec", "replicas")).intValue());
    }
    for (Map<String, Object> k : r.ofKind("Kafka")) {
      for (String op : List.of("topicOperator", "userOperator")) {
        add(rendered, path(k, "spec", "entityOperator", op, "resources", "requests"), 1);
      }
      add(rendered, path(k, "spec", "kafkaExporter", "resources", "requests"), 1);
    }
    for (Map<String, Object> c : r.ofKind("K8ssandraCluster")) {
      int nodes = 0;
      for (Map<String, Object> dc : containers(path(c, "spec", "cassandra", "datacenters"))) {
        nodes += ((Number) dc.get("size")).intValue();
      }
      add(rendered, path(c, "spec", "cassandra", "resources", "requests"), nodes);
    }
    for (Map<String, Object> app : r.ofKind("SparkApplication")) {
      for (String role : List.of("driver", "executor")) {
        Object spec = path(app, "spec", role);
        int n = role.equals("driver") ? 1 : ((Number) path(spec, "instances")).intValue();
        rendered[0] += n * milliCpu(path(spec, "coreRequest"));
        rendered[1] +=
            n * (sparkMib(path(spec, "memory")) + sparkMib(path(spec, "memoryOverhead")));
      }
    }
    Map<String, Object> values =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    ChartRenderer.profileValues(profile)
        .ifPresent(p -> ChartRenderer.deepMerge(values, ChartRenderer.readYamlMap(p)));
    long[] configured = new long[2];
    List<String> unset = new ArrayList<>();
    for (String[] p : SUBCHART_RESOURCES) {
      Object subchartOn = path(values, p[0], "enabled");
      int times = CONTAINERS_PER_VALUE.getOrDefault(String.join(".", p), 1);
      boolean installed = !Boolean.FALSE.equals(subchartOn) || isOperator(p[0]);
      if (!installed) {
        continue;
      }
      Object requests = path(path(values, p), "requests");
      if (requests == null) {
        unset.add(String.join(".", p));
      } else {
        add(configured, requests, times);
      }
    }
    Map<String, Object> certManager = certManagerReleaseValues();
    for (String[] p : CERT_MANAGER_RESOURCES) {
      Object requests = path(path(certManager, p), "requests");
      if (requests == null) {
        unset.add("cert-manager." + String.join(".", p));
      } else {
        add(configured, requests, 1);
      }
    }
    return new Totals(
        rendered[0], rendered[1], configured[0], configured[1], tests[0], tests[1], unset);
  }

  /**
   * The inline values of the `cert-manager` release of helmfile.yaml (the same in every
   * environment).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> certManagerReleaseValues() {
    String helmfile;
    try {
      helmfile = Files.readString(ChartRenderer.repoRoot().resolve("helmfile.yaml"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<Map<String, Object>> releases =
        (List<Map<String, Object>>) ChartRenderer.parse(helmfile).objects().get(1).get("releases");
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Map<String, Object> rel : releases) {
      if ("cert-manager".equals(rel.get("name"))) {
        for (Object v : (List<Object>) rel.getOrDefault("values", List.of())) {
          assertThat(v).as("cert-manager release values are inline maps").isInstanceOf(Map.class);
          ChartRenderer.deepMerge(merged, (Map<String, Object>) v);
        }
        return merged;
      }
    }
    throw new AssertionError("helmfile.yaml has no cert-manager release");
  }

  /**
   * Every resources block passed to a subchart or to cert-manager has cpu/memory requests and
   * limits, requests ≤ limits.
   */
  @Test
  void configuredResourcesHaveRequestsAndLimits() {
    for (String profile : ChartRenderer.PROFILES) {
      Map<String, Object> values =
          ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
      ChartRenderer.profileValues(profile)
          .ifPresent(p -> ChartRenderer.deepMerge(values, ChartRenderer.readYamlMap(p)));
      Map<String, Object> blocks = new LinkedHashMap<>();
      SUBCHART_RESOURCES.forEach(p -> blocks.put(String.join(".", p), path(values, p)));
      Map<String, Object> certManager = certManagerReleaseValues();
      CERT_MANAGER_RESOURCES.forEach(
          p -> blocks.put("cert-manager." + String.join(".", p), path(certManager, p)));
      blocks.forEach(
          (where, res) -> {
            String at = profile + ": " + where;
            assertThat(res).as(at).isNotNull();
            for (String r : List.of("cpu", "memory")) {
              assertThat(path(res, "requests", r)).as(at + ".requests." + r).isNotNull();
              assertThat(path(res, "limits", r)).as(at + ".limits." + r).isNotNull();
            }
            assertThat(milliCpu(path(res, "requests", "cpu")))
                .as(at + " cpu request ≤ limit")
                .isLessThanOrEqualTo(milliCpu(path(res, "limits", "cpu")));
            assertThat(mib(path(res, "requests", "memory")))
                .as(at + " memory request ≤ limit")
                .isLessThanOrEqualTo(mib(path(res, "limits", "memory")));
          });
    }
  }

  /** No installed subchart pod and no cert-manager pod is left out of the totals. */
  @Test
  void everyInstalledSubchartPodIsCounted() {
    for (String profile : ChartRenderer.PROFILES) {
      assertThat(totals(profile).unset()).as(profile).isEmpty();
    }
  }

  /**
   * The operators are installed in every profile (as separate releases by helmfile, or in phase 1).
   */
  private static boolean isOperator(String subchart) {
    return List.of("strimzi-kafka-operator", "k8ssandra-operator", "spark-operator")
        .contains(subchart);
  }

  @Test
  void initContainersAreSmallerThanTheirPods() {
    for (String profile : ChartRenderer.PROFILES) {
      Map<String, Object> app = ChartRenderer.render(profile).one("SparkApplication");
      for (Map<String, Object> ic : containers(path(app, "spec", "driver", "initContainers"))) {
        assertThat(milliCpu(path(ic, "resources", "requests", "cpu")))
            .isLessThanOrEqualTo(milliCpu(path(app, "spec", "driver", "coreRequest")));
        assertThat(mib(path(ic, "resources", "requests", "memory")))
            .isLessThanOrEqualTo(sparkMib(path(app, "spec", "driver", "memory")));
      }
    }
  }

  @Test
  void kindFitsA4Cpu8GiBLaptop() {
    Totals t = totals("kind");
    assertThat(t.totalMilliCpu() + t.testMilliCpu() + KIND_SYSTEM_MILLICPU)
        .as("CPU requests incl. kind's system pods and helm test pods")
        .isLessThanOrEqualTo(LAPTOP_MILLICPU);
    assertThat(t.totalMib() + t.testMib() + KIND_SYSTEM_MIB)
        .as("memory requests (MiB) incl. kind's system pods and helm test pods")
        .isLessThanOrEqualTo(LAPTOP_MIB);
  }

  @Test
  void stagingIsSizedForRealNodes() {
    Totals staging = totals("staging");
    Totals kind = totals("kind");
    assertThat(staging.renderedMilliCpu()).isGreaterThan(4 * kind.renderedMilliCpu());
    assertThat(staging.renderedMib()).isGreaterThan(4 * kind.renderedMib());
  }

  @Test
  void docsReportTheComputedTotals() throws IOException {
    String doc = Files.readString(ChartRenderer.repoRoot().resolve("docs/profiles.md"));
    List<String> expected = new ArrayList<>();
    for (String profile : ChartRenderer.PROFILES) {
      expected.add(row(profile, totals(profile)));
    }
    assertThat(doc)
        .as(
            "docs/profiles.md is out of date; its table rows must be:%n%s",
            String.join("\n", expected))
        .contains(expected);
  }

  static String row(String profile, Totals t) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %d | %s | %d | %s | %d | %s / %d | %s |",
        profile,
        cores(t.renderedMilliCpu()),
        t.renderedMib(),
        cores(t.configuredMilliCpu()),
        t.configuredMib(),
        cores(t.totalMilliCpu()),
        t.totalMib(),
        cores(t.testMilliCpu()),
        t.testMib(),
        t.unset().isEmpty() ? "none" : String.join(", ", t.unset()));
  }

  private static String cores(long milli) {
    return BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> containers(Object list) {
    return list == null ? List.of() : (List<Map<String, Object>>) list;
  }

  private static void add(long[] acc, Object requests, int times) {
    if (requests == null) {
      return;
    }
    acc[0] += times * milliCpu(path(requests, "cpu"));
    acc[1] += times * mib(path(requests, "memory"));
  }

  static long milliCpu(Object q) {
    if (q == null) {
      return 0;
    }
    String s = String.valueOf(q);
    if (s.endsWith("m")) {
      return Long.parseLong(s.substring(0, s.length() - 1));
    }
    return new BigDecimal(s).multiply(BigDecimal.valueOf(1000)).longValueExact();
  }

  /** Kubernetes memory quantity in MiB (rounded up). */
  static long mib(Object q) {
    if (q == null) {
      return 0;
    }
    String s = String.valueOf(q);
    Map<String, Double> units = new LinkedHashMap<>();
    units.put("Ki", 1.0 / 1024);
    units.put("Mi", 1.0);
    units.put("Gi", 1024.0);
    units.put("Ti", 1024.0 * 1024);
    units.put("k", 1000.0 / 1048576);
    units.put("M", 1e6 / 1048576);
    units.put("G", 1e9 / 1048576);
    for (Map.Entry<String, Double> u : units.entrySet()) {
      if (s.endsWith(u.getKey())) {
        return (long)
            Math.ceil(
                Double.parseDouble(s.substring(0, s.length() - u.getKey().length()))
                    * u.getValue());
      }
    }
    return (long) Math.ceil(Double.parseDouble(s) / 1048576);
  }

  /** Spark/JVM memory string (k, m, g, t = KiB, MiB, GiB, TiB) in MiB. */
  static long sparkMib(Object q) {
    String s = String.valueOf(q).toLowerCase(Locale.ROOT);
    char unit = s.charAt(s.length() - 1);
    long n = Long.parseLong(s.substring(0, s.length() - 1));
    return switch (unit) {
      case 'k' -> (long) Math.ceil(n / 1024.0);
      case 'm' -> n;
      case 'g' -> n * 1024;
      case 't' -> n * 1024 * 1024;
      default -> throw new IllegalArgumentException("Spark memory without unit: " + q);
    };
  }

  @Test
  void quantityParsing() {
    assertThat(milliCpu("250m")).isEqualTo(250);
    assertThat(milliCpu("1.5")).isEqualTo(1500);
    assertThat(milliCpu(2)).isEqualTo(2000);
    assertThat(mib("1Gi")).isEqualTo(1024);
    assertThat(mib("1536Mi")).isEqualTo(1536);
    assertThat(mib("1G")).isEqualTo(954);
    assertThat(sparkMib("2g")).isEqualTo(2048);
    assertThat(sparkMib("384m")).isEqualTo(384);
    assertThat(name(ChartRenderer.render("kind").one("Kafka"))).isNotBlank();
  }
}
