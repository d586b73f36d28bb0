package io.taxiplatform.producer;

import io.taxiplatform.model.KafkaClientSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Immutable producer configuration: environment variables (docs/contracts.md) with CLI flags
 * overriding them. Build it with {@link #parse(Map, String[])}; secrets are masked in {@link
 * #toString()}.
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
      boolean resume) {

    /**
     * Default {@code PRODUCER_SORT_CHUNK_ROWS}: ~40 MB of heap, comfortable in a 384 MiB container.
     */
    public static final int DEFAULT_SORT_CHUNK_ROWS = 100_000;
  }

  static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  /** Flag name -> environment variable. */
  static final Map<String, String> FLAGS =
      Map.ofEntries(
          Map.entry("--mode", "PRODUCER_MODE"),
          Map.entry("--input", "PRODUCER_INPUT"),
          Map.entry("--rate", "PRODUCER_RATE"),
          Map.entry("--speed", "PRODUCER_SPEED"),
          Map.entry("--time-mode", "PRODUCER_TIME_MODE"),
          Map.entry("--max-events", "PRODUCER_MAX_EVENTS"),
          Map.entry("--seed", "PRODUCER_SEED"),
          Map.entry("--compression", "PRODUCER_COMPRESSION"),
          Map.entry("--linger-ms", "PRODUCER_LINGER_MS"),
          Map.entry("--batch-size", "PRODUCER_BATCH_SIZE"),
          Map.entry("--metrics-port", "METRICS_PORT"),
          Map.entry("--order", "PRODUCER_ORDER"),
          Map.entry("--sort-chunk-rows", "PRODUCER_SORT_CHUNK_ROWS"),
          Map.entry("--spill-dir", "PRODUCER_SPILL_DIR"),
          Map.entry("--period", "PRODUCER_PERIOD"),
          Map.entry("--period-tolerance", "PRODUCER_PERIOD_TOLERANCE"),
          Map.entry("--resume", "PRODUCER_RESUME"),
          Map.entry("--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS"),
          Map.entry("--topic", "TRIPS_TOPIC"));

  public static final String USAGE =
      String.join(
          "\n",
          "Usage: ProducerMain [flags]   (every flag also has an environment variable; flags win)",
          "  --mode synthetic|replay|check|smoke   PRODUCER_MODE (default synthetic)",
          "  --input FILE[,FILE...]                PRODUCER_INPUT: TLC .csv or .parquet files (replay)",
          "  --rate N                              PRODUCER_RATE: target events/s, 0 = as fast as possible (default 0)",
          "  --speed F                             PRODUCER_SPEED: replay at F x the original timeline (not with --rate)",
          "  --time-mode original|now              PRODUCER_TIME_MODE (default original); now: the first event",
          "                                        of the replay order ends now",
          "  --order dropoff|file                  PRODUCER_ORDER (default dropoff): replay all inputs merged in",
          "                                        dropoff-time order; file = each file's row order, file after",
          "                                        file: a job with a watermark then drops rows as late once a",
          "                                        replay spans several micro-batches",
          "  --sort-chunk-rows N                   PRODUCER_SORT_CHUNK_ROWS: events the dropoff sort holds in",
          "                                        memory before spilling a sorted chunk (default 100000)",
          "  --spill-dir DIR                       PRODUCER_SPILL_DIR: sort spill files, ~200 bytes/row",
          "                                        (default java.io.tmpdir)",
          "  --period YYYY-MM                      PRODUCER_PERIOD: the month of every input (default: the",
          "                                        _YYYY-MM in each file name; no month, no rule); rows whose",
          "                                        dropoff lies outside it are not sent (outside_period)",
          "  --period-tolerance D                  PRODUCER_PERIOD_TOLERANCE: margin each side of the period",
          "                                        (default 1 day; e.g. 12 hours, 0 days)",
          "  --resume true|false                   PRODUCER_RESUME (default true): skip the events an earlier",
          "                                        run of the same replay already put on the topic",
          "  --max-events N                        PRODUCER_MAX_EVENTS: 0 = no limit (default 0)",
          "  --seed N                              PRODUCER_SEED: synthetic seed (default random)",
          "  --compression none|gzip|snappy|lz4|zstd  PRODUCER_COMPRESSION (default lz4)",
          "  --linger-ms N                         PRODUCER_LINGER_MS (default 20)",
          "  --batch-size N                        PRODUCER_BATCH_SIZE (default 131072)",
          "  --metrics-port N                      METRICS_PORT: /metrics, /healthz, /readyz; 0 disables (default 8080)",
          "  --bootstrap-servers H:P[,H:P]         KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092)",
          "  --topic NAME                          TRIPS_TOPIC (default taxi.trips)",
          "  --help                                this text",
          "Kafka security: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_* (docs/contracts.md).",
          "check/smoke: CASSANDRA_*, PIPELINE_VERSION, SMOKE_TRIPS, SMOKE_ZONE, SMOKE_TIMEOUT_SECONDS, ZONE_WINDOW.");

  /** Thrown for {@code --help}: print usage, exit 0. */
  public static final class HelpRequested extends Exception {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super("help");
    }
  }

  /**
   * Builds the configuration from environment variables overridden by flags ({@code --flag value}
   * or {@code --flag=value}).
   *
   * @throws UsageException on an unknown flag, a missing flag value or an invalid value
   * @throws HelpRequested on {@code --help}
   */
  public static TripProducerConfig parse(Map<String, String> env, String[] args)
      throws UsageException, HelpRequested {
    Map<String, String> merged = new HashMap<>(env);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new HelpRequested();
      }
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      String var = FLAGS.get(name);
      if (var == null) {
        throw new UsageException("unknown flag: " + arg);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("flag " + name + " needs a value");
        }
        value = args[++i];
      }
      merged.put(var, value);
    }
    return fromVariables(merged);
  }

  private static KafkaClientSecurity kafkaSecurity(Map<String, String> v) throws UsageException {
    try {
      return KafkaClientSecurity.fromEnv(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static TripProducerConfig fromVariables(Map<String, String> v) throws UsageException {
    Mode mode =
        enumValue(Mode.class, "PRODUCER_MODE", v.getOrDefault("PRODUCER_MODE", "synthetic"));
    List<Path> inputs = new ArrayList<>();
    String input = v.getOrDefault("PRODUCER_INPUT", "").trim();
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
    double rate = doubleValue("PRODUCER_RATE", v.getOrDefault("PRODUCER_RATE", "0"));
    if (rate < 0) {
      throw new UsageException("--rate must be >= 0: " + rate);
    }
    String speedText = Env.blankToNull(v.get("PRODUCER_SPEED"));
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
    TimeMode timeMode =
        enumValue(
            TimeMode.class, "PRODUCER_TIME_MODE", v.getOrDefault("PRODUCER_TIME_MODE", "original"));
    long maxEvents = longValue("PRODUCER_MAX_EVENTS", v.getOrDefault("PRODUCER_MAX_EVENTS", "0"));
    if (maxEvents < 0) {
      throw new UsageException("--max-events must be >= 0: " + maxEvents);
    }
    String seedText = Env.blankToNull(v.get("PRODUCER_SEED"));
    Long seed = seedText == null ? null : longValue("PRODUCER_SEED", seedText);
    String compression =
        v.getOrDefault("PRODUCER_COMPRESSION", "lz4").trim().toLowerCase(Locale.ROOT);
    if (!COMPRESSIONS.contains(compression)) {
      throw new UsageException("--compression must be one of " + COMPRESSIONS + ": " + compression);
    }
    int linger =
        intValue(
            "PRODUCER_LINGER_MS", v.getOrDefault("PRODUCER_LINGER_MS", "20"), 0, Integer.MAX_VALUE);
    int batch =
        intValue(
            "PRODUCER_BATCH_SIZE",
            v.getOrDefault("PRODUCER_BATCH_SIZE", "131072"),
            0,
            Integer.MAX_VALUE);
    int metricsPort = intValue("METRICS_PORT", v.getOrDefault("METRICS_PORT", "8080"), 0, 65535);
    String bootstrap = v.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092").trim();
    if (bootstrap.isEmpty()) {
      throw new UsageException("KAFKA_BOOTSTRAP_SERVERS is empty");
    }
    String topic = v.getOrDefault("TRIPS_TOPIC", "taxi.trips").trim();
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new UsageException("TRIPS_TOPIC is not a valid topic name: " + topic);
    }
    SmokeSettings smoke =
        new SmokeSettings(
            intValue("SMOKE_TRIPS", v.getOrDefault("SMOKE_TRIPS", "20"), 1, 1_000_000),
            intValue("SMOKE_ZONE", v.getOrDefault("SMOKE_ZONE", "1"), 1, 265),
            Duration.ofSeconds(
                intValue(
                    "SMOKE_TIMEOUT_SECONDS",
                    v.getOrDefault("SMOKE_TIMEOUT_SECONDS", "300"),
                    1,
                    Integer.MAX_VALUE)),
            sparkDuration("ZONE_WINDOW", v.getOrDefault("ZONE_WINDOW", "5 minutes")));
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
        kafkaSecurity(v),
        CassandraSettings.fromEnv(v),
        smoke,
        replaySettings(mode, v));
  }

  private static ReplaySettings replaySettings(Mode mode, Map<String, String> v)
      throws UsageException {
    Order order =
        enumValue(Order.class, "PRODUCER_ORDER", v.getOrDefault("PRODUCER_ORDER", "dropoff"));
    int chunk =
        intValue(
            "PRODUCER_SORT_CHUNK_ROWS",
            v.getOrDefault(
                "PRODUCER_SORT_CHUNK_ROWS",
                Integer.toString(ReplaySettings.DEFAULT_SORT_CHUNK_ROWS)),
            1,
            50_000_000);
    String spillText = Env.blankToNull(v.get("PRODUCER_SPILL_DIR"));
    Path spillDir =
        Path.of(spillText != null ? spillText.trim() : System.getProperty("java.io.tmpdir"));
    if (mode == Mode.REPLAY && order == Order.DROPOFF && !Files.isDirectory(spillDir)) {
      throw new UsageException("PRODUCER_SPILL_DIR: not a directory: " + spillDir);
    }
    String periodText = Env.blankToNull(v.get("PRODUCER_PERIOD"));
    YearMonth period = null;
    if (periodText != null) {
      try {
        period = YearMonth.parse(periodText.trim());
      } catch (java.time.format.DateTimeParseException e) {
        throw new UsageException("PRODUCER_PERIOD: not a month like 2025-01: " + periodText);
      }
    }
    Duration tolerance =
        duration(
            "PRODUCER_PERIOD_TOLERANCE",
            v.getOrDefault("PRODUCER_PERIOD_TOLERANCE", "1 day"),
            true);
    boolean resume = booleanValue("PRODUCER_RESUME", v.getOrDefault("PRODUCER_RESUME", "true"));
    return new ReplaySettings(order, chunk, spillDir, period, tolerance, resume);
  }

  /** A copy with another metrics port (tests and local mode). */
  public TripProducerConfig withMetricsPort(int port) {
    return new TripProducerConfig(
        mode,
        inputs,
        rate,
        speed,
        timeMode,
        maxEvents,
        seed,
        bootstrapServers,
        topic,
        compression,
        lingerMs,
        batchSize,
        port,
        security,
        cassandra,
        smoke,
        replay);
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

  private static final Pattern SPARK_DURATION =
      Pattern.compile(
          "\\s*(\\d+)\\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)\\s*",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern DAYS =
      Pattern.compile("\\s*(\\d+)\\s*(d|days?)\\s*", Pattern.CASE_INSENSITIVE);

  /** Parses a Spark-style interval such as {@code 5 minutes} or {@code 30 seconds}. */
  static Duration sparkDuration(String name, String text) throws UsageException {
    return duration(name, text, false);
  }

  /** Like {@link #sparkDuration}, also in days ({@code 1 day}), optionally zero. */
  static Duration duration(String name, String text, boolean daysAndZero) throws UsageException {
    Matcher days = DAYS.matcher(text);
    if (daysAndZero && days.matches()) {
      return Duration.ofDays(Long.parseLong(days.group(1)));
    }
    Matcher m = SPARK_DURATION.matcher(text);
    if (!m.matches()) {
      throw new UsageException(name + ": not a duration like '5 minutes': " + text);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    Duration d;
    if (unit.startsWith("ms") || unit.startsWith("milli")) {
      d = Duration.ofMillis(n);
    } else if (unit.startsWith("s")) {
      d = Duration.ofSeconds(n);
    } else if (unit.startsWith("m")) {
      d = Duration.ofMinutes(n);
    } else {
      d = Duration.ofHours(n);
    }
    if (d.isZero() && !daysAndZero) {
      throw new UsageException(name + " must be positive: " + text);
    }
    return d;
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String text)
      throws UsageException {
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

  private static boolean booleanValue(String name, String text) throws UsageException {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    throw new UsageException(name + " must be true or false: " + text);
  }

  private static double doubleValue(String name, String text) throws UsageException {
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

  private static long longValue(String name, String text) throws UsageException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": not an integer: " + text);
    }
  }

  private static int intValue(String name, String text, int min, int max) throws UsageException {
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
        + ", smoke="
        + smoke
        + ", replay="
        + replay
        + "]";
  }
}
