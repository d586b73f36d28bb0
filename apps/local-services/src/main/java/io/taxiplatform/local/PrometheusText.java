package io.taxiplatform.local;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Minimal reader of the Prometheus text exposition format: sums the samples of one metric. Only the
 * streaming benchmark (apps/benchmarks {@code StreamingBench}, which also reads the latency
 * histogram's buckets from the same text) still uses it; local mode and the tests read the
 * endpoints with {@link PrometheusScrape}, the Prometheus client's own protobuf format code.
 */
public final class PrometheusText {

  private PrometheusText() {}

  /**
   * The sum of the samples of {@code metric} whose labels include all of {@code labels}; empty when
   * no sample matches. Comment lines and other metrics (including {@code metric_bucket} etc.) are
   * ignored.
   */
  public static OptionalDouble sum(String text, String metric, Map<String, String> labels) {
    double total = 0;
    boolean found = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(metric)) {
        continue;
      }
      String rest = line.substring(metric.length());
      Map<String, String> sampleLabels = new HashMap<>();
      if (rest.startsWith("{")) {
        int end = rest.indexOf('}');
        if (end < 0) {
          continue;
        }
        parseLabels(rest.substring(1, end), sampleLabels);
        rest = rest.substring(end + 1);
      } else if (!rest.startsWith(" ") && !rest.startsWith("\t")) {
        continue; // another metric sharing the prefix
      }
      String[] parts = rest.strip().split("\\s+");
      if (parts.length == 0 || parts[0].isEmpty()) {
        continue;
      }
      boolean matches =
          labels.entrySet().stream()
              .allMatch(e -> e.getValue().equals(sampleLabels.get(e.getKey())));
      if (!matches) {
        continue;
      }
      try {
        total += Double.parseDouble(parts[0]);
        found = true;
      } catch (NumberFormatException e) {
        // NaN/garbage: skip the sample
      }
    }
    return found ? OptionalDouble.of(total) : OptionalDouble.empty();
  }

  private static void parseLabels(String body, Map<String, String> into) {
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      if (eq < 0) {
        return;
      }
      String name = body.substring(i, eq).strip();
      if (name.startsWith(",")) {
        name = name.substring(1).strip();
      }
      int q = body.indexOf('"', eq);
      if (q < 0) {
        return;
      }
      StringBuilder value = new StringBuilder();
      int j = q + 1;
      while (j < body.length() && body.charAt(j) != '"') {
        char c = body.charAt(j);
        if (c == '\\' && j + 1 < body.length()) {
          char next = body.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
        j++;
      }
      into.put(name, value.toString());
      i = j + 1;
    }
  }
}
