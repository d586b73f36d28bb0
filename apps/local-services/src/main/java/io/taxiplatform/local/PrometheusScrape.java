package io.taxiplatform.local;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Bucket;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.LabelPair;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Metric;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricFamily;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * One scrape of a Prometheus endpoint of the producer or the job, read with the Prometheus Java
 * client's own format code: the request asks for the protobuf exposition (the client's {@code
 * HTTPServer} serves it when asked), and the client's classes generated from Prometheus' {@code
 * metrics.proto} (shipped in {@code prometheus-metrics-exposition-formats}, the module its server
 * writes the format with) decode it. The Java client has writers of the text format but no parser,
 * so reading protobuf leaves no hand-written parser here.
 */
public final class PrometheusScrape {

  /** The Accept header of the protobuf exposition (delimited {@code MetricFamily} messages). */
  public static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  private static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_sum", "_count");

  private final Map<String, MetricFamily> families;

  private PrometheusScrape(Map<String, MetricFamily> families) {
    this.families = families;
  }

  /** Decodes a protobuf exposition (what {@link #fetch} reads). */
  public static PrometheusScrape parse(byte[] protobuf) {
    Map<String, MetricFamily> families = new LinkedHashMap<>();
    try (InputStream in = new ByteArrayInputStream(protobuf)) {
      MetricFamily family;
      while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
        families.put(family.getName(), family);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not a protobuf Prometheus exposition", e);
    }
    return new PrometheusScrape(families);
  }

  /**
   * Scrapes {@code http://127.0.0.1:port/metrics}; empty when nothing answers there with 200 (not
   * up yet, gone). Fails when the endpoint answers in another format.
   */
  public static Optional<PrometheusScrape> fetch(HttpClient http, int port, Duration timeout) {
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .header("Accept", PROTOBUF)
                  .timeout(timeout)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.startsWith("application/vnd.google.protobuf")) {
        throw new IllegalStateException(
            "the metrics endpoint on port "
                + port
                + " answered "
                + type
                + ", not the protobuf exposition (prometheus-metrics-exposition-formats missing"
                + " from its classpath?)");
      }
      return Optional.of(parse(response.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Names of the metric families in the scrape (counters with their {@code _total}). */
  public Set<String> familyNames() {
    return families.keySet();
  }

  /**
   * Whether the scrape holds series {@code name}: a family of that name, or the {@code _bucket},
   * {@code _sum}, {@code _count} or {@code _created} series of a histogram or summary family, or
   * the {@code _created} series of a counter ({@code x_created} of {@code x_total}).
   */
  public boolean exposes(String name) {
    if (families.containsKey(name)) {
      return true;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_created")) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        MetricFamily f = families.get(base);
        if (f != null && (f.getMetric(0).hasHistogram() || f.getMetric(0).hasSummary())) {
          return true;
        }
        if (suffix.equals("_created")) {
          return families.containsKey(base + "_total");
        }
      }
    }
    return false;
  }

  /**
   * The sum of the values of series {@code name} whose labels include all of {@code labels}; empty
   * when none matches. {@code name} is a counter ({@code x_total}), gauge or untyped family, or the
   * {@code _count} or {@code _sum} of a histogram or summary.
   */
  public OptionalDouble sum(String name, Map<String, String> labels) {
    MetricFamily family = families.get(name);
    String part = "";
    if (family == null) {
      for (String suffix : SERIES_SUFFIXES) {
        if (name.endsWith(suffix)) {
          family = families.get(name.substring(0, name.length() - suffix.length()));
          part = suffix;
          break;
        }
      }
    }
    if (family == null) {
      return OptionalDouble.empty();
    }
    double total = 0;
    boolean found = false;
    for (Metric m : family.getMetricList()) {
      if (!hasLabels(m, labels)) {
        continue;
      }
      OptionalDouble v = value(m, part);
      if (v.isPresent()) {
        total += v.getAsDouble();
        found = true;
      }
    }
    return found ? OptionalDouble.of(total) : OptionalDouble.empty();
  }

  /**
   * The cumulative bucket counts of histogram {@code name} by upper bound, summed over the series
   * whose labels include all of {@code labels} (the {@code +Inf} bucket as {@link
   * Double#POSITIVE_INFINITY}, its count the sample count); empty when no such histogram exists.
   */
  public TreeMap<Double, Double> buckets(String name, Map<String, String> labels) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    MetricFamily family = families.get(name);
    if (family == null) {
      return buckets;
    }
    for (Metric m : family.getMetricList()) {
      if (!m.hasHistogram() || !hasLabels(m, labels)) {
        continue;
      }
      for (Bucket b : m.getHistogram().getBucketList()) {
        buckets.merge(b.getUpperBound(), (double) b.getCumulativeCount(), Double::sum);
      }
      if (m.getHistogram().getBucketList().stream()
          .noneMatch(b -> b.getUpperBound() == Double.POSITIVE_INFINITY)) {
        buckets.merge(
            Double.POSITIVE_INFINITY, (double) m.getHistogram().getSampleCount(), Double::sum);
      }
    }
    return buckets;
  }

  private static OptionalDouble value(Metric m, String part) {
    switch (part) {
      case "" -> {
        if (m.hasCounter()) {
          return OptionalDouble.of(m.getCounter().getValue());
        }
        if (m.hasGauge()) {
          return OptionalDouble.of(m.getGauge().getValue());
        }
        if (m.hasUntyped()) {
          return OptionalDouble.of(m.getUntyped().getValue());
        }
        return OptionalDouble.empty();
      }
      case "_count" -> {
        if (m.hasHistogram()) {
          return OptionalDouble.of(m.getHistogram().getSampleCount());
        }
        return m.hasSummary()
            ? OptionalDouble.of(m.getSummary().getSampleCount())
            : OptionalDouble.empty();
      }
      case "_sum" -> {
        if (m.hasHistogram()) {
          return OptionalDouble.of(m.getHistogram().getSampleSum());
        }
        return m.hasSummary()
            ? OptionalDouble.of(m.getSummary().getSampleSum())
            : OptionalDouble.empty();
      }
      default -> throw new IllegalArgumentException("summing " + part + " series is not supported");
    }
  }

  private static boolean hasLabels(Metric m, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return true;
    }
    Map<String, String> own = new LinkedHashMap<>();
    for (LabelPair p : m.getLabelList()) {
      own.put(p.getName(), p.getValue());
    }
    return labels.entrySet().stream().allMatch(e -> e.getValue().equals(own.get(e.getKey())));
  }
}
