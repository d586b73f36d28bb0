package io.taxiplatform.charts.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.charts.ChartRenderer;
import io.taxiplatform.charts.ChartRenderer.Rendered;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the observability tests read from the rendered chart, the dashboards, docs/contracts.md and
 * docs/observability.md. Dashboards are taken from the rendered ConfigMaps (what the Grafana
 * sidecar loads), so the chart's placeholder substitution is part of what is tested.
 */
final class Observability {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Grafana's interval variables, replaced by a fixed duration before PromQL is parsed. */
  static final Map<String, String> GRAFANA_INTERVALS =
      Map.of("$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h");

  private Observability() {}

  /** A PromQL expression of a dashboard panel, after Grafana variable substitution. */
  record PanelExpr(String dashboard, String panel, String refId, String expr) {}

  /** A CQL target of a dashboard panel, as written in the dashboard (variables not substituted). */
  record PanelCql(String dashboard, String panel, String panelType, String refId, String cql) {}

  /** The {@code spec.groups} of the rendered PrometheusRule, as a rules file promtool reads. */
  static Map<String, Object> rulesFile(Rendered rendered) {
    Map<String, Object> rule = rendered.one("PrometheusRule");
    Object groups = ChartRenderer.Rendered.path(rule, "spec", "groups");
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("groups", groups);
    return file;
  }

