package io.taxiplatform.streaming;

import io.taxiplatform.config.KafkaClientSecurity;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The streaming job's configuration: the environment variables of docs/contracts.md ("Streaming
 * job"), each overridable by a CLI flag named after it ({@code WATERMARK_DELAY} -> {@code
 * --watermark-delay=10 minutes} or {@code --watermark-delay "10 minutes"}). Immutable; {@link
 * #toString()} never shows secrets.
 */
public record JobConfig(
    String bootstrapServers,
    String tripsTopic,
    String deadLetterTopic,
    String startingOffsets,
    long maxOffsetsPerTrigger,
    KafkaClientSecurity kafkaSecurity,
    String kafkaGroupIdPrefix,
    String pipelineVersion,
    String checkpointLocation,
    Path zoneLookupPath,
    SparkDuration watermarkDelay,
    SparkDuration zoneWindow,
    SparkDuration boroughWindow,
    SparkDuration boroughSlide,
    SparkDuration triggerInterval,
    SparkDuration maxEventTimeSkew,
    int shufflePartitions,
    CassandraSettings cassandra,
    int metricsPort)
    implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Pattern VERSION = Pattern.compile("[a-z0-9_]+");

  /**
   * Characters of a consumer group id prefix (what a Kafka ACL resource name can hold without
   * quoting).
   */
  private static final Pattern GROUP_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** {@code KAFKA_GROUP_ID_PREFIX}'s default: this, then {@code PIPELINE_VERSION}. */
  static final String GROUP_ID_PREFIX_BASE = "taxi-stream-";

  /** Every variable this job reads, with its default ({@code null}: no default). */
  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    d.put("TRIPS_TOPIC", "taxi.trips");
    d.put("DEAD_LETTER_TOPIC", "taxi.trips.dlq");
    d.put("STARTING_OFFSETS", "earliest");
    d.put("MAX_OFFSETS_PER_TRIGGER", "250000");
    d.put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
    d.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    d.put("KAFKA_SASL_USERNAME", null);
    d.put("KAFKA_SASL_PASSWORD", null);
    d.put("KAFKA_SSL_TRUSTSTORE_LOCATION", null);
    d.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", null);
    d.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    d.put("KAFKA_SSL_KEYSTORE_LOCATION", null);
    d.put("KAFKA_SSL_KEYSTORE_PASSWORD", null);
    d.put("KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
    // Default taxi-stream-<PIPELINE_VERSION> (computed in build: it depends on another variable).
    d.put("KAFKA_GROUP_ID_PREFIX", null);
    d.put("PIPELINE_VERSION", "v1");
    d.put("CHECKPOINT_LOCATION", "/tmp/taxi-checkpoints");
    // The TLC lookup shipped in the job's jar; a file path overrides it.
    d.put("ZONE_LOOKUP_PATH", ZoneLookup.SHIPPED);
    d.put("WATERMARK_DELAY", "10 minutes");
    d.put("ZONE_WINDOW", "5 minutes");
    d.put("BOROUGH_WINDOW", "15 minutes");
    d.put("BOROUGH_SLIDE", "5 minutes");
    d.put("TRIGGER_INTERVAL", "1 second");
    d.put("MAX_EVENT_TIME_SKEW", "1 hour");
    d.put("SHUFFLE_PARTITIONS", "4");
    d.put("CASSANDRA_CONTACT_POINTS", "127.0.0.1:9042");
    d.put("CASSANDRA_LOCAL_DC", "datacenter1");
    d.put("CASSANDRA_USERNAME", null);
    d.put("CASSANDRA_PASSWORD", null);
    d.put("CASSANDRA_SSL_ENABLED", "false");
    d.put("CASSANDRA_SSL_TRUSTSTORE_PATH", null);
    d.put("CASSANDRA_SSL_TRUSTSTORE_PASSWORD", null);
    d.put("CASSANDRA_KEYSPACE", "taxi");
    d.put("CASSANDRA_REPLICATION", "{'class': 'SimpleStrategy', 'replication_factor': 1}");
    d.put("CASSANDRA_TTL_SECONDS", "2592000");
    d.put("METRICS_PORT", "9091");
    return java.util.Collections.unmodifiableMap(d);
  }

  public JobConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(zoneLookupPath, "zoneLookupPath");
    if (kafkaGroupIdPrefix == null || !GROUP_PREFIX.matcher(kafkaGroupIdPrefix).matches()) {
      throw new IllegalArgumentException(
          "KAFKA_GROUP_ID_PREFIX must match [A-Za-z0-9._-]{1,200}, got '"
              + kafkaGroupIdPrefix
              + "'");
    }
    if (!VERSION.matcher(pipelineVersion).matches()) {
      throw new IllegalArgumentException(
          "PIPELINE_VERSION must match [a-z0-9_]+, got '" + pipelineVersion + "'");
    }
    if (maxOffsetsPerTrigger <= 0) {
      throw new IllegalArgumentException(
          "MAX_OFFSETS_PER_TRIGGER must be > 0, got " + maxOffsetsPerTrigger);
    }
    if (shufflePartitions <= 0) {
      throw new IllegalArgumentException(
          "SHUFFLE_PARTITIONS must be > 0, got " + shufflePartitions);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("METRICS_PORT must be 0..65535, got " + metricsPort);
    }
    if (boroughSlide.duration().compareTo(boroughWindow.duration()) > 0) {
      throw new IllegalArgumentException(
          "BOROUGH_SLIDE ("
              + boroughSlide
              + ") must not exceed BOROUGH_WINDOW ("
              + boroughWindow
              + ")");
    }
  }

  /** Table {@code zone_windows_<version>}. */
  public String zoneWindowsTable() {
    return "zone_windows_" + pipelineVersion;
  }

  /** Table {@code window_zones_<version>}. */
  public String windowZonesTable() {
    return "window_zones_" + pipelineVersion;
  }

  /** Table {@code borough_windows_<version>}. */
  public String boroughWindowsTable() {
    return "borough_windows_" + pipelineVersion;
  }

  /** {@code <CHECKPOINT_LOCATION>/<PIPELINE_VERSION>/<query>}. */
  public String checkpointFor(String query) {
    String root =
        checkpointLocation.endsWith("/")
            ? checkpointLocation.substring(0, checkpointLocation.length() - 1)
            : checkpointLocation;
    return root + "/" + pipelineVersion + "/" + query;
  }

  /** Reads the process environment, then applies {@code args}. */
  public static JobConfig load(String[] args) {
    return from(System.getenv(), args);
  }

  /**
   * Builds the configuration from {@code env} overridden by CLI flags.
   *
   * @throws UsageException for an unknown flag, a flag without value, or an invalid/missing value
   */
  public static JobConfig from(Map<String, String> env, String[] args) {
    Map<String, String> values = new HashMap<>();
    DEFAULTS.forEach(
        (k, v) -> {
          String e = env.get(k);
          values.put(k, e != null && !e.isBlank() ? e.trim() : v);
        });
    applyFlags(values, args);
    try {
      return build(values);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void applyFlags(Map<String, String> values, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      String variable = name.toUpperCase(Locale.ROOT).replace('-', '_');
      if (!DEFAULTS.containsKey(variable)) {
        throw new UsageException("unknown flag --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      values.put(variable, value.trim());
    }
  }

  private static JobConfig build(Map<String, String> v) {
    String lookup = v.get("ZONE_LOOKUP_PATH");
    if (lookup == null || lookup.isBlank()) {
      lookup = ZoneLookup.SHIPPED;
    }
    String startingOffsets = v.get("STARTING_OFFSETS");
    if (!startingOffsets.equals("earliest")
        && !startingOffsets.equals("latest")
        && !startingOffsets.startsWith("{")) {
      throw new IllegalArgumentException(
          "STARTING_OFFSETS must be earliest, latest or a JSON offsets map, got '"
              + startingOffsets
              + "'");
    }
    return new JobConfig(
        v.get("KAFKA_BOOTSTRAP_SERVERS"),
        v.get("TRIPS_TOPIC"),
        v.get("DEAD_LETTER_TOPIC"),
        startingOffsets,
        parseLong(v, "MAX_OFFSETS_PER_TRIGGER"),
        KafkaClientSecurity.fromEnv(v),
        v.get("KAFKA_GROUP_ID_PREFIX") != null
            ? v.get("KAFKA_GROUP_ID_PREFIX")
            : GROUP_ID_PREFIX_BASE + v.get("PIPELINE_VERSION"),
        v.get("PIPELINE_VERSION"),
        v.get("CHECKPOINT_LOCATION"),
        Path.of(lookup),
        SparkDuration.parse("WATERMARK_DELAY", v.get("WATERMARK_DELAY")),
        positive(SparkDuration.parse("ZONE_WINDOW", v.get("ZONE_WINDOW"))),
        positive(SparkDuration.parse("BOROUGH_WINDOW", v.get("BOROUGH_WINDOW"))),
        positive(SparkDuration.parse("BOROUGH_SLIDE", v.get("BOROUGH_SLIDE"))),
        SparkDuration.parse("TRIGGER_INTERVAL", v.get("TRIGGER_INTERVAL")),
        SparkDuration.parse("MAX_EVENT_TIME_SKEW", v.get("MAX_EVENT_TIME_SKEW")),
        (int) parseLong(v, "SHUFFLE_PARTITIONS"),
        CassandraSettings.from(v),
        (int) parseLong(v, "METRICS_PORT"));
  }

  private static SparkDuration positive(SparkDuration d) {
    if (d.duration().isZero()) {
      throw new IllegalArgumentException(d.name() + " must be positive");
    }
    return d;
  }

  static long parseLong(Map<String, String> v, String name) {
    String s = v.get(name);
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + s + "'");
    }
  }

  /** The usage text: every variable/flag and its default. */
  public static String usage() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "usage: StreamingJob [--flag=value ...]   (each flag overrides the environment variable of the same name)");
    DEFAULTS.forEach(
        (k, d) ->
            lines.add(
                String.format(
                    "  --%-34s %s%s",
                    k.toLowerCase(Locale.ROOT).replace('_', '-'),
                    k,
                    k.equals("KAFKA_GROUP_ID_PREFIX")
                        ? " (default: " + GROUP_ID_PREFIX_BASE + "<PIPELINE_VERSION>)"
                        : d == null ? "" : " (default: " + d + ")")));
    return String.join(System.lineSeparator(), lines);
  }

  /**
   * A duration in Spark's interval syntax ({@code "10 minutes"}), kept as written for Spark and
   * parsed for Java.
   */
  public record SparkDuration(String name, String text, Duration duration) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([a-zA-Z]+)");

    /**
     * Parses {@code "<n> <unit>"} with unit ms, second(s), minute(s), hour(s), day(s) (and short
     * forms).
     */
    public static SparkDuration parse(String name, String text) {
      var m = FORM.matcher(text == null ? "" : text.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            name + " must look like '10 minutes', got '" + text + "'");
      }
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms", "millisecond", "milliseconds" -> Duration.ofMillis(n);
            case "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(n);
            case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(n);
            case "h", "hour", "hours" -> Duration.ofHours(n);
            case "d", "day", "days" -> Duration.ofDays(n);
            default ->
                throw new IllegalArgumentException(
                    name
                        + ": unknown unit '"
                        + m.group(2)
                        + "' in '"
                        + text
                        + "' (use ms, seconds, minutes, hours or days)");
          };
      // Spark's interval parser wants the long unit names; normalise so both sides agree.
      return new SparkDuration(
          name,
          d.toMillis() % 1000 != 0 ? d.toMillis() + " milliseconds" : d.getSeconds() + " seconds",
          d);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Cassandra connection settings for the connector ({@code spark.cassandra.*}). */
  public record CassandraSettings(
      String contactPoints,
      String localDc,
      String username,
      String password,
      boolean sslEnabled,
      String truststorePath,
      String truststorePassword,
      String keyspace,
      String replication,
      int ttlSeconds)
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,47}");

    static CassandraSettings from(Map<String, String> v) {
      String keyspace = v.get("CASSANDRA_KEYSPACE");
      if (!IDENTIFIER.matcher(keyspace).matches()) {
        throw new IllegalArgumentException(
            "CASSANDRA_KEYSPACE must be a CQL identifier, got '" + keyspace + "'");
      }
      String replication = v.get("CASSANDRA_REPLICATION").trim();
      if (!replication.startsWith("{")
          || !replication.endsWith("}")
          || !replication.contains("'class'")) {
        throw new IllegalArgumentException(
            "CASSANDRA_REPLICATION must be a CQL replication map like "
                + "{'class': 'SimpleStrategy', 'replication_factor': 1}, got '"
                + replication
                + "'");
      }
      long ttl = parseLong(v, "CASSANDRA_TTL_SECONDS");
      if (ttl < 0 || ttl > 630_720_000L) {
        throw new IllegalArgumentException(
            "CASSANDRA_TTL_SECONDS must be 0..630720000 (20 years), got " + ttl);
      }
      String ssl = v.get("CASSANDRA_SSL_ENABLED").toLowerCase(Locale.ROOT);
      if (!ssl.equals("true") && !ssl.equals("false")) {
        throw new IllegalArgumentException(
            "CASSANDRA_SSL_ENABLED must be true or false, got '" + ssl + "'");
      }
      String user = v.get("CASSANDRA_USERNAME");
      String password = v.get("CASSANDRA_PASSWORD");
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException(
            "set both CASSANDRA_USERNAME and CASSANDRA_PASSWORD, or neither");
      }
      return new CassandraSettings(
          v.get("CASSANDRA_CONTACT_POINTS"),
          v.get("CASSANDRA_LOCAL_DC"),
          user,
          password,
          Boolean.parseBoolean(ssl),
          v.get("CASSANDRA_SSL_TRUSTSTORE_PATH"),
          v.get("CASSANDRA_SSL_TRUSTSTORE_PASSWORD"),
          keyspace,
          replication,
          (int) ttl);
    }

    /**
     * The connector's Spark properties ({@code spark.cassandra.connection.*}, {@code .auth.*},
     * {@code .output.ttl}).
     */
    public Map<String, String> sparkProperties() {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("spark.cassandra.connection.host", contactPoints);
      p.put("spark.cassandra.connection.localDC", localDc);
      if (username != null) {
        p.put("spark.cassandra.auth.username", username);
        p.put("spark.cassandra.auth.password", password);
      }
      if (sslEnabled) {
        p.put("spark.cassandra.connection.ssl.enabled", "true");
        if (truststorePath != null) {
          p.put("spark.cassandra.connection.ssl.trustStore.path", truststorePath);
          p.put(
              "spark.cassandra.connection.ssl.trustStore.type",
              truststorePath.endsWith(".p12") || truststorePath.endsWith(".pfx")
                  ? "PKCS12"
                  : "JKS");
          if (truststorePassword != null) {
            p.put("spark.cassandra.connection.ssl.trustStore.password", truststorePassword);
          }
        }
      }
      p.put("spark.cassandra.output.ttl", Integer.toString(ttlSeconds));
      return p;
    }

    @Override
    public String toString() {
      return "CassandraSettings[contactPoints="
          + contactPoints
          + ", localDc="
          + localDc
          + ", username="
          + username
          + ", password="
          + mask(password)
          + ", ssl="
          + sslEnabled
          + ", truststore="
          + truststorePath
          + ", keyspace="
          + keyspace
          + ", replication="
          + replication
          + ", ttlSeconds="
          + ttlSeconds
          + "]";
    }
  }

  private static String mask(String secret) {
    return secret == null ? "null" : "****";
  }

  /** A bad flag or value: the message says which; the job prints usage and exits 2. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }
}
