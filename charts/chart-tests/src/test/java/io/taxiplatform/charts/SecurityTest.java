package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege and secrets on the rendered manifests (issue 9, docs/security.md): the Kafka ACLs
 * of each KafkaUser, the Cassandra roles and who may read the superuser Secret, generated Secrets
 * that are random and kept, image digests, the secure profile's claim.
 */
class SecurityTest {

  private static final String PRODUCER = "taxi-taxi-platform-producer";
  private static final String STREAMING = "taxi-taxi-platform-streaming";
  private static final String TEST = "taxi-taxi-platform-test";

  /**
   * ACLs of a KafkaUser as "type:patternType:name" -> sorted operations (fails on deny rules or
   * hosts).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Set<String>> acls(ChartRenderer.Rendered r, String user) {
    Map<String, Object> ku =
        r.find("KafkaUser", user).orElseThrow(() -> new AssertionError("no KafkaUser " + user));
    assertThat(path(ku, "spec", "authorization", "type")).as(user).isEqualTo("simple");
    Map<String, Set<String>> out = new TreeMap<>();
    for (Map<String, Object> acl :
        (List<Map<String, Object>>) path(ku, "spec", "authorization", "acls")) {
      assertThat(acl.get("type")).as(user + ": allow rules only").isEqualTo("allow");
      assertThat(acl.get("host")).isEqualTo("*");
      String key =
          path(acl, "resource", "type")
              + ":"
              + path(acl, "resource", "patternType")
              + ":"
              + path(acl, "resource", "name");
      out.computeIfAbsent(key, k -> new TreeSet<>()).addAll((List<String>) acl.get("operations"));
    }
    return out;
  }

  @Test
  void stagingTurnsOnSimpleAuthorizationWithLeastPrivilegeAcls() {
    ChartRenderer.Rendered r = ChartRenderer.render("staging");
    assertThat(path(r.one("Kafka"), "spec", "kafka", "authorization", "type")).isEqualTo("simple");
    assertThat(path(r.one("Kafka"), "spec", "kafka", "authorization", "superUsers"))
        .as("no super users of ours")
        .isNull();
    assertThat(r.ofKind("KafkaUser"))
        .extracting(ChartRenderer.Rendered::name)
        .containsExactlyInAnyOrder(PRODUCER, STREAMING, TEST);

    assertThat(acls(r, PRODUCER))
        .as("synthetic producer: writes trips, nothing else")
        .isEqualTo(Map.of("topic:literal:taxi.trips", Set.of("Describe", "Write")));
    assertThat(acls(r, STREAMING))
        .as("job: reads trips in its groups, writes dead letters")
        .isEqualTo(
            Map.of(
                "topic:literal:taxi.trips",
                Set.of("Describe", "Read"),
                "group:prefix:taxi-stream-",
                Set.of("Read"),
                "topic:literal:taxi.trips.dlq",
                Set.of("Describe", "Write")));
    assertThat(acls(r, TEST))
        .as("helm test: lists and writes trips")
        .isEqualTo(Map.of("topic:literal:taxi.trips", Set.of("Describe", "Write")));
    for (String user : List.of(PRODUCER, STREAMING, TEST)) {
      assertThat(acls(r, user).values())
          .as(user + ": never All, Create, Delete, Alter, AlterConfigs")
          .allSatisfy(
              ops ->
                  assertThat(ops)
                      .doesNotContain("All", "Create", "Delete", "Alter", "AlterConfigs"));
      assertThat(acls(r, user).keySet())
          .as(user + ": no cluster or transactional ACL")
          .noneMatch(k -> k.startsWith("cluster:") || k.startsWith("transactionalId:"));
    }
    assertThat(acls(r, PRODUCER).keySet())
        .as("the producer cannot read the dead letters")
        .noneMatch(k -> k.endsWith(":taxi.trips.dlq"));
  }

  /**
   * The ACLs are checked against Strimzi 1.2.0's KafkaUser CRD (RenderedObjectsTest validates every
   * rendering); this shows the check bites on them: v1beta2's singular `operation` and an unknown
   * resource type are refused.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aclFieldsAreCheckedAgainstTheStrimziCrd() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(ChartRenderer.sharedDir().resolve("crds")), "no ../shared/crds here");
    CrdValidator crds = CrdValidator.load();
    Map<String, Object> user =
        RenderedObjectsTest.deepCopy(
            ChartRenderer.render("staging").find("KafkaUser", STREAMING).orElseThrow());
    assertThat(crds.validate(user)).isEmpty();
    Map<String, Object> acl =
        ((List<Map<String, Object>>) path(user, "spec", "authorization", "acls")).get(0);
    acl.put("operation", acl.remove("operations"));
    assertThat(crds.validate(user)).anySatisfy(m -> assertThat(m).contains("operation"));
    Map<String, Object> other =
        RenderedObjectsTest.deepCopy(
            ChartRenderer.render("staging").find("KafkaUser", STREAMING).orElseThrow());
    ((Map<String, Object>)
            ((List<Map<String, Object>>) path(other, "spec", "authorization", "acls"))
                .get(1)
                .get("resource"))
        .put("type", "consumerGroup");
    assertThat(crds.validate(other))
        .anySatisfy(m -> assertThat(m).contains("acls[1].resource.type").contains("enumeration"));
  }

  @Test
  void eachClientUsesItsOwnKafkaUserAndTheJobsGroupsMatchItsAcl() {
    ChartRenderer.Rendered r = ChartRenderer.render("staging");
    Map<String, String> userOf = new TreeMap<>();
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      if (p.envEntry("KAFKA_SASL_USERNAME") != null) {
        userOf.put(p.owner(), p.envValue("KAFKA_SASL_USERNAME"));
      }
    }
    assertThat(userOf)
        .containsEntry("Deployment/" + PRODUCER, PRODUCER)
        .containsEntry("Pod/taxi-taxi-platform-test-check", TEST)
        .containsEntry("Pod/taxi-taxi-platform-test-smoke", TEST)
        .containsEntry("SparkApplication/taxi-taxi-platform-streaming-v1#driver", STREAMING);
    for (Map<String, Object> app : r.ofKind("SparkApplication")) {
      String version =
          String.valueOf(path(app, "metadata", "labels", "taxi-platform/pipeline-version"));
      PodSpecs.PodSpec driver =
          PodSpecs.of(r).stream()
              .filter(p -> p.owner().equals("SparkApplication/" + name(app) + "#driver"))
              .findFirst()
              .orElseThrow();
      String prefix = driver.envValue("KAFKA_GROUP_ID_PREFIX");
      assertThat(prefix).isEqualTo("taxi-stream-" + version);
      assertThat(acls(r, STREAMING))
          .anySatisfy(
              (k, ops) -> {
                assertThat(k).startsWith("group:prefix:");
                assertThat(prefix).startsWith(k.substring("group:prefix:".length()));
                assertThat(ops).contains("Read");
              });
    }
  }

  @Test
  void aclsFollowRenamedTopics() {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("kafka.topics.trips.name", "rides.v2");
    sets.put("kafka.topics.deadLetters.name", "rides.v2.rejected");
    ChartRenderer.Rendered r = ChartRenderer.render("staging", sets);
    Set<String> topics = new TreeSet<>();
    r.ofKind("KafkaTopic").forEach(t -> topics.add(String.valueOf(path(t, "spec", "topicName"))));
    assertThat(topics).containsExactly("rides.v2", "rides.v2.rejected");
    for (String user : List.of(PRODUCER, STREAMING, TEST)) {
      for (String k : acls(r, user).keySet()) {
        if (k.startsWith("topic:")) {
          assertThat(k.substring(k.lastIndexOf(':') + 1))
              .as(user + " ACL " + k + " names a rendered topic")
              .isIn(topics);
        }
      }
    }
    assertThat(acls(r, STREAMING))
        .containsEntry("topic:literal:rides.v2", Set.of("Describe", "Read"))
        .containsEntry("topic:literal:rides.v2.rejected", Set.of("Describe", "Write"));
    assertThat(acls(r, PRODUCER)).containsOnlyKeys("topic:literal:rides.v2");
    assertThat(r.yaml()).doesNotContain("taxi.trips");
  }

  @Test
  void onlyAResumingReplayMayReadTheTripsTopic() {
    Map<String, Object> replay = new LinkedHashMap<>();
    replay.put("producer.mode", "replay");
    replay.put("producer.input", "/data/x.csv");
    assertThat(acls(ChartRenderer.render("staging", replay), PRODUCER))
        .isEqualTo(Map.of("topic:literal:taxi.trips", Set.of("Describe", "Read", "Write")));
    replay.put("producer.replay.resume", false);
    assertThat(acls(ChartRenderer.render("staging", replay), PRODUCER))
        .isEqualTo(Map.of("topic:literal:taxi.trips", Set.of("Describe", "Write")));
  }

  @Test
  void authorizationFollowsAuthentication() {
    ChartRenderer.Rendered dev = ChartRenderer.render("dev");
    assertThat(path(dev.one("Kafka"), "spec", "kafka", "authorization"))
        .as("no authentication, no ACLs")
        .isNull();
    assertThat(dev.ofKind("KafkaUser")).isEmpty();
    ChartRenderer.Rendered scram =
        ChartRenderer.render(
            "dev", ChartRenderer.chartDir().resolve("ci/kafka-scram-values.yaml"), Map.of());
    assertThat(path(scram.one("Kafka"), "spec", "kafka", "authorization", "type"))
        .isEqualTo("simple");
    assertThat(acls(scram, PRODUCER)).isNotEmpty();
    ChartRenderer.Rendered open =
        ChartRenderer.render(
            "dev",
            ChartRenderer.chartDir().resolve("ci/kafka-scram-values.yaml"),
            Map.of("kafka.authorization.enabled", false));
    assertThat(path(open.one("Kafka"), "spec", "kafka", "authorization")).isNull();
    assertThat(open.ofKind("KafkaUser"))
        .allSatisfy(u -> assertThat(path(u, "spec", "authorization")).isNull());
    ChartRenderer.Rendered noTests =
        ChartRenderer.render("staging", Map.of("tests.enabled", false));
    assertThat(noTests.find("KafkaUser", TEST)).as("no test pods, no test user").isEmpty();
  }

  /**
   * Every rendering: no pod but the access setup Job names the superuser Secret; the producer has
   * no Cassandra credentials.
   */
  @Test
  void onlyTheAccessSetupSeesTheSuperuserSecret() {
    int setups = 0;
    for (Scenarios.Scenario s : Scenarios.all()) {
      ChartRenderer.Rendered r = s.render();
      for (Map<String, Object> k8c : r.ofKind("K8ssandraCluster")) {
        String superuser = WiringTest.superuserSecret(k8c);
        for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
          boolean names =
              p.env().stream()
                      .anyMatch(e -> superuser.equals(path(e, "valueFrom", "secretKeyRef", "name")))
                  || p.volumes().stream()
                      .anyMatch(v -> superuser.equals(path(v, "secret", "secretName")));
          assertThat(names)
              .as(s.label() + ": " + p.owner() + " names " + superuser)
              .isEqualTo(
                  WiringTest.isAccessSetup(p) && !Boolean.FALSE.equals(path(k8c, "spec", "auth")));
          setups += names ? 1 : 0;
          if (p.owner().contains("-producer")) {
            assertThat(p.env())
                .as(s.label() + ": " + p.owner())
                .noneMatch(e -> String.valueOf(e.get("name")).startsWith("CASSANDRA_"));
            assertThat(p.volumes())
                .as(s.label() + ": " + p.owner())
                .noneMatch(v -> "cassandra-tls".equals(v.get("name")));
          }
        }
      }
    }
    assertThat(setups).as("renderings with an access setup Job").isGreaterThan(5);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theAccessSetupRunsCassandraAccessAsAnIdempotentHook() {
    ChartRenderer.Rendered r = ChartRenderer.render("staging");
    Map<String, Object> job = r.one("Job", "cassandra-access");
    Map<String, Object> annotations = (Map<String, Object>) path(job, "metadata", "annotations");
    String hook = ChartRenderer.HOOK_ANNOTATION_PREFIX;
    assertThat(annotations)
        .containsEntry(hook + "hook", "post-install,post-upgrade")
        .containsEntry(hook + "hook-delete-policy", "before-hook-creation,hook-succeeded");
    PodSpecs.PodSpec pod =
        PodSpecs.of(r).stream().filter(WiringTest::isAccessSetup).findFirst().orElseThrow();
    Map<String, Object> c = pod.containers().get(0);
    assertThat(c.get("command"))
        .as("the image's entrypoint stays (apache/spark's passes the args through)")
        .isNull();
    List<String> args = (List<String>) c.get("args");
    assertThat(args.get(0)).isEqualTo("java");
    assertThat(args.get(args.size() - 1)).isEqualTo("io.taxiplatform.streaming.CassandraAccess");
    String cp = args.get(args.indexOf("-cp") + 1);
    Map<String, Object> app = r.one("SparkApplication");
    assertThat(cp.split(":"))
        .contains(
            String.valueOf(path(app, "spec", "mainApplicationFile")).replace("local://", ""),
            "/opt/taxi/libs/*",
            "/opt/spark/jars/*");
    assertThat(c.get("image")).isEqualTo(path(app, "spec", "image"));
    // Contract A's variables only, each role as a pair from one Secret, each role Secret a
    // rendered, kept Secret.
    Set<String> contractA =
        Set.of(
            "CASSANDRA_CONTACT_POINTS",
            "CASSANDRA_LOCAL_DC",
            "CASSANDRA_USERNAME",
            "CASSANDRA_PASSWORD",
            "CASSANDRA_SSL_ENABLED",
            "CASSANDRA_SSL_TRUSTSTORE_PATH",
            "CASSANDRA_SSL_TRUSTSTORE_PASSWORD",
            "CASSANDRA_KEYSPACE",
            "CASSANDRA_REPLICATION",
            "CASSANDRA_ACCESS_TIMEOUT",
            "CASSANDRA_JOB_ROLE",
            "CASSANDRA_JOB_ROLE_PASSWORD",
            "CASSANDRA_READER_ROLE",
            "CASSANDRA_READER_ROLE_PASSWORD",
            "CASSANDRA_TEST_ROLE",
            "CASSANDRA_TEST_ROLE_PASSWORD");
    assertThat(pod.env())
        .extracting(e -> String.valueOf(e.get("name")))
        .containsExactlyInAnyOrderElementsOf(contractA);
    for (String role : List.of("JOB", "READER", "TEST")) {
      Object user =
          path(pod.envEntry("CASSANDRA_" + role + "_ROLE"), "valueFrom", "secretKeyRef", "name");
      Object pw =
          path(
              pod.envEntry("CASSANDRA_" + role + "_ROLE_PASSWORD"),
              "valueFrom",
              "secretKeyRef",
              "name");
      assertThat(pw).as(role).isEqualTo(user);
      Map<String, Object> secret = r.find("Secret", String.valueOf(user)).orElseThrow();
      assertThat(path(secret, "metadata", "labels", "taxi-platform/cassandra-role"))
          .isEqualTo(role.toLowerCase());
    }
    assertThat(pod.envValue("CASSANDRA_REPLICATION"))
        .isEqualTo("{'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    assertThat(pod.envValue("CASSANDRA_ACCESS_TIMEOUT")).isEqualTo("12m");
    assertThat(
            ChartRenderer.render(
                    "staging",
                    Map.of("cassandra.authentication.enabled", false, "security.secure", false))
                .ofKind("Job"))
        .as("no authentication, no roles to set up")
        .isEmpty();
  }

  /**
   * Generated Secrets: random per render (not derived from names), `lookup` of the existing one,
   * kept on uninstall.
   */
  @Test
  void generatedSecretsAreRandomLookedUpAndKept() throws IOException {
    ChartRenderer.Rendered a = ChartRenderer.render("staging");
    ChartRenderer.Rendered b = ChartRenderer.render("staging");
    assertThat(a.ofKind("Secret"))
        .extracting(ChartRenderer.Rendered::name)
        .containsExactlyInAnyOrder(
            "taxi-cassandra-job",
            "taxi-cassandra-reader",
            "taxi-cassandra-test",
            "taxi-taxi-platform-cassandra-tls-password",
            "taxi-grafana-admin");
    for (Map<String, Object> s : a.ofKind("Secret")) {
      assertThat(path(s, "metadata", "annotations", "helm.sh/resource-policy"))
          .as(name(s))
          .isEqualTo("keep");
      Object pw =
          path(s, "data", "password") != null
              ? path(s, "data", "password")
              : path(s, "data", "admin-password");
      String plain = new String(java.util.Base64.getDecoder().decode(String.valueOf(pw)));
      assertThat(plain).as(name(s)).matches("[A-Za-z0-9]{32}");
      Map<String, Object> other = b.find("Secret", name(s)).orElseThrow();
      assertThat(other.get("data"))
          .as(name(s) + ": a new random value on each render without a cluster")
          .isNotEqualTo(s.get("data"));
    }
    // Every template that renders a Secret takes its generated values from the lookup helper.
    Path templates = ChartRenderer.chartDir().resolve("templates");
    String helpers = Files.readString(templates.resolve("_helpers.tpl"));
    assertThat(helpers).contains(ChartRenderer.SECRET_LOOKUP).contains("randAlphaNum");
    List<Path> secretTemplates = new ArrayList<>();
    try (Stream<Path> files = Files.walk(templates)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(f);
        if (text.contains("kind: Secret")) {
          secretTemplates.add(f);
          assertThat(text)
              .as(f.toString())
              .contains("taxi-platform.keptRandom")
              .contains("helm.sh/resource-policy: keep")
              .doesNotContain("sha256sum");
        }
      }
    }
    assertThat(secretTemplates).hasSize(3);
  }

