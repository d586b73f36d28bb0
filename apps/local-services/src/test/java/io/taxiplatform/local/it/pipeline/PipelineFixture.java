package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.PrometheusScrape;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.local.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the pipeline ITs share: one test's topics, keyspace and checkpoint on the shared services,
 * the job process, a plain Kafka producer/consumer, Cassandra reads and the job's metrics.
 */
public final class PipelineFixture implements AutoCloseable {

  public static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(4);

  public final KafkaNode kafka;
  public final CassandraNode cassandra;
  public final String tripsTopic;
  public final String dlqTopic;
  public final String keyspace;
  public final Path workDir;
  public final Path zoneLookup;
  public final Map<Integer, String[]> zones;
  public final Map<String, String> env;
  private final List<StreamingJobProcess> jobs = new ArrayList<>();
  private final KafkaProducer<byte[], byte[]> producer;

  public PipelineFixture(
      KafkaNode kafka, CassandraNode cassandra, String name, Map<String, String> settings) {
    this(kafka, cassandra, name, settings, 2);
  }

  /** With a trips topic of {@code partitions} partitions. */
  public PipelineFixture(
      KafkaNode kafka,
      CassandraNode cassandra,
      String name,
      Map<String, String> settings,
      int partitions) {
    this.kafka = kafka;
    this.cassandra = cassandra;
    String id = name + "_" + UUID.randomUUID().toString().substring(0, 6);
    this.tripsTopic = "trips." + id;
    this.dlqTopic = "trips.dlq." + id;
    this.keyspace = id;
    this.workDir = LocalPaths.newWorkDir("pipeline-" + name);
    kafka.createTopic(tripsTopic, partitions);
    kafka.createTopic(dlqTopic, 1);
    this.zoneLookup = SharedData.zoneLookup().orElseGet(this::writeGeneratedLookup);
    this.zones = readLookup(zoneLookup);
    this.env =
        StreamingJobProcess.environment(
            kafka, cassandra, workDir.resolve("checkpoints"), zoneLookup);
    env.put("TRIPS_TOPIC", tripsTopic);
    env.put("DEAD_LETTER_TOPIC", dlqTopic);
    env.put("CASSANDRA_KEYSPACE", keyspace);
    env.put("SHUFFLE_PARTITIONS", "2");
    env.putAll(settings);
    Properties p =
        kafka.clientProperties(); // bootstrap servers, and the admin's login on a secure broker
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
  }

