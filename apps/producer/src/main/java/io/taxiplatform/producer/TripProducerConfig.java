package io.taxiplatform.producer;

import io.taxiplatform.config.CassandraSettings;
import io.taxiplatform.config.Cli;
import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.KafkaClientSecurity;
import io.taxiplatform.config.PipelineVersion;
import io.taxiplatform.config.Secrets;
import io.taxiplatform.config.SparkDuration;
import io.taxiplatform.config.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Immutable producer configuration. Its options are declared once, in {@link Options} (flag,
 * environment variable, default, description; docs/contracts.md is checked against them), flags
 * overriding the variables; secrets come from the environment only ({@link #SECRETS}). Build it
 * with {@link #parse(Map, String[])}; secrets are masked in {@link #toString()}.
 *
 * @param mode what to run
 * @param inputs replay files ({@code .csv} / {@code .parquet}), in order
 * @param rate target events/s, 0 = as fast as possible
 * @param speed replay speed factor over the original timeline, or {@code null}
 * @param timeMode original event times or shifted so the first trip ends now
 * @param maxEvents stop after this many events, 0 = no limit
 * @param seed synthetic seed ({@code null} = random, chosen at start and logged)
 * @param bootstrapServers Kafka bootstrap servers
 * @param topic trips topic
 * @param compression Kafka compression type
 * @param lingerMs Kafka {@code linger.ms}
 * @param batchSize Kafka {@code batch.size}
 * @param metricsPort port of /metrics, /healthz, /readyz; 0 disables
 * @param security Kafka client security
 * @param cassandra Cassandra connection (check and smoke modes)
 * @param pipelineVersion the pipeline version whose tables smoke mode reads
 * @param smoke smoke mode settings
 * @param replay replay mode settings: order, sort, period rule, resume
 */
public record TripProducerConfig(
    Mode mode,
    List<Path> inputs,
    double rate,
    Double speed,
    TimeMode timeMode,
    long maxEvents,
    Long seed,
    String bootstrapServers,
    String topic,
    String compression,
    int lingerMs,
    int batchSize,
    int metricsPort,
    KafkaClientSecurity security,
    CassandraSettings cassandra,
    PipelineVersion pipelineVersion,
    SmokeSettings smoke,
    ReplaySettings replay) {

  /** What the producer runs. */
  public enum Mode {
    SYNTHETIC,
    REPLAY,
    CHECK,
    SMOKE
  }

  /** Event times as in the source, or shifted by a constant so that the first trip ends now. */
  public enum TimeMode {
    ORIGINAL,
    NOW
  }

  /**
   * Smoke mode settings.
   *
   * @param trips {@code SMOKE_TRIPS}
   * @param zone {@code SMOKE_ZONE}
   * @param timeout {@code SMOKE_TIMEOUT_SECONDS}
   * @param zoneWindow {@code ZONE_WINDOW}, to find the window that holds the smoke trips
   */
  public record SmokeSettings(int trips, int zone, Duration timeout, Duration zoneWindow) {}

  /** The order in which a replay emits its events. */
  public enum Order {
    /** Dropoff (event) time across all inputs, as a live feed would: an external merge sort. */
    DROPOFF,
    /** The files' own row order, file after file (TLC files are not in dropoff order). */
    FILE
  }

  /**
   * Replay mode settings (docs/producer.md, "Replay order", "Period rule", "Resume").
   *
   * @param order {@code PRODUCER_ORDER}
   * @param sortChunkRows {@code PRODUCER_SORT_CHUNK_ROWS}: most events the dropoff sort holds in
   *     memory
   * @param spillDir {@code PRODUCER_SPILL_DIR}: where the dropoff sort spills sorted chunks
   * @param period {@code PRODUCER_PERIOD}: the month of every input, or {@code null} (the month in
   *     each file name)
   * @param periodTolerance {@code PRODUCER_PERIOD_TOLERANCE}: how far outside its period a dropoff
   *     may lie
   * @param resume {@code PRODUCER_RESUME}: skip what an earlier run of the same replay already sent
   */
  public record ReplaySettings(
      Order order,
      int sortChunkRows,
      Path spillDir,
      YearMonth period,
      Duration periodTolerance,
      boolean resume) {}

  static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  /** The producer's options, each declared once: flag, environment variable, default. */
  @Command(
      name = "ProducerMain",
      description = {
        "Sends NYC taxi trips to Kafka: synthetic, replayed TLC files, or the helm test's check and",
        "smoke modes."
      },
      footer = {
        "Exit codes: 0 done, 1 failure, 2 usage error. Variables and defaults: docs/contracts.md."
      })
  public static final class Options {
    @Option(
        names = "--mode",
        paramLabel = "synthetic|replay|check|smoke",
        defaultValue = "${env:PRODUCER_MODE:-synthetic}",
        description = "what to run")
    String mode;

    @Option(
        names = "--input",
        paramLabel = "FILE[,FILE...]",
        defaultValue = "${env:PRODUCER_INPUT:-}",
        description = "replay: TLC .csv or .parquet files")
    String input;

    @Option(
        names = "--rate",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_RATE:-0}",
        description = "target events/s; 0 = as fast as possible")
    String rate;

    @Option(
        names = "--speed",
        paramLabel = "F",
        defaultValue = "${env:PRODUCER_SPEED:-}",
        description = "replay at F x the original timeline (exclusive with --rate)")
    String speed;

    @Option(
        names = "--time-mode",
        paramLabel = "original|now",
        defaultValue = "${env:PRODUCER_TIME_MODE:-original}",
        description =
            "original (Kappa replay) or now: shift event times so the first event of the replay"
                + " order ends now")
    String timeMode;

    @Option(
        names = "--order",
        paramLabel = "dropoff|file",
        defaultValue = "${env:PRODUCER_ORDER:-dropoff}",
        description =
            "replay: dropoff = all inputs merged in dropoff-time order; file = each file's row"
                + " order, file after file: a job with a watermark then drops rows as late once a"
                + " replay spans several micro-batches")
    String order;

    @Option(
        names = "--sort-chunk-rows",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_SORT_CHUNK_ROWS:-100000}",
        description =
            "replay, dropoff order: events the sort holds in memory before it spills a sorted"
                + " chunk (held encoded: the default takes ~25-50 MB of heap, comfortable in a 384 MiB"
                + " container); CSV or parquet inputs nearly in dropoff order: the most events held"
                + " waiting for an earlier dropoff")
    String sortChunkRows;

    @Option(
        names = "--spill-dir",
        paramLabel = "DIR",
        defaultValue = "${env:PRODUCER_SPILL_DIR:-}",
        description =
            "replay, dropoff order: where sorted chunks spill, ~200 bytes a row (empty:"
                + " java.io.tmpdir)")
    String spillDir;

    @Option(
        names = "--period",
        paramLabel = "YYYY-MM",
        defaultValue = "${env:PRODUCER_PERIOD:-}",
        description =
            "replay: the month of every input (empty: the _YYYY-MM in each file name; no month, no"
                + " rule); rows whose dropoff lies outside it are not sent (outside_period)")
    String period;

    @Option(
        names = "--period-tolerance",
        paramLabel = "DURATION",
        defaultValue = "${env:PRODUCER_PERIOD_TOLERANCE:-1 day}",
        description = "margin each side of the period (e.g. 12 hours, 0 days)")
    String periodTolerance;

    @Option(
        names = "--resume",
        paramLabel = "true|false",
        defaultValue = "${env:PRODUCER_RESUME:-true}",
        description =
            "replay: skip the events an earlier run of the same replay already put on the topic")
    String resume;

    @Option(
        names = "--max-events",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_MAX_EVENTS:-0}",
        description = "stop after N events; 0 = no limit")
    String maxEvents;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_SEED:-}",
        description = "synthetic generator seed (empty: random, logged at start)")
    String seed;

    @Option(
        names = "--compression",
        paramLabel = "none|gzip|snappy|lz4|zstd",
        defaultValue = "${env:PRODUCER_COMPRESSION:-lz4}",
        description = "Kafka compression type")
    String compression;

    @Option(
        names = "--linger-ms",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_LINGER_MS:-20}",
        description = "Kafka linger.ms")
    String lingerMs;

    @Option(
        names = "--batch-size",
        paramLabel = "N",
        defaultValue = "${env:PRODUCER_BATCH_SIZE:-131072}",
        description = "Kafka batch.size")
    String batchSize;

    @Option(
        names = "--metrics-port",
        paramLabel = "N",
        defaultValue = "${env:METRICS_PORT:-8080}",
        description = "/metrics, /healthz, /readyz; 0 disables")
    String metricsPort;

    @Option(
        names = "--bootstrap-servers",
        paramLabel = "H:P[,H:P]",
        defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
        description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(
        names = "--topic",
        paramLabel = "NAME",
        defaultValue = "${env:TRIPS_TOPIC:-taxi.trips}",
        description = "the trips topic")
    String topic;

    @Mixin KafkaClientSecurity.Options kafkaSecurity;

    @Mixin CassandraSettings.Options cassandra;

    @Option(
        names = "--pipeline-version",
        paramLabel = "V",
        defaultValue = "${env:PIPELINE_VERSION:-v1}",
        description = "smoke: the pipeline version whose zone_windows_<V> table is read")
    String pipelineVersion;

    @Option(
        names = "--smoke-trips",
        paramLabel = "N",
        defaultValue = "${env:SMOKE_TRIPS:-20}",
        description = "smoke: trips sent")
    String smokeTrips;

    @Option(
        names = "--smoke-zone",
        paramLabel = "ZONE",
        defaultValue = "${env:SMOKE_ZONE:-1}",
        description = "smoke: their pickup zone")
    String smokeZone;

    @Option(
        names = "--smoke-timeout-seconds",
        paramLabel = "N",
        defaultValue = "${env:SMOKE_TIMEOUT_SECONDS:-300}",
        description = "smoke: how long to wait for their window")
    String smokeTimeoutSeconds;

    @Option(
        names = "--zone-window",
        paramLabel = "DURATION",
        defaultValue = "${env:ZONE_WINDOW:-5 minutes}",
        description = "smoke: the job's ZONE_WINDOW, to find the window that holds the trips")
    String zoneWindow;

    @Mixin Cli.Help help;
  }

  /** The secrets the producer reads (environment only). */
  public static final List<Secrets.Secret> SECRETS = Secrets.CLIENT;

  /** Flag name -> environment variable, from {@link Options}. */
  static final Map<String, String> FLAGS = flags();

  private static Map<String, String> flags() {
    Map<String, String> m = new LinkedHashMap<>();
    Cli.declared(new Options()).forEach(d -> m.put(d.flag(), d.variable()));
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The usage text, generated from {@link Options} and {@link #SECRETS}. */
  public static final String USAGE = Cli.usage(new Options(), SECRETS);

  /**
   * Builds the configuration from environment variables overridden by flags ({@code --flag value}
   * or {@code --flag=value}).
   *
   * @throws UsageException on an unknown flag, a missing flag value or an invalid value
   * @throws HelpRequested on {@code --help}
   */
  public static TripProducerConfig parse(Map<String, String> env, String[] args) {
    return fromOptions(Cli.parse(new Options(), env, args), env);
  }

  private static TripProducerConfig fromOptions(Options v, Map<String, String> env) {
    Mode mode = enumValue(Mode.class, "PRODUCER_MODE", v.mode);
    List<Path> inputs = new ArrayList<>();
    String input = v.input.trim();
    if (!input.isEmpty()) {
      for (String s : input.split(",")) {
        if (s.isBlank()) {
          continue;
        }
        Path p = Path.of(s.trim());
        String lower = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".csv") && !lower.endsWith(".parquet")) {
          throw new UsageException("--input: not a .csv or .parquet file: " + p);
        }
        if (Files.isDirectory(p)) {
          throw new UsageException(
              "--input: " + p + " is a directory; name the .csv or .parquet files in it");
        }
        if (!Files.isRegularFile(p)) {
          throw new UsageException("--input: no such file: " + p);
        }
        inputs.add(p);
      }
    }
    if (mode == Mode.REPLAY && inputs.isEmpty()) {
      throw new UsageException("replay mode needs --input (PRODUCER_INPUT)");
    }
    double rate = doubleValue("PRODUCER_RATE", v.rate);
    if (rate < 0) {
      throw new UsageException("--rate must be >= 0: " + rate);
    }
    String speedText = blankToNull(v.speed);
    Double speed = null;
    if (speedText != null) {
      speed = doubleValue("PRODUCER_SPEED", speedText);
      if (!(speed > 0)) {
        throw new UsageException("--speed must be > 0: " + speedText);
      }
      if (rate > 0) {
        throw new UsageException("--speed and --rate are exclusive");
      }
      if (mode != Mode.REPLAY) {
        throw new UsageException("--speed applies to replay mode only");
      }
    }
    TimeMode timeMode = enumValue(TimeMode.class, "PRODUCER_TIME_MODE", v.timeMode);
    long maxEvents = longValue("PRODUCER_MAX_EVENTS", v.maxEvents);
    if (maxEvents < 0) {
      throw new UsageException("--max-events must be >= 0: " + maxEvents);
    }
    String seedText = blankToNull(v.seed);
    Long seed = seedText == null ? null : longValue("PRODUCER_SEED", seedText);
    String compression = v.compression.trim().toLowerCase(Locale.ROOT);
    if (!COMPRESSIONS.contains(compression)) {
      throw new UsageException("--compression must be one of " + COMPRESSIONS + ": " + compression);
    }
    int linger = intValue("PRODUCER_LINGER_MS", v.lingerMs, 0, Integer.MAX_VALUE);
    int batch = intValue("PRODUCER_BATCH_SIZE", v.batchSize, 0, Integer.MAX_VALUE);
    int metricsPort = intValue("METRICS_PORT", v.metricsPort, 0, 65535);
    String bootstrap = v.bootstrapServers.trim();
    if (bootstrap.isEmpty()) {
      throw new UsageException("KAFKA_BOOTSTRAP_SERVERS is empty");
    }
    String topic = v.topic.trim();
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new UsageException("TRIPS_TOPIC is not a valid topic name: " + topic);
    }
    SmokeSettings smoke =
        new SmokeSettings(
            intValue("SMOKE_TRIPS", v.smokeTrips, 1, 1_000_000),
            intValue("SMOKE_ZONE", v.smokeZone, 1, 265),
            Duration.ofSeconds(
                intValue("SMOKE_TIMEOUT_SECONDS", v.smokeTimeoutSeconds, 1, Integer.MAX_VALUE)),
            sparkDuration("ZONE_WINDOW", v.zoneWindow));
    return new TripProducerConfig(
        mode,
        List.copyOf(inputs),
        rate,
        speed,
        timeMode,
        maxEvents,
        seed,
        bootstrap,
        topic,
        compression,
        linger,
        batch,
        metricsPort,
        v.kafkaSecurity.toSecurity(env),
        v.cassandra.toSettings(env, "{'class': 'SimpleStrategy', 'replication_factor': 1}", "0"),
        new PipelineVersion(v.pipelineVersion.trim()),
        smoke,
        replaySettings(mode, v));
  }

  private static ReplaySettings replaySettings(Mode mode, Options v) {
    Order order = enumValue(Order.class, "PRODUCER_ORDER", v.order);
    int chunk = intValue("PRODUCER_SORT_CHUNK_ROWS", v.sortChunkRows, 1, 50_000_000);
    String spillText = blankToNull(v.spillDir);
    Path spillDir =
        Path.of(spillText != null ? spillText.trim() : System.getProperty("java.io.tmpdir"));
    if (mode == Mode.REPLAY && order == Order.DROPOFF && !Files.isDirectory(spillDir)) {
      throw new UsageException("PRODUCER_SPILL_DIR: not a directory: " + spillDir);
    }
    String periodText = blankToNull(v.period);
    YearMonth period = null;
    if (periodText != null) {
      try {
        period = YearMonth.parse(periodText.trim());
      } catch (java.time.format.DateTimeParseException e) {
        throw new UsageException("PRODUCER_PERIOD: not a month like 2025-01: " + periodText);
      }
    }
    Duration tolerance =
        SparkDuration.parse("PRODUCER_PERIOD_TOLERANCE", v.periodTolerance).duration();
    boolean resume = booleanValue("PRODUCER_RESUME", v.resume);
    return new ReplaySettings(order, chunk, spillDir, period, tolerance, resume);
  }

  /**
   * Kafka producer properties: idempotent, {@code acks=all}, compression and batching, security.
   */
  public Properties kafkaProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchSize));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "taxi-producer");
    p.putAll(security.clientProperties());
    return p;
  }

  /**
   * Properties of the consumer that reads the topic's tail when a replay resumes: raw bytes, no
   * group, nothing committed, the same servers and security as the producer.
   */
  public Properties resumeConsumerProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "taxi-producer-resume");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.putAll(security.clientProperties());
    return p;
  }

  /** Parses a Spark-style duration that must be positive ({@link SparkDuration}). */
  static Duration sparkDuration(String name, String text) {
    return SparkDuration.parse(name, text).positive().duration();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String text) {
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new UsageException(name + " must be one of " + allowed + ": " + text);
    }
  }

  private static boolean booleanValue(String name, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    throw new UsageException(name + " must be true or false: " + text);
  }

  private static double doubleValue(String name, String text) {
    try {
      double d = Double.parseDouble(text.trim());
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": not a number: " + text);
    }
  }

  private static long longValue(String name, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": not an integer: " + text);
    }
  }

  private static int intValue(String name, String text, int min, int max) {
    long l = longValue(name, text);
    if (l < min || l > max) {
      throw new UsageException(name + " must be in " + min + ".." + max + ": " + text);
    }
    return (int) l;
  }

  @Override
  public String toString() {
    return "TripProducerConfig[mode="
        + mode
        + ", inputs="
        + inputs
        + ", rate="
        + rate
        + ", speed="
        + speed
        + ", timeMode="
        + timeMode
        + ", maxEvents="
        + maxEvents
        + ", seed="
        + seed
        + ", bootstrapServers="
        + bootstrapServers
        + ", topic="
        + topic
        + ", compression="
        + compression
        + ", lingerMs="
        + lingerMs
        + ", batchSize="
        + batchSize
        + ", metricsPort="
        + metricsPort
        + ", security="
        + security
        + ", cassandra="
        + cassandra
        + ", pipelineVersion="
        + pipelineVersion
        + ", smoke="
        + smoke
        + ", replay="
        + replay
        + "]";
  }
}
