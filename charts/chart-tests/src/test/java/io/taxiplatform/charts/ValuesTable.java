package io.taxiplatform.charts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values table of the chart README, generated from the {@code # --} comments of values.yaml in
 * helm-docs' format ({@code | Key | Type | Default | Description |}, rows sorted by key). A key is
 * in the table when a {@code # --} comment directly precedes it; the following {@code #} lines
 * continue the description (helm-docs' rule). The table sits between {@link #START} and {@link
 * #END} in charts/taxi-platform/README.md; {@code ValuesTableTest} fails when it differs, and
 * {@code ./mvnw -pl charts/chart-tests verify -Dtest=ValuesTableTest -Dtaxi.update.readme=true} (or
 * this class's {@code main}) rewrites it.
 */
public final class ValuesTable {

  public static final String START =
      "<!-- values-table:start (generated from values.yaml by charts/chart-tests ValuesTable; do not edit) -->";
  public static final String END = "<!-- values-table:end -->";
  private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z0-9_.\\-]+):(.*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ValuesTable() {}

  /** Rewrites the README's table (argument: the repository root, default the working directory). */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    Path chart = root.resolve("charts/taxi-platform");
    Path readme = chart.resolve("README.md");
    Files.writeString(
        readme, withTable(Files.readString(readme), generate(chart.resolve("values.yaml"))));
  }

  /** The README text with the part between the markers replaced by the table. */
  public static String withTable(String readme, String table) {
    int s = readme.indexOf(START);
    int e = readme.indexOf(END);
    if (s < 0 || e < s) {
      throw new IllegalStateException("README has no " + START + " ... " + END + " section");
    }
    return readme.substring(0, s + START.length()) + "\n" + table + readme.substring(e);
  }

  /** The part of the README between the markers. */
  public static String currentTable(String readme) {
    int s = readme.indexOf(START);
    int e = readme.indexOf(END);
    if (s < 0 || e < s) {
      return "";
    }
    return readme.substring(s + START.length() + 1, e);
  }

  record Row(String key, String type, String defaultValue, String description) {}

  /** The Markdown table for a values.yaml file. */
  public static String generate(Path valuesYaml) throws IOException {
    List<String> lines = Files.readAllLines(valuesYaml);
    Map<String, Object> values = ChartRenderer.readYamlMap(valuesYaml);
    List<Row> rows = new ArrayList<>();
    Deque<int[]> indents = new ArrayDeque<>();
    Deque<String> names = new ArrayDeque<>();
    List<String> pending = null;
    for (String line : lines) {
      String t = line.strip();
      if (t.startsWith("# --")) {
        pending = new ArrayList<>();
        pending.add(t.substring(4).strip());
        continue;
      }
      if (t.startsWith("#")) {
        if (pending != null) {
          pending.add(t.substring(1).strip());
        }
        continue;
      }
      Matcher m = KEY.matcher(line);
      if (t.isEmpty() || t.startsWith("-") || !m.matches()) {
        if (!t.isEmpty()) {
          pending = null;
        }
        continue;
      }
      int indent = m.group(1).length();
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        names.pop();
      }
      indents.push(new int[] {indent});
      names.push(m.group(2));
      if (pending != null) {
        List<String> path = new ArrayList<>(names);
        java.util.Collections.reverse(path);
        Object value = ChartRenderer.Rendered.path(values, path.toArray(String[]::new));
        rows.add(
            new Row(
                String.join(".", path),
                type(value),
                defaultOf(value),
                String.join(" ", pending).strip()));
        pending = null;
      }
    }
    rows.sort((a, b) -> a.key().compareTo(b.key()));
    StringBuilder out = new StringBuilder();
    out.append("| Key | Type | Default | Description |\n");
    out.append("|-----|------|---------|-------------|\n");
    for (Row r : rows) {
      out.append("| ")
          .append(cell(r.key()))
          .append(" | ")
          .append(r.type())
          .append(" | ")
          .append(cell(r.defaultValue()))
          .append(" | ")
          .append(cell(r.description()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String type(Object v) {
    if (v == null) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Integer || v instanceof Long) {
      return "int";
    }
    if (v instanceof Number) {
      return "float";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "object";
    }
    return "string";
  }

  private static String defaultOf(Object v) {
    try {
      return "`" + JSON.writeValueAsString(v) + "`";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
