package io.taxiplatform.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's parameters ({@code --name value}); the defaults are the full run of
 * docs/benchmarks.md (~20-30 minutes on 2 cores), BenchmarkSmokeIT passes tiny sizes.
 */
record BenchConfig(
    Path out,
    Set<String> scenarios,
    int reps,
    int producerRecords,
    int payloadRecords,
    int replayRows,
    int partitions,
    int streamEvents,
    int streamPartitions,
    int streamReps,
    int maxOffsets,
    int throughputTriggerMs,
    List<Integer> latencyRates,
    int latencyPasses,
    int latencyWarmupS,
    int latencyWindowS,
    String producerClasspath,
    String label,
    long seed) {

  static final Set<String> ALL = Set.of("producer", "replay", "throughput", "latency");

  static final String USAGE =
      String.join(
          "\n",
          "Usage: BenchMain [--name value ...]   (docs/benchmarks.md)",
          "  --out DIR                 results.json, summary.md and the PNG plots (default target/bench-results)",
          "  --scenarios LIST          producer,replay,throughput,latency (default all; throughput includes reprocessing)",
          "  --reps N                  repetitions of each producer/replay measurement, alternated (default 3)",
          "  --producer-records N      records per producer / ProducerPerformance run (default 1000000)",
          "  --payload-records N       producer records in ProducerPerformance's --payload-file (default 20000)",
          "  --replay-rows N           rows of the replayed CSV and parquet files (default 1000000)",
          "  --partitions N            partitions of the producer benchmark topics (default 3)",
          "  --stream-events N         events pre-loaded for the streaming job's throughput (default 2000000)",
          "  --stream-partitions N     partitions of the streaming topics (default 2)",
          "  --stream-reps N           job and ceiling runs over the pre-loaded topic, alternated (default 3)",
          "  --max-offsets N           MAX_OFFSETS_PER_TRIGGER of the job and the ceiling (default 250000, the job's default)",
          "  --throughput-trigger-ms N trigger of the throughput runs (default 1000, the job's default TRIGGER_INTERVAL)",
          "  --latency-rates LIST      events/s of the latency sweep (default 1000,2500,5000,10000,20000)",
          "  --latency-passes N        passes over the rates (default 3)",
          "  --latency-warmup-s N      seconds at a rate before measuring (default 10)",
          "  --latency-window-s N      seconds measured at each rate (default 20)",
          "  --producer-classpath CP   run another build of the producer (a before/after comparison)",
          "  --label TEXT              recorded with the results (default: the git commit, when known)",
          "  --seed N                  synthetic seed (default 42)");

  static BenchConfig parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("out", "target/bench-results");
    v.put("scenarios", String.join(",", List.of("producer", "replay", "throughput", "latency")));
    v.put("reps", "3");
    v.put("producer-records", "1000000");
    v.put("payload-records", "20000");
    v.put("replay-rows", "1000000");
    v.put("partitions", "3");
    v.put("stream-events", "2000000");
    v.put("stream-partitions", "2");
    v.put("stream-reps", "3");
    v.put("max-offsets", "250000");
    v.put("throughput-trigger-ms", "1000");
    v.put("latency-rates", "1000,2500,5000,10000,20000");
    v.put("latency-passes", "3");
    v.put("latency-warmup-s", "10");
    v.put("latency-window-s", "20");
    v.put("producer-classpath", "");
    v.put("label", "");
    v.put("seed", "42");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || !v.containsKey(a.substring(2))) {
        throw new IllegalArgumentException("unknown argument " + a + "\n" + USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
      }
      v.put(a.substring(2), args[++i]);
    }
    Set<String> scenarios = new java.util.LinkedHashSet<>(List.of(v.get("scenarios").split(",")));
    for (String s : scenarios) {
      if (!ALL.contains(s)) {
        throw new IllegalArgumentException(
            "--scenarios: unknown scenario " + s + " (known: " + ALL + ")");
      }
    }
    List<Integer> rates = new ArrayList<>();
    for (String r : v.get("latency-rates").split(",")) {
      rates.add(positive("latency-rates", r.strip()));
    }
    return new BenchConfig(
        Path.of(v.get("out")),
        scenarios,
        positive("reps", v.get("reps")),
        positive("producer-records", v.get("producer-records")),
        positive("payload-records", v.get("payload-records")),
        positive("replay-rows", v.get("replay-rows")),
        positive("partitions", v.get("partitions")),
        positive("stream-events", v.get("stream-events")),
        positive("stream-partitions", v.get("stream-partitions")),
        positive("stream-reps", v.get("stream-reps")),
        positive("max-offsets", v.get("max-offsets")),
        positive("throughput-trigger-ms", v.get("throughput-trigger-ms")),
        rates,
        positive("latency-passes", v.get("latency-passes")),
        positive("latency-warmup-s", v.get("latency-warmup-s")),
        positive("latency-window-s", v.get("latency-window-s")),
        v.get("producer-classpath"),
        v.get("label"),
        Long.parseLong(v.get("seed")));
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        "--" + name + ": expected a positive integer, got '" + value + "'");
  }

  /** The parameters as recorded in results.json. */
  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenarios", List.copyOf(scenarios));
    m.put("reps", reps);
    m.put("producer_records", producerRecords);
    m.put("payload_records", payloadRecords);
    m.put("replay_rows", replayRows);
    m.put("partitions", partitions);
    m.put("stream_events", streamEvents);
    m.put("stream_partitions", streamPartitions);
    m.put("stream_reps", streamReps);
    m.put("max_offsets_per_trigger", maxOffsets);
    m.put("throughput_trigger_ms", throughputTriggerMs);
    m.put("latency_rates", latencyRates);
    m.put("latency_passes", latencyPasses);
    m.put("latency_warmup_s", latencyWarmupS);
    m.put("latency_window_s", latencyWindowS);
    m.put("producer_classpath_override", !producerClasspath.isBlank());
    m.put("seed", seed);
    return m;
  }
}
