package io.taxiplatform.local.it.reliability;

import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.local.it.pipeline.KnownTrips;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Trip events for the fault tests (docs/contracts.md, schema_version 1) and what they read back.
 */
final class FaultData {

  static final Duration ZONE_WINDOW = Duration.ofMinutes(5);
  static final Duration BOROUGH_WINDOW = Duration.ofMinutes(15);
  static final Duration BOROUGH_SLIDE = Duration.ofMinutes(5);

  private FaultData() {}

  /**
   * {@code n} valid trips (ids {@code prefix-<i>}) with dropoff times spread over {@code span}
   * after {@code start} in random order, in busy zones plus 264/265, amounts with three decimals
   * and some zero fares.
   */
  static List<byte[]> validTrips(String prefix, Random rnd, int n, Instant start, Duration span) {
    int[] zones = {4, 48, 132, 138, 161, 162, 230, 236, 237, 264, 265};
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant dropoff = start.plusMillis((long) (rnd.nextDouble() * span.toMillis()));
      Instant pickup = dropoff.minusSeconds(30 + rnd.nextInt(3600));
      double fare = i % 17 == 0 ? 0 : rnd.nextInt(90_000) / 1000.0;
      out.add(
          trip(
              prefix + "-" + i,
              pickup,
              dropoff,
              rnd.nextInt(25_000) / 1000.0,
              zones[rnd.nextInt(zones.length)],
              1 + rnd.nextInt(265),
              fare,
              rnd.nextInt(15_000) / 1000.0,
              fare + rnd.nextInt(30_000) / 1000.0));
    }
    return out;
  }

  /** An invalid record, one of five kinds by {@code kind % 5}. */
  static byte[] invalid(String id, int kind, Instant t) {
    String s =
        switch (kind % 5) {
          case 0 -> "{not json " + id;
          case 1 ->
              new String(
                  trip(id, t.minusSeconds(300), t, 1.5, 48, 50, -4.25, 0, -4.25),
                  StandardCharsets.UTF_8);
          case 2 ->
              new String(
                  trip(id, t.minusSeconds(300), t, 1.5, 300, 50, 9.5, 1, 12),
                  StandardCharsets.UTF_8);
          case 3 ->
              new String(
                      trip(id, t.minusSeconds(300), t, 1.5, 48, 50, 9.5, 1, 12),
                      StandardCharsets.UTF_8)
                  .replaceFirst(",\"fare_amount\":[^,]+", "");
          default ->
              new String(
                  trip(id, t.plusSeconds(600), t, 1.5, 48, 50, 9.5, 1, 12), StandardCharsets.UTF_8);
        };
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@link KnownTrips#trip} as UTF-8 bytes. */
  static byte[] trip(
      String id,
      Instant pickup,
      Instant dropoff,
      double distance,
      int pickupZone,
      int dropoffZone,
      double fare,
      double tip,
      double total) {
    return KnownTrips.trip(id, pickup, dropoff, distance, pickupZone, dropoffZone, fare, tip, total)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The record count of a topic (sum of its end offsets) through one long-lived consumer, for
   * polling: a new consumer per poll would be slow and noisy.
   */
  static final class TopicEnd implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;

    TopicEnd(PipelineFixture f, String topic) {
      Properties p = f.kafka.clientProperties();
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
      consumer = new KafkaConsumer<>(p);
      partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
    }

    long count() {
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The independent computation over each trip of the topic once (the job de-duplicates by trip
   * id).
   */
  static ExpectedWindows expected(PipelineFixture f) {
    return ExpectedWindows.compute(
        f.distinctTripInputs(), f.zones, ZONE_WINDOW, BOROUGH_WINDOW, BOROUGH_SLIDE, Instant.now());
  }

  /**
   * The latest {@code written_at} of a table, empty while it has no row (or Cassandra does not
   * answer).
   */
  static Optional<Instant> lastWrite(PipelineFixture f, String table) {
    try {
      return f.rows(table).stream().map(r -> r.getInstant("written_at")).max(Instant::compareTo);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether a row of {@code table} was written after {@code t}. */
  static boolean writtenAfter(PipelineFixture f, String table, Instant t) {
    return lastWrite(f, table).map(w -> w.isAfter(t)).orElse(false);
  }

  /** Sum of trip_count, or -1 when Cassandra does not answer. */
  static long tripCountSumOrMinus1(PipelineFixture f, String table) {
    try {
      return f.tripCountSum(table);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Whether the three tables hold the expected trip counts. */
  static boolean converged(PipelineFixture f, ExpectedWindows expected) {
    return tripCountSumOrMinus1(f, "zone_windows_v1") == expected.validCount()
        && tripCountSumOrMinus1(f, "window_zones_v1") == expected.validCount()
        && tripCountSumOrMinus1(f, "borough_windows_v1") == expected.boroughTripTotal();
  }
}
