package io.taxiplatform.bench;

import io.taxiplatform.config.Cli;
import io.taxiplatform.config.UsageException;
import io.taxiplatform.local.LocalPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The benchmark's parameters ({@code --name value}); the defaults are the full run of
 * docs/benchmarks.md (~15 minutes on 2 cores), BenchmarkSmokeIT passes tiny sizes.
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
    String streamPreload,
    int streamReps,
    int maxOffsets,
    int throughputTriggerMs,
    List<Integer> latencyRates,
    int latencyPasses,
    int latencyWarmupS,
    int latencyWindowS,
    boolean latencySteady,
    boolean lightJit,
    String producerClasspath,
    String label,
    long seed) {

  static final Set<String> ALL = Set.of("producer", "replay", "throughput", "latency");

  /** The options, declared once (picocli): flag, default, description; usage is generated. */
  @Command(
      name = "BenchMain",
      sortOptions = false,
      description = "The benchmarks of docs/benchmarks.md on real local services.")
  static final class Options {
    @Option(
        names = "--out",
        paramLabel = "DIR",
        defaultValue = "target/bench-results",
        description = "results.json, summary.md and the PNG plots")
    String out;

    @Option(
        names = "--scenarios",
        paramLabel = "LIST",
        defaultValue = "producer,replay,throughput,latency",
        description = "which to run (default all; throughput includes reprocessing)")
    String scenarios;

    @Option(
        names = "--reps",
        paramLabel = "N",
        defaultValue = "3",
        description = "repetitions of each producer/replay measurement, alternated")
    String reps;

    @Option(
        names = "--producer-records",
        paramLabel = "N",
        defaultValue = "1000000",
        description = "records per producer / ProducerPerformance run")
    String producerRecords;

    @Option(
        names = "--payload-records",
        paramLabel = "N",
        defaultValue = "20000",
        description = "producer records in ProducerPerformance's --payload-file")
    String payloadRecords;

    @Option(
        names = "--replay-rows",
        paramLabel = "N",
        defaultValue = "1000000",
        description = "rows of the replayed CSV and parquet files")
    String replayRows;

    @Option(
        names = "--partitions",
        paramLabel = "N",
        defaultValue = "3",
        description = "partitions of the producer benchmark topics")
    String partitions;

    @Option(
        names = "--stream-events",
        paramLabel = "N",
        defaultValue = "2000000",
        description = "events pre-loaded for the streaming job's throughput")
    String streamEvents;

    @Option(
        names = "--stream-partitions",
        paramLabel = "N",
        defaultValue = "2",
        description = "partitions of the streaming topics")
    String streamPartitions;

    @Option(
        names = "--stream-preload",
        paramLabel = "synthetic|replay|month",
        defaultValue = "synthetic",
        description =
            "how the throughput topic is filled: synthetic (the producer's synthetic mode, event"
                + " times within seconds of now: every trip_id stays in the de-duplication state)"
                + " or replay (a TLC CSV of the same trips, 50 per second of event time, replayed"
                + " in dropoff order, as a reprocessing of history reads it) or month (the"
                + " same, spread evenly over January 2025: a TLC month's event-time density)")
    String streamPreload;

    @Option(
        names = "--stream-reps",
        paramLabel = "N",
        defaultValue = "3",
        description = "job and ceiling runs over the pre-loaded topic, alternated")
    String streamReps;

    @Option(
        names = "--max-offsets",
        paramLabel = "N",
        defaultValue = "250000",
        description = "MAX_OFFSETS_PER_TRIGGER of the job and the ceiling (the job's default)")
    String maxOffsets;

    @Option(
        names = "--throughput-trigger-ms",
        paramLabel = "N",
        defaultValue = "1000",
        description = "trigger of the throughput runs (the job's default TRIGGER_INTERVAL)")
    String throughputTriggerMs;

    @Option(
        names = "--latency-rates",
        paramLabel = "LIST",
        defaultValue = "1000,2500,5000,10000,20000",
        description = "events/s of the latency sweep")
    String latencyRates;

    @Option(
        names = "--latency-passes",
        paramLabel = "N",
        defaultValue = "3",
        description = "passes over the rates")
    String latencyPasses;

    @Option(
        names = "--latency-warmup-s",
        paramLabel = "N",
        defaultValue = "10",
        description = "seconds at a rate before measuring")
    String latencyWarmupS;

    @Option(
        names = "--latency-window-s",
        paramLabel = "N",
        defaultValue = "20",
        description = "seconds measured at each rate")
    String latencyWindowS;

    @Option(
        names = "--latency-steady",
        description =
            "warm each rate up until the job's de-duplication state stops growing (at least"
                + " WATERMARK_DELAY at the rate: 10+ minutes per rate with the job's default)"
                + " and the job reads what the topic takes (within 5 % over a minute, at most"
                + " 5 s of it behind), instead"
                + " of --latency-warmup-s alone, so the figures are a long-running job's")
    boolean latencySteady;

    @Option(
        names = "--light-jit",
        description =
            "run every JVM the benchmark starts (the broker, Cassandra, the producers,"
                + " ProducerPerformance, the Spark jobs) with the client compiler only"
                + " (-XX:TieredStopAtLevel=1), as local mode starts its services: for runs too"
                + " short for the optimizing compiler to pay (the CI smoke); its figures do not"
                + " compare with a run without it")
    boolean lightJit;

    @Option(
        names = "--producer-classpath",
        paramLabel = "CP",
        defaultValue = "",
        description = "run another build of the producer (a before/after comparison)")
    String producerClasspath;

    @Option(
        names = "--label",
        paramLabel = "TEXT",
        defaultValue = "",
        description = "recorded with the results (default: the git commit, when known)")
    String label;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "synthetic seed")
    String seed;

    @Mixin Cli.Help help;
  }

  /** The usage text, generated from {@link Options} (each option with its default). */
  static String usage() {
    return usage(new Options());
  }

  /** The usage text of a picocli-declared command of this module, each option with its default. */
  static String usage(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setInterpolateVariables(false);
    cl.getCommandSpec().usageMessage().showDefaultValues(true);
    return cl.getUsageMessage();
  }

  /**
   * The parameters of {@code args}.
   *
   * @throws UsageException for an unknown or invalid flag (the message names it, then the usage)
   * @throws io.taxiplatform.config.HelpRequested for {@code --help}
   */
  static BenchConfig parse(String[] args) {
    Options o;
    try {
      o = Cli.parse(new Options(), Map.of(), args);
      Set<String> scenarios = new java.util.LinkedHashSet<>(List.of(o.scenarios.split(",")));
      for (String s : scenarios) {
        if (!ALL.contains(s)) {
          throw new UsageException("--scenarios: unknown scenario " + s + " (known: " + ALL + ")");
        }
      }
      List<Integer> rates = new ArrayList<>();
      for (String r : o.latencyRates.split(",")) {
        rates.add(positive("latency-rates", r.strip()));
      }
      return new BenchConfig(
          Path.of(o.out),
          scenarios,
          positive("reps", o.reps),
          positive("producer-records", o.producerRecords),
          positive("payload-records", o.payloadRecords),
          positive("replay-rows", o.replayRows),
          positive("partitions", o.partitions),
          positive("stream-events", o.streamEvents),
          positive("stream-partitions", o.streamPartitions),
          preload("stream-preload", o.streamPreload),
          positive("stream-reps", o.streamReps),
          positive("max-offsets", o.maxOffsets),
          positive("throughput-trigger-ms", o.throughputTriggerMs),
          rates,
          positive("latency-passes", o.latencyPasses),
          positive("latency-warmup-s", o.latencyWarmupS),
          positive("latency-window-s", o.latencyWindowS),
          o.latencySteady,
          o.lightJit,
          o.producerClasspath,
          o.label,
          seed(o.seed));
    } catch (UsageException e) {
      throw new UsageException(e.getMessage() + "\n" + usage());
    }
  }

  /** {@code value} of option {@code --name}: synthetic, replay or month. */
  static String preload(String name, String value) {
    String v = value.strip();
    if (!v.equals("synthetic") && !v.equals("replay") && !v.equals("month")) {
      throw new UsageException(
          "--" + name + ": expected synthetic, replay or month, got '" + value + "'");
    }
    return v;
  }

  private static long seed(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--seed: expected a whole number, got '" + value + "'");
    }
  }

  /** {@code value} of option {@code --name} as a positive int. */
  static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UsageException("--" + name + ": expected a positive integer, got '" + value + "'");
  }

  /**
   * The JVM options every JVM the benchmark forks gets after its own ({@code --light-jit}: {@link
   * LocalPipeline#LIGHT_JIT}), so that all of them run alike.
   */
  List<String> forkedJvmOptions() {
    return lightJit ? List.of(LocalPipeline.LIGHT_JIT) : List.of();
  }

  /** {@code base} followed by {@link #forkedJvmOptions()}. */
  List<String> forkedJvmOptions(List<String> base) {
    List<String> all = new ArrayList<>(base);
    all.addAll(forkedJvmOptions());
    return List.copyOf(all);
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
    m.put("stream_preload", streamPreload);
    m.put("stream_reps", streamReps);
    m.put("max_offsets_per_trigger", maxOffsets);
    m.put("throughput_trigger_ms", throughputTriggerMs);
    m.put("latency_rates", latencyRates);
    m.put("latency_passes", latencyPasses);
    m.put("latency_warmup_s", latencyWarmupS);
    m.put("latency_window_s", latencyWindowS);
    m.put("latency_steady", latencySteady);
    m.put("light_jit", lightJit);
    m.put("producer_classpath_override", !producerClasspath.isBlank());
    m.put("seed", seed);
    return m;
  }
}
