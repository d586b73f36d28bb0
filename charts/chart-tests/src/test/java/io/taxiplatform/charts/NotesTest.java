package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt (rendered by a client-only dry-run install) names the objects this release really has.
 */
class NotesTest {

  private static String notes(String profile) {
    var install =
        new Helm(ChartRenderer.renderableCopy())
            .install()
            .withName(ChartRenderer.RELEASE)
            .withNamespace(ChartRenderer.NAMESPACE)
            .withKubeVersion(ChartRenderer.KUBE_VERSION)
            .dryRun()
            .clientOnly();
    install = ChartRenderer.profileValues(profile).map(install::withValuesFile).orElse(install);
    String out = install.call().getOutput();
    return out.substring(out.indexOf("NOTES:"));
  }

  /** The rendered Secret of the read-only Cassandra role. */
  private static String readerSecret(ChartRenderer.Rendered r) {
    return r.ofKind("Secret").stream()
        .filter(s -> "reader".equals(path(s, "metadata", "labels", "taxi-platform/cassandra-role")))
        .map(ChartRenderer.Rendered::name)
        .findFirst()
        .orElseThrow();
  }

  /**
   * No password on a command line (shell history, `ps`): no cqlsh -p/--password, nothing decoded
   * into a variable.
   */
  @Test
  void noSecretOnACommandLine() {
    for (String profile : List.of("dev", "kind", "staging")) {
      String notes = notes(profile);
      assertThat(notes)
          .as(profile)
          .doesNotContainPattern("cqlsh[^\n]* (-p|--password)[ =]")
          .doesNotContainPattern("=\\$\\(kubectl[^\n]*get secret")
          .doesNotContainPattern("base64 -d");
    }
  }

  @Test
  void nextStepsUseTheRenderedNames() {
    for (String profile : List.of("kind", "staging")) {
      ChartRenderer.Rendered r = ChartRenderer.render(profile);
      String notes = notes(profile);
      String ns = ChartRenderer.NAMESPACE;
      Map<String, Object> svc = r.one("Service");
      Object port = path(((List<?>) path(svc, "spec", "ports")).get(0), "port");
      assertThat(notes)
          .as(profile)
          .contains(
              "kubectl -n " + ns + " wait kafka/" + name(r.one("Kafka")) + " --for=condition=Ready")
          .contains(
              "kubectl -n " + ns + " wait k8ssandracluster/" + name(r.one("K8ssandraCluster")))
          .contains("helm test " + ChartRenderer.RELEASE + " -n " + ns + " --logs")
          .contains("kubectl -n " + ns + " port-forward svc/" + name(svc) + " " + port + ":" + port)
          .contains("get secret " + readerSecret(r) + " -o go-template=")
          .contains("cqlsh" + ("staging".equals(profile) ? " --ssl" : "") + " --cqlshrc")
          .contains(
              "window_zones_"
                  + path(r.one("SparkApplication"), "spec", "driver", "env")
                      .toString()
                      .replaceAll("(?s).*name=PIPELINE_VERSION, value=([a-z0-9_]+).*", "$1"));
    }
  }
}
