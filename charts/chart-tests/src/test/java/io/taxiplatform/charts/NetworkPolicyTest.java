package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NetworkPolicies (templates/networkpolicies/): none unless {@code networkPolicies.enabled}; when
 * on, a default deny (ingress and egress) for each group of platform pods and, for each flow the
 * platform needs, a policy that lets the source send it and one that lets the destination accept it
 * (selector and port), evaluated the way Kubernetes does: policies selecting a pod add up; a pod
 * selected by no policy of a direction is not isolated in it. Pods are represented by the labels
 * they carry: this chart's from the rendered objects, the operators' pods by the labels their
 * operators set at the pinned versions (see templates/networkpolicies/_networkpolicies.tpl).
 * Ingress to the Kafka pods is Strimzi's generated policy: the listener's {@code
 * networkPolicyPeers} are checked instead.
 */
class NetworkPolicyTest {

  private static final String NS = ChartRenderer.NAMESPACE;

  /**
   * A pod (namespace, its namespace's labels, its labels) or an address outside the cluster's pods.
   */
  record Peer(
      String what,
      String namespace,
      Map<String, String> nsLabels,
      Map<String, String> labels,
      String ip) {
    static Peer pod(String what, Map<String, String> labels) {
      return new Peer(what, NS, Map.of("kubernetes.io/metadata.name", NS), labels, null);
    }

    static Peer ip(String what, String ip) {
      return new Peer(what, null, null, null, ip);
    }

    @Override
    public String toString() {
      return what;
    }
  }

  /** The pods of a rendering, by role. */
  static final class Pods {
    final Peer producer;
    final Peer testCheck;
    final Peer testSmoke;
    final Peer driver;
    final Peer executor;
    final Peer broker;
    final Peer controller;
    final Peer entityOperator;
    final Peer cassandra;
    final Peer grafana;
    final Peer prometheus;
    final Peer cassOperator;
    final Peer k8ssandraOperator;
    final Peer dns;
    final Peer cassandraAccess;

    @SuppressWarnings("unchecked")
    Pods(ChartRenderer.Rendered r) {
      producer =
          Peer.pod(
              "producer",
              (Map<String, String>)
                  path(r.one("Deployment"), "spec", "template", "metadata", "labels"));
      Map<String, Map<String, String>> tests = new HashMap<>();
      for (Map<String, Object> pod : r.ofKind("Pod")) {
        tests.put(
            name(pod).replaceAll(".*-test-", ""),
            (Map<String, String>) path(pod, "metadata", "labels"));
      }
      testCheck = Peer.pod("helm test check", tests.get("check"));
      testSmoke = Peer.pod("helm test smoke", tests.get("smoke"));
      // the first pipeline version's application (all versions share the policies)
      Map<String, Object> app = r.ofKind("SparkApplication").get(0);
      driver =
          Peer.pod(
              "Spark driver",
              withSparkOperatorLabels(
                  (Map<String, String>) path(app, "spec", "driver", "labels"), "driver"));
      executor =
          Peer.pod(
              "Spark executor",
              withSparkOperatorLabels(
                  (Map<String, String>) path(app, "spec", "executor", "labels"), "executor"));
      String kafka = name(r.one("Kafka"));
      broker =
          Peer.pod(
              "Kafka broker",
              Map.of(
                  "strimzi.io/cluster",
                  kafka,
                  "strimzi.io/kind",
                  "Kafka",
                  "strimzi.io/name",
                  kafka + "-kafka",
                  "strimzi.io/broker-role",
                  "true",
                  "strimzi.io/controller-role",
                  "false"));
      controller =
          Peer.pod(
              "KRaft controller",
              Map.of(
                  "strimzi.io/cluster",
                  kafka,
                  "strimzi.io/kind",
                  "Kafka",
                  "strimzi.io/name",
                  kafka + "-kafka",
                  "strimzi.io/broker-role",
                  "false",
                  "strimzi.io/controller-role",
                  "true"));
      entityOperator =
          Peer.pod(
              "entity operator",
              Map.of(
                  "strimzi.io/cluster",
                  kafka,
                  "strimzi.io/kind",
                  "Kafka",
                  "strimzi.io/name",
                  kafka + "-entity-operator"));
      String cluster = name(r.one("K8ssandraCluster"));
      cassandra =
          Peer.pod(
              "Cassandra node",
              Map.of(
                  "cassandra.datastax.com/cluster",
                  cluster,
                  "cassandra.datastax.com/datacenter",
                  "dc1",
                  "app.kubernetes.io/managed-by",
                  "cass-operator"));
      grafana =
          Peer.pod(
              "Grafana",
              Map.of(
                  "app.kubernetes.io/name",
                  "grafana",
                  "app.kubernetes.io/instance",
                  ChartRenderer.RELEASE));
      prometheus =
          Peer.pod(
              "Prometheus",
              Map.of(
                  "app.kubernetes.io/name",
                  "prometheus",
                  "app.kubernetes.io/managed-by",
                  "prometheus-operator",
                  "prometheus",
                  "taxi-kube-prometheus-stack-prometheus"));
      cassOperator =
          Peer.pod(
              "cass-operator",
              Map.of(
                  "app.kubernetes.io/name",
                  "cass-operator",
                  "app.kubernetes.io/instance",
                  "k8ssandra-operator"));
      k8ssandraOperator =
          Peer.pod(
              "k8ssandra-operator",
              Map.of(
                  "app.kubernetes.io/name",
                  "k8ssandra-operator",
                  "app.kubernetes.io/instance",
                  "k8ssandra-operator"));
      dns =
          new Peer(
              "CoreDNS",
              "kube-system",
              Map.of("kubernetes.io/metadata.name", "kube-system"),
              Map.of("k8s-app", "kube-dns"),
              null);
      cassandraAccess =
          Peer.pod(
              "Cassandra access setup",
              Map.of(
                  "app.kubernetes.io/name",
                  "taxi-platform",
                  "app.kubernetes.io/instance",
                  ChartRenderer.RELEASE,
                  "app.kubernetes.io/component",
                  "cassandra-access"));
    }

