package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import io.taxiplatform.producer.RunSummary;
import io.taxiplatform.producer.TripProducerApp;
import io.taxiplatform.producer.TripProducerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reprocessing the Kappa way, on the real services: pipeline version v1 serves live-looking traffic
 * (the synthetic producer, trips ending now); version v2, with other logic (1-minute zone windows
 * instead of 5), starts beside it from the earliest offset of the same topic and catches up in
 * rate-limited micro-batches (at least 10) while live traffic goes on. v2's tables equal the
 * independent computation over the whole topic with v2's windows, nothing is dropped as late (the
 * rate limit splits offsets across partitions by count, not by event time: each partition has its
 * own watermark), v1 keeps serving its own tables unchanged, and {@code taxi_stream_caught_up} of
 * v2 turns from 0 (while it is behind) to 1. A trip that lay in the future when it was produced is
 * dead-lettered by both versions, though each reads it at another time.
 */
class ReprocessingIT {

  private static final Logger LOG = LoggerFactory.getLogger(ReprocessingIT.class);
  private static final int LIVE_EVENTS = 12_000;
  private static final int LIVE_EVENTS_DURING_CATCH_UP = 2_000;
  private static final int V2_MAX_OFFSETS_PER_TRIGGER = 1_000;

  @Test
  void secondVersionCatchesUpFromEarliestWhileTheFirstKeepsServing() throws Exception {
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "reprocess",
            Map.of(),
            ReplayOrderIT.PARTITIONS)) {
      f.startJob();
      send(f, 7, LIVE_EVENTS, 4000);
      // A trip produced two hours ago whose dropoff then lay 90 minutes in the future: v1 reads it
      // two hours after it was produced (as a live job does after an outage, or a replay months
      // later), v2 later still. Both must dead-letter it (event_time_in_future is measured from
      // the record's Kafka timestamp): a verdict that depended on when the record is read would
      // give the versions different tables.
      Instant produced = Instant.now().minus(Duration.ofHours(2));
      f.sendProducedAt(
          produced,
          KnownTrips.trip(
              "r-skewed",
              produced.plus(Duration.ofMinutes(70)),
              produced.plus(Duration.ofMinutes(90)),
              2.5,
              48,
              50,
              12.5,
              2,
              18.3));
      ExpectedWindows v1First =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      f.awaitUntil(
          "v1 serving the first " + LIVE_EVENTS + " live trips",
          () -> f.tripCountSum("zone_windows_v1") == v1First.validCount());

      Map<String, String> v2 =
          f.startJob(
              Map.of(
                  "PIPELINE_VERSION",
                  "v2",
                  "ZONE_WINDOW",
                  "1 minute",
                  "STARTING_OFFSETS",
                  "earliest",
                  "MAX_OFFSETS_PER_TRIGGER",
                  Integer.toString(V2_MAX_OFFSETS_PER_TRIGGER)));
      AtomicBoolean sawBehind = new AtomicBoolean();
      f.awaitUntil(
          "v2 behind the head",
          () -> {
            boolean behind =
                f.metric(
                                v2,
                                "taxi_stream_offsets_behind_latest",
                                Map.of("query", "window_aggregates"))
                            .orElse(0)
                        > 0
                    && f.metric(v2, "taxi_stream_caught_up", Map.of()).orElse(-1) == 0;
            sawBehind.compareAndSet(false, behind);
            return behind;
          });
      send(f, 8, LIVE_EVENTS_DURING_CATCH_UP, 1000);

      ExpectedWindows v1Expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      ExpectedWindows v2Expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(1),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      long records = f.tripInputs().size();
      f.awaitUntil(
          "v2 caught up with all " + records + " records",
          () ->
              f.metric(v2, "taxi_stream_caught_up", Map.of()).orElse(0) == 1
                  && f.metric(
                              v2,
                              "taxi_stream_input_rows_total",
                              Map.of("query", "window_aggregates"))
                          .orElse(0)
                      >= records);
      long v2BoroughTotal =
          v2Expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      f.awaitUntil(
          "v2's tables",
          () ->
              f.tripCountSum("zone_windows_v2") == v2Expected.validCount()
                  && f.tripCountSum("window_zones_v2") == v2Expected.validCount()
                  && f.tripCountSum("borough_windows_v2") == v2BoroughTotal);
      long v1BoroughTotal =
          v1Expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      f.awaitUntil(
          "v1's tables",
          () ->
              f.tripCountSum("zone_windows_v1") == v1Expected.validCount()
                  && f.tripCountSum("borough_windows_v1") == v1BoroughTotal);

      f.assertTablesEqual(v2Expected, "v2");
      f.assertTablesEqual(v1Expected, "v1");
      // v2 applied its own ZONE_WINDOW: every zone row it wrote spans 1 minute, v1's 5 minutes.
      // (Counting
      // windows is no proof: the two bursts may fall in one minute, where both versions have one
      // window per zone.)
      assertThat(windowLengths(f, "zone_windows_v2"))
          .as("v2's zone window lengths")
          .containsExactly(Duration.ofMinutes(1));
      assertThat(windowLengths(f, "zone_windows_v1"))
          .as("v1's zone window lengths")
          .containsExactly(Duration.ofMinutes(5));
      for (String query : new String[] {"window_aggregates"}) {
        assertThat(f.metric(v2, "taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("v2 rows dropped as late by " + query)
            .hasValue(0);
        assertThat(f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("v1 rows dropped as late by " + query)
            .hasValue(0);
      }
      double v2Batches =
          f.metric(v2, "taxi_stream_batches_total", Map.of("query", "window_aggregates")).orElse(0);
      assertThat(v2Batches).as("v2's catch-up micro-batches").isGreaterThanOrEqualTo(10);
      assertThat(sawBehind).as("v2 reported being behind before it caught up").isTrue();
      assertThat(v2Expected.rejectedByReason)
          .as("the records the contract rejects")
          .isEqualTo(Map.of("event_time_in_future", 1L));
      for (Map<String, String> version : java.util.List.of(f.env, v2)) {
        assertThat(
                f.metric(
                    version,
                    "taxi_stream_dead_letters_total",
                    Map.of("reason", "event_time_in_future")))
            .as(
                version.getOrDefault("PIPELINE_VERSION", "v1")
                    + ": the trip in the future when produced")
            .hasValue(1);
      }
      assertThat(f.metric("taxi_stream_caught_up", Map.of())).as("v1 caught up").hasValue(1);
      LOG.info(
          "v2 caught up over {} records in {} micro-batches; v1 served throughout",
          records,
          v2Batches);
    }
  }

  /** The distinct {@code window_end - window_start} of a zone table's rows. */
  private static java.util.Set<Duration> windowLengths(PipelineFixture f, String table) {
    java.util.Set<Duration> lengths = new java.util.TreeSet<>();
    for (com.datastax.oss.driver.api.core.cql.Row r : f.rows(table)) {
      lengths.add(Duration.between(r.getInstant("window_start"), r.getInstant("window_end")));
    }
    return lengths;
  }

  /** The synthetic producer in this JVM: live-looking trips ending now. */
  private static void send(PipelineFixture f, long seed, int events, int rate) throws Exception {
    TripProducerConfig config =
        TripProducerConfig.parse(
            Map.of(),
            new String[] {
              "--mode",
              "synthetic",
              "--seed",
              Long.toString(seed),
              "--max-events",
              Integer.toString(events),
              "--rate",
              Integer.toString(rate),
              "--bootstrap-servers",
              f.kafka.bootstrapServers(),
              "--topic",
              f.tripsTopic,
              "--metrics-port",
              "0"
            });
    try (Producer<String, byte[]> producer = new KafkaProducer<>(config.kafkaProperties())) {
      RunSummary summary = new TripProducerApp(config, producer, null, Clock.systemUTC()).run();
      assertThat(summary.ok()).as(summary.format()).isTrue();
      assertThat(summary.sent()).isEqualTo(events);
    }
  }
}
