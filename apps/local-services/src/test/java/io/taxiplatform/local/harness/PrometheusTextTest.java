package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.PrometheusText;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String TEXT =
      """
            # HELP taxi_stream_input_rows_total Rows read.
            # TYPE taxi_stream_input_rows_total counter
            taxi_stream_input_rows_total{query="zone_windows"} 1200.0
            taxi_stream_input_rows_total{query="borough_windows",extra="a,b"} 1150.0
            taxi_stream_input_rows_total_created{query="zone_windows"} 1.7E9
            taxi_stream_dead_letters_total{reason="malformed_json"} 3
            taxi_stream_dead_letters_total{reason="fare_out_of_range"} 4.0 1732246200000
            taxi_stream_batches_total 7
            """;

  @Test
  void sumsOnlyTheSamplesWhoseLabelsMatch() {
    assertThat(
            PrometheusText.sum(
                TEXT, "taxi_stream_input_rows_total", Map.of("query", "zone_windows")))
        .hasValue(1200.0);
    assertThat(PrometheusText.sum(TEXT, "taxi_stream_input_rows_total", Map.of("extra", "a,b")))
        .hasValue(1150.0);
    assertThat(PrometheusText.sum(TEXT, "taxi_stream_dead_letters_total", Map.of())).hasValue(7.0);
    assertThat(PrometheusText.sum(TEXT, "taxi_stream_batches_total", Map.of())).hasValue(7.0);
  }

  @Test
  void absentMetricsAreEmptyNotZero() {
    assertThat(PrometheusText.sum(TEXT, "taxi_stream_input_rows", Map.of())).isEmpty();
    assertThat(PrometheusText.sum(TEXT, "taxi_stream_input_rows_total", Map.of("query", "nope")))
        .isEmpty();
    assertThat(PrometheusText.sum("", "x", Map.of())).isEmpty();
  }
}
