package io.taxiplatform.streaming;

import io.taxiplatform.config.CassandraSettings;
import io.taxiplatform.config.Cli;
import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.KafkaClientSecurity;
import io.taxiplatform.config.PipelineVersion;
import io.taxiplatform.config.Secrets;
import io.taxiplatform.config.SparkDuration;
import io.taxiplatform.config.UsageException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The streaming job's configuration. Its options are declared once, in {@link Options} (flag,
 * environment variable, default, description; docs/contracts.md is checked against them): each
 * variable of docs/contracts.md ("Streaming job") has a flag named after it ({@code
 * WATERMARK_DELAY} -> {@code --watermark-delay=10 minutes} or {@code --watermark-delay "10
 * minutes"}) that wins over it, except the secrets ({@link #SECRETS}), which come from the
 * environment only. Immutable; {@link #toString()} never shows secrets.
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
    StateStore stateStore,
    int stateStoreMemoryMb,
    CassandraSettings cassandra,
    int metricsPort)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Characters of a consumer group id prefix (what a Kafka ACL resource name can hold without
   * quoting).
   */
  private static final Pattern GROUP_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** {@code KAFKA_GROUP_ID_PREFIX}'s default: this, then {@code PIPELINE_VERSION}. */
  static final String GROUP_ID_PREFIX_BASE = "taxi-stream-";

  private static final String GROUP_ID_PREFIX_DEFAULT = GROUP_ID_PREFIX_BASE + "<PIPELINE_VERSION>";

  /**
   * The keyspace options only the job and the Cassandra access setup read (the job creates the
   * keyspace and writes with a TTL; the producer only reads).
   */
  public static final class KeyspaceOptions {
    @Option(
        names = "--cassandra-replication",
        paramLabel = "MAP",
        defaultValue =
            "${env:CASSANDRA_REPLICATION:-{'class': 'SimpleStrategy', 'replication_factor': 1}}",
        description = "CQL replication map used when the keyspace is created")
    String replication;

    @Option(
        names = "--cassandra-ttl-seconds",
        paramLabel = "N",
        defaultValue = "${env:CASSANDRA_TTL_SECONDS:-2592000}",
        description = "TTL of the rows the job writes, 0..630720000")
    String ttlSeconds;

    /** The Cassandra settings of {@code cassandra} with these options and {@code env}'s secrets. */
    CassandraSettings settings(CassandraSettings.Options cassandra, Map<String, String> env) {
      return cassandra.toSettings(env, replication, ttlSeconds);
    }
  }

  /** The job's options, each declared once: flag, environment variable, default. */
  @Command(
      name = "StreamingJob",
      description = {
        "Spark Structured Streaming: validates the trips topic, dead-letters invalid events, and",
        "upserts windowed aggregates into Cassandra."
      },
      footer = {
        "Exit codes: 2 bad configuration or settings a checkpoint cannot serve, 1 failure."
      })
  public static final class Options {
    @Option(
        names = "--kafka-bootstrap-servers",
        paramLabel = "H:P[,H:P]",
        defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
        description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(
        names = "--trips-topic",
        paramLabel = "NAME",
        defaultValue = "${env:TRIPS_TOPIC:-taxi.trips}",
        description = "the trips topic")
    String tripsTopic;

    @Option(
        names = "--dead-letter-topic",
        paramLabel = "NAME",
        defaultValue = "${env:DEAD_LETTER_TOPIC:-taxi.trips.dlq}",
        description = "the dead-letter topic")
    String deadLetterTopic;

    @Option(
        names = "--starting-offsets",
        paramLabel = "earliest|latest|JSON",
        defaultValue = "${env:STARTING_OFFSETS:-earliest}",
        description = "for a fresh checkpoint only")
    String startingOffsets;

    @Option(
        names = "--max-offsets-per-trigger",
        paramLabel = "N",
        defaultValue = "${env:MAX_OFFSETS_PER_TRIGGER:-250000}",
        description = "offsets per micro-batch, split across the partitions")
    String maxOffsetsPerTrigger;

    @Mixin KafkaClientSecurity.Options kafkaSecurity;

    @Option(
        names = "--kafka-group-id-prefix",
        paramLabel = "PREFIX",
        defaultValue = "${env:KAFKA_GROUP_ID_PREFIX:-" + GROUP_ID_PREFIX_DEFAULT + "}",
        description = "prefix of the Kafka sources' consumer group ids, [A-Za-z0-9._-]{1,200}")
    String kafkaGroupIdPrefix;

    @Option(
        names = "--pipeline-version",
        paramLabel = "V",
        defaultValue = "${env:PIPELINE_VERSION:-v1}",
        description = "suffix of tables and checkpoint sub-directory ([a-z0-9_]+)")
    String pipelineVersion;

    @Option(
        names = "--checkpoint-location",
        paramLabel = "DIR",
        defaultValue = "${env:CHECKPOINT_LOCATION:-/tmp/taxi-checkpoints}",
        description = "root; each query uses <root>/<version>/<query>")
    String checkpointLocation;

    @Option(
        names = "--zone-lookup-path",
        paramLabel = "FILE",
        defaultValue = "${env:ZONE_LOOKUP_PATH:-" + ZoneLookup.SHIPPED + "}",
        description = "the TLC zone lookup; by default the one shipped in the job's jar")
    String zoneLookupPath;

    @Option(
        names = "--watermark-delay",
        paramLabel = "DURATION",
        defaultValue = "${env:WATERMARK_DELAY:-10 minutes}",
        description = "how late an event may arrive")
    String watermarkDelay;

    @Option(
        names = "--zone-window",
        paramLabel = "DURATION",
        defaultValue = "${env:ZONE_WINDOW:-5 minutes}",
        description = "tumbling window per pickup zone")
    String zoneWindow;

    @Option(
        names = "--borough-window",
        paramLabel = "DURATION",
        defaultValue = "${env:BOROUGH_WINDOW:-15 minutes}",
        description = "sliding window per borough")
    String boroughWindow;

    @Option(
        names = "--borough-slide",
        paramLabel = "DURATION",
        defaultValue = "${env:BOROUGH_SLIDE:-5 minutes}",
        description = "slide of the borough window, at most BOROUGH_WINDOW")
    String boroughSlide;

    @Option(
        names = "--trigger-interval",
        paramLabel = "DURATION",
        defaultValue = "${env:TRIGGER_INTERVAL:-1 second}",
        description = "micro-batch trigger interval")
    String triggerInterval;

    @Option(
        names = "--max-event-time-skew",
        paramLabel = "DURATION",
        defaultValue = "${env:MAX_EVENT_TIME_SKEW:-1 hour}",
        description =
            "events whose dropoff lies further ahead of their Kafka timestamp (at most the batch"
                + " time) are dead-lettered")
    String maxEventTimeSkew;

    @Option(
        names = "--shuffle-partitions",
        paramLabel = "N",
        defaultValue = "${env:SHUFFLE_PARTITIONS:-auto}",
        description =
            "spark.sql.shuffle.partitions (recorded in the checkpoint); auto: the recorded value of"
                + " an existing checkpoint, else the cores Spark has (local[N]: N; executor"
                + " instances x cores)")
    String shufflePartitions;

    @Option(
        names = "--state-store",
        paramLabel = "rocksdb|hdfs",
        defaultValue = "${env:STATE_STORE:-rocksdb}",
        description = "state store of a new pipeline version; a checkpoint keeps its own")
    String stateStore;

    @Option(
        names = "--state-store-memory-mb",
        paramLabel = "MB",
        defaultValue = "${env:STATE_STORE_MEMORY_MB:-256}",
        description = "RocksDB memory bound per executor (off-heap), 16..65536")
    String stateStoreMemoryMb;

    @Mixin CassandraSettings.Options cassandra;

    @Mixin KeyspaceOptions keyspace;

    @Option(
        names = "--metrics-port",
        paramLabel = "N",
        defaultValue = "${env:METRICS_PORT:-9091}",
        description = "the driver's /metrics; 0 disables")
    String metricsPort;

    @Mixin Cli.Help help;
  }

  /** The secrets the job reads (environment only). */
  public static final List<Secrets.Secret> SECRETS = Secrets.CLIENT;

  /** Every variable this job reads, with its default ({@code null}: a secret, no default). */
  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    Cli.declared(new Options()).forEach(o -> d.put(o.variable(), o.defaultValue()));
    SECRETS.forEach(s -> d.put(s.variable(), null));
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
    new PipelineVersion(pipelineVersion);
    if (maxOffsetsPerTrigger <= 0) {
      throw new IllegalArgumentException(
          "MAX_OFFSETS_PER_TRIGGER must be > 0, got " + maxOffsetsPerTrigger);
    }
    if (shufflePartitions < 0) {
      throw new IllegalArgumentException(
          "SHUFFLE_PARTITIONS must be > 0 or auto, got " + shufflePartitions);
    }
    Objects.requireNonNull(stateStore, "stateStore");
    if (stateStoreMemoryMb < 16 || stateStoreMemoryMb > 65536) {
      throw new IllegalArgumentException(
          "STATE_STORE_MEMORY_MB must be 16..65536, got " + stateStoreMemoryMb);
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

  /** Spark's RocksDB state store, which {@link StateStore#ROCKSDB} wraps. */
  static final String SPARK_ROCKSDB_PROVIDER =
      "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider";

  /**
   * The state store a new pipeline version's queries keep their state in ({@code STATE_STORE}).
   * Spark records the store in a query's offset log and keeps it for the checkpoint's life, so a
   * version that started with one store goes on with it whatever this says.
   */
  public enum StateStore {
    /**
     * RocksDB, off-heap, memory bounded by {@code STATE_STORE_MEMORY_MB} per executor, changelog
     * checkpointing: a micro-batch writes only what changed, whatever the state's size. Spark's
     * RocksDB store, whose de-duplication evicts in dropoff order ({@link
     * OrderedEvictionStateStoreProvider}).
     */
    ROCKSDB("rocksdb", "io.taxiplatform.streaming.OrderedEvictionStateStoreProvider"),
    /**
     * Spark's default, on the JVM heap: each micro-batch copies every stateful partition's map, so
     * batch time and heap grow with the state (docs/operations.md, Scaling).
     */
    HDFS("hdfs", "org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider");

    private final String text;
    private final String providerClass;

    StateStore(String text, String providerClass) {
      this.text = text;
      this.providerClass = providerClass;
    }

    /** The value of {@code STATE_STORE}. */
    public String text() {
      return text;
    }

    /** {@code spark.sql.streaming.stateStore.providerClass}. */
    public String providerClass() {
      return providerClass;
    }

    /**
     * Whether a provider class (as a checkpoint records it) keeps its state in RocksDB: {@link
     * #ROCKSDB}'s, or Spark's own RocksDB store, which versions before topology 5 recorded.
     */
    public static boolean isRocksDb(String providerClass) {
      return ROCKSDB.providerClass.equals(providerClass)
          || SPARK_ROCKSDB_PROVIDER.equals(providerClass);
    }

    static StateStore parse(String text) {
      String t = text.trim();
      for (StateStore s : values()) {
        if (s.text.equalsIgnoreCase(t)) {
          return s;
        }
      }
      throw new UsageException("STATE_STORE must be rocksdb or hdfs, got '" + t + "'");
    }
  }

  /** Table {@code zone_windows_<version>}. */
  public String zoneWindowsTable() {
    return new PipelineVersion(pipelineVersion).zoneWindowsTable();
  }

  /** Table {@code window_zones_<version>}. */
  public String windowZonesTable() {
    return new PipelineVersion(pipelineVersion).windowZonesTable();
  }

  /** Table {@code borough_windows_<version>}. */
  public String boroughWindowsTable() {
    return new PipelineVersion(pipelineVersion).boroughWindowsTable();
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
   * @throws HelpRequested for {@code --help}
   */
  public static JobConfig from(Map<String, String> env, String[] args) {
    Options o = Cli.parse(new Options(), env, args);
    try {
      return build(o, env);
    } catch (UsageException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static JobConfig build(Options o, Map<String, String> env) {
    String lookup = o.zoneLookupPath.trim();
    if (lookup.isEmpty()) {
      lookup = ZoneLookup.SHIPPED;
    }
    String startingOffsets = o.startingOffsets.trim();
    if (!startingOffsets.equals("earliest")
        && !startingOffsets.equals("latest")
        && !startingOffsets.startsWith("{")) {
      throw new UsageException(
          "STARTING_OFFSETS must be earliest, latest or a JSON offsets map, got '"
              + startingOffsets
              + "'");
    }
    String version = o.pipelineVersion.trim();
    String prefix = o.kafkaGroupIdPrefix.trim();
    return new JobConfig(
        o.bootstrapServers.trim(),
        o.tripsTopic.trim(),
        o.deadLetterTopic.trim(),
        startingOffsets,
        parseLong("MAX_OFFSETS_PER_TRIGGER", o.maxOffsetsPerTrigger),
        o.kafkaSecurity.toSecurity(env),
        prefix.equals(GROUP_ID_PREFIX_DEFAULT) ? GROUP_ID_PREFIX_BASE + version : prefix,
        version,
        o.checkpointLocation.trim(),
        Path.of(lookup),
        SparkDuration.parse("WATERMARK_DELAY", o.watermarkDelay),
        SparkDuration.parse("ZONE_WINDOW", o.zoneWindow).positive(),
        SparkDuration.parse("BOROUGH_WINDOW", o.boroughWindow).positive(),
        SparkDuration.parse("BOROUGH_SLIDE", o.boroughSlide).positive(),
        SparkDuration.parse("TRIGGER_INTERVAL", o.triggerInterval),
        SparkDuration.parse("MAX_EVENT_TIME_SKEW", o.maxEventTimeSkew),
        parseShufflePartitions(o.shufflePartitions),
        StateStore.parse(o.stateStore),
        (int) parseLong("STATE_STORE_MEMORY_MB", o.stateStoreMemoryMb),
        o.keyspace.settings(o.cassandra, env),
        (int) parseLong("METRICS_PORT", o.metricsPort));
  }

  /** {@link #shufflePartitions} when {@code SHUFFLE_PARTITIONS} is {@code auto}. */
  public static final int AUTO_SHUFFLE_PARTITIONS = 0;

  /** {@code auto} (any case) or a positive integer. */
  static int parseShufflePartitions(String text) {
    String s = text.trim();
    if (s.equalsIgnoreCase("auto")) {
      return AUTO_SHUFFLE_PARTITIONS;
    }
    long n;
    try {
      n = Long.parseLong(s);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n <= 0 || n > Integer.MAX_VALUE) {
      throw new UsageException(
          "SHUFFLE_PARTITIONS must be auto or a positive integer, got '" + s + "'");
    }
    return (int) n;
  }

  /**
   * Whether {@code SHUFFLE_PARTITIONS} is {@code auto}: the start takes the value of an existing
   * checkpoint, or the cores Spark has for a new one ({@link TripsTopic#checkCheckpointLayout}).
   */
  public boolean autoShufflePartitions() {
    return shufflePartitions == AUTO_SHUFFLE_PARTITIONS;
  }

  static long parseLong(String name, String text) {
    String s = text.trim();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be an integer, got '" + s + "'");
    }
  }

  /** The usage text, generated from {@link Options} and {@link #SECRETS}. */
  public static String usage() {
    return Cli.usage(new Options(), SECRETS);
  }
}
