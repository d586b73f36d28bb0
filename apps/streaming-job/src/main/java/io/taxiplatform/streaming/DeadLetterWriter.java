package io.taxiplatform.streaming;

import io.taxiplatform.model.RejectReason;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes the rejected records of the window query's parse step ({@link TripParser}) to the
 * dead-letter topic from the executor task that parsed them, so each record is read and parsed once
 * (before, a second query read and parsed the whole topic again to keep its rejected records).
 *
 * <p>Delivery is at least once, as with Spark's Kafka sink: a task sends its dead letters while it
 * parses, waits for every one of them to be acknowledged before its input ends ({@link
 * Task#finish}), and fails when one cannot be written, which fails the micro-batch: its offsets are
 * not committed, and the re-run batch sends the records again. Nothing is lost; a re-run batch can
 * write a record twice (each copy carries the same {@code source_partition}/{@code source_offset}).
 *
 * <p>Each record's key is the original key, its value the dead-letter JSON of docs/contracts.md,
 * its headers {@link #REASON_HEADER} and {@link #VERSION_HEADER}. The records written are counted
 * per reason in {@link #counts()}, Spark accumulators the driver turns into {@code
 * taxi_stream_dead_letters_total} ({@link JobMetrics#trackDeadLetters}).
 *
 * <p>One {@link KafkaProducer} per executor JVM and configuration (thread-safe, shared by the
 * tasks, closed when the JVM exits), created on the first dead letter: a batch without rejected
 * records costs nothing.
 */
final class DeadLetterWriter implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The dead-letter record header holding the reason. */
  static final String REASON_HEADER = "taxi.dlq.reason";

  /**
   * The dead-letter record header naming the pipeline version that wrote it: a version reprocessing
   * the topic beside the serving one dead-letters the same records again, and consumers tell the
   * copies apart by it.
   */
  static final String VERSION_HEADER = "taxi.pipeline.version";

  /** Where a task's producer comes from (serializable: it travels with the task). */
  @FunctionalInterface
  interface ProducerSource extends Serializable {
    Producer<byte[], byte[]> producer();
  }

  private static final Map<Map<String, Object>, Producer<byte[], byte[]>> PRODUCERS =
      new ConcurrentHashMap<>();

  private final String topic;
  private final byte[] pipelineVersion;
  private final ProducerSource producers;
  private final Map<String, LongAccumulator> counts;

  DeadLetterWriter(
      String topic,
      String pipelineVersion,
      ProducerSource producers,
      Map<String, LongAccumulator> counts) {
    this.topic = topic;
    this.pipelineVersion = pipelineVersion.getBytes(StandardCharsets.UTF_8);
    this.producers = producers;
    this.counts = Map.copyOf(counts);
    for (RejectReason r : RejectReason.values()) {
      if (!this.counts.containsKey(r.wireName())) {
        throw new IllegalArgumentException("no counter for reason " + r.wireName());
      }
    }
  }

  /**
   * A writer to {@code topic} with the Kafka client settings {@code kafkaClient} (bootstrap servers
   * and security, without Spark's {@code kafka.} prefix), counting into {@code counts} (one per
   * {@link RejectReason}, {@link #newCounts}).
   */
  static DeadLetterWriter kafka(
      Map<String, String> kafkaClient,
      String topic,
      String pipelineVersion,
      Map<String, LongAccumulator> counts) {
    Map<String, Object> config = new LinkedHashMap<>(kafkaClient);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "taxi-dead-letters-" + pipelineVersion);
    HashMap<String, Object> frozen = new HashMap<>(config);
    return new DeadLetterWriter(
        topic,
        pipelineVersion,
        () -> PRODUCERS.computeIfAbsent(frozen, DeadLetterWriter::open),
        counts);
  }

  private static Producer<byte[], byte[]> open(Map<String, Object> config) {
    KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> p.close(java.time.Duration.ofSeconds(5)), "dlq-close"));
    return p;
  }

  /** One counter per reason, each registered with Spark under {@code dead_letters.<reason>}. */
  static Map<String, LongAccumulator> newCounts(org.apache.spark.SparkContext spark) {
    Map<String, LongAccumulator> out = new LinkedHashMap<>();
    for (RejectReason r : RejectReason.values()) {
      out.put(r.wireName(), spark.longAccumulator("dead_letters." + r.wireName()));
    }
    return out;
  }

  /** The written records per reason (accumulators: read their value on the driver). */
  Map<String, LongAccumulator> counts() {
    return counts;
  }

  /** The dead letters of one task. */
  Task task() {
    return new Task();
  }

  /**
   * The dead letters of one task: sent as they come, acknowledged all at once by {@link #finish}.
   */
  final class Task {
    private final java.util.List<Future<RecordMetadata>> sent = new java.util.ArrayList<>();
    private final Map<String, Long> perReason = new HashMap<>();
    private Producer<byte[], byte[]> producer;

    private Task() {}

    /** Sends one dead letter (asynchronously). */
    void send(byte[] key, String reason, String deadLetterJson) {
      if (producer == null) {
        producer = producers.producer();
      }
      RecordHeaders headers = new RecordHeaders();
      headers.add(new RecordHeader(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8)));
      headers.add(new RecordHeader(VERSION_HEADER, pipelineVersion));
      sent.add(
          producer.send(
              new ProducerRecord<>(
                  topic, null, key, deadLetterJson.getBytes(StandardCharsets.UTF_8), headers)));
      perReason.merge(reason, 1L, Long::sum);
    }

    /**
     * Waits until every dead letter of the task is written, then counts them.
     *
     * @throws IllegalStateException when one could not be written (the task, and its micro-batch,
     *     fail: the batch is re-run from its offsets)
     */
    void finish() {
      if (sent.isEmpty()) {
        return;
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "cannot write a dead letter to " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while writing dead letters to " + topic, e);
        }
      }
      perReason.forEach((reason, n) -> counts.get(reason).add(n));
      sent.clear();
      perReason.clear();
    }
  }
}
