package io.taxiplatform.bench;

import io.taxiplatform.bench.probe.CpuProbe;
import io.taxiplatform.bench.probe.ThreadCpu;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer measurements (issue 11 point 2): the producer in synthetic mode against Kafka's own
 * {@code ProducerPerformance} on the same broker, a new topic of the same partitions per run, the
 * same client settings (acks=all, idempotent, lz4, linger 20 ms, batch 128 KiB) and the same bytes
 * (its {@code --payload-file} holds the producer's own records); replays of a CSV and a parquet
 * file in dropoff and file order against synthetic mode. Every program runs in its own JVM ({@code
 * -Xmx512m}) under {@link CpuProbe}, which reports the process CPU from {@code main} to exit; the
 * broker's CPU over each run is read from {@code /proc} ({@link #BROKER_CPU}).
 */
final class ProducerBench {

  private static final Logger LOG = LoggerFactory.getLogger(ProducerBench.class);
  static final String LINGER_MS = "20";
  static final String BATCH_SIZE = "131072";
  static final String COMPRESSION = "lz4";
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);
  private static final Pattern PERF_TOTAL =
      Pattern.compile(
          "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max"
              + " latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

  /**
   * One run of a program.
   *
   * @param eventsPerSecond as the program reports it (the producer's summary, ProducerPerformance's
   *     total line)
   * @param cpuSeconds process CPU from main to exit
   */
  record Run(
      String variant,
      int rep,
      long events,
      double eventsPerSecond,
      double cpuSeconds,
      double wallSeconds,
      Map<String, Object> extra) {

    double cpuSecondsPerMillion() {
      return events == 0 ? Double.NaN : cpuSeconds * 1e6 / events;
    }
  }

  private final BenchConfig config;
  private final KafkaNode kafka;
  private final Path work;
  private final String producerClasspath;
  private final String probeClasspath;

  ProducerBench(BenchConfig config, KafkaNode kafka, Path work) {
    this.config = config;
    this.kafka = kafka;
    this.work = work;
    this.producerClasspath =
        config.producerClasspath().isBlank()
            ? LocalPaths.producerClasspath()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "the producer is not built (apps/producer/target/classes and runtime-classpath.txt): build with -am"))
            : config.producerClasspath();
    this.probeClasspath = probeClasspath();
  }

  /** Where {@link CpuProbe} is loaded from (this module's classes or jar). */
  static String probeClasspath() {
    try {
      return Path.of(CpuProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  String newTopic(String variant, int partitions) {
    String topic = "bench." + variant + "." + UUID.randomUUID().toString().substring(0, 8);
    kafka.createTopic(topic, partitions);
    return topic;
  }

  void deleteTopic(String topic) {
    try (Admin admin = kafka.admin()) {
      admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("cannot delete topic {}: {}", topic, e.toString());
    }
  }

  /**
   * The producer's CLI with the benchmark's Kafka settings, synthetic or replay arguments appended.
   */
  List<String> producerArgs(String topic, List<String> modeArgs) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "io.taxiplatform.producer.ProducerMain",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--compression",
                COMPRESSION,
                "--linger-ms",
                LINGER_MS,
                "--batch-size",
                BATCH_SIZE));
    a.addAll(modeArgs);
    return a;
  }

  /** Runs ProducerMain (under the CPU probe) to a new topic; the topic is deleted afterwards. */
  Run producer(String variant, int rep, List<String> modeArgs) {
    return producer(variant, rep, modeArgs, config.partitions());
  }

  /** {@link #producer(String, int, List)} to a topic of {@code partitions} partitions. */
  Run producer(String variant, int rep, List<String> modeArgs, int partitions) {
    String topic = newTopic(variant, partitions);
    try {
      return producerTo(topic, variant, rep, modeArgs);
    } finally {
      deleteTopic(topic);
    }
  }

  /**
   * The producer JVM's options: {@code -Xmx512m}, {@link BenchConfig#forkedJvmOptions()}, then
   * those of the system property {@code bench.producerJvmArgs} (space-separated), e.g. a flight
   * recording for a profile.
   */
  static List<String> producerJvmArgs(BenchConfig config) {
    List<String> a = new ArrayList<>(config.forkedJvmOptions(List.of("-Xmx512m")));
    String more = System.getProperty("bench.producerJvmArgs", "").trim();
    if (!more.isEmpty()) {
      a.addAll(List.of(more.split("\\s+")));
    }
    return a;
  }

  /** A ProducerMain JVM (under the CPU probe) to {@code topic}, started and not waited for. */
  JvmProcess startProducer(String topic, String name, List<String> modeArgs) {
    return JvmProcess.builder(name, CpuProbe.class.getName())
        .classpath(probeClasspath + File.pathSeparator + producerClasspath)
        .jvmArgs(producerJvmArgs(config))
        .args(producerArgs(topic, modeArgs))
        .workDir(work.resolve(name))
        .start();
  }

  /** Runs ProducerMain (under the CPU probe) to {@code topic}. */
  Run producerTo(String topic, String variant, int rep, List<String> modeArgs) {
    {
      String name = "producer-" + variant + "-" + rep;
      Path dir = work.resolve(name);
      double brokerBefore = brokerCpu();
      int exit =
          JvmProcess.builder(name, CpuProbe.class.getName())
              .classpath(probeClasspath + File.pathSeparator + producerClasspath)
              .jvmArgs(producerJvmArgs(config))
              .args(producerArgs(topic, modeArgs))
              .workDir(dir)
              .run(RUN_TIMEOUT);
      double brokerAfter = brokerCpu();
      String log = read(dir.resolve(name + ".log"));
      if (exit != 0) {
        throw new IllegalStateException(
            name + " exited with " + exit + "; log tail:\n" + tail(log, 30));
      }
      long sent = longAfter(log, "sent:", name);
      double rate = doubleAfter(log, "rate:", name);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("rows_read", longAfter(log, "read:", name));
      extra.put("rejected", longAfter(log, "rejected:", name));
      putThreadCpu(extra, log);
      putBrokerCpu(extra, brokerBefore, brokerAfter);
      return new Run(variant, rep, sent, rate, cpu(log, name), wall(log, name), extra);
    }
  }

  /**
   * Runs Kafka's ProducerPerformance (under the CPU probe) to a new topic; the topic is deleted
   * afterwards.
   */
  Run perf(String variant, int rep, int records, List<String> payloadArgs) {
    return perf(variant, rep, records, payloadArgs, config.partitions());
  }

  /** {@link #perf(String, int, int, List)} to a topic of {@code partitions} partitions. */
  Run perf(String variant, int rep, int records, List<String> payloadArgs, int partitions) {
    return perf(variant, rep, records, payloadArgs, partitions, List.of());
  }

  /**
   * {@link #perf(String, int, int, List, int)} with more producer properties ({@code key=value})
   * after the shared ones.
   */
  Run perf(
      String variant,
      int rep,
      int records,
      List<String> payloadArgs,
      int partitions,
      List<String> moreProperties) {
    String topic = newTopic(variant, partitions);
    try {
      String name = "perf-" + variant + "-" + rep;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "org.apache.kafka.tools.ProducerPerformance",
                  "--bootstrap-server",
                  kafka.bootstrapServers(),
                  "--topic",
                  topic,
                  "--num-records",
                  Integer.toString(records),
                  "--throughput",
                  "-1"));
      args.addAll(payloadArgs);
      args.addAll(
          List.of(
              "--command-property",
              "acks=all",
              "enable.idempotence=true",
              "compression.type=" + COMPRESSION,
              "linger.ms=" + LINGER_MS,
              "batch.size=" + BATCH_SIZE,
              "client.id=taxi-bench-perf"));
      args.addAll(moreProperties);
      double brokerBefore = brokerCpu();
      int exit =
          kafka
              .tool(name, CpuProbe.class.getName())
              .jvmArgs(config.forkedJvmOptions())
              .classpath(probeClasspath + File.pathSeparator + LocalPaths.kafkaClasspath())
              .args(args)
              .run(RUN_TIMEOUT);
      double brokerAfter = brokerCpu();
      String log = read(kafka.workDir().resolve(name + ".log"));
      if (exit != 0) {
        throw new IllegalStateException(
            name + " exited with " + exit + "; log tail:\n" + tail(log, 30));
      }
      Matcher m = PERF_TOTAL.matcher(log);
      java.util.regex.MatchResult last = null;
      while (m.find()) {
        last = m.toMatchResult();
      }
      if (last == null) {
        throw new IllegalStateException(name + ": no total line in its output:\n" + tail(log, 30));
      }
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("mb_per_second", Double.parseDouble(last.group(3)));
      extra.put("latency_avg_ms", Double.parseDouble(last.group(4)));
      extra.put("latency_p99_ms", Long.parseLong(last.group(8)));
      putThreadCpu(extra, log);
      putBrokerCpu(extra, brokerBefore, brokerAfter);
      return new Run(
          variant,
          rep,
          Long.parseLong(last.group(1)),
          Double.parseDouble(last.group(2)),
          cpu(log, name),
          wall(log, name),
          extra);
    } finally {
      deleteTopic(topic);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(String log, int lines) {
    List<String> all = log.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static String valueAfter(String log, String label, String name) {
    Matcher m =
        Pattern.compile("^\\s*" + Pattern.quote(label) + "\\s+([-\\d.]+)", Pattern.MULTILINE)
            .matcher(log);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    if (found == null) {
      throw new IllegalStateException(
          name + ": no '" + label + "' in its summary:\n" + tail(log, 30));
    }
    return found;
  }

  static long longAfter(String log, String label, String name) {
    return Long.parseLong(valueAfter(log, label, name));
  }

  static double doubleAfter(String log, String label, String name) {
    return Double.parseDouble(valueAfter(log, label, name));
  }

  /** The key of a run's CPU by thread group ({@link ThreadCpu}) in its extra figures. */
  static final String CPU_BY_THREAD = "cpu_by_thread";

  /** The run's CPU by thread group, when its probe printed one (Linux). */
  private static void putThreadCpu(Map<String, Object> extra, String log) {
    Map<String, Double> groups = ThreadCpu.parse(log);
    if (!groups.isEmpty()) {
      extra.put(CPU_BY_THREAD, groups);
    }
  }

  /** A run's CPU by thread group ({@link #CPU_BY_THREAD}), empty without one. */
  @SuppressWarnings("unchecked")
  static Map<String, Double> threadCpu(Run run) {
    Object cpu = run.extra().get(CPU_BY_THREAD);
    return cpu instanceof Map<?, ?> m ? (Map<String, Double>) m : Map.of();
  }

  /**
   * The key of the broker's CPU seconds during a run (from just before its JVM starts to its exit)
   * in its extra figures: the other side of every send, on the same 2 cores.
   */
  static final String BROKER_CPU = "broker_cpu_seconds";

  /** The broker JVM's CPU seconds so far ({@link ThreadCpu#processSeconds}; NaN without /proc). */
  private double brokerCpu() {
    return ThreadCpu.processSeconds(kafka.process().pid());
  }

  /** The broker's CPU over a run, when both readings exist ({@code /proc}). */
  private static void putBrokerCpu(Map<String, Object> extra, double before, double after) {
    if (Double.isFinite(before) && Double.isFinite(after)) {
      extra.put(BROKER_CPU, after - before);
    }
  }

  /** A run's broker CPU seconds per million events ({@link #BROKER_CPU}); NaN without one. */
  static double brokerCpuPerMillion(Run run) {
    return run.extra().get(BROKER_CPU) instanceof Double s && run.events() > 0
        ? s * 1e6 / run.events()
        : Double.NaN;
  }

  static double cpu(String log, String name) {
    return longAfter(log, "BENCH_CPU_NS", name) / 1e9;
  }

  static double wall(String log, String name) {
    return longAfter(log, "BENCH_WALL_NS", name) / 1e9;
  }
}
