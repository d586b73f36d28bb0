package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart README's values table is generated from values.yaml's {@code # --} comments (helm-docs
 * format), never maintained by hand. Refresh it with {@code ./mvnw -B -ntp -pl charts/chart-tests
 * verify -Dtest=ValuesTableTest -Dtaxi.update.readme=true}.
 */
class ValuesTableTest {

  @Test
  void readmeValuesTableIsGeneratedFromValuesYaml() throws Exception {
    Path chart = ChartRenderer.chartDir();
    Path readme = chart.resolve("README.md");
    String table = ValuesTable.generate(chart.resolve("values.yaml"));
    String text = Files.readString(readme);
    if (Boolean.getBoolean("taxi.update.readme")) {
      Files.writeString(readme, ValuesTable.withTable(text, table));
      text = Files.readString(readme);
    }
    assertThat(ValuesTable.currentTable(text))
        .as(
            "charts/taxi-platform/README.md's values table differs from values.yaml; refresh it with "
                + "./mvnw -B -ntp -pl charts/chart-tests verify -Dtest=ValuesTableTest -Dtaxi.update.readme=true")
        .isEqualTo(table);
    assertThat(table)
        .contains("| streaming.serving | string | `\"v1\"` |")
        .contains("| zoneLookup.existingConfigMap | string | `\"\"` |");
  }

  @Test
  void generatorFollowsHelmDocsRules(@TempDir Path dir) throws Exception {
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values,
        String.join(
            "\n",
            "# -- A flag",
            "# continued | with a pipe",
            "enabled: true",
            "# plain comment: not in the table",
            "plain: 1",
            "nested:",
            "  # -- Replicas",
            "  replicas: 3",
            "  # -- Resources",
            "  resources:",
            "    requests: {cpu: 1}",
            "list:",
            "  # -- not a key",
            "  - a",
            ""));
    assertThat(ValuesTable.generate(values))
        .isEqualTo(
            String.join(
                "\n",
                "| Key | Type | Default | Description |",
                "|-----|------|---------|-------------|",
                "| enabled | bool | `true` | A flag continued \\| with a pipe |",
                "| nested.replicas | int | `3` | Replicas |",
                "| nested.resources | object | `{\"requests\":{\"cpu\":1}}` | Resources |",
                ""));
  }
}
