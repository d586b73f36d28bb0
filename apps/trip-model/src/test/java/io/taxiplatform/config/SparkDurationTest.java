package io.taxiplatform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One duration grammar: the parser and every duration pattern of the chart's values.schema.json
 * accept and refuse the same examples.
 */
class SparkDurationTest {

  static final Path SCHEMA = Path.of("../../charts/taxi-platform/values.schema.json");

  static final Map<String, Duration> ACCEPTED =
      Map.ofEntries(
          Map.entry("5 minutes", Duration.ofMinutes(5)),
          Map.entry("1 minute", Duration.ofMinutes(1)),
          Map.entry("5m", Duration.ofMinutes(5)),
          Map.entry("10 mins", Duration.ofMinutes(10)),
          Map.entry("1 min", Duration.ofMinutes(1)),
          Map.entry("30 seconds", Duration.ofSeconds(30)),
          Map.entry("1 second", Duration.ofSeconds(1)),
          Map.entry("90s", Duration.ofSeconds(90)),
          Map.entry("2 secs", Duration.ofSeconds(2)),
          Map.entry("1 sec", Duration.ofSeconds(1)),
          Map.entry("250ms", Duration.ofMillis(250)),
          Map.entry("250 milliseconds", Duration.ofMillis(250)),
          Map.entry("1 millisecond", Duration.ofMillis(1)),
          Map.entry("1 hour", Duration.ofHours(1)),
          Map.entry("2 hours", Duration.ofHours(2)),
          Map.entry("3h", Duration.ofHours(3)),
          Map.entry("1 day", Duration.ofDays(1)),
          Map.entry("2 days", Duration.ofDays(2)),
          Map.entry("2d", Duration.ofDays(2)),
          Map.entry("0 days", Duration.ZERO),
          Map.entry(" 12m ", Duration.ofMinutes(12)));

  static final List<String> REFUSED =
      List.of(
          "",
          "soon",
          "5",
          "minutes",
          "5 fortnights",
          "-1 days",
          "1.5 hours",
          "5 Minutes",
          "5 MINUTES",
          "1 week",
          "5 minutes ago",
          "5 minutes 30 seconds",
          "PT5M");

  @Test
  void theParserAcceptsAndRefusesTheExamples() {
    ACCEPTED.forEach(
        (text, d) -> assertThat(SparkDuration.parse("X", text).duration()).as(text).isEqualTo(d));
    for (String text : REFUSED) {
      assertThatThrownBy(() -> SparkDuration.parse("ZONE_WINDOW", text))
          .as(text)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("ZONE_WINDOW");
    }
  }

  @Test
  void sparkGetsTheLongUnitNames() {
    assertThat(SparkDuration.parse("X", "5m").text()).isEqualTo("300 seconds");
    assertThat(SparkDuration.parse("X", "250ms").text()).isEqualTo("250 milliseconds");
    assertThat(SparkDuration.parse("X", "1 day").text()).isEqualTo("86400 seconds");
  }

  @Test
  void zeroIsADurationButNotAPositiveOne() {
    assertThat(SparkDuration.parse("X", "0 seconds").duration()).isZero();
    assertThatThrownBy(() -> SparkDuration.parse("ZONE_WINDOW", "0 minutes").positive())
        .isInstanceOf(UsageException.class)
        .hasMessage("ZONE_WINDOW must be positive");
  }

  @Test
  void anUnknownUnitIsNamed() {
    assertThatThrownBy(() -> SparkDuration.parse("ZONE_WINDOW", "5 fortnights"))
        .hasMessageContaining("unknown unit 'fortnights'");
  }

  /** Every pattern of the schema that matches {@code 5 minutes} is a duration pattern. */
  static List<String> schemaDurationPatterns() throws Exception {
    JsonNode root = new ObjectMapper().readTree(SCHEMA.toFile());
    List<String> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      JsonNode p = node.get("pattern");
      if (p != null && p.isTextual() && Pattern.compile(p.asText()).matcher("5 minutes").find()) {
        out.add(p.asText());
      }
      node.elements().forEachRemaining(n -> collect(n, out));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(n -> collect(n, out));
    }
  }

  @Test
  void theChartSchemaAcceptsAndRefusesTheSameExamples() throws Exception {
    List<String> patterns = schemaDurationPatterns();
    // access timeout, the streaming defaults (6) and each pipeline's overrides (4)
    assertThat(patterns).as("duration patterns in " + SCHEMA).hasSizeGreaterThanOrEqualTo(11);
    for (String p : patterns) {
      // JSON Schema patterns are unanchored searches (ECMA 262); these are anchored ^...$
      Pattern schema = Pattern.compile(p);
      for (String text : ACCEPTED.keySet()) {
        assertThat(schema.matcher(text).find()).as("schema %s accepts '%s'", p, text).isTrue();
      }
      for (String text : REFUSED) {
        assertThat(schema.matcher(text).find()).as("schema %s refuses '%s'", p, text).isFalse();
      }
      assertThat(p).isEqualTo("^" + SparkDuration.GRAMMAR + "$");
    }
  }
}