    private static Map<String, String> withSparkOperatorLabels(
        Map<String, String> labels, String role) {
      Map<String, String> all = new HashMap<>(labels);
      all.put("spark-role", role);
      all.put("sparkoperator.k8s.io/launched-by-spark-operator", "true");
      return all;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"default", "dev", "kind"})
  void offByDefault(String profile) {
    ChartRenderer.Rendered r = ChartRenderer.render(profile);
    assertThat(r.ofKind("NetworkPolicy")).isEmpty();
    assertThat(listener(r)).doesNotContainKey("networkPolicyPeers");
  }

  @Test
  void defaultDenyForEveryGroupOfPlatformPods() {
    for (ChartRenderer.Rendered r : enabledRenderings()) {
      List<Map<String, Object>> policies = r.ofKind("NetworkPolicy");
      Pods pods = new Pods(r);
      for (Peer p :
          List.of(
              pods.producer,
              pods.testCheck,
              pods.driver,
              pods.executor,
              pods.broker,
              pods.controller,
              pods.entityOperator,
              pods.cassandra,
              pods.grafana,
              pods.cassandraAccess)) {
        boolean denied =
            policies.stream()
                .anyMatch(
                    np ->
                        selects(np, p)
                            && types(np).containsAll(List.of("Ingress", "Egress"))
                            && np.get("spec") instanceof Map<?, ?> spec
                            && spec.get("ingress") == null
                            && spec.get("egress") == null);
        assertThat(denied).as("a default-deny policy selects " + p).isTrue();
        assertThat(isolated(policies, p, "Ingress") && isolated(policies, p, "Egress"))
            .as(p + " isolated")
            .isTrue();
      }
    }
  }