  /**
   * When ../shared/data is absent: a lookup of zones 1..263 in five boroughs (264/265 missing:
   * Unknown).
   */
  private Path writeGeneratedLookup() {
    String[] boroughs = {"Manhattan", "Queens", "Brooklyn", "Bronx", "Staten Island"};
    StringBuilder csv = new StringBuilder("\"LocationID\",\"Borough\",\"Zone\",\"service_zone\"\n");
    for (int i = 1; i <= 263; i++) {
      csv.append(i)
          .append(",\"")
          .append(boroughs[i % 5])
          .append("\",\"Zone ")
          .append(i)
          .append(", test\",\"X\"\n");
    }
    try {
      return Files.writeString(workDir.resolve("taxi_zone_lookup.csv"), csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Zone id -> {borough, zone}, read here with a regex over the quoted CSV (independent of the
   * job's reader).
   */
  static Map<Integer, String[]> readLookup(Path file) {
    Map<Integer, String[]> out = new HashMap<>();
    java.util.regex.Pattern row =
        java.util.regex.Pattern.compile("^(\\d+),\"([^\"]*)\",\"([^\"]*)\",.*$");
    try {
      for (String line : Files.readAllLines(file)) {
        var m = row.matcher(line.strip());
        if (m.matches()) {
          out.put(
              Integer.parseInt(m.group(1)),
              new String[] {m.group(2), m.group(3).isEmpty() ? "Unknown" : m.group(3)});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public StreamingJobProcess startJob() {
    StreamingJobProcess job = StreamingJobProcess.start(env, workDir.resolve("job-" + jobs.size()));
    jobs.add(job);
    return job;
  }

  /**
   * Starts another job beside the first, with {@code overrides} over {@link #env} (e.g. another
   * {@code PIPELINE_VERSION}) and its own metrics port; returns that port's environment.
   */
  Map<String, String> startJob(Map<String, String> overrides) {
    Map<String, String> other = new java.util.LinkedHashMap<>(env);
    other.put("METRICS_PORT", String.valueOf(io.taxiplatform.local.FreePorts.next()));
    other.putAll(overrides);
    jobs.add(StreamingJobProcess.start(other, workDir.resolve("job-" + jobs.size())));
    return other;
  }

  /** Sends values (keys: the pickup zone when present) and waits for the acks. */
  public void send(List<byte[]> values) {
    for (byte[] v : values) {
      producer.send(new ProducerRecord<>(tripsTopic, null, v));
    }
    producer.flush();
  }

  /**
   * Sends one value with {@code producedAt} as its Kafka timestamp (CreateTime: what a producer
   * that sent it then would have stamped) and waits for the ack.
   */
  void sendProducedAt(Instant producedAt, String value) {
    producer.send(
        new ProducerRecord<>(
            tripsTopic,
            null,
            producedAt.toEpochMilli(),
            null,
            value.getBytes(StandardCharsets.UTF_8)));
    producer.flush();
  }

  void send(String... values) {
    List<byte[]> bytes = new ArrayList<>();
    for (String v : values) {
      bytes.add(v.getBytes(StandardCharsets.UTF_8));
    }
    send(bytes);
  }

  /** The sum of a topic's end offsets (its record count when nothing was deleted). */
  public long endOffsets(String topic) {
    Properties p = kafka.clientProperties();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Every record of a topic (from the beginning to the current end). */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = kafka.clientProperties();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      Instant deadline = Instant.now().plusSeconds(60);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("could not read " + topic + " to its end " + end);
        }
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }

  /** The job's input as the expected computation needs it. */
  public List<ExpectedWindows.Input> tripInputs() {
    return readAll(tripsTopic).stream()
        .map(r -> new ExpectedWindows.Input(r.value(), Instant.ofEpochMilli(r.timestamp())))
        .toList();
  }

  /**
   * {@link #tripInputs()} with each trip once: of the records that carry the same {@code trip_id}
   * (copies of one trip go to one partition, keyed by pickup zone), the first in the partition's
   * offset order; records without a readable trip id are all kept.
   */
  public List<ExpectedWindows.Input> distinctTripInputs() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<ExpectedWindows.Input> out = new ArrayList<>();
    for (ExpectedWindows.Input in : tripInputs()) {
      String id = ExpectedWindows.tripId(in.value());
      if (id == null || seen.add(id)) {
        out.add(in);
      }
    }
    return out;
  }

  public CqlSession session() {
    return cassandra.session();
  }

  boolean tableExists(String table) {
    return session()
        .getMetadata()
        .getKeyspace(keyspace)
        .flatMap(k -> k.getTable(table))
        .isPresent();
  }

  public List<Row> rows(String table) {
    if (!tableExists(table)) {
      return List.of();
    }
    return session().execute("SELECT * FROM " + keyspace + "." + table).all();
  }

  /** Sum of trip_count over a table (0 when it does not exist yet). */
  public long tripCountSum(String table) {
    return rows(table).stream().mapToLong(r -> r.getLong("trip_count")).sum();
  }

  /** A scrape of the job's /metrics, empty when it does not answer. */
  Optional<PrometheusScrape> metrics() {
    return metrics(env);
  }

  /**
   * A scrape of the /metrics of the job started with {@code jobEnv}, empty when it does not answer.
   */
  Optional<PrometheusScrape> metrics(Map<String, String> jobEnv) {
    return PrometheusScrape.fetch(
        HttpClient.newHttpClient(),
        Integer.parseInt(jobEnv.get("METRICS_PORT")),
        Duration.ofSeconds(5));
  }

  public OptionalDouble metric(String name, Map<String, String> labels) {
    return metrics().map(s -> s.sum(name, labels)).orElse(OptionalDouble.empty());
  }

  OptionalDouble metric(Map<String, String> jobEnv, String name, Map<String, String> labels) {
    return metrics(jobEnv).map(s -> s.sum(name, labels)).orElse(OptionalDouble.empty());
  }

  /**
   * Polls until {@code done}; fails with {@code what} and the job's log tail on timeout or job
   * exit.
   */
  public void awaitUntil(String what, BooleanSupplier done) {
    Waits.until(
        what,
        CONVERGE_TIMEOUT,
        Duration.ofSeconds(1),
        () -> done.getAsBoolean() || failIfAJobExited(what),
        () -> {
          StreamingJobProcess job = lastJob();
          return "timed out after "
              + CONVERGE_TIMEOUT
              + " waiting for "
              + what
              + (job == null ? "" : "\n" + job.logTail(80));
        });
  }

  private StreamingJobProcess lastJob() {
    return jobs.isEmpty() ? null : jobs.get(jobs.size() - 1);
  }

  /**
   * Fails when the last job exited, or an earlier one exited with an error (not 0, 137 or 143: the
   * tests stop jobs themselves); false otherwise.
   */
  private boolean failIfAJobExited(String what) {
    StreamingJobProcess job = lastJob();
    for (StreamingJobProcess other : jobs) {
      if (other != job
          && !other.isAlive()
          && other.exitCode().isPresent()
          && other.exitCode().getAsInt() != 0
          && other.exitCode().getAsInt() != 137
          && other.exitCode().getAsInt() != 143) {
        throw new AssertionError(
            "a streaming job exited ("
                + other.exitCode()
                + ") while waiting for "
                + what
                + "\n"
                + other.logTail(80));
      }
    }
    if (job != null && !job.isAlive()) {
      throw new AssertionError(
          "the streaming job exited ("
              + job.exitCode()
              + ") while waiting for "
              + what
              + "\n"
              + job.logTail(80));
    }
    return false;
  }

  /** Dead letters in the DLQ topic: reason (from the header, checked against the JSON) -> count. */
  public Map<String, Long> deadLetterReasons() {
    Map<String, Long> out = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(dlqTopic)) {
      var header = r.headers().lastHeader("taxi.dlq.reason");
      assertThat(header).as("taxi.dlq.reason header").isNotNull();
      var version = r.headers().lastHeader("taxi.pipeline.version");
      assertThat(version).as("taxi.pipeline.version header").isNotNull();
      assertThat(new String(version.value(), StandardCharsets.UTF_8))
          .isEqualTo(env.get("PIPELINE_VERSION") == null ? "v1" : env.get("PIPELINE_VERSION"));
      String reason = new String(header.value(), StandardCharsets.UTF_8);
      assertThat(ExpectedWindows.tree(r.value()).get("reason").asText()).isEqualTo(reason);
      out.merge(reason, 1L, Long::sum);
    }
    return out;
  }

  /**
   * Distinct {@code source_partition:source_offset} of the dead letters (a re-run batch may repeat
   * one).
   */
  public java.util.Set<String> deadLetterSources() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(dlqTopic)) {
      var json = ExpectedWindows.tree(r.value());
      out.add(json.get("source_partition").asInt() + ":" + json.get("source_offset").asLong());
    }
    return out;
  }

  /**
   * Asserts every row of the zone tables and the borough table equals {@code expected}, and no
   * other row exists.
   */
  public void assertTablesEqual(ExpectedWindows expected, String version) {
    for (String table : List.of("zone_windows_" + version, "window_zones_" + version)) {
      List<Row> rows = rows(table);
      Map<String, Row> byKey = new TreeMap<>();
      for (Row r : rows) {
        byKey.put(r.getInt("pickup_zone") + "|" + r.getInstant("window_start"), r);
      }
      assertThat(byKey.keySet())
          .as(table + " keys")
          .containsExactlyElementsOf(expected.zoneWindows.keySet());
      assertThat(rows).as(table + " has one row per key").hasSize(byKey.size());
      expected.zoneWindows.forEach(
          (key, agg) -> {
            Row r = byKey.get(key);
            ExpectedWindows.assertRow(r, agg, table + " " + key);
            assertThat(r.getString("borough"))
                .as(table + " " + key + " borough")
                .isEqualTo(agg.borough);
            assertThat(r.getString("zone_name"))
                .as(table + " " + key + " zone_name")
                .isEqualTo(agg.zoneName);
          });
    }
    String table = "borough_windows_" + version;
    Map<String, Row> byKey = new TreeMap<>();
    List<Row> rows = rows(table);
    for (Row r : rows) {
      byKey.put(r.getString("borough") + "|" + r.getInstant("window_start"), r);
    }
    assertThat(byKey.keySet())
        .as(table + " keys")
        .containsExactlyElementsOf(expected.boroughWindows.keySet());
    assertThat(rows).hasSize(byKey.size());
    expected.boroughWindows.forEach(
        (key, agg) -> ExpectedWindows.assertRow(byKey.get(key), agg, table + " " + key));
  }

  @Override
  public void close() {
    for (StreamingJobProcess job : jobs) {
      job.destroy();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
