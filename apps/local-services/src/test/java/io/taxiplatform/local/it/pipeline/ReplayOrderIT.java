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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kappa replay of real, unsorted TLC data spanning many rate-limited micro-batches, on the real
 * services: the February 2019 sample (10,000 trips in random order over the month) and the January
 * 2025 sample, replayed by the producer into a 4-partition topic while the job runs with the
 * default 10-minute watermark and {@code MAX_OFFSETS_PER_TRIGGER} small enough for at least 10
 * micro-batches.
 *
 * <ul>
 *   <li>In dropoff order (the producer's default): every row of the three tables equals the
 *       independent computation, 0 rows dropped late.
 *   <li>In file order ({@code --order file}): rows are dropped as late, and the counters say how
 *       many: the trips in the tables plus the late rows are the valid trips sent, so the loss is
 *       measured, not hidden.
 * </ul>
 */
class ReplayOrderIT {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayOrderIT.class);
  static final int PARTITIONS = 4;

  /** 10,999 rows at most 800 offsets a micro-batch: at least 14 batches. */
  static final int MAX_OFFSETS_PER_TRIGGER = 800;

  static List<Path> realSamples() {
    Optional<Path> month = SharedData.unsortedMonthSample();
    Optional<Path> jan = SharedData.tripSample();
    assumeTrue(
        month.isPresent() && jan.isPresent(),
        "the TLC samples ../shared/data/"
            + SharedData.UNSORTED_MONTH_SAMPLE
            + " and "
            + SharedData.TRIP_SAMPLE
            + " are absent (shared data is not committed): no real unsorted data to replay");
    return List.of(month.get(), jan.get());
  }

  @Test
  void unsortedRealMonthReplayedInDropoffOrderOverManyMicroBatchesIsExact() throws Exception {
    try (PipelineFixture f = replayWhileTheJobRuns("ordered", "dropoff")) {

      ExpectedWindows expected = awaitEverything(f);
      f.assertTablesEqual(expected, "v1");
      assertThat(f.deadLetterReasons()).isEqualTo(expected.rejectedByReason);
      for (String query : new String[] {"window_aggregates"}) {
        assertThat(f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("rows dropped as late by " + query)
            .hasValue(0);
        assertThat(f.metric("taxi_stream_batches_total", Map.of("query", query)).orElse(0))
            .as("micro-batches of " + query)
            .isGreaterThanOrEqualTo(10);
      }
      assertThat(f.metric("taxi_stream_valid_trips_total", Map.of()))
          .hasValue(expected.validCount());
      LOG.info(
          "dropoff order: {} valid trips of {} records in {} micro-batches, 0 late",
          expected.validCount(),
          expected.validCount() + expected.rejectedCount(),
          f.metric("taxi_stream_batches_total", Map.of("query", "window_aggregates")).orElse(0));
    }
  }

  @Test
  void fileOrderLosesRowsAsLateAndTheCountersSayHowMany() throws Exception {
    try (PipelineFixture f = replayWhileTheJobRuns("fileorder", "file")) {

      ExpectedWindows expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      long total = expected.validCount() + expected.rejectedCount();
      awaitAllRead(f, total);
      f.awaitUntil(
          "every valid trip aggregated or counted as late",
          () -> {
            double counted = f.metric("taxi_stream_valid_trips_total", Map.of()).orElse(0);
            double late =
                f.metric(
                        "taxi_stream_rows_dropped_late_total", Map.of("query", "window_aggregates"))
                    .orElse(0);
            return counted + late == expected.validCount()
                && f.tripCountSum("zone_windows_v1") == counted;
          });
      double late =
          f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", "window_aggregates"))
              .orElse(0);
      assertThat(late)
          .as("file order drops rows as late once a replay spans micro-batches")
          .isPositive();
      assertThat(f.tripCountSum("zone_windows_v1"))
          .as("the zone table holds what the counter says")
          .isEqualTo((long) f.metric("taxi_stream_valid_trips_total", Map.of()).orElse(-1));
      assertThat(f.tripCountSum("zone_windows_v1")).isLessThan(expected.validCount());
      LOG.info(
          "file order: {} of {} valid trips dropped as late ({} %), {} in the zone tables",
          (long) late,
          expected.validCount(),
          String.format("%.1f", 100.0 * late / expected.validCount()),
          f.tripCountSum("zone_windows_v1"));
    }
  }

  /**
   * A fixture whose job runs (rate-limited) while the producer replays the real samples in {@code
   * order}.
   */
  private static PipelineFixture replayWhileTheJobRuns(String name, String order) throws Exception {
    List<Path> samples = realSamples();
    PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            name,
            Map.of("MAX_OFFSETS_PER_TRIGGER", Integer.toString(MAX_OFFSETS_PER_TRIGGER)),
            PARTITIONS);
    try {
      f.startJob();
      f.awaitUntil("the job's metrics endpoint", () -> !f.metrics().isEmpty());
      RunSummary summary = replay(f, samples, order);
      assertThat(summary.ok()).as(summary.format()).isTrue();
      return f;
    } catch (Exception | AssertionError e) {
      f.close();
      throw e;
    }
  }

  /**
   * Waits until the three queries read every record and the tables hold every valid trip; returns
   * them.
   */
  static ExpectedWindows awaitEverything(PipelineFixture f) {
    ExpectedWindows expected =
        ExpectedWindows.compute(
            f.distinctTripInputs(),
            f.zones,
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofMinutes(5),
            Instant.now());
    long boroughTotal = expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
    awaitAllRead(f, f.tripInputs().size());
    f.awaitUntil(
        "the aggregates of " + expected.validCount() + " valid trips",
        () ->
            f.tripCountSum("zone_windows_v1") == expected.validCount()
                && f.tripCountSum("window_zones_v1") == expected.validCount()
                && f.tripCountSum("borough_windows_v1") == boroughTotal);
    return expected;
  }

  static void awaitAllRead(PipelineFixture f, long records) {
    f.awaitUntil(
        "all " + records + " records through the query",
        () ->
            f.metric("taxi_stream_input_rows_total", Map.of("query", "window_aggregates")).orElse(0)
                >= records);
  }

  /** The producer in this JVM, as fast as it goes, with {@code --order order}. */
  static RunSummary replay(PipelineFixture f, List<Path> files, String order) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mode",
                "replay",
                "--input",
                files.stream().map(Path::toString).collect(Collectors.joining(",")),
                "--bootstrap-servers",
                f.kafka.bootstrapServers(),
                "--topic",
                f.tripsTopic,
                "--metrics-port",
                "0",
                "--rate",
                "0",
                "--order",
                order));
    TripProducerConfig config = TripProducerConfig.parse(Map.of(), args.toArray(String[]::new));
    try (Producer<String, byte[]> producer = new KafkaProducer<>(config.kafkaProperties())) {
      RunSummary summary = new TripProducerApp(config, producer, null, Clock.systemUTC()).run();
      LOG.info("replayed {} in {} order:\n{}", files, order, summary.format());
      return summary;
    }
  }
}