  @Test
  void imagesCanBePinnedByDigest() {
    String d1 = "sha256:" + "a".repeat(64);
    String d2 = "sha256:" + "0123456789abcdef".repeat(4);
    ChartRenderer.Rendered r =
        ChartRenderer.render(
            "staging", Map.of("images.producer.digest", d1, "images.streaming.digest", d2));
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      for (Map<String, Object> c : p.containers()) {
        Object image = c.get("image");
        if (image != null) {
          assertThat(String.valueOf(image))
              .as(p.owner())
              .isIn(
                  "ghcr.io/taxi-platform/taxi-producer@" + d1,
                  "ghcr.io/taxi-platform/taxi-streaming-job@" + d2);
        }
      }
    }
    assertThat(path(r.one("SparkApplication"), "spec", "image"))
        .isEqualTo("ghcr.io/taxi-platform/taxi-streaming-job@" + d2);
    assertThat(path(r.one("Job", "cassandra-access"), "spec", "template", "spec", "containers"))
        .asString()
        .contains("@" + d2);
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    "dev", Map.of("images.streaming.digest", "sha256:" + "A".repeat(64))))
        .hasMessageContaining("/images/streaming/digest");
  }

  /**
   * Cassandra replication contradictions need a values file (a --set value cannot hold the commas
   * of a CQL map).
   */
  @Test
  void replicationTheDatacenterCannotHoldIsRefused(@TempDir Path dir) throws IOException {
    Path noDc = dir.resolve("no-dc.yaml");
    Files.writeString(
        noDc,
        "cassandra:\n  datacenter: dc2\n  replication: \"{'class': 'NetworkTopologyStrategy', 'dc1': 1}\"\n");
    assertThatThrownBy(() -> ChartRenderer.render("dev", noDc, Map.of()))
        .hasMessageContaining("cassandra.replication")
        .hasMessageContaining("no replicas in datacenter \"dc2\" (cassandra.datacenter)");
    Path tooMany = dir.resolve("too-many.yaml");
    Files.writeString(
        tooMany,
        "cassandra:\n  size: 1\n  replication: \"{'class': 'SimpleStrategy', 'replication_factor': 3}\"\n");
    assertThatThrownBy(() -> ChartRenderer.render("dev", tooMany, Map.of()))
        .hasMessageContaining("cassandra.replication asks for 3 replicas but cassandra.size is 1");
    Path nts = dir.resolve("nts.yaml");
    Files.writeString(
        nts,
        "cassandra:\n  size: 2\n  replication: \"{'class': 'NetworkTopologyStrategy', 'dc1': '3'}\"\n");
    assertThatThrownBy(() -> ChartRenderer.render("dev", nts, Map.of()))
        .hasMessageContaining("cassandra.replication asks for 3 replicas but cassandra.size is 2");
    assertThat(ChartRenderer.render("staging").ofKind("K8ssandraCluster"))
        .as("staging's own replication passes")
        .hasSize(1);
  }
}
