package io.taxiplatform.bench;

import io.taxiplatform.config.Cli;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.StreamingJobProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A/B throughput of streaming-job variants over one pre-loaded topic (docs/benchmarks.md, "Job
 * variants"): the same measurement as the throughput scenario ({@link StreamingBench#job}), each
 * variant a new pipeline version, the variants' order rotated every repetition; every run's
 * zone_windows table must equal the first run's row for row (and sum to the events).
 *
 * <p>Arguments: {@code --events N --reps N --max-offsets N --trigger-ms N --partitions N --preload
 * synthetic|replay} ({@code BenchMain --stream-preload}) and one {@code --variant
 * name[:setting,...]} per variant, a setting being {@code spark.x=v} (a {@code -D} property of the
 * job JVM), {@code NAME=v} (an environment variable of the job, e.g. {@code SHUFFLE_PARTITIONS=2}),
 * {@code jar=/path} (another build of the job, e.g. the commit before a change), {@code heap=1g} or
 * {@code jfr=true} (a flight recording in the run's directory). Prints every run and the medians.
 *
 * <p>{@code --warmup-events N} first runs the first variant's job once over a topic of its own of
 * {@code N} trips of the same kind, not measured, so that every measured run meets a Cassandra node
 * and a broker that have written and served before, as a long-running cluster's have; without it
 * (the default, 0), the invocation's first run also pays their warm-up (the forty-first round: ~40
 * CPU s of the node's on a month). After every run (the warm-up's too), once the run is checked, it
 * drops the run's tables and waits until the node runs no compaction ({@link
 * StreamingBench#dropAndAwaitCompactions}), so that no run flushes and compacts the one before's
 * tables.
 */
public final class JobVariantsBench {

  private static final Logger LOG = LoggerFactory.getLogger(JobVariantsBench.class);

  private JobVariantsBench() {}

  record Variant(
      String name,
      Map<String, String> systemProperties,
      Map<String, String> env,
      String jar,
      String heap,
      boolean jfr) {

    static Variant parse(String spec) {
      int colon = spec.indexOf(':');
      String name = colon < 0 ? spec : spec.substring(0, colon);
      if (!name.matches("[a-z0-9]+")) {
        throw new IllegalArgumentException("--variant: name must match [a-z0-9]+: " + spec);
      }
      Map<String, String> props = new LinkedHashMap<>();
      Map<String, String> env = new LinkedHashMap<>();
      String jar = null;
      String heap = "1g";
      boolean jfr = false;
      if (colon >= 0) {
        for (String s : spec.substring(colon + 1).split(",")) {
          int eq = s.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--variant " + name + ": not key=value: " + s);
          }
          String k = s.substring(0, eq);
          String v = s.substring(eq + 1);
          switch (k) {
            case "jar" -> jar = v;
            case "heap" -> heap = v;
            case "jfr" -> jfr = Boolean.parseBoolean(v);
            default -> {
              if (k.startsWith("spark.") || k.startsWith("log4j2.")) {
                props.put(k, v);
              } else if (k.matches("[A-Z0-9_]+")) {
                env.put(k, v);
              } else {
                throw new IllegalArgumentException("--variant " + name + ": unknown setting " + k);
              }
            }
          }
        }
      }
      return new Variant(name, props, env, jar, heap, jfr);
    }
  }

  /** The options, declared once (picocli, as {@link BenchConfig}'s); usage is generated. */
  @Command(
      name = "JobVariantsBench",
      sortOptions = false,
      description =
          "Streaming-job variants against each other over one pre-loaded topic"
              + " (docs/benchmarks.md, \"Job variants\").")
  static final class Options {
    @Option(
        names = "--events",
        paramLabel = "N",
        defaultValue = "1000000",
        description = "trips pre-loaded, read by every run")
    String events;

    @Option(
        names = "--reps",
        paramLabel = "N",
        defaultValue = "3",
        description = "runs of every variant, the order rotated every repetition")
    String reps;

    @Option(
        names = "--max-offsets",
        paramLabel = "N",
        defaultValue = "250000",
        description = "the job's maxOffsetsPerTrigger")
    String maxOffsets;

    @Option(
        names = "--trigger-ms",
        paramLabel = "MS",
        defaultValue = "1000",
        description = "the job's trigger")
    String triggerMs;

    @Option(
        names = "--partitions",
        paramLabel = "N",
        defaultValue = "2",
        description = "partitions of the pre-loaded topic")
    String partitions;

    @Option(
        names = "--preload",
        paramLabel = "KIND",
        defaultValue = "synthetic",
        description = "synthetic, replay or month (BenchMain's --stream-preload)")
    String preload;

    @Option(
        names = "--warmup-events",
        paramLabel = "N",
        defaultValue = "0",
        description = "first run the first variant once over N trips of its own, not measured")
    String warmupEvents;

    @Option(
        names = "--variant",
        paramLabel = "NAME[:SETTING,...]",
        required = true,
        description =
            "a variant (repeat the option): settings spark.x=v, log4j2.x=v, NAME=v (the job's"
                + " environment), jar=, heap=, jfr=true; quote one whose value holds a space")
    List<String> variants;

    @Mixin Cli.Help help;
  }

  /** The usage text, generated from {@link Options} (each option with its default). */
  static String usage() {
    return BenchConfig.usage(new Options());
  }

  /** {@link #main}'s arguments. */
  record Args(Options options, List<Variant> variants) {

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the bad argument (picocli's message for an unknown
     *     option, one without its value, or no {@code --variant})
     * @throws io.taxiplatform.config.HelpRequested for {@code --help}
     */
    static Args parse(String[] args) {
      Options o = Cli.parse(new Options(), Map.of(), args);
      List<Variant> variants = new ArrayList<>();
      for (String v : o.variants) {
        variants.add(Variant.parse(v));
      }
      Args a = new Args(o, List.copyOf(variants));
      a.number("events");
      a.number("reps");
      a.number("warmup-events");
      BenchConfig.positive("max-offsets", o.maxOffsets);
      BenchConfig.positive("trigger-ms", o.triggerMs);
      BenchConfig.positive("partitions", o.partitions);
      BenchConfig.preload("preload", o.preload);
      return a;
    }

    /** Option {@code --key}'s value: positive, or for {@code warmup-events} also 0 (none). */
    int number(String key) {
      String v =
          switch (key) {
            case "events" -> options.events;
            case "reps" -> options.reps;
            case "warmup-events" -> options.warmupEvents;
            default -> throw new IllegalArgumentException("no number option --" + key);
          };
      return key.equals("warmup-events") && v.strip().equals("0")
          ? 0
          : BenchConfig.positive(key, v);
    }

    /** The throughput scenario's configuration of these options, with {@code events} trips. */
    BenchConfig config(int events) {
      return BenchConfig.parse(
          new String[] {
            "--stream-events", Integer.toString(events),
            "--stream-partitions", options.partitions,
            "--max-offsets", options.maxOffsets,
            "--throughput-trigger-ms", options.triggerMs,
            "--stream-preload", options.preload,
            "--scenarios", "throughput"
          });
    }
  }

  public static void main(String[] args) throws Exception {
    Args parsed;
    try {
      parsed = Args.parse(args);
    } catch (io.taxiplatform.config.HelpRequested e) {
      System.out.print(usage());
      System.exit(0);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(usage());
      System.exit(2);
      return;
    }
    List<Variant> variants = parsed.variants();
    BenchConfig config = parsed.config(parsed.number("events"));
    int reps = parsed.number("reps");
    int warmupEvents = parsed.number("warmup-events");
    Path work = LocalPaths.newWorkDir("jobab");
    String defaultJar = System.getProperty("taxi.streaming.jar");
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> startToDone = new LinkedHashMap<>();
    StringBuilder runs = new StringBuilder();
    try (KafkaNode kafka = KafkaNode.start();
        CassandraNode cassandra = CassandraNode.start()) {
      ProducerBench producers = new ProducerBench(config, kafka, work);
      StreamingBench sb = new StreamingBench(config, kafka, cassandra, producers, work);
      String topic = "bench.ab." + java.util.UUID.randomUUID().toString().substring(0, 6);
      if (warmupEvents > 0) {
        warmUp(parsed.config(warmupEvents), kafka, cassandra, work, variants.get(0), defaultJar);
      }
      sb.preload(topic);
      Map<String, String> first = null;
      for (int rep = 0; rep < reps; rep++) {
        for (int i = 0; i < variants.size(); i++) {
          Variant v = variants.get((i + rep) % variants.size());
          Map<String, String> env = new LinkedHashMap<>(v.env());
          Path dir = work.resolve("job-" + v.name() + rep);
          if (v.jfr()) {
            env.put(
                "JAVA_TOOL_OPTIONS",
                "-XX:StartFlightRecording=filename="
                    + dir.resolve("job.jfr")
                    + ",settings=profile");
          }
          setJar(v.jar() != null ? v.jar() : defaultJar);
          StreamingBench.ThroughputRun r =
              sb.job(
                  topic,
                  rep,
                  v.name(),
                  v.name(),
                  new StreamingJobProcess.Options("local[2]", v.heap(), v.systemProperties()),
                  env);
          Map<String, String> table = sb.zoneTable(v.name() + rep, config.streamEvents());
          if (first == null) {
            first = table;
          } else if (!table.equals(first)) {
            String diff = difference(first, table);
            if (diff != null) {
              throw new IllegalStateException(
                  v.name() + rep + " wrote other zone_windows rows than the first run: " + diff);
            }
            LOG.info(
                "{}{}: zone_windows equal to the first run's but for the last digits of doubles",
                v.name(),
                rep);
          }
          double quiet = sb.dropAndAwaitCompactions(v.name() + rep).compactionsWaitSeconds();
          rates.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(r.eventsPerSecond());
          startToDone.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(r.startToDoneSeconds());
          String line =
              String.format(
                  Locale.ROOT,
                  "RUN %s rep %d: %,.0f ev/s, start to done %.1f s, batches %s, first batch %s"
                      + " rows, exact (%d rows); job JVM CPU: %s; node's compactions done %.1f s"
                      + " later%n",
                  v.name(),
                  rep,
                  r.eventsPerSecond(),
                  r.startToDoneSeconds(),
                  r.extra().get("batches_seen"),
                  r.extra().get("first_batch_rows"),
                  table.size(),
                  JvmThreadCpu.describe(JvmThreadCpu.ofJob(r)),
                  quiet);
          runs.append(line);
          LOG.info(line.strip());
        }
      }
    } finally {
      setJar(defaultJar);
    }
    StringBuilder out = new StringBuilder(runs);
    double base = Double.NaN;
    for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
      double m = Stats.median(e.getValue());
      if (Double.isNaN(base)) {
        base = m;
      }
      out.append(
          String.format(
              Locale.ROOT,
              "MEDIAN %s: %,.0f ev/s (%.2fx of %s) runs %s; start to done %.1f s runs %s%n",
              e.getKey(),
              m,
              m / base,
              variants.get(0).name(),
              e.getValue(),
              Stats.median(startToDone.get(e.getKey())),
              startToDone.get(e.getKey())));
    }
    System.out.println(out);
  }

  /**
   * The first difference between two {@link StreamingBench#zoneTable}s, or null when they differ
   * only in double columns, by at most 1e-9 relatively (a sum of doubles depends on the order of
   * its terms, which another partitioning changes).
   */
  static String difference(Map<String, String> a, Map<String, String> b) {
    if (!a.keySet().equals(b.keySet())) {
      return "other keys: " + a.keySet().size() + " vs " + b.keySet().size();
    }
    for (String k : a.keySet()) {
      String[] x = a.get(k).split(";");
      String[] y = b.get(k).split(";");
      if (x.length != y.length) {
        return k + ": " + a.get(k) + " vs " + b.get(k);
      }
      for (int i = 0; i < x.length; i++) {
        if (x[i].equals(y[i])) {
          continue;
        }
        String[] cx = x[i].split("=", 2);
        String[] cy = y[i].split("=", 2);
        try {
          double dx = Double.parseDouble(cx[1]);
          double dy = Double.parseDouble(cy[1]);
          if (cx[1].contains(".")
              && Math.abs(dx - dy) <= 1e-9 * Math.max(Math.abs(dx), Math.abs(dy))) {
            LOG.info("{} {}: {} vs {}", k, cx[0], cx[1], cy[1]);
            continue;
          }
        } catch (NumberFormatException e) {
          // not a number: a difference
        }
        return k + " " + x[i] + " vs " + y[i];
      }
    }
    return null;
  }

  /**
   * Runs {@code variant}'s job once over a topic of its own of {@code config}'s trips, in a
   * directory of its own, into pipeline version {@code warmup0}: not measured, not compared.
   */
  private static void warmUp(
      BenchConfig config,
      KafkaNode kafka,
      CassandraNode cassandra,
      Path work,
      Variant variant,
      String defaultJar)
      throws java.io.IOException {
    Path dir = java.nio.file.Files.createDirectories(work.resolve("warmup"));
    StreamingBench sb =
        new StreamingBench(config, kafka, cassandra, new ProducerBench(config, kafka, dir), dir);
    String topic = "bench.warmup." + java.util.UUID.randomUUID().toString().substring(0, 6);
    sb.preload(topic);
    setJar(variant.jar() != null ? variant.jar() : defaultJar);
    StreamingBench.ThroughputRun r =
        sb.job(
            topic,
            0,
            variant.name(),
            "warmup",
            new StreamingJobProcess.Options("local[2]", variant.heap(), variant.systemProperties()),
            variant.env());
    double quiet = sb.dropAndAwaitCompactions("warmup0").compactionsWaitSeconds();
    LOG.info(
        String.format(
            Locale.ROOT,
            "WARMUP (not measured) %s over %,d trips: start to done %.1f s; node's compactions"
                + " done %.1f s later",
            variant.name(),
            config.streamEvents(),
            r.startToDoneSeconds(),
            quiet));
  }

  private static void setJar(String jar) {
    if (jar == null) {
      System.clearProperty("taxi.streaming.jar");
    } else {
      System.setProperty("taxi.streaming.jar", jar);
    }
  }
}
