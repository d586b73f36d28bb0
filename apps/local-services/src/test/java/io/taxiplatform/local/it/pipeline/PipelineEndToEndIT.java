package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.producer.RunSummary;
import io.taxiplatform.producer.TripProducerApp;
import io.taxiplatform.producer.TripProducerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer -> Kafka -> streaming job -> Cassandra on real services: a hand-made set of trips, and
 * (second test, skipped with the reason when ../shared/data lacks it) the same plus the real TLC
 * sample replayed by the producer. Every row of the zone, window-zone and borough tables equals an
 * independent computation over the records in the topic, no other row exists, the rejected records
 * (the sample's refunds) are in the dead-letter topic by reason, and nothing was late.
 */
class PipelineEndToEndIT {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineEndToEndIT.class);

  @Test
  void handMadeTripsGiveExactAggregates() throws Exception {
    run("e2e", Optional.empty());
  }

  @Test
  void realTlcSampleReplayedByTheProducerGivesExactAggregates() throws Exception {
    Optional<Path> sample = SharedData.tripSample();
    assumeTrue(
        sample.isPresent(),
        "the TLC sample ../shared/data/"
            + SharedData.TRIP_SAMPLE
            + " is absent (shared data is not committed); the hand-made trips test still runs");
    run("sample", sample);
  }

  /**
   * Hand-made trips, plus the sample replayed by the producer when given, through the whole
   * pipeline.
   */
  private static void run(String name, Optional<Path> sample) throws Exception {
    // A watermark far larger than the event-time spread of the sample: no valid trip can be late.
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            name,
            Map.of("WATERMARK_DELAY", "3650 days"))) {
      f.send(
          KnownTrips.valid(
                  "known", 1, 400, Instant.parse("2025-01-01T04:30:00Z"), Duration.ofHours(3))
              .stream()
              .map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8))
              .toList());
      if (sample.isPresent()) {
        RunSummary summary = replay(f, sample.get());
        LOG.info("sample replayed:\n{}", summary.format());
        assertThat(summary.ok()).as(summary.format()).isTrue();
        assertThat(summary.sent()).isPositive();
      }

      f.startJob();
      ExpectedWindows expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      long total = expected.validCount() + expected.rejectedCount();
      long boroughTotal = expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      if (sample.isPresent()) {
        assertThat(expected.rejectedByReason)
            .as("the sample's refunds are dead-lettered")
            .containsKey("fare_out_of_range");
      }

      f.awaitUntil(
          "all " + total + " records through the query",
          () ->
              f.metric("taxi_stream_input_rows_total", Map.of("query", "window_aggregates"))
                      .orElse(0)
                  >= total);
      f.awaitUntil(
          "the aggregates of " + expected.validCount() + " valid trips",
          () ->
              f.tripCountSum("zone_windows_v1") == expected.validCount()
                  && f.tripCountSum("window_zones_v1") == expected.validCount()
                  && f.tripCountSum("borough_windows_v1") == boroughTotal);

      f.assertTablesEqual(expected, "v1");
      assertThat(f.deadLetterReasons()).isEqualTo(expected.rejectedByReason);

      for (String query : new String[] {"window_aggregates"}) {
        assertThat(f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("rows dropped as late by " + query)
            .hasValue(0);
      }
      assertThat(f.metric("taxi_stream_valid_trips_total", Map.of()))
          .hasValue(expected.validCount());
      expected.rejectedByReason.forEach(
          (reason, n) ->
              assertThat(f.metric("taxi_stream_dead_letters_total", Map.of("reason", reason)))
                  .as("dead letters " + reason)
                  .hasValue(n));
      assertThat(
              f.metric(
                  "taxi_stream_end_to_end_latency_seconds_count",
                  Map.of("table", "zone_windows_v1")))
          .as("latency observed for rows written")
          .isPresent();
      assertThat(f.rows("schema_migrations"))
          .extracting(r -> r.getString("version"))
          .contains("v1/001-window-tables");
    }
  }

  private static RunSummary replay(PipelineFixture f, Path sample) throws Exception {
    TripProducerConfig config =
        TripProducerConfig.parse(
            Map.of(),
            new String[] {
              "--mode",
              "replay",
              "--input",
              sample.toString(),
              "--bootstrap-servers",
              f.kafka.bootstrapServers(),
              "--topic",
              f.tripsTopic,
              "--metrics-port",
              "0",
              "--rate",
              "0"
            });
    try (Producer<String, byte[]> producer = new KafkaProducer<>(config.kafkaProperties())) {
      return new TripProducerApp(config, producer, null, Clock.systemUTC()).run();
    }
  }
}