  @Test
  void theRequiredFlowsAreAllowed() throws UnknownHostException {
    for (ChartRenderer.Rendered r : enabledRenderings()) {
      List<Map<String, Object>> policies = r.ofKind("NetworkPolicy");
      Pods p = new Pods(r);
      int kafkaPort = ((Number) path(listener(r), "port")).intValue();
      int metrics = metricsPort(r.one("Deployment"));
      assertThat(metrics).isEqualTo(8080);
      Peer api = Peer.ip("Kubernetes API", "10.96.0.1");
      List<Object[]> flows = new ArrayList<>();
      // DNS
      for (Peer src :
          List.of(
              p.producer,
              p.testCheck,
              p.testSmoke,
              p.driver,
              p.executor,
              p.broker,
              p.entityOperator,
              p.cassandra,
              p.grafana,
              p.cassandraAccess)) {
        flows.add(new Object[] {src, p.dns, 53, "UDP"});
        flows.add(new Object[] {src, p.dns, 53, "TCP"});
      }
      // clients to Kafka (the Kafka side: the listener's networkPolicyPeers, below)
      for (Peer src : List.of(p.producer, p.driver, p.executor, p.testCheck, p.testSmoke)) {
        assertThat(egressAllowed(policies, src, p.broker, kafkaPort, "TCP"))
            .as(src + " -> Kafka " + kafkaPort)
            .isTrue();
        assertThat(listenerAdmits(r, src))
            .as("Kafka listener networkPolicyPeers admit " + src)
            .isTrue();
      }
      // Kafka's own traffic (ingress: Strimzi's policy)
      for (int port : List.of(9090, 9091)) {
        assertThat(egressAllowed(policies, p.broker, p.controller, port, "TCP"))
            .as("broker -> controller " + port)
            .isTrue();
        assertThat(egressAllowed(policies, p.entityOperator, p.broker, port, "TCP"))
            .as("entity operator -> broker " + port)
            .isTrue();
      }
      // clients to Cassandra
      for (Peer src :
          List.of(p.driver, p.executor, p.testCheck, p.testSmoke, p.grafana, p.cassandraAccess)) {
        flows.add(new Object[] {src, p.cassandra, 9042, "TCP"});
      }
      flows.add(new Object[] {p.cassandra, p.cassandra, 7000, "TCP"});
      flows.add(new Object[] {p.cassandra, p.cassandra, 7001, "TCP"});
      // operators to their pods (Strimzi's own: its generated policy)
      flows.add(new Object[] {p.cassOperator, p.cassandra, 8080, "TCP"});
      flows.add(new Object[] {p.k8ssandraOperator, p.cassandra, 8080, "TCP"});
      // driver <-> executors
      flows.add(new Object[] {p.executor, p.driver, 7078, "TCP"});
      flows.add(new Object[] {p.executor, p.driver, 7079, "TCP"});
      flows.add(new Object[] {p.driver, p.executor, 7079, "TCP"});
      flows.add(new Object[] {p.executor, p.executor, 7079, "TCP"});
      // Prometheus to the metrics ports
      flows.add(new Object[] {p.prometheus, p.producer, metrics, "TCP"});
      flows.add(new Object[] {p.prometheus, p.driver, 9091, "TCP"});
      flows.add(new Object[] {p.prometheus, p.cassandra, 9000, "TCP"});
      // Grafana
      flows.add(new Object[] {p.grafana, p.prometheus, 9090, "TCP"});
      // the Kubernetes API
      flows.add(new Object[] {p.driver, api, 6443, "TCP"});
      flows.add(new Object[] {p.driver, api, 443, "TCP"});
      flows.add(new Object[] {p.entityOperator, api, 443, "TCP"});
      flows.add(new Object[] {p.grafana, api, 443, "TCP"});
      for (Object[] f : flows) {
        Peer src = (Peer) f[0];
        Peer dst = (Peer) f[1];
        int port = (Integer) f[2];
        String proto = (String) f[3];
        String flow = src + " -> " + dst + " " + port + "/" + proto;
        assertThat(egressAllowed(policies, src, dst, port, proto)).as("egress " + flow).isTrue();
        if (dst.ip() == null && dst.namespace().equals(NS)) {
          assertThat(ingressAllowed(policies, src, dst, port, proto))
              .as("ingress " + flow)
              .isTrue();
        }
      }
      // and what is not needed stays denied (the evaluator can say no)
      Peer internet = Peer.ip("internet", "93.184.216.34");
      List<Object[]> denied =
          List.of(
              new Object[] {p.producer, p.cassandra, 9042, true},
              new Object[] {p.producer, api, 443, true},
              new Object[] {p.executor, api, 6443, true},
              new Object[] {p.testCheck, internet, 443, true},
              new Object[] {p.cassandra, internet, 443, true},
              new Object[] {p.prometheus, p.cassandra, 9042, false},
              new Object[] {p.producer, p.driver, 7078, false},
              new Object[] {p.testSmoke, p.executor, 7079, false},
              new Object[] {p.grafana, p.driver, 9091, false});
      for (Object[] d : denied) {
        Peer src = (Peer) d[0];
        Peer dst = (Peer) d[1];
        int port = (Integer) d[2];
        boolean checkEgress = (Boolean) d[3];
        String flow = src + " -> " + dst + " " + port;
        if (checkEgress) {
          assertThat(egressAllowed(policies, src, dst, port, "TCP"))
              .as("egress denied " + flow)
              .isFalse();
        } else {
          assertThat(ingressAllowed(policies, src, dst, port, "TCP"))
              .as("ingress denied " + flow)
              .isFalse();
        }
      }
      assertThat(listenerAdmits(r, p.grafana)).as("Kafka listener admits Grafana").isFalse();
    }
  }

