package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad values fail `helm template` with a message that names the offending key (values.schema.json). */
class BadValuesTest {

  @ParameterizedTest(name = "{0}={1} -> mentions {2}")
  @CsvSource(delimiter = '|', value = {
      // misspelt keys
      "producer.replica      | 2            | replica",
      "kafak.enabled         | true         | kafak",
      "kafka.topics.trips.partitons | 3     | partitons",
      "streaming.driver.memroy | 1g         | memroy",
      "cassandra.tls.enable  | true         | enable",
      // wrong types
      "producer.replicas     | two          | replicas",
      "kafka.dual.replicas   | one          | replicas",
      "cassandra.authentication.enabled | maybe | enabled",
      // invalid enums / patterns
      "producer.mode         | batch        | mode",
      "kafka.topology        | triple       | topology",
      "streaming.restartPolicy.type | Sometimes | type",
      "streaming.checkpoint.type | nfs      | type",
      "images.producer.tag   | latest       | tag",
      "streaming.pipelines[0].version | V-2 | version",
      "streaming.pipelines[0].version | v_   | version",
      "streaming.pipelines[0].zonewindow | 5 minutes | zonewindow",
      "streaming.serving     | V1           | serving",
      "producer.order        | random       | order",
      "producer.period       | 2025-13      | period",
      "producer.replay.backoffLimit | many  | backoffLimit",
      "producer.replay.spill.sizeLimit | lots | sizeLimit",
      "kafka.topics.trips.retentionBytes | -2 | retentionBytes",
      "monitoring.rules.notCaughtUpFor | two hours | notCaughtUpFor",
      "kafka.version         | 3.9.0        | version",
  })
  void badValueIsRejectedNamingTheKey(String key, String value, String mentioned) {
    assertThatThrownBy(() -> ChartRenderer.render("dev", Map.of(key, value)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema")
        .hasMessageContaining(mentioned);
  }
}
