package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Stats.median(List.of())).isNaN();
  }

  /** Two series' buckets summed (as PrometheusScrape.buckets gives them): a and b, 100 each. */
  private static Stats.Histogram histogram(double le2, double inf) {
    TreeMap<Double, Double> b = new TreeMap<>();
    b.put(0.5, 10.0);
    b.put(1.0, 50.0);
    b.put(2.0, le2 + 100);
    b.put(Double.POSITIVE_INFINITY, inf + 100);
    return new Stats.Histogram(b);
  }

  @Test
  void histogramQuantilesInterpolateInsideBucketsSummedOverLabels() {
    Stats.Histogram h = histogram(90, 100);
    assertThat(h.count()).isEqualTo(200);
    // 200 rows: <=0.5: 10, <=1: 50, <=2: 190, +Inf: 200
    assertThat(h.quantile(0.05)).isCloseTo(0.5, within(1e-9)); // rank 10 = the first bucket's top
    assertThat(h.quantile(0.5)).isCloseTo(1.0 + (100 - 50) / 140.0, within(1e-9));
    assertThat(h.quantile(0.99)).isInfinite();
    assertThat(h.shareAtMost(2.0)).isEqualTo(0.95);
  }

  @Test
  void differenceOfSnapshotsIsTheWindow() {
    Stats.Histogram before = histogram(90, 100);
    Stats.Histogram after = histogram(190, 200);
    Stats.Histogram window = after.minus(before);
    assertThat(window.count()).isEqualTo(100);
    assertThat(window.quantile(0.5)).isCloseTo(1.5, within(1e-9));
    assertThat(Stats.Histogram.EMPTY.quantile(0.5)).isNaN();
  }
}