  /** Alert name -> expression of the rendered PrometheusRule. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> alerts(Rendered rendered) {
    Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
    List<Map<String, Object>> groups =
        (List<Map<String, Object>>) rulesFile(rendered).get("groups");
    for (Map<String, Object> g : groups) {
      for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
        if (r.containsKey("alert")) {
          alerts.put(String.valueOf(r.get("alert")), r);
        }
      }
    }
    return alerts;
  }

  /** Writes YAML. */
  static void writeYaml(Path file, Object content) {
    try {
      ChartRenderer.yamlMapper().writeValue(file.toFile(), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Dashboard file name -> parsed JSON, from the rendered ConfigMaps labelled for the dashboard
   * sidecar.
   */
  @SuppressWarnings("unchecked")
  static Map<String, JsonNode> dashboards(Rendered rendered, String label) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Map<String, Object> cm : rendered.ofKind("ConfigMap")) {
      Map<String, Object> labels =
          (Map<String, Object>) ChartRenderer.Rendered.path(cm, "metadata", "labels");
      if (labels == null || !labels.containsKey(label)) {
        continue;
      }
      Map<String, Object> data = (Map<String, Object>) cm.get("data");
      for (Map.Entry<String, Object> e : data.entrySet()) {
        try {
          out.put(e.getKey(), JSON.readTree(String.valueOf(e.getValue())));
        } catch (IOException ex) {
          throw new AssertionError(
              "dashboard "
                  + e.getKey()
                  + " in ConfigMap "
                  + ChartRenderer.Rendered.name(cm)
                  + " is not valid JSON: "
                  + ex.getMessage(),
              ex);
        }
      }
    }
    return out;
  }

  /** Every panel of a dashboard, rows' nested panels included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      for (JsonNode nested : p.path("panels")) {
        out.add(nested);
      }
    }
    return out;
  }

  /**
   * Values of the dashboard's textbox/constant/custom variables (name -> default): the query of a
   * textbox or constant, the current value of a custom variable (its query lists the options).
   */
  static Map<String, String> fixedVariables(JsonNode dashboard) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      String type = v.path("type").asText();
      if (type.equals("textbox") || type.equals("constant")) {
        vars.put(v.path("name").asText(), v.path("query").asText());
      } else if (type.equals("custom")) {
        JsonNode current = v.path("current").path("value");
        List<String> values = new ArrayList<>();
        if (current.isArray()) {
          current.forEach(c -> values.add(c.asText()));
        } else {
          values.add(current.asText());
        }
        vars.put(v.path("name").asText(), String.join("|", values));
      }
    }
    return vars;
  }

  /** The options of a custom variable, from its query (comma-separated). */
  static List<String> customOptions(JsonNode dashboard, String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("name").asText().equals(name) && v.path("type").asText().equals("custom")) {
        return List.of(v.path("query").asText().split("\\s*,\\s*"));
      }
    }
    return List.of();
  }

  /** Replaces Grafana variables ($name, ${name}, ${name:format}) by the given values. */
  static String substitute(String text, Map<String, String> values) {
    String out = text;
    for (Map.Entry<String, String> e : GRAFANA_INTERVALS.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    // longest names first so that $version does not eat $versions
    List<String> names = new ArrayList<>(values.keySet());
    names.sort((a, b) -> b.length() - a.length());
    for (String name : names) {
      String v = values.get(name);
      out =
          out.replaceAll(
              "\\$\\{" + Pattern.quote(name) + "(:[a-z]+)?\\}", Matcher.quoteReplacement(v));
      out = out.replaceAll("\\$" + Pattern.quote(name) + "\\b", Matcher.quoteReplacement(v));
    }
    return out;
  }

  /** Every PromQL target of the dashboards, with variables substituted by their defaults. */
  static List<PanelExpr> promqlTargets(Map<String, JsonNode> dashboards) {
    List<PanelExpr> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> d : dashboards.entrySet()) {
      Map<String, String> vars = fixedVariables(d.getValue());
      for (JsonNode panel : panels(d.getValue())) {
        for (JsonNode t : panel.path("targets")) {
          if (t.has("expr")) {
            out.add(
                new PanelExpr(
                    d.getKey(),
                    panel.path("title").asText(),
                    t.path("refId").asText(),
                    substitute(t.path("expr").asText(), vars)));
          }
        }
      }
    }
    return out;
  }

  /** Every CQL (raw query) target of the dashboards. */
  static List<PanelCql> cqlTargets(Map<String, JsonNode> dashboards) {
    List<PanelCql> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> d : dashboards.entrySet()) {
      for (JsonNode panel : panels(d.getValue())) {
        for (JsonNode t : panel.path("targets")) {
          if (t.path("rawQuery").asBoolean(false)) {
            out.add(
                new PanelCql(
                    d.getKey(),
                    panel.path("title").asText(),
                    panel.path("type").asText(),
                    t.path("refId").asText(),
                    t.path("target").asText()));
          }
        }
      }
    }
    return out;
  }

  private static final Set<String> PROMQL_KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "and",
          "or",
          "unless",
          "inf",
          "nan",
          "atan2");

  /**
   * Metric names an expression selects: identifiers that are not functions, keywords, label names
   * (inside {...} or grouping clauses), durations, numbers or strings.
   */
  static Set<String> metricNames(String promql) {
    String s = promql;
    s = s.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    s = s.replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''");
    s = s.replaceAll("\\{[^}]*\\}", "{}");
    s = s.replaceAll("\\[[^\\]]*\\]", "[]");
    s = s.replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    s = s.replaceAll("(?i)\\boffset\\s+-?[0-9]+[a-z]+", " ");
    s = s.replaceAll("(?<![A-Za-z_:0-9])[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*").matcher(s);
    while (m.find()) {
      String token = m.group();
      int next = m.end();
      while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
        next++;
      }
      boolean isCall = next < s.length() && s.charAt(next) == '(';
      if (!isCall && !PROMQL_KEYWORDS.contains(token.toLowerCase(Locale.ROOT))) {
        names.add(token);
      }
    }
    return names;
  }

  /**
   * Metric series names the apps expose, from docs/contracts.md "## Metrics": every back-quoted
   * name in the first column; histograms also as _bucket, _sum and _count.
   */
  static Set<String> contractMetricNames() {
    String text = read(ChartRenderer.repoRoot().resolve("docs/contracts.md"));
    int start = text.indexOf("## Metrics");
    if (start < 0) {
      throw new AssertionError("docs/contracts.md has no '## Metrics' section");
    }
    int end = text.indexOf("\n## ", start + 3);
    String section = end < 0 ? text.substring(start) : text.substring(start, end);
    Set<String> names = new LinkedHashSet<>();
    Pattern row =
        Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([^|]*)\\|", Pattern.MULTILINE);
    Matcher m = row.matcher(section);
    while (m.find()) {
      String name = m.group(1);
      names.add(name);
      if (m.group(2).contains("histogram")) {
        names.add(name + "_bucket");
        names.add(name + "_sum");
        names.add(name + "_count");
      }
    }
    return names;
  }

  /** GitHub heading anchors of a Markdown file (lower case, spaces to '-', punctuation dropped). */
  static Set<String> markdownAnchors(Path markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    for (String line : read(markdown).split("\n")) {
      if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
        anchors.add(title.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
