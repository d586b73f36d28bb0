package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The deploy commands of the README and the docs work as written: every {@code helm install},
 * {@code helm upgrade} and {@code helm template} of charts/taxi-platform in a fenced bash block is
 * parsed (continuation lines joined, comments dropped) and rendered with exactly its {@code -f} and
 * {@code --set} arguments, the grafana dependency replaced by a stub of its envValueFrom loop, and
 * every Secret a pod of that rendering reads must be rendered or created by an operator for a
 * rendered custom resource (no pod waits forever, so {@code --wait} can succeed). Commands on the
 * reader's own {@code my-values.yaml} (docs/operations.md) are left out.
 */
class DocumentedCommandsTest {

  /** Files with deploy commands; README.md is owned elsewhere but its commands are rendered too. */
  static final List<String> DOCS =
      List.of(
          "README.md",
          "charts/taxi-platform/README.md",
          "docs/install-topology.md",
          "docs/images.md",
          "docs/operations.md",
          "docs/observability.md",
          "docs/profiles.md",
          "CONTRIBUTING.md");

  /** Docs of this change that must say `ci/helm-repos.sh` before any `helm dependency build`. */
  static final List<String> DOCS_WITH_REPO_SETUP =
      List.of(
          "README.md",
          "charts/taxi-platform/README.md",
          "docs/install-topology.md",
          "CONTRIBUTING.md");

  private static final Pattern FENCE = Pattern.compile("(?s)```(?:bash|sh|shell)\\n(.*?)```");

  record Command(String file, String line) {
    @Override
    public String toString() {
      return file + ": " + line;
    }
  }

