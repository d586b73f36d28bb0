package io.taxiplatform.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Medians, and percentiles of a Prometheus classic histogram (as {@code histogram_quantile}
 * computes them).
 */
final class Stats {

  private Stats() {}

  /** The median (mean of the middle two for an even count); NaN for none. */
  static double median(List<Double> values) {
    double[] v =
        values.stream()
            .filter(d -> d != null && !d.isNaN())
            .mapToDouble(Double::doubleValue)
            .toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /**
   * Cumulative bucket counts by upper bound ({@code +Inf} as {@link Double#POSITIVE_INFINITY}), as
   * {@code PrometheusScrape.buckets} reads them from a scrape.
   */
  record Histogram(TreeMap<Double, Double> buckets) {

    static final Histogram EMPTY = new Histogram(new TreeMap<>());

    double count() {
      return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
    }

    /** This minus an earlier snapshot of the same series. */
    Histogram minus(Histogram earlier) {
      TreeMap<Double, Double> b = new TreeMap<>();
      buckets.forEach((k, v) -> b.put(k, v - earlier.buckets.getOrDefault(k, 0.0)));
      return new Histogram(b);
    }

    /**
     * The {@code q} quantile by linear interpolation inside its bucket (lower edge of the first
     * bucket 0); {@code +Inf} when it lies in the {@code +Inf} bucket; NaN when the histogram is
     * empty.
     */
    double quantile(double q) {
      double total = count();
      if (total <= 0) {
        return Double.NaN;
      }
      double rank = q * total;
      double lower = 0;
      double below = 0;
      for (Map.Entry<Double, Double> e : buckets.entrySet()) {
        if (e.getValue() >= rank) {
          if (e.getKey().isInfinite()) {
            return Double.POSITIVE_INFINITY;
          }
          double inBucket = e.getValue() - below;
          return inBucket <= 0
              ? e.getKey()
              : lower + (e.getKey() - lower) * (rank - below) / inBucket;
        }
        lower = e.getKey();
        below = e.getValue();
      }
      return Double.POSITIVE_INFINITY;
    }

    /** The share of observations at or below {@code bound} (a bucket bound). */
    double shareAtMost(double bound) {
      double total = count();
      Double c = buckets.get(bound);
      return total <= 0 || c == null ? Double.NaN : c / total;
    }
  }

  /** Helper for JSON: finite numbers only (JSON has no NaN/Infinity). */
  static List<Double> finite(List<Double> values) {
    List<Double> out = new ArrayList<>();
    for (Double d : values) {
      if (d != null && Double.isFinite(d)) {
        out.add(d);
      }
    }
    return out;
  }
}
