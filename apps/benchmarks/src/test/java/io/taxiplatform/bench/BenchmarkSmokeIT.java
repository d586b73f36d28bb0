package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.bench.probe.ThreadCpu;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.LocalPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at tiny sizes on the real local services, so `verify` keeps it working: every
 * scenario runs, and results.json, summary.md and the plots come out well-formed. No timing is
 * asserted (the machine is shared).
 */
class BenchmarkSmokeIT {

  @TempDir Path out;

  @Test
  void tinyRunWritesResultsAndPlots() throws Exception {
    Path results =
        BenchMain.run(
            BenchConfig.parse(
                new String[] {
                  "--out",
                  out.toString(),
                  "--reps",
                  "1",
                  "--producer-records",
                  "3000",
                  "--payload-records",
                  "500",
                  "--replay-rows",
                  "2000",
                  "--partitions",
                  "2",
                  "--stream-events",
                  "2000",
                  "--max-offsets",
                  "1000",
                  "--throughput-trigger-ms",
                  "500",
                  "--stream-reps",
                  "1",
                  "--latency-rates",
                  "200",
                  "--latency-passes",
                  "1",
                  "--latency-warmup-s",
                  "1",
                  "--latency-window-s",
                  "3",
                  "--label",
                  "ci",
                  // its runs are seconds long: C2 would not pay for its compilations (point 1)
                  "--light-jit"
                }));

    JsonNode root = new ObjectMapper().readTree(results.toFile());
    assertThat(root.get("label").asText()).isEqualTo("ci");
    assertThat(root.at("/machine/cores").asInt()).isPositive();
    assertThat(root.at("/machine/memory_bytes").asLong()).isPositive();
    assertThat(root.at("/machine/jdk").asText()).contains("17");

    // every JVM it forked had the light JIT: each lists its options beside its log, in the
    // benchmark's work directory (producers, Spark) or the broker's and Cassandra's
    assertThat(root.at("/parameters/light_jit").asBoolean()).isTrue();
    List<Path> jvmOptions = new ArrayList<>();
    for (String dir : new String[] {"work_dir", "kafka_work_dir", "cassandra_work_dir"}) {
      try (Stream<Path> files = Files.walk(Path.of(root.get(dir).asText()))) {
        files
            .filter(f -> f.toString().endsWith(JvmProcess.JVM_OPTIONS_FILE))
            .forEach(jvmOptions::add);
      }
    }
    // 11 producers (7 measured, a warm-up, the preload, two for latency), 4 ProducerPerformance,
    // the broker (which formats its storage in the same JVM), Cassandra, the ceiling, the
    // throughput and latency jobs
    assertThat(jvmOptions).hasSize(20);
    for (Path f : jvmOptions) {
      assertThat(Files.readAllLines(f)).as(f.toString()).contains(LocalPipeline.LIGHT_JIT);
    }

    JsonNode producer = root.at("/scenarios/producer");
    for (String v :
        new String[] {
          "perf_payload",
          "perf_random",
          "synthetic",
          "perf_payload_rr",
          "perf_payload_1p",
          "synthetic_1p",
          "synthetic_metrics_on",
          "replay_csv_dropoff",
          "replay_csv_file",
          "replay_parquet_dropoff",
          "replay_parquet_file"
        }) {
      JsonNode variant = producer.at("/variants/" + v);
      assertThat(variant.get("runs")).as(v).hasSize(1);
      assertThat(variant.get("median_events_per_second").asDouble()).as(v).isPositive();
      assertThat(variant.get("median_cpu_seconds_per_million").asDouble()).as(v).isPositive();
      for (JsonNode run : variant.get("runs")) {
        long expected = v.startsWith("replay") ? 2000 : 3000;
        assertThat(run.get("events").asLong()).as(v).isEqualTo(expected);
        if (OS.LINUX.isCurrentOs()) {
          // the program's CPU by thread, read from /proc by its probe: its main thread sent
          JsonNode byThread = run.get(ProducerBench.CPU_BY_THREAD);
          assertThat(byThread).as(v).isNotNull();
          assertThat(byThread.fieldNames())
              .toIterable()
              .containsExactlyElementsOf(ThreadCpu.GROUPS);
          assertThat(byThread.get("main").asDouble()).as(v).isPositive();
          double sum = 0;
          for (String g : ThreadCpu.GROUPS) {
            assertThat(byThread.get(g).asDouble()).as(v + " " + g).isNotNegative();
            sum += byThread.get(g).asDouble();
          }
          // the groups add up to the process's CPU (ticks of 10 ms per thread apart)
          assertThat(sum).as(v).isCloseTo(run.get("cpu_seconds").asDouble(), within(0.5));
          // the broker's CPU over the run: it took the run's records (at least a 10 ms tick)
          assertThat(run.get(ProducerBench.BROKER_CPU)).as(v).isNotNull();
          assertThat(run.get(ProducerBench.BROKER_CPU).asDouble()).as(v).isPositive();
        }
      }
      if (OS.LINUX.isCurrentOs()) {
        assertThat(variant.get("median_cpu_seconds_per_million_by_thread").get("main").asDouble())
            .as(v)
            .isPositive();
        assertThat(variant.get("median_broker_cpu_seconds_per_million").asDouble())
            .as(v)
            .isPositive();
      }
    }
    assertThat(producer.at("/ratios/synthetic~1perf_payload/median_of_ratios").asDouble())
        .isPositive();
    assertThat(producer.at("/ratios/synthetic~1perf_payload_rr/median_of_ratios").asDouble())
        .isPositive();
    assertThat(producer.at("/ratios/replay_parquet_file~1synthetic/per_rep")).hasSize(1);

    JsonNode throughput = root.at("/scenarios/throughput");
    assertThat(throughput.get("job_runs")).hasSize(1);
    assertThat(throughput.get("ceiling_runs")).hasSize(1);
    assertThat(throughput.get("job_median_events_per_second").asDouble()).isPositive();
    assertThat(throughput.get("ceiling_median_events_per_second").asDouble()).isPositive();
    assertThat(throughput.at("/job_runs/0/valid_trips_total").asDouble()).isEqualTo(2000);
    assertThat(throughput.get("reprocessing_exact_checks").get(0).asText()).contains("sum to 2000");
    // once checked, each job run's tables were dropped, and the node's compactions awaited
    assertThat(throughput.get("dropped_tables"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("zone_windows_b0", "window_zones_b0", "borough_windows_b0");
    assertThat(throughput.get("cassandra_compactions_wait_seconds")).hasSize(1);
    assertThat(throughput.at("/cassandra_compactions_wait_seconds/0").asDouble())
        .isBetween(0.0, (double) StreamingBench.COMPACTIONS_MAX_WAIT.toSeconds());
    // the reprocessing's wall time from the job JVM's launch: at least the span from the end of its
    // first micro-batch to the end of its last, which the events/s measure
    JsonNode jobRun = throughput.at("/job_runs/0");
    JsonNode curve = jobRun.get("curve_seconds_rows");
    assertThat(jobRun.get(StreamingBench.START_TO_DONE).asDouble())
        .isGreaterThanOrEqualTo(curve.get(curve.size() - 1).get(0).asDouble())
        .isPositive();
    assertThat(throughput.get("job_median_start_to_done_seconds").asDouble())
        .isEqualTo(jobRun.get(StreamingBench.START_TO_DONE).asDouble());
    if (OS.LINUX.isCurrentOs()) {
      // where the job JVM's CPU went, read from /proc while it ran
      JsonNode cpu = throughput.at("/job_runs/0/" + StreamingBench.JOB_JVM_CPU);
      assertThat(cpu.get("tasks").asDouble()).isPositive();
      assertThat(cpu.get("jit").asDouble()).isPositive();
      assertThat(cpu.get("total").asDouble()).isGreaterThan(cpu.get("tasks").asDouble());
    }

    JsonNode latency = root.at("/scenarios/latency/rates");
    assertThat(latency.fieldNames()).toIterable().containsExactly("200");
    for (String rate : new String[] {"200"}) {
      assertThat(latency.at("/" + rate + "/passes")).hasSize(1);
      // a 3 s window on a loaded machine may see no micro-batch end: then the percentiles are null,
      // not made up
      for (String f :
          new String[] {"p50_seconds", "p95_seconds", "p99_seconds", "share_at_most_2s"}) {
        JsonNode v = latency.at("/" + rate + "/" + f);
        assertThat(v.isNumber() || v.isNull()).as(rate + " " + f).isTrue();
      }
      assertThat(latency.at("/" + rate + "/job_input_events_per_second").asDouble())
          .isNotNegative();
      // what the job had still to read when the window started and ended: the topic's end
      // offsets less the rows it had read (a micro-batch or so at a rate it keeps up with)
      for (String f :
          new String[] {"backlog_events_at_window_start", "backlog_events_at_window_end"}) {
        JsonNode v = latency.at("/" + rate + "/passes/0/" + f);
        assertThat(v.isIntegralNumber()).as(f).isTrue();
        assertThat(v.asLong()).as(f).isNotNegative();
      }
      assertThat(latency.at("/" + rate + "/backlog_seconds_at_window_start").asDouble())
          .isEqualTo(
              latency.at("/" + rate + "/passes/0/backlog_events_at_window_start").asLong() / 200.0);
      // the job's de-duplication state the window was measured at (its trips stay for the
      // 10-minute watermark), read from the job's own metrics (RocksDB's SST files, which a few
      // micro-batches at 200 events/s may not have flushed yet); not a steady warm-up here
      assertThat(latency.at("/" + rate + "/dedup_state_bytes").isNumber()).isTrue();
      assertThat(latency.at("/" + rate + "/dedup_state_bytes").asDouble()).isNotNegative();
      assertThat(latency.at("/" + rate + "/dedup_eviction_seconds_per_batch").isNumber()).isTrue();
      assertThat(latency.at("/" + rate + "/steady").asBoolean()).isFalse();
      if (OS.LINUX.isCurrentOs()) {
        // the latency job's CPU during the window, by thread group, read from /proc
        JsonNode cores = latency.at("/" + rate + "/job_jvm_cores");
        assertThat(cores.get("tasks").asDouble()).as("tasks' cores").isPositive();
        assertThat(cores.get("total").asDouble())
            .isGreaterThan(cores.get("tasks").asDouble())
            .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 0.1);
        assertThat(latency.at("/" + rate + "/passes/0/job_jvm_cores/total").asDouble())
            .isEqualTo(cores.get("total").asDouble());
      }
    }
    assertThat(root.at("/scenarios/latency").has("highest_rate_with_p95_below_2s")).isTrue();

    assertThat(Files.readString(out.resolve(BenchMain.SUMMARY)))
        .contains(
            "## Producer",
            "| broker CPU s per million |",
            "## Streaming throughput",
            "The job JVM's CPU by thread group",
            "A reprocessing's wall time, from the job JVM's launch to every trip processed",
            "Where each program's CPU went, by thread",
            "--light-jit",
            "## End-to-end latency",
            "The job JVM's CPU during the windows, in cores by thread group");
    for (String png :
        new String[] {BenchMain.PLOT_PRODUCER, BenchMain.PLOT_THROUGHPUT, BenchMain.PLOT_LATENCY}) {
      BufferedImage image = ImageIO.read(out.resolve(png).toFile());
      assertThat(image).as(png).isNotNull();
      assertThat(image.getWidth()).as(png).isEqualTo(Plots.WIDTH);
      assertThat(image.getHeight()).as(png).isEqualTo(Plots.HEIGHT);
    }
  }
}
