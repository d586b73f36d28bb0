package io.taxiplatform.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** Cumulative bucket counts by upper bound ({@code +Inf} as {@link Double#POSITIVE_INFINITY}). */
  record Histogram(TreeMap<Double, Double> buckets) {

    private static final Pattern BUCKET =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LE = Pattern.compile("(?:^|,)\\s*le=\"([^\"]+)\"");

    /**
     * The buckets of {@code metric} in a Prometheus text exposition, summed over every other label.
     */
    static Histogram parse(String text, String metric) {
      TreeMap<Double, Double> b = new TreeMap<>();
      for (String line : text.split("\n")) {
        Matcher m = BUCKET.matcher(line);
        if (!m.find() || !m.group(1).equals(metric)) {
          continue;
        }
        Matcher le = LE.matcher(m.group(2));
        if (!le.find()) {
          continue;
        }
        String bound = le.group(1);
        double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
        b.merge(upper, Double.parseDouble(m.group(3)), Double::sum);
      }
      return new Histogram(b);
    }

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
