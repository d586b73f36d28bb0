package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every reference in a rendering resolves: the addresses the apps get are the services the
 * operators create for the rendered custom resources, every Secret/ConfigMap/PVC/ServiceAccount is
 * rendered or created by a named operator, every topic exists as a KafkaTopic, every image is one
 * the build produces.
 */
class WiringTest {

  @TestFactory
  Stream<DynamicTest> referencesResolve() {
    return Scenarios.all().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.label(),
                    () -> {
                      ChartRenderer.Rendered r = s.render();
                      List<String> problems = new ArrayList<>();
                      checkKafkaWiring(r, problems);
                      checkCassandraWiring(r, problems);
                      checkTopics(r, problems);
                      checkObjectReferences(r, s, problems);
                      checkImages(r, problems);
                      checkServiceSelectors(r, problems);
                      checkSpark(r, problems);
                      checkEnvNamesAreContracted(r, problems);
                      assertThat(problems).as(s.label()).isEmpty();
                    }));
  }

  // ---------------------------------------------------------------------------------------------

  /** Pods that talk to Kafka/Cassandra: the producer, the test pods and the Spark driver. */
  private static List<PodSpecs.PodSpec> clients(ChartRenderer.Rendered r) {
    return PodSpecs.of(r).stream()
        .filter(p -> p.envEntry("KAFKA_BOOTSTRAP_SERVERS") != null)
        .toList();
  }

  @SuppressWarnings("unchecked")
  private static void checkKafkaWiring(ChartRenderer.Rendered r, List<String> problems) {
    List<Map<String, Object>> kafkas = r.ofKind("Kafka");
    for (PodSpecs.PodSpec p : clients(r)) {
      if (kafkas.size() != 1) {
        problems.add(
            p.owner()
                + " is given a Kafka address but "
                + kafkas.size()
                + " Kafka CRs are rendered");
        continue;
      }
      Map<String, Object> kafka = kafkas.get(0);
      String bootstrap = p.envValue("KAFKA_BOOTSTRAP_SERVERS");
      String[] hostPort = bootstrap.split(":");
      String expectedHost = name(kafka) + "-kafka-bootstrap";
      if (!expectedHost.equals(hostPort[0])) {
        problems.add(
            p.owner()
                + ": KAFKA_BOOTSTRAP_SERVERS host "
                + hostPort[0]
                + " is not Strimzi's "
                + expectedHost);
      }
      int port = Integer.parseInt(hostPort[1]);
      List<Map<String, Object>> listeners =
          (List<Map<String, Object>>) path(kafka, "spec", "kafka", "listeners");
      Map<String, Object> listener =
          listeners.stream()
              .filter(l -> Objects.equals(((Number) l.get("port")).intValue(), port))
              .findFirst()
              .orElse(null);
      if (listener == null) {
        problems.add(p.owner() + ": no Kafka listener on port " + port);
        continue;
      }
      String protocol = p.envValue("KAFKA_SECURITY_PROTOCOL");
      boolean tls = Boolean.TRUE.equals(listener.get("tls"));
      boolean scram = "scram-sha-512".equals(path(listener, "authentication", "type"));
      String expected = scram ? (tls ? "SASL_SSL" : "SASL_PLAINTEXT") : (tls ? "SSL" : "PLAINTEXT");
      if (!expected.equals(protocol)) {
        problems.add(
            p.owner()
                + ": KAFKA_SECURITY_PROTOCOL "
                + protocol
                + " but the listener needs "
                + expected);
      }
      if (scram) {
        String user = p.envValue("KAFKA_SASL_USERNAME");
        if (!"SCRAM-SHA-512".equals(p.envValue("KAFKA_SASL_MECHANISM"))) {
          problems.add(p.owner() + ": KAFKA_SASL_MECHANISM is not SCRAM-SHA-512");
        }
        Map<String, Object> ku = r.find("KafkaUser", String.valueOf(user)).orElse(null);
        if (ku == null
            || !"scram-sha-512".equals(path(ku, "spec", "authentication", "type"))
            || !name(kafka).equals(path(ku, "metadata", "labels", "strimzi.io/cluster"))) {
          problems.add(
              p.owner()
                  + ": KAFKA_SASL_USERNAME "
                  + user
                  + " is not a SCRAM KafkaUser of "
                  + name(kafka));
        }
        Object ref = path(p.envEntry("KAFKA_SASL_PASSWORD"), "valueFrom", "secretKeyRef");
        if (!Objects.equals(path(ref, "name"), user) || !"password".equals(path(ref, "key"))) {
          problems.add(
              p.owner()
                  + ": KAFKA_SASL_PASSWORD does not come from the User Operator's secret "
                  + user
                  + "/password");
        }
      }
      if (tls) {
        Object ref = path(p.envEntry("KAFKA_SSL_TRUSTSTORE_PASSWORD"), "valueFrom", "secretKeyRef");
        if (!Objects.equals(path(ref, "name"), name(kafka) + "-cluster-ca-cert")
            || !"ca.password".equals(path(ref, "key"))) {
          problems.add(
              p.owner() + ": truststore password is not <kafka>-cluster-ca-cert/ca.password");
        }
        checkMountedFile(
            p,
            p.envValue("KAFKA_SSL_TRUSTSTORE_LOCATION"),
            name(kafka) + "-cluster-ca-cert",
            "ca.p12",
            problems);
      }
    }
  }

  /**
   * Pods that talk to Cassandra: the Spark driver, the test pods and the access setup Job (never
   * the producer).
   */
  static List<PodSpecs.PodSpec> cassandraClients(ChartRenderer.Rendered r) {
    return PodSpecs.of(r).stream()
        .filter(p -> p.envEntry("CASSANDRA_CONTACT_POINTS") != null)
        .toList();
  }

  /** The Cassandra access setup Job (helm hook), the only pod that may log in as the superuser. */
  static boolean isAccessSetup(PodSpecs.PodSpec p) {
    return p.owner().startsWith("Job/") && p.owner().endsWith("-cassandra-access");
  }

  @SuppressWarnings("unchecked")
  private static void checkCassandraWiring(ChartRenderer.Rendered r, List<String> problems) {
    List<Map<String, Object>> clusters = r.ofKind("K8ssandraCluster");
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      if (p.owner().contains("-producer")
          && p.env().stream()
              .anyMatch(e -> String.valueOf(e.get("name")).startsWith("CASSANDRA_"))) {
        problems.add(
            p.owner()
                + ": the producer (synthetic/replay) never connects to Cassandra but gets CASSANDRA_* variables");
      }
    }
    Map<String, Object> setup =
        cassandraClients(r).stream()
            .filter(WiringTest::isAccessSetup)
            .findFirst()
            .map(PodSpecs.PodSpec::spec)
            .orElse(null);
    for (PodSpecs.PodSpec p : cassandraClients(r)) {
      if (clusters.size() != 1) {
        problems.add(
            p.owner()
                + " is given Cassandra settings but "
                + clusters.size()
                + " K8ssandraClusters are rendered");
        continue;
      }
      Map<String, Object> k8c = clusters.get(0);
      List<Map<String, Object>> dcs =
          (List<Map<String, Object>>) path(k8c, "spec", "cassandra", "datacenters");
      String dc = String.valueOf(path(dcs.get(0), "metadata", "name"));
      String expected = name(k8c) + "-" + dc + "-service:9042";
      if (!expected.equals(p.envValue("CASSANDRA_CONTACT_POINTS"))) {
        problems.add(
            p.owner()
                + ": CASSANDRA_CONTACT_POINTS "
                + p.envValue("CASSANDRA_CONTACT_POINTS")
                + " is not cass-operator's "
                + expected);
      }
      if (!dc.equals(p.envValue("CASSANDRA_LOCAL_DC"))) {
        problems.add(
            p.owner()
                + ": CASSANDRA_LOCAL_DC "
                + p.envValue("CASSANDRA_LOCAL_DC")
                + " is not the datacenter "
                + dc);
      }
      boolean auth = !Boolean.FALSE.equals(path(k8c, "spec", "auth"));
      Map<String, Object> user = p.envEntry("CASSANDRA_USERNAME");
      if (auth && isAccessSetup(p)) {
        for (String[] v :
            new String[][] {
              {"CASSANDRA_USERNAME", "username"}, {"CASSANDRA_PASSWORD", "password"}
            }) {
          Object ref = path(p.envEntry(v[0]), "valueFrom", "secretKeyRef");
          if (!Objects.equals(path(ref, "name"), superuserSecret(k8c))
              || !v[1].equals(path(ref, "key"))) {
            problems.add(
                p.owner()
                    + ": "
                    + v[0]
                    + " does not come from k8ssandra's "
                    + superuserSecret(k8c)
                    + "/"
                    + v[1]);
          }
        }
      } else if (auth) {
        // Any other client logs in as a role of cassandra.access: a rendered role Secret whose role
        // the
        // access setup Job creates (CASSANDRA_<ROLE>_ROLE from the same Secret), never the
        // superuser.
        Object ref = path(p.envEntry("CASSANDRA_USERNAME"), "valueFrom", "secretKeyRef");
        Object pwRef = path(p.envEntry("CASSANDRA_PASSWORD"), "valueFrom", "secretKeyRef");
        String secret = String.valueOf(path(ref, "name"));
        Map<String, Object> s = r.find("Secret", secret).orElse(null);
        if (s == null || path(s, "metadata", "labels", "taxi-platform/cassandra-role") == null) {
          problems.add(
              p.owner()
                  + ": CASSANDRA_USERNAME comes from "
                  + secret
                  + ", not from a cassandra.access role Secret");
        } else if (!"username".equals(path(ref, "key"))
            || !Objects.equals(path(pwRef, "name"), secret)
            || !"password".equals(path(pwRef, "key"))) {
          problems.add(
              p.owner() + ": CASSANDRA_USERNAME/PASSWORD are not username/password of " + secret);
        } else if (setup == null
            || PodSpecs.of(r).stream()
                .filter(WiringTest::isAccessSetup)
                .flatMap(a -> a.env().stream())
                .noneMatch(
                    e ->
                        String.valueOf(e.get("name")).matches("CASSANDRA_[A-Z]+_ROLE")
                            && secret.equals(path(e, "valueFrom", "secretKeyRef", "name")))) {
          problems.add(p.owner() + ": the access setup Job does not create the role of " + secret);
        }
      } else if (user != null) {
        problems.add(
            p.owner() + ": CASSANDRA_USERNAME set although Cassandra authentication is off");
      }
      boolean tls = path(k8c, "spec", "cassandra", "clientEncryptionStores") != null;
      if (!String.valueOf(tls).equals(p.envValue("CASSANDRA_SSL_ENABLED"))) {
        problems.add(
            p.owner()
                + ": CASSANDRA_SSL_ENABLED="
                + p.envValue("CASSANDRA_SSL_ENABLED")
                + " but client encryption is "
                + tls);
      }
      if (tls) {
        String truststoreSecret =
            String.valueOf(
                path(
                    k8c,
                    "spec",
                    "cassandra",
                    "clientEncryptionStores",
                    "truststoreSecretRef",
                    "name"));
        checkMountedFile(
            p,
            p.envValue("CASSANDRA_SSL_TRUSTSTORE_PATH"),
            truststoreSecret,
            "truststore.jks",
            problems);
        Object ref =
            path(p.envEntry("CASSANDRA_SSL_TRUSTSTORE_PASSWORD"), "valueFrom", "secretKeyRef");
        Object storePw =
            path(k8c, "spec", "cassandra", "clientEncryptionStores", "truststorePasswordSecretRef");
        if (!Objects.equals(path(ref, "name"), path(storePw, "name"))
            || !Objects.equals(path(ref, "key"), path(storePw, "key"))) {
          problems.add(
              p.owner()
                  + ": CASSANDRA_SSL_TRUSTSTORE_PASSWORD is not the truststore password Cassandra uses");
        }
      }
    }
  }

  /** The file at a path is a key of a Secret volume mounted into the pod's main container. */
  @SuppressWarnings("unchecked")
  private static void checkMountedFile(
      PodSpecs.PodSpec p, String file, String secret, String key, List<String> problems) {
    if (file == null) {
      problems.add(p.owner() + ": no path for " + secret + "/" + key);
      return;
    }
    String dir = file.substring(0, file.lastIndexOf('/'));
    String fileName = file.substring(file.lastIndexOf('/') + 1);
    for (Map<String, Object> c : p.containers()) {
      for (Map<String, Object> m :
          (List<Map<String, Object>>) c.getOrDefault("volumeMounts", List.of())) {
        if (!dir.equals(m.get("mountPath"))) {
          continue;
        }
        Map<String, Object> vol =
            p.volumes().stream()
                .filter(v -> Objects.equals(v.get("name"), m.get("name")))
                .findFirst()
                .orElse(null);
        if (vol != null && secret.equals(path(vol, "secret", "secretName"))) {
          List<Map<String, Object>> items =
              (List<Map<String, Object>>) path(vol, "secret", "items");
          boolean ok =
              items == null
                  ? fileName.equals(key)
                  : items.stream()
                      .anyMatch(i -> key.equals(i.get("key")) && fileName.equals(i.get("path")));
          if (ok) {
            return;
          }
        }
      }
    }
    problems.add(
        p.owner() + ": " + file + " is not " + secret + "/" + key + " mounted into the container");
  }

  private static void checkTopics(ChartRenderer.Rendered r, List<String> problems) {
    Set<String> topics = new HashSet<>();
    String kafka = r.ofKind("Kafka").isEmpty() ? null : name(r.one("Kafka"));
    for (Map<String, Object> t : r.ofKind("KafkaTopic")) {
      if (!Objects.equals(kafka, path(t, "metadata", "labels", "strimzi.io/cluster"))) {
        problems.add("KafkaTopic " + name(t) + " is not labelled for Kafka " + kafka);
      }
      topics.add(String.valueOf(path(t, "spec", "topicName")));
    }
    for (PodSpecs.PodSpec p : clients(r)) {
      for (String var : List.of("TRIPS_TOPIC", "DEAD_LETTER_TOPIC")) {
        String topic = p.envValue(var);
        if (topic != null && !topics.contains(topic)) {
          problems.add(p.owner() + ": " + var + "=" + topic + " has no KafkaTopic");
        }
      }
    }
    for (Map<String, Object> pool : r.ofKind("KafkaNodePool")) {
      if (!Objects.equals(kafka, path(pool, "metadata", "labels", "strimzi.io/cluster"))) {
        problems.add("KafkaNodePool " + name(pool) + " is not labelled for Kafka " + kafka);
      }
    }
  }

  /**
   * Every Secret/ConfigMap/PVC/ServiceAccount/Role reference is rendered, operator-created or
   * user-provided by name.
   */
  @SuppressWarnings("unchecked")
  private static void checkObjectReferences(
      ChartRenderer.Rendered r, Scenarios.Scenario s, List<String> problems) {
    Set<String> secrets = names(r, "Secret");
    // Created by the operators for the rendered custom resources:
    for (Map<String, Object> k : r.ofKind("Kafka")) {
      secrets.add(name(k) + "-cluster-ca-cert"); // Strimzi cluster CA (ca.crt, ca.p12, ca.password)
    }
    for (Map<String, Object> u : r.ofKind("KafkaUser")) {
      secrets.add(name(u)); // Strimzi User Operator: password / sasl.jaas.config
    }
    for (Map<String, Object> k : r.ofKind("K8ssandraCluster")) {
      secrets.add(superuserSecret(k)); // k8ssandra-operator
    }
    for (Map<String, Object> c : r.ofKind("Certificate")) {
      secrets.add(String.valueOf(path(c, "spec", "secretName"))); // cert-manager
    }
    Set<String> configMaps = names(r, "ConfigMap");
    Set<String> claims = names(r, "PersistentVolumeClaim");
    Set<String> serviceAccounts = names(r, "ServiceAccount");
    serviceAccounts.add("default");
    // Named by the user in values (documented as "must exist"):
    Object cm = s.value("zoneLookup.existingConfigMap");
    if (cm != null) {
      configMaps.add(String.valueOf(cm));
    }
    Object claim = s.value("streaming.checkpoint.existingClaim");
    if (claim != null) {
      claims.add(String.valueOf(claim));
    }
    // Claims the scenario file mounts into the producer (e.g. the TLC files of a replay) are the
    // user's.
    Object extraVolumes = path(s.fileValues(), "producer", "extraVolumes");
    if (extraVolumes instanceof List<?> vols) {
      for (Object v : vols) {
        Object c = path(v, "persistentVolumeClaim", "claimName");
        if (c != null) {
          claims.add(String.valueOf(c));
        }
      }
    }

    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      for (Map<String, Object> e : p.env()) {
        ref(problems, p.owner(), "Secret", path(e, "valueFrom", "secretKeyRef", "name"), secrets);
        ref(
            problems,
            p.owner(),
            "ConfigMap",
            path(e, "valueFrom", "configMapKeyRef", "name"),
            configMaps);
      }
      for (Map<String, Object> v : p.volumes()) {
        ref(problems, p.owner(), "Secret", path(v, "secret", "secretName"), secrets);
        ref(problems, p.owner(), "ConfigMap", path(v, "configMap", "name"), configMaps);
        ref(
            problems,
            p.owner(),
            "PersistentVolumeClaim",
            path(v, "persistentVolumeClaim", "claimName"),
            claims);
      }
      Set<String> volumeNames = new HashSet<>();
      p.volumes().forEach(v -> volumeNames.add(String.valueOf(v.get("name"))));
      for (Map<String, Object> c : p.allContainers()) {
        for (Map<String, Object> m :
            (List<Map<String, Object>>) c.getOrDefault("volumeMounts", List.of())) {
          if (!volumeNames.contains(String.valueOf(m.get("name")))) {
            problems.add(p.owner() + ": volumeMount " + m.get("name") + " has no volume");
          }
        }
      }
      ref(
          problems,
          p.owner(),
          "ServiceAccount",
          p.spec().get("serviceAccountName"),
          serviceAccounts);
    }
    for (Map<String, Object> rb : r.ofKind("RoleBinding")) {
      ref(
          problems,
          "RoleBinding/" + name(rb),
          "Role",
          path(rb, "roleRef", "name"),
          names(r, "Role"));
      for (Map<String, Object> subj : (List<Map<String, Object>>) path(rb, "subjects")) {
        ref(
            problems,
            "RoleBinding/" + name(rb),
            "ServiceAccount",
            subj.get("name"),
            serviceAccounts);
      }
    }
    for (Map<String, Object> k : r.ofKind("K8ssandraCluster")) {
      Map<String, Object> stores =
          (Map<String, Object>) path(k, "spec", "cassandra", "clientEncryptionStores");
      if (stores != null) {
        for (Object ref : stores.values()) {
          ref(problems, "K8ssandraCluster/" + name(k), "Secret", path(ref, "name"), secrets);
        }
      }
    }
    for (Map<String, Object> c : r.ofKind("Certificate")) {
      ref(
          problems,
          "Certificate/" + name(c),
          "Secret",
          path(c, "spec", "keystores", "jks", "passwordSecretRef", "name"),
          secrets);
      Object issuer = path(c, "spec", "issuerRef", "name");
      if ("Issuer".equals(path(c, "spec", "issuerRef", "kind"))
          && !s.sets().containsKey("cassandra.tls.issuerRef.name")) {
        ref(problems, "Certificate/" + name(c), "Issuer", issuer, names(r, "Issuer"));
      }
    }
    for (Map<String, Object> i : r.ofKind("Issuer")) {
      ref(problems, "Issuer/" + name(i), "Secret", path(i, "spec", "ca", "secretName"), secrets);
    }
    for (Map<String, Object> k : r.ofKind("Kafka")) {
      Object metricsCm =
          path(k, "spec", "kafka", "metricsConfig", "valueFrom", "configMapKeyRef", "name");
      ref(problems, "Kafka/" + name(k), "ConfigMap", metricsCm, configMaps);
    }
  }

  private static void ref(
      List<String> problems, String owner, String kind, Object name, Set<String> known) {
    if (name != null && !known.contains(String.valueOf(name))) {
      problems.add(
          owner
              + " references "
              + kind
              + " "
              + name
              + ", which is neither rendered nor created by an operator");
    }
  }

  /**
   * The superuser Secret k8ssandra-operator creates for a K8ssandraCluster: superuserSecretRef,
   * else "<cluster>-superuser".
   */
  static String superuserSecret(Map<String, Object> k8ssandraCluster) {
    Object ref = path(k8ssandraCluster, "spec", "cassandra", "superuserSecretRef", "name");
    return ref != null ? String.valueOf(ref) : name(k8ssandraCluster) + "-superuser";
  }

  private static Set<String> names(ChartRenderer.Rendered r, String kind) {
    Set<String> out = new HashSet<>();
    r.ofKind(kind).forEach(o -> out.add(name(o)));
    return out;
  }

  /** Images of the apps are exactly the ones the build produces (pom properties + contracts). */
  private static void checkImages(ChartRenderer.Rendered r, List<String> problems) {
    String registry = Contracts.pomProperty("image.registry");
    String tag = Contracts.pomProperty("image.tag");
    Set<String> built =
        Set.of(registry + "/taxi-producer:" + tag, registry + "/taxi-streaming-job:" + tag);
    // The chart's own pods run only the images the build produces (no third-party init image).
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      for (Map<String, Object> c : p.containers()) {
        String image = String.valueOf(c.get("image"));
        if (!built.contains(image)) {
          problems.add(p.owner() + ": image " + image + " is not one the build produces " + built);
        }
      }
      for (Map<String, Object> c : p.initContainers()) {
        String image = String.valueOf(c.get("image"));
        if (!built.contains(image)) {
          problems.add(
              p.owner() + ": init image " + image + " is not one the build produces " + built);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkServiceSelectors(ChartRenderer.Rendered r, List<String> problems) {
    for (Map<String, Object> svc : r.ofKind("Service")) {
      Map<String, Object> selector = (Map<String, Object>) path(svc, "spec", "selector");
      boolean matched = false;
      List<Map<String, Object>> workloads = new ArrayList<>(r.ofKind("Deployment"));
      workloads.addAll(r.ofKind("Job"));
      for (Map<String, Object> d : workloads) {
        Map<String, Object> labels =
            (Map<String, Object>) path(d, "spec", "template", "metadata", "labels");
        if (labels != null && labels.entrySet().containsAll(selector.entrySet())) {
          matched = true;
          for (Map<String, Object> port : (List<Map<String, Object>>) path(svc, "spec", "ports")) {
            Object target = port.get("targetPort");
            boolean exists =
                PodSpecs.of(r).stream()
                    .filter(p -> p.owner().equals(d.get("kind") + "/" + name(d)))
                    .flatMap(p -> p.containers().stream())
                    .flatMap(
                        c ->
                            ((List<Map<String, Object>>) c.getOrDefault("ports", List.of()))
                                .stream())
                    .anyMatch(
                        cp ->
                            Objects.equals(cp.get("name"), target)
                                || Objects.equals(cp.get("containerPort"), target));
            if (!exists) {
              problems.add(
                  "Service/"
                      + name(svc)
                      + ": targetPort "
                      + target
                      + " is not a port of "
                      + d.get("kind")
                      + "/"
                      + name(d));
            }
          }
        }
      }
      if (!matched) {
        problems.add("Service/" + name(svc) + " selects no rendered Deployment's or Job's pods");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkSpark(ChartRenderer.Rendered r, List<String> problems) {
    for (Map<String, Object> app : r.ofKind("SparkApplication")) {
      // contracts: (`mainApplicationFile: local:///opt/taxi/app/taxi-streaming-job.jar`)
      String contracted =
          Contracts.contractsText().replaceAll("(?s).*`mainApplicationFile: ([^`]+)`.*", "$1");
      if (!contracted.equals(path(app, "spec", "mainApplicationFile"))) {
        problems.add(
            "SparkApplication mainApplicationFile "
                + path(app, "spec", "mainApplicationFile")
                + " is not the contract's "
                + contracted);
      }
      for (String role : List.of("driver", "executor")) {
        Object cp = path(app, "spec", "sparkConf", "spark." + role + ".extraClassPath");
        if (!"/opt/taxi/libs/*".equals(cp)) {
          problems.add(
              "SparkApplication spark."
                  + role
                  + ".extraClassPath is "
                  + cp
                  + ", not /opt/taxi/libs/*");
        }
      }
      PodSpecs.PodSpec driver =
          PodSpecs.of(r).stream()
              .filter(p -> p.owner().equals("SparkApplication/" + name(app) + "#driver"))
              .findFirst()
              .orElseThrow();
      PodSpecs.PodSpec executor =
          PodSpecs.of(r).stream()
              .filter(p -> p.owner().equals("SparkApplication/" + name(app) + "#executor"))
              .findFirst()
              .orElseThrow();
      String checkpoint = driver.envValue("CHECKPOINT_LOCATION");
      boolean pvc = driver.volumes().stream().anyMatch(v -> v.get("persistentVolumeClaim") != null);
      if (pvc) {
        for (PodSpecs.PodSpec p : List.of(driver, executor)) {
          boolean mounted =
              ((List<Map<String, Object>>)
                      p.containers().get(0).getOrDefault("volumeMounts", List.of()))
                  .stream()
                      .anyMatch(m -> checkpoint != null && checkpoint.equals(m.get("mountPath")));
          if (!mounted) {
            problems.add(
                p.owner()
                    + ": the checkpoint "
                    + checkpoint
                    + " is not mounted (driver and executors must share it)");
          }
        }
      } else if (checkpoint == null || !checkpoint.matches("^[a-z0-9]+://.+")) {
        problems.add(
            "SparkApplication: checkpoint " + checkpoint + " is neither a shared volume nor a URI");
      }
      // The zone lookup: the image's own copy (no ZONE_LOOKUP_PATH, nothing mounted, no init
      // container) or a ConfigMap mounted where ZONE_LOOKUP_PATH points.
      String zones = driver.envValue("ZONE_LOOKUP_PATH");
      if (!driver.initContainers().isEmpty()) {
        problems.add(
            "SparkApplication driver: init containers "
                + driver.initContainers().stream().map(c -> c.get("name")).toList()
                + " (the zone lookup ships in the image; nothing is downloaded at start)");
      }
      if (zones != null) {
        String zoneDir = zones.substring(0, zones.lastIndexOf('/'));
        Map<String, Object> zoneMount =
            ((List<Map<String, Object>>)
                    driver.containers().get(0).getOrDefault("volumeMounts", List.of()))
                .stream().filter(m -> zoneDir.equals(m.get("mountPath"))).findFirst().orElse(null);
        Map<String, Object> vol =
            zoneMount == null
                ? null
                : driver.volumes().stream()
                    .filter(v -> Objects.equals(v.get("name"), zoneMount.get("name")))
                    .findFirst()
                    .orElse(null);
        String file = zones.substring(zones.lastIndexOf('/') + 1);
        boolean fromConfigMap =
            vol != null
                && vol.get("configMap") != null
                && String.valueOf(path(vol, "configMap", "items")).contains("path=" + file);
        if (!fromConfigMap) {
          problems.add(
              "SparkApplication driver: ZONE_LOOKUP_PATH "
                  + zones
                  + " is not a file of a mounted ConfigMap");
        }
      }
      Object sa = path(app, "spec", "driver", "serviceAccount");
      boolean canCreatePods =
          r.ofKind("RoleBinding").stream()
              .anyMatch(
                  rb ->
                      ((List<Map<String, Object>>) rb.get("subjects"))
                              .stream().anyMatch(sub -> Objects.equals(sub.get("name"), sa))
                          && r.find("Role", String.valueOf(path(rb, "roleRef", "name")))
                              .map(
                                  role ->
                                      ((List<Map<String, Object>>) role.get("rules"))
                                          .stream()
                                              .anyMatch(
                                                  rule ->
                                                      ((List<Object>) rule.get("resources"))
                                                              .contains("pods")
                                                          && ((List<Object>) rule.get("verbs"))
                                                              .contains("create")
                                                          && ((List<Object>) rule.get("verbs"))
                                                              .contains("delete")))
                              .orElse(false));
      if (!canCreatePods) {
        problems.add(
            "SparkApplication driver service account "
                + sa
                + " may not create and delete executor pods");
      }
    }
  }

  private static void checkEnvNamesAreContracted(ChartRenderer.Rendered r, List<String> problems) {
    Set<String> contracted = Contracts.envVarNames();
    for (PodSpecs.PodSpec p : clients(r)) {
      for (Map<String, Object> e : p.env()) {
        String n = String.valueOf(e.get("name"));
        if (!contracted.contains(n)) {
          problems.add(p.owner() + ": env var " + n + " is not in docs/contracts.md");
        }
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void sparkOperatorWatchesTheReleaseNamespaceInEveryProfile() {
    for (String profile : ChartRenderer.PROFILES) {
      Map<String, Object> values =
          ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
      ChartRenderer.profileValues(profile)
          .ifPresent(
              p -> {
                Object ns =
                    path(ChartRenderer.readYamlMap(p), "spark-operator", "spark", "jobNamespaces");
                if (ns != null) {
                  ((Map<String, Object>)
                          ((Map<String, Object>) values.get("spark-operator")).get("spark"))
                      .put("jobNamespaces", ns);
                }
              });
      assertThat((List<Object>) path(values, "spark-operator", "spark", "jobNamespaces"))
          .as(profile)
          .contains((Object) ChartRenderer.NAMESPACE);
    }
  }

  @Test
  void imageValuesEqualTheBuildsImages() {
    String registry = Contracts.pomProperty("image.registry");
    String tag = Contracts.pomProperty("image.tag");
    assertThat(Contracts.imageReference("producer")).isEqualTo(registry + "/taxi-producer:" + tag);
    assertThat(Contracts.imageReference("streaming job"))
        .isEqualTo(registry + "/taxi-streaming-job:" + tag);
    Map<String, Object> values =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("values.yaml"));
    for (String[] img : new String[][] {{"producer", "producer"}, {"streaming", "streaming job"}}) {
      Object v = path(values, "images", img[0]);
      assertThat(path(v, "registry") + "/" + path(v, "repository") + ":" + path(v, "tag"))
          .as("images.%s", img[0])
          .isEqualTo(Contracts.imageReference(img[1]));
    }
  }
}
