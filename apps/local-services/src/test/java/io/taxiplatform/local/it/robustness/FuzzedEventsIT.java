package io.taxiplatform.local.it.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * At least 10,000 mutated events ({@link FuzzedTrips}: random bytes, truncated JSON, wrong types,
 * huge and non-finite numbers, deep nesting, huge strings, invalid UTF-8, duplicate keys, nulls...)
 * mixed with valid ones through the real job: it never exits, every record of the topic is either
 * aggregated or dead-lettered, with the reason {@link ExpectedWindows#reason} gives it (the counts
 * add up exactly: valid + distinct dead-letter source offsets = records), and the tables equal the
 * independent computation.
 *
 * <p>The seed is random and printed; rerun one with {@code TAXI_FUZZ_SEED=<seed>} (environment) or
 * {@code -Dtaxi.fuzz.seed=<seed>}. One partition, null keys, every value sent before the job
 * starts; the valid events (and mutated ones that stay valid) have unique trip ids and dropoff
 * times that never go back.
 */
class FuzzedEventsIT {

  private static final Instant START = Instant.parse("2025-06-01T10:00:00Z");
  private static final int MUTATED = 10_000;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Test
  void fuzzedEventsAreAggregatedOrDeadLetteredExactly() throws Exception {
    long seed = seed();
    System.out.println("FuzzedEventsIT seed " + seed + " (rerun with TAXI_FUZZ_SEED=" + seed + ")");
    String about = "seed " + seed + ": ";
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(), SharedServices.cassandra(), "fuzz", Map.of(), 1)) {
      FuzzedTrips gen = new FuzzedTrips(seed, "fz" + seed, START);
      List<byte[]> values = new ArrayList<>();
      int mutated = 0;
      while (mutated < MUTATED) {
        for (FuzzedTrips.Fuzzed v : gen.next(1000, 0.8)) {
          values.add(v.value());
          mutated += v.kind().equals("valid") ? 0 : 1;
        }
      }
      System.out.println(
          "FuzzedEventsIT: " + values.size() + " records, " + mutated + " mutated: " + gen.kinds);
      f.send(values);
      f.startJob();

      List<ConsumerRecord<byte[], byte[]>> records = f.readAll(f.tripsTopic);
      assertThat(records).hasSize(values.size());
      ExpectedWindows expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      System.out.println(
          "FuzzedEventsIT: expected "
              + expected.validCount()
              + " valid, "
              + expected.rejectedByReason);
      assertThat(expected.validCount())
          .as(about + "valid events")
          .isGreaterThanOrEqualTo(gen.plainValid);

      f.awaitUntil(
          about
              + expected.validCount()
              + " trips aggregated and "
              + expected.rejectedCount()
              + " records dead-lettered",
          () ->
              f.tripCountSum("zone_windows_v1") == expected.validCount()
                  && f.tripCountSum("window_zones_v1") == expected.validCount()
                  && f.endOffsets(f.dlqTopic) >= expected.rejectedCount()
                  && f.deadLetterSources().size() == expected.rejectedCount());
      long boroughTotal = expected.boroughTripTotal();
      f.awaitUntil(
          about + "borough windows", () -> f.tripCountSum("borough_windows_v1") == boroughTotal);

      // Every record is aggregated or dead-lettered, exactly once by source offset.
      assertThat(expected.validCount() + f.deadLetterSources().size())
          .as(about + "valid + dead letters")
          .isEqualTo(f.endOffsets(f.tripsTopic))
          .isEqualTo(values.size());
      // ... and each dead letter has the reason the contract's rules give that record.
      Map<Long, String> dlqReason = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> d : f.readAll(f.dlqTopic)) {
        var json = JSON.readTree(d.value());
        String previous =
            dlqReason.put(json.get("source_offset").asLong(), json.get("reason").asText());
        assertThat(previous == null || previous.equals(json.get("reason").asText()))
            .as(about + "a re-written dead letter keeps its reason")
            .isTrue();
      }
      Instant now = Instant.now();
      List<String> disagreements = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        String want =
            ExpectedWindows.reason(
                r.value(), ExpectedWindows.skewReference(Instant.ofEpochMilli(r.timestamp()), now));
        String got = dlqReason.get(r.offset());
        if (!Objects.equals(want, got) && disagreements.size() < 20) {
          disagreements.add(
              "offset "
                  + r.offset()
                  + ": expected "
                  + want
                  + ", job "
                  + got
                  + " <- "
                  + FuzzedTripsTest.preview(r.value()));
        }
      }
      assertThat(disagreements).as(about + String.join("\n", disagreements)).isEmpty();

      f.assertTablesEqual(expected, "v1");
      assertThat(f.deadLetterReasons())
          .as(about + "dead letters by reason")
          .isEqualTo(expected.rejectedByReason);
      for (String query : new String[] {"window_aggregates"}) {
        assertThat(
                f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)).orElse(0))
            .as(about + "rows dropped as late by " + query)
            .isZero();
      }
    }
  }

  private static long seed() {
    String s = System.getProperty("taxi.fuzz.seed", System.getenv("TAXI_FUZZ_SEED"));
    return s != null && !s.isBlank()
        ? Long.parseLong(s.trim())
        : new java.security.SecureRandom().nextInt(1 << 30);
  }
}
