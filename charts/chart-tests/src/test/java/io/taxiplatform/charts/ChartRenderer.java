package io.taxiplatform.charts;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Renders {@code charts/taxi-platform} with the Helm embedded in helm-java (Helm 3.21) and parses
 * the result. Shared by every chart test (the observability tests reuse it).
 *
 * <p>Usage:
 *
 * <pre>{@code
 * ChartRenderer.Rendered r = ChartRenderer.render("kind");                    // values/kind.yaml
 * ChartRenderer.Rendered r = ChartRenderer.render("staging", Map.of("monitoring.enabled", false));
 * List<Map<String, Object>> monitors = r.ofKind("ServiceMonitor");
 * Map<String, Object> app = r.one("SparkApplication");
 * }</pre>
 *
 * Profiles: {@code "default"} (the chart's values.yaml only), {@code "dev"}, {@code "kind"}, {@code
 * "staging"} ({@code values/<profile>.yaml} from the repository root). Release name {@value
 * #RELEASE}, namespace {@value #NAMESPACE}, kube version {@value #KUBE_VERSION} (Helm's template
 * default is 1.20, below the chart's kubeVersion, so it is always passed).
 *
 * <p><b>Why a copy of the chart.</b> Helm refuses to render a chart whose declared dependencies are
 * missing from {@code charts/}, even when their condition is false, and the five remote subcharts
 * cannot be downloaded here. {@link #render} therefore renders a temporary copy of the chart whose
 * {@code Chart.yaml} keeps only the dependencies that are present in {@code charts/} (none, unless
 * a user ran {@code helm dependency build}). The chart's own templates are rendered and validated
 * in full; the subcharts' objects are then absent, which the tests state where it matters (resource
 * totals). {@link #renderVendored} renders the real chart directory and is only usable when {@link
 * #allSubchartsVendored()} is true.
 */
public final class ChartRenderer {

  public static final String RELEASE = "taxi";
  public static final String NAMESPACE = "taxi";
  public static final String KUBE_VERSION = "1.33.0";
  public static final List<String> PROFILES = List.of("default", "dev", "kind", "staging");

  /**
   * helm-java's template returns the release manifest without hooks (unlike the helm CLI), so the
   * copy renames the hook annotations of every template to this prefix: the helm test pods and the
   * Cassandra access setup Job are then rendered and checked like every other object, and their
   * hook annotations stay visible.
   */
  public static final String HOOK_ANNOTATION_PREFIX = "rendered-as-manifest.helm.sh/";

  /**
   * The one {@code lookup} of the chart (templates/_helpers.tpl, {@code taxi-platform.keptRandom}:
   * a generated Secret value is read back on upgrade). helm-java's template dials a cluster for
   * {@code lookup} (the helm CLI's {@code template} answers it with nothing), so the copy replaces
   * it by an empty {@code dict}: exactly what {@code helm template} sees. {@link #freshCopy} fails
   * when the chart no longer contains it.
   */
  public static final String SECRET_LOOKUP =
      "lookup \"v1\" \"Secret\" .ctx.Release.Namespace .name";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Object COPY_LOCK = new Object();
  private static Path renderableCopy;

  private ChartRenderer() {}

  /**
   * The repository root (system property {@code taxi.repoRoot}, set by surefire; else the working
   * directory's ../..).
   */
  public static Path repoRoot() {
    String prop = System.getProperty("taxi.repoRoot");
    Path root = prop != null ? Path.of(prop) : Path.of("../..");
    return root.toAbsolutePath().normalize();
  }

  /** {@code charts/taxi-platform} in the repository. */
  public static Path chartDir() {
    return repoRoot().resolve("charts/taxi-platform");
  }

  /** {@code ../shared} next to the repository (CRDs and data; may be absent). */
  public static Path sharedDir() {
    return repoRoot().resolve("../shared").normalize();
  }

  /** {@code values/<profile>.yaml}, or empty for {@code "default"}. */
  public static Optional<Path> profileValues(String profile) {
    if ("default".equals(profile)) {
      return Optional.empty();
    }
    Path p = repoRoot().resolve("values").resolve(profile + ".yaml");
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no values file for profile " + profile + ": " + p);
    }
    return Optional.of(p);
  }

  /** Renders a profile of the chart (own templates; see the class comment). */
  public static Rendered render(String profile) {
    return render(profile, Map.of());
  }

  /** Renders a profile with {@code --set} overrides (keys in Helm's dotted form). */
  public static Rendered render(String profile, Map<String, ?> sets) {
    return parse(renderRaw(renderableCopy(), profile, null, sets));
  }

  /**
   * Renders a profile, then an extra values file (a scenario file of {@code
   * charts/taxi-platform/ci/}, may be null), then {@code --set} overrides: Helm's order for {@code
   * -f profile -f extra --set ...}.
   */
  public static Rendered render(String profile, Path extraValues, Map<String, ?> sets) {
    return parse(renderRaw(renderableCopy(), profile, extraValues, sets));
  }

  /**
   * The scenario values files of the chart, {@code charts/taxi-platform/ci/*-values.yaml}, sorted.
   */
  public static List<Path> ciValuesFiles() {
    Path ci = chartDir().resolve("ci");
    if (!Files.isDirectory(ci)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(ci)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-values.yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renders the chart (own templates) with one complete values file instead of a profile. */
  public static Rendered renderWithValues(Path valuesFile) {
    try {
      return parse(
          new Helm(renderableCopy())
              .template()
              .withName(RELEASE)
              .withNamespace(NAMESPACE)
              .withKubeVersion(KUBE_VERSION)
              .withValuesFile(valuesFile)
              .call());
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "helm template failed with " + valuesFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Renders the real chart directory with its vendored subcharts; check {@link
   * #allSubchartsVendored()} first.
   */
  public static Rendered renderVendored(String profile, Map<String, ?> sets) {
    return parse(renderRaw(chartDir(), profile, sets));
  }

  /**
   * {@link #renderVendored(String, Map)} with an extra values file after the profile's (may be
   * null).
   */
  public static Rendered renderVendored(String profile, Path extraValues, Map<String, ?> sets) {
    return parse(renderRaw(chartDir(), profile, extraValues, sets));
  }

  /**
   * Renders and returns Helm's raw output; throws {@link IllegalStateException} with Helm's message
   * when rendering fails (schema violations, {@code fail} calls, template errors).
   */
  public static String renderRaw(Path chart, String profile, Map<String, ?> sets) {
    return renderRaw(chart, profile, null, sets);
  }

  /**
   * {@link #renderRaw(Path, String, Map)} with an extra values file after the profile's (may be
   * null).
   */
  public static String renderRaw(
      Path chart, String profile, Path extraValues, Map<String, ?> sets) {
    TemplateCommand cmd =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    Optional<Path> values = profileValues(profile);
    if (values.isPresent()) {
      cmd = cmd.withValuesFile(values.get());
    }
    if (extraValues != null) {
      cmd = cmd.withValuesFile(extraValues);
    }
    for (Map.Entry<String, ?> e : sets.entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    try {
      return cmd.call();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "helm template failed for profile "
              + profile
              + (extraValues == null ? "" : " -f " + extraValues.getFileName())
              + " "
              + sets
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * {@code helm lint --strict} of a profile of the renderable copy, with {@code --set} overrides.
   */
  public static LintResult lint(String profile, Map<String, ?> sets) {
    return lint(profile, null, sets);
  }

  /**
   * {@code helm lint --strict} of a profile, an extra values file (may be null) and {@code --set}
   * overrides.
   */
  public static LintResult lint(String profile, Path extraValues, Map<String, ?> sets) {
    // helm-java's LintCommand has no values/set options: lint a copy whose values.yaml is the
    // chart's values.yaml followed by the profile's file and the overrides, merged the way Helm
    // does.
    Path copy = freshCopy(true);
    try {
      Map<String, Object> merged = readYamlMap(copy.resolve("values.yaml"));
      Optional<Path> pv = profileValues(profile);
      if (pv.isPresent()) {
        deepMerge(merged, readYamlMap(pv.get()));
      }
      if (extraValues != null) {
        deepMerge(merged, readYamlMap(extraValues));
      }
      for (Map.Entry<String, ?> e : sets.entrySet()) {
        setDotted(merged, e.getKey(), e.getValue());
      }
      YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(copy);
    }
  }

  /**
   * The grafana dependency replaced by a stub chart whose only template copies, from the upstream
   * grafana chart's charts/grafana/templates/_pod.tpl at grafana-12.10.4, the lines that read this
   * chart's values: the admin credentials ({@code name: {{ (tpl .Values.admin.existingSecret .) |
   * default ... }}}, keys {@code admin.userKey}/{@code passwordKey}), the env loop of {@code
   * envValueFrom} ({@code valueFrom: {{ tpl (toYaml $value) $ }}}), the grafana container's {@code
   * extraVolumeMounts} and the pod's {@code extraContainerVolumes} ({@code tpl (toYaml .) $root});
   * rendered as a Pod named {@value #GRAFANA_STUB_POD}. It shows what the real subchart makes of
   * this chart's {@code grafana.envValueFrom}, in the subchart's own context (its .Values, the same
   * .Release), offline.
   */
  public static Rendered renderWithGrafanaStub(List<Path> valuesFiles, Map<String, ?> sets) {
    Path copy = freshCopy(false);
    try {
      Path stub = copy.resolve("charts/grafana");
      Files.createDirectories(stub.resolve("templates"));
      String version =
          dependencies(chartDir()).stream()
              .filter(d -> "grafana".equals(d.get("name")))
              .map(d -> String.valueOf(d.get("version")))
              .findFirst()
              .orElseThrow();
      Files.writeString(
          stub.resolve("Chart.yaml"), "apiVersion: v2\nname: grafana\nversion: " + version + "\n");
      Files.writeString(
          stub.resolve("values.yaml"),
          String.join(
              "\n",
              "envValueFrom: {}",
              "admin: {existingSecret: \"\", userKey: admin-user, passwordKey: admin-password}",
              "extraVolumeMounts: []",
              "extraContainerVolumes: []",
              ""));
      Files.writeString(
          stub.resolve("templates/pod.yaml"),
          String.join(
              "\n",
              "apiVersion: v1",
              "kind: Pod",
              "metadata:",
              "  name: " + GRAFANA_STUB_POD,
              "spec:",
              "  containers:",
              "    - name: grafana",
              "      image: grafana-stub",
              "      env:",
              "      - name: GF_SECURITY_ADMIN_USER",
              "        valueFrom:",
              "          secretKeyRef:",
              "            name: {{ (tpl .Values.admin.existingSecret .) | default \""
                  + GRAFANA_STUB_POD
                  + "\" }}",
              "            key: {{ .Values.admin.userKey | default \"admin-user\" }}",
              "      - name: GF_SECURITY_ADMIN_PASSWORD",
              "        valueFrom:",
              "          secretKeyRef:",
              "            name: {{ (tpl .Values.admin.existingSecret .) | default \""
                  + GRAFANA_STUB_POD
                  + "\" }}",
              "            key: {{ .Values.admin.passwordKey | default \"admin-password\" }}",
              "      {{- range $key, $value := .Values.envValueFrom }}",
              "      - name: {{ $key | quote }}",
              "        valueFrom:",
              "          {{- tpl (toYaml $value) $ | nindent 10 }}",
              "      {{- end }}",
              "      volumeMounts:",
              "      {{- range .Values.extraVolumeMounts }}",
              "      - name: {{ .name }}",
              "        mountPath: {{ .mountPath }}",
              "        subPath: {{ .subPath | default \"\" }}",
              "        readOnly: {{ .readOnly }}",
              "      {{- end }}",
              "  volumes:",
              "  {{- with .Values.extraContainerVolumes }}",
              "  {{- tpl (toYaml .) $ | nindent 2 }}",
              "  {{- end }}",
              ""));
      Map<String, Object> chartYaml = readYamlMap(copy.resolve("Chart.yaml"));
      List<Map<String, Object>> deps = new ArrayList<>();
      for (Map<String, Object> dep : dependencies(chartDir())) {
        if ("grafana".equals(dep.get("name"))) {
          deps.add(dep);
        }
      }
      chartYaml.put("dependencies", deps);
      YAML.writeValue(copy.resolve("Chart.yaml").toFile(), chartYaml);
      TemplateCommand cmd =
          new Helm(copy)
              .template()
              .withName(RELEASE)
              .withNamespace(NAMESPACE)
              .withKubeVersion(KUBE_VERSION);
      for (Path f : valuesFiles) {
        cmd = cmd.withValuesFile(f);
      }
      for (Map.Entry<String, ?> e : sets.entrySet()) {
        cmd = cmd.set(e.getKey(), e.getValue());
      }
      try {
        return parse(cmd.call());
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "helm template failed with " + valuesFiles + " " + sets + ": " + e.getMessage(), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(copy.getParent());
    }
  }

  /** Name of the Pod {@link #renderWithGrafanaStub} renders for the grafana stub. */
  public static final String GRAFANA_STUB_POD = "grafana-stub";

  /**
   * True when every dependency of Chart.yaml is present in {@code charts/} (a user ran {@code helm
   * dependency build}).
   */
  public static boolean allSubchartsVendored() {
    return missingSubcharts().isEmpty();
  }

  /** Names of the Chart.yaml dependencies that are not present in {@code charts/}. */
  public static List<String> missingSubcharts() {
    List<String> missing = new ArrayList<>();
    for (Map<String, Object> dep : dependencies(chartDir())) {
      if (!isVendored(chartDir(), dep)) {
        missing.add(String.valueOf(dep.get("name")));
      }
    }
    return missing;
  }

  /** The {@code dependencies} of a chart's Chart.yaml. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> dependencies(Path chart) {
    Object deps = readYamlMap(chart.resolve("Chart.yaml")).get("dependencies");
    return deps == null ? List.of() : (List<Map<String, Object>>) deps;
  }

  /** Parses multi-document YAML (Helm output) into objects, skipping empty documents. */
  public static Rendered parse(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    if (yaml == null || yaml.isBlank()) {
      return new Rendered("", List.of());
    }
    try (MappingIterator<Map<String, Object>> it =
        YAML.readerFor(new TypeReference<Map<String, Object>>() {}).readValues(yaml)) {
      while (it.hasNextValue()) {
        Map<String, Object> doc = it.nextValue();
        if (doc != null && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered output is not valid YAML", e);
    }
    return new Rendered(yaml, List.copyOf(objects));
  }

  /** Reads a YAML file into a mutable map. */
  public static Map<String, Object> readYamlMap(Path file) {
    try {
      Map<String, Object> m =
          YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
      return m == null ? new LinkedHashMap<>() : m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A Jackson YAML mapper (not strict). */
  public static ObjectMapper yamlMapper() {
    return YAML;
  }

  // ------------------------------------------------------------------------------------------

  /** The temporary chart copy without the unvendored subcharts (see the class comment). */
  public static Path renderableCopy() {
    synchronized (COPY_LOCK) {
      if (renderableCopy == null || !Files.isDirectory(renderableCopy)) {
        renderableCopy = freshCopy(false);
        Path toDelete = renderableCopy;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(toDelete)));
      }
      return renderableCopy;
    }
  }

  /** Copies the chart to a temporary directory, dropping the dependencies that are not vendored. */
  private static Path freshCopy(boolean forLint) {
    try {
      Path tmp = Files.createTempDirectory("taxi-chart-");
      Path dest = tmp.resolve("taxi-platform");
      copyTree(chartDir(), dest);
      Map<String, Object> chartYaml = readYamlMap(dest.resolve("Chart.yaml"));
      List<Map<String, Object>> kept = new ArrayList<>();
      for (Map<String, Object> dep : dependencies(chartDir())) {
        if (isVendored(chartDir(), dep)) {
          kept.add(dep);
        }
      }
      if (kept.isEmpty()) {
        chartYaml.remove("dependencies");
      } else {
        chartYaml.put("dependencies", kept);
      }
      YAML.writeValue(dest.resolve("Chart.yaml").toFile(), chartYaml);
      // The lock describes the full dependency list; the copy's shorter list would not match it.
      Files.deleteIfExists(dest.resolve("Chart.lock"));
      if (!forLint) {
        boolean lookupSeen = false;
        try (Stream<Path> files = Files.walk(dest.resolve("templates"))) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            String text = Files.readString(f);
            lookupSeen |= text.contains(SECRET_LOOKUP);
            String patched =
                text.replace("helm.sh/hook", HOOK_ANNOTATION_PREFIX + "hook")
                    .replace(SECRET_LOOKUP, "dict");
            if (!patched.equals(text)) {
              Files.writeString(f, patched);
            }
          }
        }
        if (!lookupSeen) {
          throw new IllegalStateException(
              "the chart no longer contains `"
                  + SECRET_LOOKUP
                  + "` (templates/_helpers.tpl, taxi-platform.keptRandom): update ChartRenderer.SECRET_LOOKUP");
        }
      }
      return dest;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the chart", e);
    }
  }

  private static boolean isVendored(Path chart, Map<String, Object> dep) {
    String name = String.valueOf(dep.get("name"));
    Path charts = chart.resolve("charts");
    if (Files.isDirectory(charts.resolve(name))
        && Files.isRegularFile(charts.resolve(name).resolve("Chart.yaml"))) {
      return true;
    }
    String version = String.valueOf(dep.get("version"));
    return Files.isRegularFile(charts.resolve(name + "-" + version + ".tgz"));
  }

  @SuppressWarnings("unchecked")
  static void deepMerge(Map<String, Object> base, Map<String, Object> over) {
    for (Map.Entry<String, Object> e : over.entrySet()) {
      Object b = base.get(e.getKey());
      if (b instanceof Map && e.getValue() instanceof Map) {
        deepMerge((Map<String, Object>) b, (Map<String, Object>) e.getValue());
      } else if (e.getValue() == null) {
        base.remove(e.getKey());
      } else {
        base.put(e.getKey(), e.getValue());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void setDotted(Map<String, Object> root, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    Map<String, Object> m = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = m.get(parts[i]);
      if (!(next instanceof Map)) {
        next = new LinkedHashMap<String, Object>();
        m.put(parts[i], next);
      }
      m = (Map<String, Object>) next;
    }
    m.put(parts[parts.length - 1], value);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                StandardCopyOption.REPLACE_EXISTING);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  /**
   * A rendered chart: Helm's raw output and the parsed objects (each a generic map, as Jackson
   * reads YAML). Objects are in Helm's output order; helm test hooks are included.
   */
  public record Rendered(String yaml, List<Map<String, Object>> objects) {

    /** All objects of a kind. */
    public List<Map<String, Object>> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The single object of a kind; fails when there is not exactly one. */
    public Map<String, Object> one(String kind) {
      List<Map<String, Object>> all = ofKind(kind);
      if (all.size() != 1) {
        throw new AssertionError("expected exactly one " + kind + " but found " + all.size());
      }
      return all.get(0);
    }

    /** The single object of a kind whose label app.kubernetes.io/component is {@code component}. */
    public Map<String, Object> one(String kind, String component) {
      List<Map<String, Object>> all =
          ofKind(kind).stream()
              .filter(
                  o ->
                      component.equals(
                          path(o, "metadata", "labels", "app.kubernetes.io/component")))
              .toList();
      if (all.size() != 1) {
        throw new AssertionError(
            "expected exactly one "
                + kind
                + " of component "
                + component
                + " but found "
                + all.size());
      }
      return all.get(0);
    }

    /** The object of a kind and name, if rendered. */
    public Optional<Map<String, Object>> find(String kind, String name) {
      return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
    }

    /** metadata.name of an object. */
    public static String name(Map<String, Object> object) {
      return String.valueOf(
          Objects.requireNonNull(path(object, "metadata", "name"), "object without metadata.name"));
    }

    /** Walks nested maps; null when a key is missing. */
    @SuppressWarnings("unchecked")
    public static Object path(Object node, String... keys) {
      Object cur = node;
      for (String k : keys) {
        if (!(cur instanceof Map)) {
          return null;
        }
        cur = ((Map<String, Object>) cur).get(k);
      }
      return cur;
    }
  }
}
