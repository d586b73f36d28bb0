package io.taxiplatform.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.taxiplatform.bench.probe.ThreadCpu;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark (docs/benchmarks.md): starts a real local broker (and Cassandra for the streaming
 * scenarios) as the ITs do, runs the scenarios of {@link BenchConfig}, and writes {@code
 * results.json}, {@code summary.md} and PNG plots to {@code --out}. Every figure is reported with
 * its reference measured in the same run, the two alternated run by run, and as the median of the
 * repetitions; the machine is recorded with the results.
 *
 * <p>Exit codes: 0 done, 1 a measurement failed, 2 bad arguments.
 */
public final class BenchMain {

  private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);
  static final String RESULTS = "results.json";
  static final String SUMMARY = "summary.md";
  static final String PLOT_PRODUCER = "producer.png";
  static final String PLOT_THROUGHPUT = "throughput-over-time.png";
  static final String PLOT_LATENCY = "latency-vs-rate.png";

  private BenchMain() {}

  public static void main(String[] args) {
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (io.taxiplatform.config.HelpRequested e) {
      System.out.print(BenchConfig.usage());
      System.exit(0);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      run(config);
      System.exit(0);
    } catch (Exception e) {
      LOG.error("benchmark failed", e);
      System.exit(1);
    }
  }

  /** Runs the benchmark; returns the results file. */
  @SuppressWarnings("unchecked")
  static Path run(BenchConfig config) throws Exception {
    Path out = config.out().toAbsolutePath();
    Files.createDirectories(out);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("label", config.label().isBlank() ? gitCommit() : config.label());
    root.put("started", Instant.now().toString());
    root.put("machine", machine());
    root.put("parameters", config.asMap());
    Map<String, Object> scenarios = new LinkedHashMap<>();
    root.put("scenarios", scenarios);
    Map<String, Object> machine = (Map<String, Object>) root.get("machine");
    StringBuilder summary =
        new StringBuilder("# Benchmark summary\n\n")
            .append(
                String.format(
                    Locale.ROOT,
                    "Run %s, started %s. Machine: %s cores (%s), %.1f GiB, %s; load average at the start %s.%n%n",
                    root.get("label"),
                    root.get("started"),
                    machine.get("cores"),
                    machine.get("cpu_model"),
                    ((Long) machine.get("memory_bytes")) / (1024.0 * 1024 * 1024),
                    machine.get("jdk"),
                    machine.get("load_average_start")));
    if (config.lightJit()) {
      summary.append(
          "Every JVM started by the benchmark ran with the client compiler only (--light-jit):"
              + " its figures do not compare with a run without it.\n\n");
    }
    Path work = LocalPaths.newWorkDir("bench");
    root.put("work_dir", work.toString());
    try (KafkaNode kafka = KafkaNode.start(config.forkedJvmOptions(KafkaNode.DEFAULT_MEMORY))) {
      // where the services' logs and JVM options are
      root.put("kafka_work_dir", kafka.workDir().toString());
      ProducerBench producers = new ProducerBench(config, kafka, work);
      if (config.scenarios().contains("producer") || config.scenarios().contains("replay")) {
        producerScenarios(config, producers, work, scenarios, summary, out);
        write(root, summary, out); // what is done so far, should a later scenario fail
      }
      if (config.scenarios().contains("throughput") || config.scenarios().contains("latency")) {
        CassandraNode cassandra =
            CassandraNode.start(config.forkedJvmOptions(CassandraNode.DEFAULT_HEAP));
        root.put("cassandra_work_dir", cassandra.workDir().toString());
        try {
          StreamingBench streaming = new StreamingBench(config, kafka, cassandra, producers, work);
          if (config.scenarios().contains("throughput")) {
            throughputScenario(config, streaming, scenarios, summary, out);
            write(root, summary, out);
          }
          if (config.scenarios().contains("latency")) {
            latencyScenario(config, streaming, scenarios, summary, out);
          }
        } finally {
          // its tables are thrown away with it: no drain and flush (~4 s) before it goes
          cassandra.close(Duration.ZERO);
        }
      }
    }
    root.put("finished", Instant.now().toString());
    Path results = write(root, summary, out);
    LOG.info("results in {}\n{}", out, summary);
    return results;
  }

  /**
   * Writes results.json and summary.md as they stand (the machine's load average now as the end).
   */
  @SuppressWarnings("unchecked")
  private static Path write(Map<String, Object> root, StringBuilder summary, Path out)
      throws IOException {
    ((Map<String, Object>) root.get("machine")).put("load_average_end", loadAverage());
    Path results = out.resolve(RESULTS);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(results.toFile(), finite(root));
    Files.writeString(out.resolve(SUMMARY), summary);
    return results;
  }

  // ------------------------------------------------------------------ producer and replay

  private static void producerScenarios(
      BenchConfig c,
      ProducerBench pb,
      Path work,
      Map<String, Object> scenarios,
      StringBuilder summary,
      Path out)
      throws IOException {
    Path payload = work.resolve("payload.jsonl");
    double meanBytes = TlcBenchFiles.writePayloadFile(payload, c.seed(), c.payloadRecords());
    int recordSize = (int) Math.round(meanBytes);
    Path csv = null;
    Path parquet = null;
    boolean replay = c.scenarios().contains("replay");
    if (replay) {
      Files.createDirectories(work.resolve("inputs"));
      csv = work.resolve("inputs/yellow_tripdata_2025-01.csv");
      parquet = work.resolve("inputs/yellow_tripdata_2025-01.parquet");
      TlcBenchFiles.writeCsv(csv, c.seed() + 1, c.replayRows());
      TlcBenchFiles.writeParquet(parquet, c.seed() + 1, c.replayRows());
    }
    boolean producer = c.scenarios().contains("producer");
    String n = Integer.toString(c.producerRecords());
    List<String> synthetic =
        List.of(
            "--mode",
            "synthetic",
            "--max-events",
            n,
            "--seed",
            Long.toString(c.seed()),
            "--metrics-port",
            "0");
    Map<String, List<ProducerBench.Run>> runs = new LinkedHashMap<>();
    // One unmeasured synthetic run first: the broker's first run is its JIT warm-up (~30 % slower
    // here), which would otherwise always fall on the first variant of the first repetition.
    ProducerBench.Run warmup = pb.producer("warmup", 0, synthetic);
    LOG.info(
        "producer warm-up (not measured): {} events/s",
        String.format(Locale.ROOT, "%,.0f", warmup.eventsPerSecond()));
    for (int rep = 0; rep < c.reps(); rep++) {
      List<Runnable> order = new ArrayList<>();
      final int r = rep;
      if (producer) {
        order.add(
            () ->
                add(
                    runs,
                    pb.perf(
                        "perf_payload",
                        r,
                        c.producerRecords(),
                        List.of("--payload-file", payload.toString()))));
        order.add(
            () ->
                add(
                    runs,
                    pb.perf(
                        "perf_random",
                        r,
                        c.producerRecords(),
                        List.of("--record-size", Integer.toString(recordSize)))));
      }
      order.add(() -> add(runs, pb.producer("synthetic", r, synthetic)));
      if (producer) {
        // every record to the next partition, as the producer's keyed records spread over all
        // partitions (the sticky partitioner of perf_payload fills one partition's batch at a time)
        order.add(
            () ->
                add(
                    runs,
                    pb.perf(
                        "perf_payload_rr",
                        r,
                        c.producerRecords(),
                        List.of("--payload-file", payload.toString()),
                        c.partitions(),
                        List.of(
                            "partitioner.class="
                                + "org.apache.kafka.clients.producer.RoundRobinPartitioner"))));
        // one partition: keyed (the producer) and unkeyed (ProducerPerformance) records batch alike
        order.add(
            () ->
                add(
                    runs,
                    pb.perf(
                        "perf_payload_1p",
                        r,
                        c.producerRecords(),
                        List.of("--payload-file", payload.toString()),
                        1)));
        order.add(() -> add(runs, pb.producer("synthetic_1p", r, synthetic, 1)));
        order.add(
            () ->
                add(
                    runs,
                    pb.producer(
                        "synthetic_metrics_on",
                        r,
                        List.of(
                            "--mode",
                            "synthetic",
                            "--max-events",
                            n,
                            "--seed",
                            Long.toString(c.seed()),
                            "--metrics-port",
                            Integer.toString(FreePorts.next())))));
      }
      if (replay) {
        for (Path input : List.of(csv, parquet)) {
          String kind = input.toString().endsWith(".csv") ? "csv" : "parquet";
          for (String ord : List.of("dropoff", "file")) {
            order.add(
                () ->
                    add(
                        runs,
                        pb.producer(
                            "replay_" + kind + "_" + ord,
                            r,
                            List.of(
                                "--mode",
                                "replay",
                                "--input",
                                input.toString(),
                                "--order",
                                ord,
                                "--spill-dir",
                                work.toString(),
                                "--metrics-port",
                                "0"))));
          }
        }
      }
      if (rep % 2 == 1) {
        java.util.Collections.reverse(
            order); // A/B alternation: every variant runs first and last in turn
      }
      LOG.info("producer repetition {}/{}: {} runs", rep + 1, c.reps(), order.size());
      order.forEach(Runnable::run);
    }

    Map<String, Object> section = new LinkedHashMap<>();
    section.put(
        "settings",
        Map.of(
            "acks",
            "all",
            "enable.idempotence",
            true,
            "compression.type",
            ProducerBench.COMPRESSION,
            "linger.ms",
            ProducerBench.LINGER_MS,
            "batch.size",
            ProducerBench.BATCH_SIZE,
            "partitions",
            c.partitions(),
            "jvm",
            "-Xmx512m"));
    section.put("payload_mean_bytes", meanBytes);
    Map<String, Object> variants = new LinkedHashMap<>();
    Map<String, Double> medians = new LinkedHashMap<>();
    Map<String, Map<String, Double>> threadMedians = new LinkedHashMap<>();
    runs.forEach(
        (variant, list) -> {
          Map<String, Object> v = new LinkedHashMap<>();
          v.put(
              "median_events_per_second",
              Stats.median(map(list, ProducerBench.Run::eventsPerSecond)));
          v.put(
              "median_cpu_seconds_per_million",
              Stats.median(map(list, ProducerBench.Run::cpuSecondsPerMillion)));
          double broker = medianBrokerCpuPerMillion(list);
          if (Double.isFinite(broker)) {
            v.put("median_broker_cpu_seconds_per_million", broker);
          }
          Map<String, Double> byThread = medianThreadCpuPerMillion(list);
          if (!byThread.isEmpty()) {
            v.put("median_cpu_seconds_per_million_by_thread", byThread);
            threadMedians.put(variant, byThread);
          }
          List<Map<String, Object>> reps = new ArrayList<>();
          for (ProducerBench.Run run : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rep", run.rep());
            m.put("events", run.events());
            m.put("events_per_second", run.eventsPerSecond());
            m.put("cpu_seconds", run.cpuSeconds());
            m.put("cpu_seconds_per_million", run.cpuSecondsPerMillion());
            m.put("wall_seconds", run.wallSeconds());
            m.putAll(run.extra());
            reps.add(m);
          }
          v.put("runs", reps);
          variants.put(variant, v);
          medians.put(variant, (Double) v.get("median_events_per_second"));
        });
    section.put("variants", variants);

    Map<String, Object> ratios = new LinkedHashMap<>();
    summary
        .append("## Producer (")
        .append(String.format(Locale.ROOT, "%,d", c.producerRecords()))
        .append(" records synthetic, ")
        .append(String.format(Locale.ROOT, "%,d", c.replayRows()))
        .append(" rows replayed; medians of ")
        .append(c.reps())
        .append(")\n\n")
        .append(
            "| variant | events/s | CPU s per million | broker CPU s per million | ratio | against"
                + " |\n|---|---|---|---|---|---|\n");
    for (String variant : runs.keySet()) {
      String ref = reference(variant);
      Double ratio = null;
      if (ref != null && runs.containsKey(ref)) {
        ratio = Stats.median(pairRatios(runs.get(variant), runs.get(ref)));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("reference", ref);
        r.put("median_of_ratios", ratio);
        r.put("ratio_of_medians", medians.get(variant) / medians.get(ref));
        r.put("per_rep", pairRatios(runs.get(variant), runs.get(ref)));
        ratios.put(variant + "/" + ref, r);
      }
      Map<String, Object> v = (Map<String, Object>) variants.get(variant);
      summary.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.2f | %s | %s | %s |%n",
              variant,
              (Double) v.get("median_events_per_second"),
              (Double) v.get("median_cpu_seconds_per_million"),
              v.get("median_broker_cpu_seconds_per_million") instanceof Double b
                  ? String.format(Locale.ROOT, "%.2f", b)
                  : "",
              ratio == null ? "" : String.format(Locale.ROOT, "%.2f×", ratio),
              ref == null ? "" : ref));
    }
    if (runs.containsKey("synthetic") && runs.containsKey("perf_payload_rr")) {
      // the like-for-like partitioning: keyed records and round-robin records both spread over
      // every partition
      List<Double> perRep = pairRatios(runs.get("synthetic"), runs.get("perf_payload_rr"));
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("reference", "perf_payload_rr");
      r.put("median_of_ratios", Stats.median(perRep));
      r.put("ratio_of_medians", medians.get("synthetic") / medians.get("perf_payload_rr"));
      r.put("per_rep", perRep);
      ratios.put("synthetic/perf_payload_rr", r);
      summary.append(
          String.format(
              Locale.ROOT,
              "| synthetic (again) | | | | %.2f× | perf_payload_rr |%n",
              Stats.median(perRep)));
    }
    summary.append('\n');
    appendThreadCpu(summary, threadMedians);
    section.put("ratios", ratios);
    scenarios.put("producer", section);
    Plots.producerBars(out.resolve(PLOT_PRODUCER), medians);
  }

  /**
   * The median over {@code runs} of the broker's CPU seconds per million events ({@link
   * ProducerBench#BROKER_CPU}); NaN when a run has none (no {@code /proc}).
   */
  static double medianBrokerCpuPerMillion(List<ProducerBench.Run> runs) {
    List<Double> perMillion = map(runs, ProducerBench::brokerCpuPerMillion);
    return perMillion.isEmpty() || perMillion.stream().anyMatch(d -> !Double.isFinite(d))
        ? Double.NaN
        : Stats.median(perMillion);
  }

  /**
   * The median over {@code runs} of each thread group's CPU seconds per million events ({@link
   * ThreadCpu}); empty when a run has none (no {@code /proc}).
   */
  static Map<String, Double> medianThreadCpuPerMillion(List<ProducerBench.Run> runs) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : ThreadCpu.GROUPS) {
      List<Double> perMillion = new ArrayList<>();
      for (ProducerBench.Run r : runs) {
        Double s = ProducerBench.threadCpu(r).get(g);
        if (s == null || r.events() == 0) {
          return Map.of();
        }
        perMillion.add(s * 1e6 / r.events());
      }
      out.put(g, Stats.median(perMillion));
    }
    return out;
  }

  /**
   * The producer variants' CPU by thread group ({@link #medianThreadCpuPerMillion} of each), a
   * table of summary.md; none when no variant has it.
   */
  private static void appendThreadCpu(
      StringBuilder summary, Map<String, Map<String, Double>> byVariant) {
    if (byVariant.isEmpty()) {
      return;
    }
    summary
        .append(
            "Where each program's CPU went, by thread (median CPU s per million events, read from"
                + " /proc by its probe: `main` sends, `kafka_io` is the Kafka client's I/O thread,"
                + " `replay` a replay's reading and first-pass threads, `jit` the JIT compilers,"
                + " `untracked` threads that ended between two reads):\n\n")
        .append(groupTable("variant", ThreadCpu.GROUPS, byVariant))
        .append('\n');
  }

  /**
   * A markdown table of figures by thread group: a header of {@code first} and the {@code groups},
   * then one row per label, each figure to two decimals ("-" where a row lacks it).
   */
  static String groupTable(
      String first, List<String> groups, Map<String, Map<String, Double>> rows) {
    StringBuilder t = new StringBuilder("| ").append(first);
    for (String g : groups) {
      t.append(" | ").append(g);
    }
    t.append(" |\n|---").append("|---".repeat(groups.size())).append("|\n");
    rows.forEach(
        (label, figures) -> {
          t.append("| ").append(label);
          for (String g : groups) {
            Double v = figures.get(g);
            t.append(v == null ? " | -" : String.format(Locale.ROOT, " | %.2f", v));
          }
          t.append(" |\n");
        });
    return t.toString();
  }

  /** The reference each producer variant is compared with (same repetition). */
  static String reference(String variant) {
    if (variant.equals("synthetic")) {
      return "perf_payload";
    }
    if (variant.equals("synthetic_metrics_on") || variant.startsWith("replay_")) {
      return "synthetic";
    }
    if (variant.equals("perf_random") || variant.equals("perf_payload_rr")) {
      return "perf_payload";
    }
    if (variant.equals("synthetic_1p")) {
      return "perf_payload_1p";
    }
    return null;
  }

  private static void add(Map<String, List<ProducerBench.Run>> runs, ProducerBench.Run run) {
    LOG.info(
        "{} #{}: {} events, {} ev/s, {} CPU s/M",
        run.variant(),
        run.rep() + 1,
        run.events(),
        String.format(Locale.ROOT, "%,.0f", run.eventsPerSecond()),
        String.format(Locale.ROOT, "%.2f", run.cpuSecondsPerMillion()));
    runs.computeIfAbsent(run.variant(), k -> new ArrayList<>()).add(run);
  }

  private static List<Double> pairRatios(List<ProducerBench.Run> a, List<ProducerBench.Run> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i).eventsPerSecond() / b.get(i).eventsPerSecond());
    }
    return out;
  }

  private static <T> List<Double> map(List<T> list, ToDoubleFunction<T> f) {
    List<Double> out = new ArrayList<>();
    for (T t : list) {
      out.add(f.applyAsDouble(t));
    }
    return out;
  }

  // ------------------------------------------------------------------ streaming

  private static void throughputScenario(
      BenchConfig c,
      StreamingBench sb,
      Map<String, Object> scenarios,
      StringBuilder summary,
      Path out)
      throws IOException {
    String topic = "bench.stream." + java.util.UUID.randomUUID().toString().substring(0, 6);
    ProducerBench.Run preload = sb.preload(topic);
    List<StreamingBench.ThroughputRun> job = new ArrayList<>();
    List<StreamingBench.ThroughputRun> ceiling = new ArrayList<>();
    Map<String, String> firstTable = null;
    List<String> checks = new ArrayList<>();
    List<Double> compactionWaits = new ArrayList<>();
    List<String> droppedTables = new ArrayList<>();
    for (int rep = 0; rep < c.streamReps(); rep++) {
      boolean jobFirst = rep % 2 == 1;
      if (!jobFirst) {
        ceiling.add(logRun(sb.ceiling(topic, rep)));
      }
      StreamingBench.ThroughputRun j = logRun(sb.job(topic, rep));
      job.add(j);
      String version = (String) j.extra().get("pipeline_version");
      Map<String, String> table = sb.zoneTable(version, c.streamEvents());
      if (firstTable == null) {
        firstTable = table;
        checks.add(
            version
                + ": zone_windows trip counts sum to "
                + c.streamEvents()
                + " ("
                + table.size()
                + " rows)");
      } else if (!table.equals(firstTable)) {
        throw new IllegalStateException(
            "reprocessing into " + version + " wrote other zone_windows rows than b0");
      } else {
        checks.add(version + ": zone_windows equals b0 row for row (" + table.size() + " rows)");
      }
      // the next run (the ceiling's or the job's) does not share the cores with flushing and
      // compacting this one's tables
      StreamingBench.Settled settled = sb.dropAndAwaitCompactions(version);
      droppedTables.addAll(settled.droppedTables());
      compactionWaits.add(settled.compactionsWaitSeconds());
      LOG.info(
          "{}: checked, dropped {}; the Cassandra node's compactions done {} s later",
          version,
          settled.droppedTables(),
          String.format(java.util.Locale.ROOT, "%.1f", settled.compactionsWaitSeconds()));
      if (jobFirst) {
        ceiling.add(logRun(sb.ceiling(topic, rep)));
      }
    }
    double jobMedian = Stats.median(map(job, StreamingBench.ThroughputRun::eventsPerSecond));
    double ceilingMedian =
        Stats.median(map(ceiling, StreamingBench.ThroughputRun::eventsPerSecond));
    List<Double> perRep = new ArrayList<>();
    for (int i = 0; i < job.size(); i++) {
      perRep.add(job.get(i).eventsPerSecond() / ceiling.get(i).eventsPerSecond());
    }
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("events", c.streamEvents());
    section.put("cassandra_compactions_wait_seconds", compactionWaits);
    section.put("dropped_tables", droppedTables);
    section.put("preload_events_per_second", preload.eventsPerSecond());
    section.put("trigger_ms", c.throughputTriggerMs());
    section.put("max_offsets_per_trigger", c.maxOffsets());
    section.put("job_median_events_per_second", jobMedian);
    double startToDone = Stats.median(map(job, StreamingBench.ThroughputRun::startToDoneSeconds));
    section.put("job_median_start_to_done_seconds", startToDone);
    section.put("ceiling_median_events_per_second", ceilingMedian);
    section.put("ratio_median_of_ratios", Stats.median(perRep));
    section.put("ratio_per_rep", perRep);
    section.put("reprocessing_exact_checks", checks);
    section.put("job_runs", throughputRuns(job));
    section.put("ceiling_runs", throughputRuns(ceiling));
    scenarios.put("throughput", section);
    summary.append(
        String.format(
            Locale.ROOT,
            "## Streaming throughput and reprocessing (%,d pre-loaded events, "
                + "trigger %d ms, maxOffsetsPerTrigger %,d; medians of %d)%n%n| | events/s |%n|---|---|%n"
                + "| job (each run a new pipeline version = a reprocessing) | %,.0f |%n| ceiling (read + parse only) | "
                + "%,.0f |%n| **ratio job / ceiling** | **%.2f×** |%n%n"
                + "The events/s count from the end of the first micro-batch. A reprocessing's wall"
                + " time, from the job JVM's launch to every trip processed (start-up and the cold"
                + " first micro-batch included): **%.1f s** (median).%n%nExact checks: %s%n%n",
            c.streamEvents(),
            c.throughputTriggerMs(),
            c.maxOffsets(),
            c.streamReps(),
            jobMedian,
            ceilingMedian,
            Stats.median(perRep),
            startToDone,
            String.join("; ", checks)));
    summary.append(
        "The job JVM's CPU by thread group, from its start until every trip was processed"
            + " (the tasks against the JIT compilers, GC, the query's driver thread, RocksDB):\n\n");
    for (StreamingBench.ThroughputRun r : job) {
      summary.append(
          String.format(
              Locale.ROOT,
              "- job #%d: %s%n",
              r.rep() + 1,
              JvmThreadCpu.describe(JvmThreadCpu.ofJob(r))));
    }
    summary.append('\n');
    List<StreamingBench.ThroughputRun> all = new ArrayList<>(job);
    all.addAll(ceiling);
    Plots.throughputOverTime(out.resolve(PLOT_THROUGHPUT), all);
  }

  private static StreamingBench.ThroughputRun logRun(StreamingBench.ThroughputRun r) {
    LOG.info(
        "{} #{}: {} events at {} ev/s",
        r.variant(),
        r.rep() + 1,
        r.events(),
        String.format(Locale.ROOT, "%,.0f", r.eventsPerSecond()));
    return r;
  }

  private static List<Map<String, Object>> throughputRuns(List<StreamingBench.ThroughputRun> runs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (StreamingBench.ThroughputRun r : runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rep", r.rep());
      m.put("events_per_second", r.eventsPerSecond());
      m.putAll(r.extra());
      List<double[]> curve = new ArrayList<>();
      for (StreamingBench.Point p : r.curve()) {
        curve.add(new double[] {p.seconds(), p.rows()});
      }
      m.put("curve_seconds_rows", curve);
      out.add(m);
    }
    return out;
  }

  private static void latencyScenario(
      BenchConfig c,
      StreamingBench sb,
      Map<String, Object> scenarios,
      StringBuilder summary,
      Path out)
      throws IOException {
    java.time.Duration trigger = StreamingBench.latencyTrigger();
    List<StreamingBench.LatencyWindow> windows = sb.latency(new ArrayList<>(), trigger);
    double triggerSeconds = trigger.toMillis() / 1000.0;
    Map<Integer, double[]> byRate = new TreeMap<>();
    Map<String, Object> rates = new LinkedHashMap<>();
    Map<Integer, Map<String, Double>> jobCores = new TreeMap<>();
    Integer best = null;
    summary.append(
        String.format(
            Locale.ROOT,
            "## End-to-end latency (%s trigger; %d s windows after %s; "
                + "medians of %d passes)%n%n| events/s | p50 s | p95 s | p99 s | p95 / trigger | share <= 2 s | job input "
                + "ev/s | backlog at the window's start, s of input | warm-up s | de-dup state MB | its eviction s / batch |%n"
                + "|---|---|---|---|---|---|---|---|---|---|---|%n",
            StreamingBench.triggerLabel(trigger),
            c.latencyWindowS(),
            c.latencySteady()
                ? "a warm-up until the job's de-duplication state stopped growing and the job kept up"
                    + " with the topic (--latency-steady)"
                : c.latencyWarmupS()
                    + " s warm-up: a young job, whose state is still growing"
                    + " (--latency-steady for a long-running job's)",
            c.latencyPasses()));
    for (int rate : new java.util.TreeSet<>(c.latencyRates())) {
      List<StreamingBench.LatencyWindow> w =
          windows.stream().filter(x -> x.rate() == rate).toList();
      double p50 = Stats.median(map(w, StreamingBench.LatencyWindow::p50));
      double p95 = Stats.median(map(w, StreamingBench.LatencyWindow::p95));
      double p99 = Stats.median(map(w, StreamingBench.LatencyWindow::p99));
      double share = Stats.median(map(w, StreamingBench.LatencyWindow::shareAtMost2s));
      double input = Stats.median(map(w, StreamingBench.LatencyWindow::inputEventsPerSecond));
      double warmed = Stats.median(map(w, StreamingBench.LatencyWindow::warmupSeconds));
      double state = Stats.median(map(w, StreamingBench.LatencyWindow::dedupStateBytes));
      double eviction = Stats.median(map(w, StreamingBench.LatencyWindow::dedupEvictionSeconds));
      double backlogStart = Stats.median(map(w, x -> (double) x.backlogAtStart())) / rate;
      double backlogEnd = Stats.median(map(w, x -> (double) x.backlogAtEnd())) / rate;
      boolean allSteady = w.stream().allMatch(StreamingBench.LatencyWindow::steady);
      byRate.put(rate, new double[] {p50, p95, p99});
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("p50_seconds", p50);
      m.put("p95_seconds", p95);
      m.put("p99_seconds", p99);
      m.put("p95_over_trigger", p95 / triggerSeconds);
      m.put("share_at_most_2s", share);
      m.put("job_input_events_per_second", input);
      m.put("backlog_seconds_at_window_start", finiteOrNull(backlogStart));
      m.put("backlog_seconds_at_window_end", finiteOrNull(backlogEnd));
      m.put("warmup_seconds", warmed);
      m.put("steady", allSteady);
      m.put("dedup_state_bytes", finiteOrNull(state));
      m.put("dedup_eviction_seconds_per_batch", finiteOrNull(eviction));
      Map<String, Double> cores = medianCores(w);
      jobCores.put(rate, cores);
      m.put("job_jvm_cores", cores);
      List<Map<String, Object>> passes = new ArrayList<>();
      for (StreamingBench.LatencyWindow x : w) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("pass", x.pass());
        p.put("p50_seconds", x.p50());
        p.put("p95_seconds", x.p95());
        p.put("p99_seconds", x.p99());
        p.put("share_at_most_2s", x.shareAtMost2s());
        p.put("rows_observed", x.observations());
        p.put("job_input_events_per_second", x.inputEventsPerSecond());
        p.put("backlog_events_at_window_start", x.backlogAtStart());
        p.put("backlog_events_at_window_end", x.backlogAtEnd());
        p.put("warmup_seconds", x.warmupSeconds());
        p.put("steady", x.steady());
        p.put("dedup_state_bytes", finiteOrNull(x.dedupStateBytes()));
        p.put("dedup_eviction_seconds_per_batch", finiteOrNull(x.dedupEvictionSeconds()));
        p.put("job_jvm_cores", x.jobCores());
        passes.add(p);
      }
      m.put("passes", passes);
      rates.put(Integer.toString(rate), m);
      // p95 < 2 s, decided on the bucket bound 2 s itself: at least 95% of the rows within 2 s
      if (share >= 0.95 && p95 < 2.0) {
        best = rate;
      }
      summary.append(
          String.format(
              Locale.ROOT,
              "| %,d | %.2f | %.2f | %.2f | %.2f | %.3f | %,.0f | %s | %.0f%s | %s | %s |%n",
              rate,
              p50,
              p95,
              p99,
              p95 / triggerSeconds,
              share,
              input,
              Double.isFinite(backlogStart)
                  ? String.format(Locale.ROOT, "%.2f", backlogStart)
                  : "-",
              warmed,
              c.latencySteady() && !allSteady ? " (not steady)" : "",
              Double.isFinite(state) ? String.format(Locale.ROOT, "%.1f", state / 1e6) : "-",
              Double.isFinite(eviction) ? String.format(Locale.ROOT, "%.2f", eviction) : "-"));
    }
    Map<String, Object> section = new LinkedHashMap<>();
    section.put(
        "metric",
        StreamingBench.LATENCY_METRIC
            + " (max_ingest_time of every row written until its batch is acknowledged), "
            + "percentiles interpolated inside its buckets (0.05 ... 10 s, dense up to 3 s)");
    section.put("trigger_seconds", triggerSeconds);
    section.put(
        "reference",
        "the trigger interval (" + StreamingBench.triggerLabel(trigger) + "): p95_over_trigger");
    section.put("rates", rates);
    section.put("highest_rate_with_p95_below_2s", best);
    scenarios.put("latency", section);
    summary.append(
        String.format(
            Locale.ROOT,
            "%nHighest rate tested with p95 < 2 s: %s%n%n",
            best == null ? "none" : String.format(Locale.ROOT, "%,d events/s", best)));
    summary.append(jobCoresTable(jobCores));
    Plots.latencyVsRate(out.resolve(PLOT_LATENCY), byRate, StreamingBench.triggerLabel(trigger));
  }

  /**
   * Each thread group's median over {@code windows} of the cores the latency job's JVM used in them
   * ({@link JvmThreadCpu#GROUPS}); empty when no window could read its threads.
   */
  static Map<String, Double> medianCores(List<StreamingBench.LatencyWindow> windows) {
    List<Map<String, Double>> read =
        windows.stream()
            .map(StreamingBench.LatencyWindow::jobCores)
            .filter(m -> !m.isEmpty())
            .toList();
    Map<String, Double> out = new LinkedHashMap<>();
    if (read.isEmpty()) {
      return out;
    }
    for (String g : JvmThreadCpu.GROUPS) {
      out.put(g, Stats.median(read.stream().map(m -> m.get(g)).toList()));
    }
    return out;
  }

  /**
   * The summary's table of the latency job's CPU during the windows, in cores by thread group
   * (medians of the passes), one row per rate; a line saying so when no window could read them.
   */
  static String jobCoresTable(Map<Integer, Map<String, Double>> byRate) {
    if (byRate.values().stream().allMatch(Map::isEmpty)) {
      return "The job JVM's CPU during the windows: unavailable (no /proc).\n\n";
    }
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    byRate.forEach((rate, cores) -> rows.put(String.format(Locale.ROOT, "%,d", rate), cores));
    return "The job JVM's CPU during the windows, in cores by thread group (medians of the passes;"
        + " the Spark tasks, the JIT compilers, GC, the query's driver thread, RocksDB's flushes and"
        + " compactions, the rest):\n\n"
        + groupTable("events/s", JvmThreadCpu.GROUPS, rows)
        + "\n";
  }

  /** A value for results.json: null when not measured (NaN). */
  static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  // ------------------------------------------------------------------ machine, JSON

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    m.put("memory_bytes", os.getTotalMemorySize());
    m.put("cpu_model", cpuModel());
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put(
        "jdk",
        System.getProperty("java.vm.vendor")
            + " "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    m.put("load_average_start", loadAverage());
    return m;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static String gitCommit() {
    try {
      Process p =
          new ProcessBuilder(
                  "git", "-C", LocalPaths.repoRoot().toString(), "describe", "--always", "--dirty")
              .redirectErrorStream(true)
              .start();
      String s = new String(p.getInputStream().readAllBytes()).strip();
      return p.waitFor() == 0 ? s : "unknown";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** JSON has no NaN or infinity: such numbers become null. */
  @SuppressWarnings("unchecked")
  static Object finite(Object o) {
    if (o instanceof Double d) {
      return Double.isFinite(d) ? d : null;
    }
    if (o instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, finite(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(finite(v)));
      return out;
    }
    return o;
  }
}
