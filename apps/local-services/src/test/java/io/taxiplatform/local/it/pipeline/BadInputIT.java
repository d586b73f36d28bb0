package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taxiplatform.local.SharedServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Malformed, invalid and far-future events land in the dead-letter topic with their reasons, the
 * valid events around them are all aggregated, and the far-future event did not move the watermark:
 * valid events sent afterwards, later than every valid event before but far earlier than the future
 * one, are still aggregated.
 */
class BadInputIT {

  private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void badRecordsAreDeadLetteredAndTheWatermarkDoesNotJump() {
    // One partition: the records go unkeyed, and the job's watermark is the minimum over the
    // partitions'
    // watermarks; an idle second partition would hold it at 0, and there would be no watermark to
    // check.
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "bad",
            Map.of("WATERMARK_DELAY", "10 minutes"),
            1)) {
      String base =
          KnownTrips.trip(
              "b-x", T.minusSeconds(600), T.plusSeconds(60), 2.5, 48, 50, 12.5, 2, 18.3);
      Instant future = Instant.now().plus(Duration.ofDays(30));
      Map<String, Long> expectedReasons = new TreeMap<>();
      List<byte[]> batch = new ArrayList<>();
      List<String> valid = KnownTrips.valid("b", 2, 60, T, Duration.ofMinutes(20));
      String[][] bad = {
        {"malformed_json", "{not json"},
        {"malformed_json", "[1,2,3]"},
        {
          "unsupported_schema_version", base.replace("\"schema_version\":1", "\"schema_version\":2")
        },
        {"missing_field", base.replaceFirst(",\"fare_amount\":[^,]+", "")},
        {"invalid_field", base.replace("\"pickup_zone\":48", "\"pickup_zone\":\"48\"")},
        {
          "invalid_field",
          base.replaceFirst("\"dropoff_time\":\"[^\"]+\"", "\"dropoff_time\":\"soon\"")
        },
        {"zone_out_of_range", base.replace("\"pickup_zone\":48", "\"pickup_zone\":0")},
        {"distance_out_of_range", base.replace("\"trip_distance\":2.5", "\"trip_distance\":600.0")},
        {"fare_out_of_range", base.replace("\"fare_amount\":12.5", "\"fare_amount\":-7.2")},
        {
          "dropoff_before_pickup", KnownTrips.trip("b-y", T.plusSeconds(600), T, 1, 48, 50, 5, 0, 6)
        },
        {
          "event_time_in_future",
          KnownTrips.trip("b-future", future.minusSeconds(900), future, 3, 48, 50, 20, 3, 25)
        },
      };
      int v = 0;
      for (String[] b : bad) {
        // Valid events before and after every bad one.
        batch.add(valid.get(v++).getBytes(StandardCharsets.UTF_8));
        batch.add(b[1].getBytes(StandardCharsets.UTF_8));
        expectedReasons.merge(b[0], 1L, Long::sum);
      }
      byte[] notUtf8 = {(byte) 0xc3, (byte) 0x28, (byte) 0xff};
      batch.add(notUtf8);
      expectedReasons.merge("malformed_json", 1L, Long::sum);
      while (v < valid.size()) {
        batch.add(valid.get(v++).getBytes(StandardCharsets.UTF_8));
      }
      f.send(batch);
      f.startJob();

      f.awaitUntil(
          "60 valid trips aggregated and 12 dead letters",
          () -> f.tripCountSum("zone_windows_v1") == 60 && f.readAll(f.dlqTopic).size() >= 12);

      // The far-future event has been processed. If it had reached the watermark, the watermark
      // would now
      // be ~30 days ahead and both of these would be dropped as late.
      Instant maxValid =
          valid.stream()
              .map(
                  s ->
                      Instant.parse(
                          ExpectedWindows.tree(s.getBytes(StandardCharsets.UTF_8))
                              .get("dropoff_time")
                              .asText()))
              .max(Instant::compareTo)
              .orElseThrow();
      String later =
          KnownTrips.trip(
              "b-later",
              maxValid.minusSeconds(300),
              maxValid.plusSeconds(300),
              4.25,
              132,
              48,
              33.3,
              5,
              45.55);
      String inside =
          KnownTrips.trip(
              "b-inside",
              T.plusSeconds(300),
              T.plusSeconds(720),
              1.333,
              236,
              237,
              9.995,
              1,
              14.005);
      f.send(later, inside);
      f.awaitUntil(
          "the 2 valid trips sent after the far-future event",
          () -> f.tripCountSum("zone_windows_v1") == 62 && f.tripCountSum("window_zones_v1") == 62);
      f.awaitUntil(
          "every record through the query",
          () ->
              f.metric("taxi_stream_input_rows_total", Map.of("query", "window_aggregates"))
                      .orElse(0)
                  >= 74);

      ExpectedWindows expected =
          ExpectedWindows.compute(
              f.tripInputs(),
              f.zones,
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(5),
              Instant.now());
      assertThat(expected.validCount()).isEqualTo(62);
      assertThat(expected.rejectedByReason).isEqualTo(expectedReasons);
      long boroughTotal = expected.boroughWindows.values().stream().mapToLong(a -> a.count).sum();
      f.awaitUntil(
          "borough windows of 62 trips",
          () -> f.tripCountSum("borough_windows_v1") == boroughTotal);
      f.assertTablesEqual(expected, "v1");

      assertThat(f.deadLetterReasons()).isEqualTo(expectedReasons);
      for (String query : new String[] {"window_aggregates"}) {
        assertThat(f.metric("taxi_stream_rows_dropped_late_total", Map.of("query", query)))
            .as("rows dropped as late by " + query)
            .hasValue(0);
        // batch time - watermark: positive (the watermark follows 2025 event times, not the future
        // event).
        assertThat(
                f.metric("taxi_stream_watermark_delay_seconds", Map.of("query", query)).orElse(-1))
            .as("watermark delay of " + query)
            .isGreaterThan(Duration.ofDays(300).toSeconds());
      }
      expectedReasons.forEach(
          (reason, n) ->
              assertThat(f.metric("taxi_stream_dead_letters_total", Map.of("reason", reason)))
                  .as("dead letters " + reason)
                  .hasValue(n));

      // The dead-letter record keeps the original payload (base64 when not UTF-8) and its source
      // position.
      List<ConsumerRecord<byte[], byte[]>> dlq = f.readAll(f.dlqTopic);
      List<ConsumerRecord<byte[], byte[]>> trips = f.readAll(f.tripsTopic);
      for (ConsumerRecord<byte[], byte[]> r : dlq) {
        JsonNode json = ExpectedWindows.tree(r.value());
        assertThat(json.get("source_topic").asText()).isEqualTo(f.tripsTopic);
        ConsumerRecord<byte[], byte[]> source =
            trips.stream()
                .filter(
                    t ->
                        t.partition() == json.get("source_partition").asInt()
                            && t.offset() == json.get("source_offset").asLong())
                .findFirst()
                .orElseThrow();
        byte[] original =
            java.util.Arrays.equals(source.value(), notUtf8)
                ? Base64.getDecoder().decode(json.get("original").asText())
                : json.get("original").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(original).isEqualTo(source.value());
        assertThat(Instant.parse(json.get("source_timestamp").asText()))
            .isEqualTo(Instant.ofEpochMilli(source.timestamp()));
        assertThat(json.get("detail").asText()).isNotBlank();
        assertThat(Instant.parse(json.get("rejected_at").asText())).isAfter(T);
      }
    }
  }
}
