package io.taxiplatform.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The PNG plots of a run (JFreeChart, headless). */
final class Plots {

  static final int WIDTH = 1000;
  static final int HEIGHT = 600;

  private Plots() {}

  /**
   * Events/s between consecutive batches against seconds since the first batch, one line per run.
   */
  static void throughputOverTime(Path file, List<StreamingBench.ThroughputRun> runs)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (StreamingBench.ThroughputRun r : runs) {
      XYSeries s = new XYSeries(r.variant() + " #" + (r.rep() + 1));
      List<StreamingBench.Point> c = r.curve();
      for (int i = 1; i < c.size(); i++) {
        double dt = c.get(i).seconds() - c.get(i - 1).seconds();
        if (dt > 0) {
          s.add(c.get(i).seconds(), (c.get(i).rows() - c.get(i - 1).rows()) / dt);
        }
      }
      data.addSeries(s);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Streaming throughput over time: the job vs the read+parse ceiling",
            "seconds since the first micro-batch",
            "events/s (between micro-batches)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /**
   * p50/p95/p99 end-to-end latency (medians over passes) against the producer's rate, with the 2 s
   * line.
   */
  static void latencyVsRate(Path file, Map<Integer, double[]> byRate, String trigger)
      throws IOException {
    XYSeries p50 = new XYSeries("p50");
    XYSeries p95 = new XYSeries("p95");
    XYSeries p99 = new XYSeries("p99");
    byRate.forEach(
        (rate, p) -> {
          add(p50, rate, p[0]);
          add(p95, rate, p[1]);
          add(p99, rate, p[2]);
        });
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(p50);
    data.addSeries(p95);
    data.addSeries(p99);
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "End-to-end latency (Kafka ingest -> row written) by steady rate, "
                + trigger
                + " trigger",
            "events/s",
            "seconds (taxi_stream_end_to_end_latency_seconds)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    ValueMarker goal = new ValueMarker(2.0, Color.RED, new BasicStroke(1.5f));
    goal.setLabel("p95 goal 2 s");
    plot.addRangeMarker(goal);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  private static void add(XYSeries s, double x, double y) {
    if (Double.isFinite(y)) {
      s.add(x, y);
    }
  }

  /** Median events/s of each producer variant (bars). */
  static void producerBars(Path file, Map<String, Double> medians) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    medians.forEach(
        (variant, v) -> {
          if (Double.isFinite(v)) {
            data.addValue(v, "median events/s", variant);
          }
        });
    JFreeChart chart =
        ChartFactory.createBarChart(
            "Producer vs Kafka ProducerPerformance, same broker and settings",
            null,
            "events/s (median)",
            data,
            PlotOrientation.HORIZONTAL,
            false,
            false,
            false);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }
}