  @Test
  void theApiServerAddressAndPortsComeFromValues() throws UnknownHostException {
    ChartRenderer.Rendered r =
        ChartRenderer.render(
            "staging",
            Map.of(
                "networkPolicies.kubernetesApi.cidrs[0]",
                "172.18.0.2/32",
                "networkPolicies.kubernetesApi.ports[0]",
                6443,
                "networkPolicies.kubernetesApi.ports[1]",
                6443));
    Pods p = new Pods(r);
    List<Map<String, Object>> policies = r.ofKind("NetworkPolicy");
    assertThat(egressAllowed(policies, p.driver, Peer.ip("api", "172.18.0.2"), 6443, "TCP"))
        .isTrue();
    assertThat(egressAllowed(policies, p.driver, Peer.ip("elsewhere", "172.18.0.3"), 6443, "TCP"))
        .isFalse();
    assertThat(egressAllowed(policies, p.driver, Peer.ip("api", "172.18.0.2"), 443, "TCP"))
        .isFalse();
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "staging", Map.of("networkPolicies.kubernetesApi.cidrs", "{}")))
        .hasMessageContaining("kubernetesApi.cidrs");
  }

  /** A misspelt key under networkPolicies fails the render, naming it (values.schema.json). */
  @Test
  void aMisspeltKeyFails() {
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "staging", Map.of("networkPolicies.kubernetesAPI.ports[0]", 443)))
        .hasMessageContaining("kubernetesAPI");
    assertThatThrownBy(
            () -> ChartRenderer.render("default", Map.of("networkPolicies.enabled", "yes")))
        .hasMessageContaining("networkPolicies.enabled");
  }

  /**
   * Staging with networkPolicies on, the same with the two-pipelines and replay scenarios, and the
   * defaults turned on.
   */
  private static List<ChartRenderer.Rendered> enabledRenderings() {
    return List.of(
        ChartRenderer.render("staging"),
        ChartRenderer.render("default", Map.of("networkPolicies.enabled", true)),
        ChartRenderer.render(
            "staging", ChartRenderer.chartDir().resolve("ci/two-pipelines-values.yaml"), Map.of()));
  }

  @SuppressWarnings("unchecked")
  private static int metricsPort(Map<String, Object> deployment) {
    List<Map<String, Object>> containers =
        (List<Map<String, Object>>) path(deployment, "spec", "template", "spec", "containers");
    for (Map<String, Object> port : (List<Map<String, Object>>) containers.get(0).get("ports")) {
      if ("metrics".equals(port.get("name"))) {
        return ((Number) port.get("containerPort")).intValue();
      }
    }
    throw new AssertionError("no metrics port");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> listener(ChartRenderer.Rendered r) {
    return ((List<Map<String, Object>>) path(r.one("Kafka"), "spec", "kafka", "listeners")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static boolean listenerAdmits(ChartRenderer.Rendered r, Peer src) {
    Object peers = listener(r).get("networkPolicyPeers");
    return peers != null
        && ((List<Map<String, Object>>) peers)
            .stream().anyMatch(peer -> peerMatches(peer, src, NS));
  }

  @SuppressWarnings("unchecked")
  private static List<String> types(Map<String, Object> np) {
    return (List<String>) path(np, "spec", "policyTypes");
  }

  @SuppressWarnings("unchecked")
  private static boolean selects(Map<String, Object> np, Peer pod) {
    return pod.labels() != null
        && NS.equals(pod.namespace())
        && selectorMatches((Map<String, Object>) path(np, "spec", "podSelector"), pod.labels());
  }

  private static boolean isolated(List<Map<String, Object>> policies, Peer pod, String type) {
    return policies.stream().anyMatch(np -> selects(np, pod) && types(np).contains(type));
  }

  static boolean egressAllowed(
      List<Map<String, Object>> policies, Peer src, Peer dst, int port, String proto)
      throws UnknownHostException {
    if (!isolated(policies, src, "Egress")) {
      return true;
    }
    return allowedBy(policies, src, "Egress", "egress", "to", dst, port, proto);
  }

  static boolean ingressAllowed(
      List<Map<String, Object>> policies, Peer src, Peer dst, int port, String proto)
      throws UnknownHostException {
    if (!isolated(policies, dst, "Ingress")) {
      return true;
    }
    return allowedBy(policies, dst, "Ingress", "ingress", "from", src, port, proto);
  }

  @SuppressWarnings("unchecked")
  private static boolean allowedBy(
      List<Map<String, Object>> policies,
      Peer selected,
      String type,
      String rulesKey,
      String peersKey,
      Peer other,
      int port,
      String proto)
      throws UnknownHostException {
    for (Map<String, Object> np : policies) {
      if (!selects(np, selected) || !types(np).contains(type)) {
        continue;
      }
      List<Map<String, Object>> rules = (List<Map<String, Object>>) path(np, "spec", rulesKey);
      for (Map<String, Object> rule : rules == null ? List.<Map<String, Object>>of() : rules) {
        if (!portMatches((List<Map<String, Object>>) rule.get("ports"), port, proto)) {
          continue;
        }
        List<Map<String, Object>> peers = (List<Map<String, Object>>) rule.get(peersKey);
        if (peers == null || peers.isEmpty()) {
          return true;
        }
        for (Map<String, Object> peer : peers) {
          if (peerMatches(peer, other, NS) || ipMatches(peer, other)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean portMatches(List<Map<String, Object>> ports, int port, String proto) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (Map<String, Object> p : ports) {
      String protocol = p.get("protocol") == null ? "TCP" : String.valueOf(p.get("protocol"));
      if (protocol.equals(proto)
          && (p.get("port") == null || ((Number) p.get("port")).intValue() == port)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A podSelector/namespaceSelector peer (no ipBlock): pods of the policy's namespace unless a
   * namespaceSelector is set.
   */
  @SuppressWarnings("unchecked")
  private static boolean peerMatches(Map<String, Object> peer, Peer pod, String policyNamespace) {
    if (peer.containsKey("ipBlock") || pod.labels() == null) {
      return false;
    }
    Map<String, Object> nsSel = (Map<String, Object>) peer.get("namespaceSelector");
    boolean nsOk =
        nsSel == null
            ? policyNamespace.equals(pod.namespace())
            : selectorMatches(nsSel, pod.nsLabels());
    Map<String, Object> podSel = (Map<String, Object>) peer.get("podSelector");
    return nsOk && (podSel == null || selectorMatches(podSel, pod.labels()));
  }

  @SuppressWarnings("unchecked")
  private static boolean ipMatches(Map<String, Object> peer, Peer dst) throws UnknownHostException {
    Object block = peer.get("ipBlock");
    if (block == null || dst.ip() == null) {
      return false;
    }
    String cidr = String.valueOf(((Map<String, Object>) block).get("cidr"));
    if (!inCidr(dst.ip(), cidr)) {
      return false;
    }
    List<Object> except = (List<Object>) ((Map<String, Object>) block).get("except");
    if (except != null) {
      for (Object e : except) {
        if (inCidr(dst.ip(), String.valueOf(e))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean inCidr(String ip, String cidr) throws UnknownHostException {
    String[] parts = cidr.split("/");
    byte[] a = InetAddress.getByName(ip).getAddress();
    byte[] n = InetAddress.getByName(parts[0]).getAddress();
    if (a.length != n.length) {
      return false;
    }
    int bits = Integer.parseInt(parts[1]);
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Kubernetes label selector semantics: matchLabels and matchExpressions (In, NotIn, Exists,
   * DoesNotExist).
   */
  @SuppressWarnings("unchecked")
  static boolean selectorMatches(Map<String, Object> selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, Object> ml = (Map<String, Object>) selector.get("matchLabels");
    if (ml != null) {
      for (Map.Entry<String, Object> e : ml.entrySet()) {
        if (!String.valueOf(e.getValue()).equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    List<Map<String, Object>> exprs = (List<Map<String, Object>>) selector.get("matchExpressions");
    if (exprs != null) {
      for (Map<String, Object> x : exprs) {
        String key = String.valueOf(x.get("key"));
        List<Object> values = (List<Object>) x.getOrDefault("values", List.of());
        String v = labels.get(key);
        boolean ok =
            switch (String.valueOf(x.get("operator"))) {
              case "In" -> v != null && values.contains(v);
              case "NotIn" -> v == null || !values.contains(v);
              case "Exists" -> v != null;
              case "DoesNotExist" -> v == null;
              default -> throw new IllegalArgumentException("operator " + x.get("operator"));
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