  /** The commands (continuations joined, comments removed) of the fenced bash blocks of a file. */
  static List<String> bashCommands(Path file) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    Matcher m = FENCE.matcher(text);
    while (m.find()) {
      StringBuilder cur = new StringBuilder();
      for (String raw : m.group(1).split("\n")) {
        String line = stripComment(raw).strip();
        boolean continues = line.endsWith("\\");
        cur.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
        if (!continues) {
          String cmd = cur.toString().strip().replaceAll("\\s+", " ");
          if (!cmd.isEmpty()) {
            out.add(cmd);
          }
          cur.setLength(0);
        }
      }
    }
    return out;
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#'
          && !single
          && !dbl
          && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  static List<String> tokens(String cmd) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (char c : cmd.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  static List<Command> chartCommands() {
    List<Command> out = new ArrayList<>();
    for (String doc : DOCS) {
      for (String cmd : bashCommands(ChartRenderer.repoRoot().resolve(doc))) {
        // Commands on the reader's own values file (my-values.yaml of the reprocessing procedure in
        // docs/operations.md, whose content depends on the step) cannot be rendered as written:
        // left out.
        boolean ownFile = tokens(cmd).stream().anyMatch(t -> t.equals("my-values.yaml"));
        if (cmd.matches("^helm (install|upgrade|template) .*")
            && cmd.contains("charts/taxi-platform")
            && !ownFile) {
          out.add(new Command(doc, cmd));
        }
      }
    }
    return out;
  }

  /** Splits a --set argument on the commas that separate pairs (not inside {...}). */
  static List<String> setPairs(String arg) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char c : arg.toCharArray()) {
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedHelmCommandRendersAndItsPodsCanStart() {
    List<Command> commands = chartCommands();
    assertThat(commands.stream().filter(c -> c.file().equals("docs/install-topology.md")))
        .as("docs/install-topology.md documents phase 1 and phase 2")
        .hasSizeGreaterThanOrEqualTo(2);
    return commands.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.toString(),
                    () -> {
                      List<String> t = tokens(c.line());
                      List<Path> files = new ArrayList<>();
                      Map<String, Object> sets = new LinkedHashMap<>();
                      for (int i = 2; i < t.size(); i++) {
                        String a = t.get(i);
                        switch (a) {
                          case "-f", "--values" ->
                              files.add(ChartRenderer.repoRoot().resolve(t.get(++i)));
                          case "--set", "--set-string" -> {
                            for (String pair : setPairs(t.get(++i))) {
                              int eq = pair.indexOf('=');
                              sets.put(pair.substring(0, eq), pair.substring(eq + 1));
                            }
                          }
                          case "-n", "--namespace", "--timeout" -> i++;
                          default ->
                              assertThat(a)
                                  .as("an argument this test understands")
                                  .matches(
                                      "--create-namespace|--wait|--reuse-values|--install|--atomic|--wait-for-jobs|[a-z0-9-]+|charts/taxi-platform");
                        }
                      }
                      for (Path f : files) {
                        assertThat(f).as("values file named by the docs").isRegularFile();
                      }
                      ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(files, sets);
                      assertThat(unresolvedSecrets(r)).as(c.toString()).isEmpty();
                    }));
  }

  /**
   * Secrets that pods (and the grafana stub) read but that neither the chart nor an operator
   * creates.
   */
  @SuppressWarnings("unchecked")
  static List<String> unresolvedSecrets(ChartRenderer.Rendered r) {
    Set<String> known = new HashSet<>();
    r.ofKind("Secret").forEach(o -> known.add(name(o)));
    r.ofKind("Kafka").forEach(k -> known.add(name(k) + "-cluster-ca-cert"));
    r.ofKind("KafkaUser").forEach(u -> known.add(name(u)));
    r.ofKind("K8ssandraCluster").forEach(k -> known.add(WiringTest.superuserSecret(k)));
    r.ofKind("Certificate").forEach(c -> known.add(String.valueOf(path(c, "spec", "secretName"))));
    List<String> missing = new ArrayList<>();
    for (PodSpecs.PodSpec p : PodSpecs.of(r)) {
      for (Map<String, Object> e : p.env()) {
        Object ref = path(e, "valueFrom", "secretKeyRef");
        if (ref != null
            && !Boolean.TRUE.equals(path(ref, "optional"))
            && !known.contains(String.valueOf(path(ref, "name")))) {
          missing.add(
              p.owner()
                  + ": "
                  + e.get("name")
                  + " reads Secret "
                  + path(ref, "name")
                  + ", which nothing creates");
        }
      }
      for (Map<String, Object> v : p.volumes()) {
        Object secret = path(v, "secret", "secretName");
        if (secret != null
            && !Boolean.TRUE.equals(path(v, "secret", "optional"))
            && !known.contains(String.valueOf(secret))) {
          missing.add(
              p.owner()
                  + ": volume "
                  + v.get("name")
                  + " mounts Secret "
                  + secret
                  + ", which nothing creates");
        }
      }
    }
    return missing;
  }

  @Test
  void theSecretCheckFindsGrafanaWaitingForAMissingSecret() {
    // Phase 1 as it was documented before (Grafana on, Cassandra off) is refused by the chart
    // itself;
    // rendered with external credentials named by a Secret nobody creates, the check reports it.
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("cassandra.enabled", false);
    sets.put("grafana.envValueFrom.CASSANDRA_PASSWORD.secretKeyRef.name", "nobody-creates-this");
    sets.put("grafana.envValueFrom.CASSANDRA_USERNAME.secretKeyRef.name", "nobody-creates-this");
    ChartRenderer.Rendered r = ChartRenderer.renderWithGrafanaStub(List.of(), sets);
    assertThat(unresolvedSecrets(r))
        .anyMatch(
            m -> m.contains(ChartRenderer.GRAFANA_STUB_POD) && m.contains("nobody-creates-this"));
  }

  @Test
  void commandParsingJoinsContinuationsAndDropsComments() {
    assertThat(
            tokens(
                "helm install taxi charts/taxi-platform -f values/kind.yaml --set 'a=b,c={x,y}'"))
        .containsExactly(
            "helm",
            "install",
            "taxi",
            "charts/taxi-platform",
            "-f",
            "values/kind.yaml",
            "--set",
            "a=b,c={x,y}");
    assertThat(setPairs("a=b,c={x,y},d=1")).containsExactly("a=b", "c={x,y}", "d=1");
    assertThat(stripComment("helm test taxi # the smoke test")).isEqualTo("helm test taxi ");
  }

  /**
   * Wherever a doc of this change says `helm dependency build`, it first says to add the
   * repositories.
   */
  @Test
  void helmDependencyBuildIsPrecededByTheRepositorySetup() throws IOException {
    for (String doc : DOCS_WITH_REPO_SETUP) {
      String text = Files.readString(ChartRenderer.repoRoot().resolve(doc));
      int build = text.indexOf("helm dependency build");
      if (build >= 0) {
        int repos = text.indexOf("ci/helm-repos.sh");
        assertThat(repos)
            .as(doc + " names ci/helm-repos.sh before `helm dependency build`")
            .isBetween(0, build);
      }
    }
  }

  /**
   * The manual kind path builds and loads the images the kind profile deploys, before `helmfile -e
   * kind sync`.
   */
  @Test
  void kindPathBuildsAndLoadsTheImagesBeforeHelmfileSync() throws IOException {
    List<String> cmds = bashCommands(ChartRenderer.repoRoot().resolve("docs/install-topology.md"));
    int build = indexOf(cmds, "./mvnw -pl apps/producer,apps/streaming-job jib:dockerBuild");
    int load = indexOf(cmds, "kind load docker-image ");
    int sync = indexOf(cmds, "helmfile -e kind sync");
    assertThat(build).as("jib:dockerBuild documented").isNotNegative();
    assertThat(build).isLessThan(load);
    assertThat(load).isLessThan(sync);
    assertThat(indexOf(cmds, "./mvnw -B -ntp -DskipTests install"))
        .as("modules installed first")
        .isBetween(0, build);
    ChartRenderer.Rendered kind = ChartRenderer.render("kind");
    String producer =
        String.valueOf(
            path(
                ((List<?>) path(kind.one("Deployment"), "spec", "template", "spec", "containers"))
                    .get(0),
                "image"));
    String streaming = String.valueOf(path(kind.one("SparkApplication"), "spec", "image"));
    assertThat(cmds.get(load)).contains(producer).contains(streaming);
  }

  private static int indexOf(List<String> cmds, String prefix) {
    for (int i = 0; i < cmds.size(); i++) {
      if (cmds.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }
}
