package io.taxiplatform.local.it.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The substitution ObservabilityIT relies on, without services (its reading of the endpoints:
 * PrometheusScrapeTest).
 */
class ObservabilityItHelpersTest {

  @Test
  void substitutionDoesWhatGrafanaAndThePluginDo() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("keyspace", "taxi");
    vars.put("version", "v2");
    vars.put("zone", "1,132");
    vars.put("borough", "Manhattan,Queens");
    Instant from = Instant.ofEpochMilli(1000);
    String cql =
        ObservabilityIT.substitute(
            "SELECT a FROM ${keyspace}.t_${version} WHERE z IN ($zone) AND b IN "
                + "(${borough:singlequote}) AND w >= $__timeFrom AND w <= $__timeTo",
            vars,
            from,
            from.plusSeconds(1));
    assertThat(cql)
        .isEqualTo(
            "SELECT a FROM taxi.t_v2 WHERE z IN (1,132) AND b IN ('Manhattan','Queens') "
                + "AND w >= 1000 AND w <= 2000");
    assertThatThrownBy(() -> ObservabilityIT.substitute("SELECT $unknown", vars, from, from))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void grafanaRelativeDurations() {
    assertThat(ObservabilityIT.parseGrafanaDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(ObservabilityIT.parseGrafanaDuration("24h")).isEqualTo(Duration.ofHours(24));
    assertThatThrownBy(() -> ObservabilityIT.parseGrafanaDuration("now-1h"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theChartUsesAppMetricsOfBothApps() throws Exception {
    assertThat(ObservabilityIT.usedAppMetrics())
        .contains(
            "taxi_producer_events_sent_total",
            "taxi_stream_last_progress_timestamp_seconds",
            "taxi_stream_valid_trips_total",
            "taxi_stream_end_to_end_latency_seconds_bucket")
        .allMatch(n -> n.startsWith("taxi_producer_") || n.startsWith("taxi_stream_"));
  }
}
