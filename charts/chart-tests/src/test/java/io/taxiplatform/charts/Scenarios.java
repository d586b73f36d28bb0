package io.taxiplatform.charts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The renderings every offline check runs on: each profile, and the main toggles. */
public final class Scenarios {

  /**
   * One rendering: a label, a profile, an optional scenario values file ({@code
   * charts/taxi-platform/ci/*-values.yaml}, as chart-testing iterates them) and --set overrides.
   */
  public record Scenario(String label, String profile, Path valuesFile, Map<String, Object> sets) {
    public Scenario(String label, String profile, Map<String, Object> sets) {
      this(label, profile, null, sets);
    }

    public ChartRenderer.Rendered render() {
      return ChartRenderer.render(profile, valuesFile, sets);
    }

    /** The scenario values file as a map (empty without one). */
    public Map<String, Object> fileValues() {
      return valuesFile == null ? Map.of() : ChartRenderer.readYamlMap(valuesFile);
    }

    /**
     * A value the scenario sets, by dotted key: the --set overrides first, then the values file;
     * null when unset.
     */
    public Object value(String dotted) {
      if (sets.containsKey(dotted)) {
        return sets.get(dotted);
      }
      return ChartRenderer.Rendered.path(fileValues(), dotted.split("\\."));
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private Scenarios() {}

  public static List<Scenario> all() {
    List<Scenario> s = new ArrayList<>();
    for (String p : ChartRenderer.PROFILES) {
      s.add(new Scenario(p, p, Map.of()));
    }
    s.add(
        new Scenario(
            "staging+auth-and-tls-off",
            "staging",
            ordered(
                "security.secure",
                false,
                "kafka.authentication.enabled",
                false,
                "kafka.tls.enabled",
                false,
                "cassandra.authentication.enabled",
                false,
                "cassandra.tls.enabled",
                false)));
    s.add(
        new Scenario(
            "staging+external-issuer",
            "staging",
            ordered(
                "cassandra.tls.issuerRef.name",
                "ca-issuer",
                "cassandra.tls.issuerRef.kind",
                "ClusterIssuer")));
    s.add(new Scenario("default+grafana-off", "default", Map.of("grafana.enabled", false)));
    s.add(
        new Scenario(
            "default+kube-prometheus-stack-off",
            "default",
            Map.of("kube-prometheus-stack.enabled", false)));
    s.add(new Scenario("default+monitoring-off", "default", Map.of("monitoring.enabled", false)));
    s.add(new Scenario("default+tests-off", "default", Map.of("tests.enabled", false)));
    // Every ci/*-values.yaml of the chart on the defaults: the files chart-testing (`ct lint`/`ct
    // install`,
    // ct.yaml at the repository root) iterates over: Kafka SCRAM/TLS/separate pools, Cassandra
    // TLS/auth off,
    // checkpoint URI, zone lookup ConfigMap, replay Job, two pipeline versions.
    for (Path f : ChartRenderer.ciValuesFiles()) {
      s.add(new Scenario("ci/" + f.getFileName(), "default", f, Map.of()));
    }
    // Two pipeline versions with staging's TLS, SCRAM and sizes.
    s.add(
        new Scenario(
            "staging+ci/two-pipelines-values.yaml",
            "staging",
            ChartRenderer.chartDir().resolve("ci/two-pipelines-values.yaml"),
            Map.of()));
    // Phase 1 of the two-phase install (docs/install-topology.md): operators (and
    // kube-prometheus-stack,
    // whose CRDs Helm installs only on `helm install`) without Grafana. Not a ci/ file: the
    // operators'
    // charts need cert-manager's API (ct lint has none). DocumentedCommandsTest renders the docs'
    // exact commands.
    s.add(
        new Scenario(
            "operators-only",
            "default",
            ordered(
                "strimzi-kafka-operator.enabled",
                true,
                "k8ssandra-operator.enabled",
                true,
                "spark-operator.enabled",
                true,
                "kafka.enabled",
                false,
                "cassandra.enabled",
                false,
                "streaming.enabled",
                false,
                "producer.enabled",
                false,
                "tests.enabled",
                false,
                "grafana.enabled",
                false)));
    return s;
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
