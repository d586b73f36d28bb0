package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Stats.median(List.of())).isNaN();
  }

  private static final String TEXT =
      String.join(
          "\n",
          "# TYPE taxi_stream_end_to_end_latency_seconds histogram",
          "taxi_stream_end_to_end_latency_seconds_bucket{table=\"a\",le=\"0.5\"} 10",
          "taxi_stream_end_to_end_latency_seconds_bucket{table=\"a\",le=\"1.0\"} 50",
          "taxi_stream_end_to_end_latency_seconds_bucket{table=\"a\",le=\"2.0\"} 90",
          "taxi_stream_end_to_end_latency_seconds_bucket{table=\"a\",le=\"+Inf\"} 100",
          "taxi_stream_end_to_end_latency_seconds_bucket{tabl_le=\"b\",le=\"0.5\"} 0",
          "taxi_stream_end_to_end_latency_seconds_bucket{tabl_le=\"b\",le=\"1.0\"} 0",
          "taxi_stream_end_to_end_latency_seconds_bucket{tabl_le=\"b\",le=\"2.0\"} 100",
          "taxi_stream_end_to_end_latency_seconds_bucket{tabl_le=\"b\",le=\"+Inf\"} 100",
          "taxi_stream_end_to_end_latency_seconds_count{table=\"a\"} 100",
          "other_bucket{le=\"1.0\"} 7");

  @Test
  void histogramQuantilesInterpolateInsideBucketsSummedOverLabels() {
    Stats.Histogram h = Stats.Histogram.parse(TEXT, "taxi_stream_end_to_end_latency_seconds");
    assertThat(h.count()).isEqualTo(200);
    // 200 rows: <=0.5: 10, <=1: 50, <=2: 190, +Inf: 200
    assertThat(h.quantile(0.05)).isCloseTo(0.5, within(1e-9)); // rank 10 = the first bucket's top
    assertThat(h.quantile(0.5)).isCloseTo(1.0 + (100 - 50) / 140.0, within(1e-9));
    assertThat(h.quantile(0.99)).isInfinite();
    assertThat(h.shareAtMost(2.0)).isEqualTo(0.95);
  }

  @Test
  void differenceOfSnapshotsIsTheWindow() {
    Stats.Histogram before = Stats.Histogram.parse(TEXT, "taxi_stream_end_to_end_latency_seconds");
    Stats.Histogram after =
        Stats.Histogram.parse(
            TEXT.replace("le=\"2.0\"} 90", "le=\"2.0\"} 190")
                .replace("table=\"a\",le=\"+Inf\"} 100", "table=\"a\",le=\"+Inf\"} 200"),
            "taxi_stream_end_to_end_latency_seconds");
    Stats.Histogram window = after.minus(before);
    assertThat(window.count()).isEqualTo(100);
    assertThat(window.quantile(0.5)).isCloseTo(1.5, within(1e-9));
    assertThat(Stats.Histogram.parse("", "x").quantile(0.5)).isNaN();
  }
}
