package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Repository files a newcomer runs or reads first: ci/helm-repos.sh, ct.yaml, the Makefile,
 * LICENSE, CHANGELOG.md, CONTRIBUTING.md.
 */
class RepositoryFilesTest {

  private static final Path ROOT = ChartRenderer.repoRoot();

  /**
   * name -> URL of the repositories `helm repo add` needs: Chart.yaml's dependencies and helmfile's
   * non-OCI repositories.
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> declaredRepositories() {
    List<Map<String, Object>> helmfileRepos =
        (List<Map<String, Object>>)
            ChartRenderer.parse(read("helmfile.yaml")).objects().get(1).get("repositories");
    Map<String, String> byUrl = new LinkedHashMap<>();
    for (Map<String, Object> r : helmfileRepos) {
      if (!Boolean.TRUE.equals(r.get("oci"))) {
        byUrl.put(String.valueOf(r.get("url")), String.valueOf(r.get("name")));
      }
    }
    Set<String> urls = new LinkedHashSet<>();
    ChartRenderer.dependencies(ChartRenderer.chartDir())
        .forEach(d -> urls.add(String.valueOf(d.get("repository"))));
    urls.addAll(byUrl.keySet());
    Map<String, String> out = new LinkedHashMap<>();
    for (String url : urls) {
      assertThat(byUrl)
          .as("helmfile.yaml names the repository " + url + " of Chart.yaml")
          .containsKey(url);
      out.put(byUrl.get(url), url);
    }
    return out;
  }

  @Test
  void helmReposScriptAddsExactlyTheDeclaredRepositories() throws Exception {
    String script = read("ci/helm-repos.sh");
    Map<String, String> added = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^helm repo add (\\S+) (\\S+)").matcher(script);
    while (m.find()) {
      added.put(m.group(1), m.group(2));
    }
    assertThat(added).isEqualTo(declaredRepositories());
    Matcher update = Pattern.compile("(?m)^helm repo update (.+)$").matcher(script);
    assertThat(update.find()).isTrue();
    assertThat(List.of(update.group(1).trim().split("\\s+")))
        .containsExactlyInAnyOrderElementsOf(added.keySet());
    bash("bash -n ci/helm-repos.sh");
  }

  /**
   * ct.yaml: chart-testing's documented keys only, the chart directory, and the same repositories.
   */
  @Test
  @SuppressWarnings("unchecked")
  void ctYamlPointsAtTheChartAndItsRepositories() {
    Map<String, Object> ct = ChartRenderer.readYamlMap(ROOT.resolve("ct.yaml"));
    assertThat(ct.keySet())
        .isSubsetOf(
            "remote",
            "target-branch",
            "chart-dirs",
            "excluded-charts",
            "charts",
            "chart-repos",
            "helm-extra-args",
            "helm-lint-extra-args",
            "validate-maintainers",
            "validate-chart-schema",
            "validate-yaml",
            "check-version-increment",
            "namespace",
            "release-label",
            "upgrade",
            "skip-missing-values",
            "debug");
    assertThat((List<Object>) ct.get("chart-dirs")).containsExactly("charts");
    assertThat((List<Object>) ct.get("excluded-charts")).containsExactly("chart-tests");
    assertThat(ct.get("target-branch")).isEqualTo("main");
    Map<String, String> repos = new LinkedHashMap<>();
    for (Object r : (List<Object>) ct.get("chart-repos")) {
      String[] kv = String.valueOf(r).split("=", 2);
      repos.put(kv[0], kv[1]);
    }
    assertThat(repos).isEqualTo(declaredRepositories());
    assertThat(ChartRenderer.ciValuesFiles())
        .as("scenario files ct iterates over")
        .hasSizeGreaterThanOrEqualTo(5);
  }

  /**
   * The Makefile's recipes only run commands the documentation gives, and has the documented
   * targets.
   */
  @Test
  void makefileTargetsRunOnlyDocumentedCommands() throws IOException {
    String makefile = read("Makefile");
    StringBuilder docs = new StringBuilder(read("README.md")).append(read("CONTRIBUTING.md"));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".md")).toList()) {
        docs.append(Files.readString(f));
      }
    }
    Set<String> targets = new LinkedHashSet<>();
    List<String> recipes = new ArrayList<>();
    for (String line : makefile.split("\n")) {
      Matcher t = Pattern.compile("^([a-z-]+):").matcher(line);
      if (t.find()) {
        targets.add(t.group(1));
      } else if (line.startsWith("\t") && !line.strip().startsWith("@echo")) {
        recipes.add(line.strip());
      }
    }
    assertThat(targets).contains("local", "test", "images", "kind", "lint", "helm-repos");
    for (String r : recipes) {
      assertThat(docs.toString())
          .as("`" + r + "` (Makefile) appears in README.md, CONTRIBUTING.md or docs/")
          .contains(r);
    }
  }

  @Test
  void licenseChangelogAndContributingExist() {
    String license = read("LICENSE");
    assertThat(license)
        .startsWith(
            "\n                                 Apache License\n                           Version 2.0, January 2004")
        .contains("END OF TERMS AND CONDITIONS")
        .contains("APPENDIX: How to apply the Apache License to your work.");
    String changelog = read("CHANGELOG.md");
    assertThat(changelog).contains("## [Unreleased]");
    Map<String, Object> chart =
        ChartRenderer.readYamlMap(ChartRenderer.chartDir().resolve("Chart.yaml"));
    assertThat(changelog)
        .contains("chart " + path(chart, "version"))
        .contains("apps " + path(chart, "appVersion"));
    assertThat(read("CONTRIBUTING.md"))
        .contains("ci/*-values.yaml")
        .contains("-Dtaxi.update.readme=true");
  }

  private static String read(String file) {
    try {
      return Files.readString(ROOT.resolve(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void bash(String cmd) throws Exception {
    Process p =
        new ProcessBuilder("bash", "-c", cmd)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(cmd + ": " + out).isZero();
  }
}
