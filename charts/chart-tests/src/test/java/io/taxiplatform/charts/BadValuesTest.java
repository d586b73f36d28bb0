package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad values fail `helm template` with the message the chart README's "Bad values" table gives: the
 * table is the list of cases (each row rendered here over values/dev.yaml), so the documentation
 * and the tests cannot drift apart. Rows refused by the schema must fail in values.schema.json,
 * rows refused by a template in a {@code fail} of the templates.
 */
class BadValuesTest {

  /** One row of the table. */
  record Row(Map<String, String> sets, String refusedBy, String why, String message) {
    @Override
    public String toString() {
      return sets + " -> " + message;
    }
  }

  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  /** The rows of the "Bad values" section of charts/taxi-platform/README.md. */
  static List<Row> table() {
    String readme;
    try {
      readme = Files.readString(ChartRenderer.chartDir().resolve("README.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = readme.indexOf("\n## Bad values\n");
    assertThat(start)
        .as("charts/taxi-platform/README.md has a '## Bad values' section")
        .isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<Row> rows = new ArrayList<>();
    for (String line : section.split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      // Cells split on unescaped pipes; "\|" is a pipe inside a cell (GitHub markdown).
      String[] cells =
          line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("(?<!\\\\)\\|");
      assertThat(cells).as("row '" + line + "': values | refused by | why | message").hasSize(4);
      Map<String, String> sets = new LinkedHashMap<>();
      Matcher m = CODE.matcher(cells[0]);
      while (m.find()) {
        String kv = m.group(1);
        int eq = kv.indexOf('=');
        assertThat(eq).as("'" + kv + "' is key=value").isPositive();
        sets.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      Matcher msg = CODE.matcher(cells[3].replace("\\|", "|"));
      assertThat(msg.find()).as("row '" + line + "' quotes the message in backticks").isTrue();
      rows.add(new Row(sets, cells[1].strip(), cells[2].strip(), msg.group(1)));
    }
    return rows;
  }

  static Stream<Row> rows() {
    return table().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void badValueIsRefusedWithTheDocumentedMessage(Row row) {
    assertThat(row.sets()).isNotEmpty();
    assertThat(row.refusedBy()).isIn("schema", "template");
    assertThatThrownBy(() -> ChartRenderer.render("dev", row.sets()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            row.refusedBy().equals("schema")
                ? "values don't meet the specifications of the schema"
                : "execution error at (taxi-platform/templates/")
        .hasMessageContaining(row.message());
  }

  @Test
  void theTableCoversEveryKindOfRefusal() {
    List<Row> rows = table();
    assertThat(rows).as("rows of the Bad values table").hasSizeGreaterThanOrEqualTo(30);
    assertThat(rows).extracting(Row::refusedBy).contains("schema", "template");
    assertThat(rows)
        .extracting(Row::message)
        .anyMatch(m -> m.contains("additional properties"))
        .anyMatch(m -> m.contains("got string, want"))
        .anyMatch(m -> m.contains("value must be one of"))
        .anyMatch(m -> m.contains("does not match pattern"))
        .anyMatch(m -> m.contains("minimum:"));
    assertThat(rows.stream().map(r -> r.sets().toString()).distinct().count())
        .as("no row twice")
        .isEqualTo(rows.size());
  }
}
