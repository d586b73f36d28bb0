package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.model.RejectReason;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TripParserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.nio.charset.Charset UTF = StandardCharsets.UTF_8;
  private static final Instant NOW = Instant.parse("2026-11-22T03:30:00Z");
  private static final Instant INGEST = Instant.parse("2026-11-22T03:29:59.123Z");
  private final TripParser parser = new TripParser(Duration.ofHours(1));

  static String trip(String overrides) {
    String base =
        "\"schema_version\":1,\"trip_id\":\"t-1\",\"pickup_time\":\"2025-01-01T05:18:38Z\","
            + "\"dropoff_time\":\"2025-01-01T05:26:59Z\",\"trip_distance\":1.605,\"pickup_zone\":229,"
            + "\"dropoff_zone\":237,\"fare_amount\":10.005,\"tip_amount\":3,\"total_amount\":18.004";
    return "{" + base + (overrides.isEmpty() ? "" : "," + overrides) + "}";
  }

  private Row input(byte[] value) {
    return input(value, INGEST, NOW);
  }

  private static Row input(byte[] value, Instant recordTimestamp, Instant batchTime) {
    return RowFactory.create(
        "229".getBytes(StandardCharsets.UTF_8),
        value,
        "taxi.trips",
        3,
        42L,
        recordTimestamp == null ? null : Timestamp.from(recordTimestamp),
        Timestamp.from(batchTime));
  }

  private String reasonOf(String value, Instant recordTimestamp, Instant batchTime) {
    Row r = parser.parse(input(value.getBytes(StandardCharsets.UTF_8), recordTimestamp, batchTime));
    return r.isNullAt(r.fieldIndex("reason")) ? "valid" : r.<String>getAs("reason");
  }

  private static String endingAt(Instant dropoff) {
    return trip(
        "\"pickup_time\":\""
            + dropoff.minusSeconds(1800)
            + "\",\"dropoff_time\":\""
            + dropoff
            + "\"");
  }

  private Row parse(String value) {
    return parser.parse(input(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void validTripBecomesATripRowWithExactRoundedAmounts() {
    Row r = parse(trip(""));
    assertThat(r.isNullAt(r.fieldIndex("reason"))).isTrue();
    assertThat(r.isNullAt(r.fieldIndex("dead_letter"))).isTrue();
    assertThat(r.<String>getAs("trip_id")).isEqualTo("t-1");
    assertThat(r.<Integer>getAs("pickup_zone")).isEqualTo(229);
    assertThat(r.<Timestamp>getAs("dropoff_time").toInstant())
        .isEqualTo(Instant.parse("2025-01-01T05:26:59Z"));
    // Half-up on the written decimal: 1.605 -> 1.61, 10.005 -> 10.01, 18.004 -> 18.00.
    assertThat(r.<BigDecimal>getAs("trip_distance")).isEqualByComparingTo("1.61");
    assertThat(r.<BigDecimal>getAs("fare_amount")).isEqualByComparingTo("10.01");
    assertThat(r.<BigDecimal>getAs("total_amount")).isEqualByComparingTo("18.00");
    assertThat(r.<Double>getAs("tip_pct"))
        .isCloseTo(100.0 * 3 / 10.005, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.<Long>getAs("duration_s")).isEqualTo(8 * 60 + 21);
    assertThat(r.<Timestamp>getAs("ingest_time").toInstant()).isEqualTo(INGEST);
    assertThat(r.<byte[]>getAs("key")).isEqualTo("229".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void zeroFareHasNoTipPercentage() {
    Row r = parse(trip("\"fare_amount\":0"));
    assertThat(r.isNullAt(r.fieldIndex("reason"))).isTrue();
    assertThat(r.isNullAt(r.fieldIndex("tip_pct"))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "malformed_json|{not json",
        "malformed_json|[1,2]",
        "unsupported_schema_version|{\"schema_version\":2,\"trip_id\":\"x\"}",
        "missing_field|DROP:fare_amount",
        "invalid_field|SET:\"pickup_zone\":\"229\"",
        "invalid_field|SET:\"dropoff_time\":\"yesterday\"",
        "zone_out_of_range|SET:\"pickup_zone\":266",
        "distance_out_of_range|SET:\"trip_distance\":-0.5",
        "fare_out_of_range|SET:\"fare_amount\":-7.2",
        "dropoff_before_pickup|SET:\"dropoff_time\":\"2025-01-01T05:00:00Z\"",
        "event_time_in_future|SET:\"pickup_time\":\"2026-11-22T04:00:00Z\",\"dropoff_time\":\"2026-11-22T04:30:01Z\"",
        "invalid_field|SET:\"total_amount\":1e300",
        // Found by FuzzedEventsIT: years Instant.parse accepts but Timestamp/Spark cannot hold
        // (they wrapped silently).
        "invalid_field|SET:\"pickup_time\":\"-999999999-01-01T00:00:00Z\",\"dropoff_time\":\"-999999999-01-01T00:01:00Z\"",
        "invalid_field|SET:\"pickup_time\":\"+10000-01-01T00:00:00Z\"",
        "invalid_field|SET:\"schema_version\":1,\"trip_id\":\"  \"",
      })
  void rejectedRecordsBecomeDeadLettersWithTheirReason(String reason, String spec)
      throws Exception {
    String value;
    if (spec.startsWith("DROP:")) {
      String field = spec.substring(5);
      value = trip("").replaceAll(",\"" + field + "\":[^,}]+", "");
    } else if (spec.startsWith("SET:")) {
      // Appended after the base fields: Jackson keeps the last of duplicate keys.
      value = trip(spec.substring(4));
    } else {
      value = spec;
    }
    Row r = parse(value);
    assertThat(r.<String>getAs("reason")).isEqualTo(reason);
    for (String tripColumn :
        new String[] {"trip_id", "pickup_zone", "dropoff_time", "fare_amount"}) {
      assertThat(r.isNullAt(r.fieldIndex(tripColumn))).as(tripColumn).isTrue();
    }
    JsonNode dlq = JSON.readTree(r.<String>getAs("dead_letter"));
    assertThat(dlq.get("reason").asText()).isEqualTo(reason);
    assertThat(dlq.get("detail").asText()).isEqualTo(r.<String>getAs("detail")).isNotBlank();
    assertThat(dlq.get("original").asText()).isEqualTo(value);
    assertThat(dlq.get("source_topic").asText()).isEqualTo("taxi.trips");
    assertThat(dlq.get("source_partition").asInt()).isEqualTo(3);
    assertThat(dlq.get("source_offset").asLong()).isEqualTo(42L);
    assertThat(Instant.parse(dlq.get("source_timestamp").asText())).isEqualTo(INGEST);
    assertThat(Instant.parse(dlq.get("rejected_at").asText())).isEqualTo(NOW);
  }

  @Test
  void centsEqualsTheTripModelsRounding() {
    java.util.Random r = new java.util.Random(3);
    double[] edges = {
      0,
      -0.0,
      0.005,
      0.015,
      1.005,
      2.675,
      10.005,
      18.004,
      -1.005,
      1e-9,
      99999.995,
      0.1 + 0.2,
      1e11 + 0.125,
      1e12,
      1e15 + 0.5,
      9999999999999999.99,
      Double.MIN_VALUE,
      4.35,
      0.285,
      1.115
    };
    for (double v : edges) {
      assertThat(TripParser.cents(v))
          .as("%s", v)
          .isEqualTo(io.taxiplatform.model.TripMetrics.roundCents(v));
    }
    for (int i = 0; i < 500_000; i++) {
      double v =
          switch (i % 4) {
            case 0 -> Math.round(r.nextDouble() * 1_000_000) / 100.0; // whole cents, as TLC data
            case 1 -> Math.round(r.nextDouble() * 10_000_000) / 1000.0; // a third decimal
            case 2 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(16));
            default -> Math.round(r.nextGaussian() * 100_000) / 100.0 + 0.005;
          };
      assertThat(TripParser.cents(v))
          .as("%s", v)
          .isEqualTo(io.taxiplatform.model.TripMetrics.roundCents(v));
    }
  }

  /** A writer into {@code producer}, with fresh (unregistered) counters. */
  private static DeadLetterWriter writer(MockProducer<byte[], byte[]> producer) {
    java.util.Map<String, LongAccumulator> counts = new java.util.HashMap<>();
    for (RejectReason r : RejectReason.values()) {
      counts.put(r.wireName(), new LongAccumulator());
    }
    MOCKS.put(1, producer);
    return new DeadLetterWriter("taxi.dead-letters", "v7", () -> MOCKS.get(1), counts);
  }

  /** The MockProducer a writer's (serializable) producer source returns. */
  private static final java.util.Map<Integer, MockProducer<byte[], byte[]>> MOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Test
  void theJobsParserWritesTheRejectedRecordsAndPassesOnTheValidTripsOnly() {
    List<Row> in =
        List.of(
            input(trip("").getBytes(StandardCharsets.UTF_8)),
            input("not json".getBytes(StandardCharsets.UTF_8)),
            input(trip("\"fare_amount\":-1").getBytes(StandardCharsets.UTF_8)),
            input(trip("\"trip_id\":\"t-2\"").getBytes(StandardCharsets.UTF_8)));
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, new ByteArraySerializer(), new ByteArraySerializer());
    DeadLetterWriter dlq = writer(producer);
    List<Row> out = new java.util.ArrayList<>();
    TripParser.writingDeadLetters(Duration.ofHours(1), dlq)
        .call(in.iterator())
        .forEachRemaining(out::add);

    assertThat(out).extracting(r -> r.<String>getAs("trip_id")).containsExactly("t-1", "t-2");
    assertThat(out).containsExactly(parser.parse(in.get(0)), parser.parse(in.get(3)));
    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertThat(sent).hasSize(2);
    for (int i = 0; i < 2; i++) {
      Row expected = parser.parse(in.get(i + 1));
      ProducerRecord<byte[], byte[]> r = sent.get(i);
      assertThat(r.topic()).isEqualTo("taxi.dead-letters");
      assertThat(r.key()).isEqualTo("229".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(r.value(), StandardCharsets.UTF_8))
          .isEqualTo(expected.<String>getAs("dead_letter"));
      assertThat(new String(r.headers().lastHeader("taxi.dlq.reason").value(), UTF))
          .isEqualTo(expected.<String>getAs("reason"));
      assertThat(new String(r.headers().lastHeader("taxi.pipeline.version").value(), UTF))
          .isEqualTo("v7");
    }
    assertThat(producer.flushed()).as("acknowledged before the task's input ends").isTrue();
    assertThat(dlq.counts().get("malformed_json").value()).isEqualTo(1);
    assertThat(dlq.counts().get("fare_out_of_range").value()).isEqualTo(1);
    assertThat(dlq.counts().get("missing_field").value()).isZero();
  }

  @Test
  void aDeadLetterThatCannotBeWrittenFailsTheTaskAndIsNotCounted() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized void flush() {
            errorNext(new org.apache.kafka.common.errors.TopicAuthorizationException("denied"));
          }
        };
    DeadLetterWriter dlq = writer(producer);
    java.util.Iterator<Row> out =
        TripParser.writingDeadLetters(Duration.ofHours(1), dlq)
            .call(
                List.of(
                        input(trip("").getBytes(StandardCharsets.UTF_8)),
                        input("not json".getBytes(StandardCharsets.UTF_8)))
                    .iterator());
    assertThat(out.next().<String>getAs("trip_id")).isEqualTo("t-1");
    org.assertj.core.api.Assertions.assertThatThrownBy(out::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot write a dead letter to taxi.dead-letters")
        .hasMessageContaining("denied");
    assertThat(dlq.counts().get("malformed_json").value()).isZero();
  }

  @Test
  void aTaskWithoutRejectedRecordsNeverTouchesKafka() {
    DeadLetterWriter dlq =
        new DeadLetterWriter(
            "taxi.dead-letters",
            "v7",
            () -> {
              throw new AssertionError("no producer is needed");
            },
            writer(new MockProducer<>()).counts());
    List<Row> out = new java.util.ArrayList<>();
    TripParser.writingDeadLetters(Duration.ofHours(1), dlq)
        .call(List.of(input(trip("").getBytes(StandardCharsets.UTF_8))).iterator())
        .forEachRemaining(out::add);
    assertThat(out).hasSize(1);
  }

  @Test
  void eventTimeSkewIsMeasuredFromTheRecordsKafkaTimestamp() {
    // INGEST is 0.877 s before the batch time: the limit is INGEST + 1 h, not NOW + 1 h.
    assertThat(reasonOf(endingAt(INGEST.plus(Duration.ofHours(1))), INGEST, NOW))
        .isEqualTo("valid");
    assertThat(reasonOf(endingAt(INGEST.plus(Duration.ofHours(1)).plusMillis(1)), INGEST, NOW))
        .isEqualTo("event_time_in_future");
  }

  @Test
  void aRecordGetsTheSameVerdictWheneverItIsRead() {
    // Produced at INGEST with a dropoff 1 h 30 min later: in the future when it was produced.
    // Read live, after a 3-hour outage, or replayed into a new version 90 days later: the same.
    String future = endingAt(INGEST.plus(Duration.ofMinutes(90)));
    String fine = endingAt(INGEST.plus(Duration.ofMinutes(30)));
    for (Instant batchTime :
        new Instant[] {NOW, NOW.plus(Duration.ofHours(3)), NOW.plus(Duration.ofDays(90))}) {
      assertThat(reasonOf(future, INGEST, batchTime))
          .as("read at " + batchTime)
          .isEqualTo("event_time_in_future");
      assertThat(reasonOf(fine, INGEST, batchTime)).as("read at " + batchTime).isEqualTo("valid");
    }
  }

  @Test
  void aRecordStampedAfterTheBatchTimeIsMeasuredFromTheBatchTime() {
    // A producer whose clock (CreateTime) runs 10 days ahead cannot carry a far-future event to
    // the watermark.
    Instant stamped = NOW.plus(Duration.ofDays(10));
    assertThat(reasonOf(endingAt(NOW.plus(Duration.ofDays(5))), stamped, NOW))
        .isEqualTo("event_time_in_future");
    assertThat(reasonOf(endingAt(NOW.plus(Duration.ofMinutes(59))), stamped, NOW))
        .isEqualTo("valid");
    // A record without a timestamp: the batch time.
    assertThat(reasonOf(endingAt(NOW.plus(Duration.ofMinutes(59))), null, NOW)).isEqualTo("valid");
    assertThat(reasonOf(endingAt(NOW.plus(Duration.ofMinutes(61))), null, NOW))
        .isEqualTo("event_time_in_future");
  }

  @Test
  void missingFieldNamesTheField() {
    Row r = parse(trip("").replace(",\"tip_amount\":3", ""));
    assertThat(r.<String>getAs("reason")).isEqualTo("missing_field");
    assertThat(r.<String>getAs("detail")).isEqualTo("tip_amount");
  }

  @Test
  void invalidUtf8InsideAStringIsMalformed() {
    // Found by FuzzedEventsIT: Jackson's byte parser accepts an overlong '/' (c0 af) and an encoded
    // surrogate
    // (ed a0 80) inside strings; JSON on the wire is UTF-8, so both are malformed_json.
    for (byte[] bad :
        new byte[][] {{(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}}) {
      String[] parts = trip("\"trip_id\":\"X\"").split("X");
      java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream();
      value.writeBytes(parts[0].getBytes(java.nio.charset.StandardCharsets.UTF_8));
      value.writeBytes(bad);
      value.writeBytes(parts[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Row r = parser.parse(input(value.toByteArray()));
      assertThat(r.<String>getAs("reason")).isEqualTo("malformed_json");
      assertThat(r.<String>getAs("detail")).startsWith("not UTF-8");
    }
  }

  @Test
  void nonUtf8OriginalIsBase64() throws Exception {
    byte[] bad = {(byte) 0xff, (byte) 0xfe, 0x7b};
    Row r = parser.parse(input(bad));
    assertThat(r.<String>getAs("reason")).isEqualTo("malformed_json");
    JsonNode dlq = JSON.readTree(r.<String>getAs("dead_letter"));
    assertThat(Base64.getDecoder().decode(dlq.get("original").asText())).isEqualTo(bad);
  }

  @Test
  void nullValueIsMalformedWithNullOriginal() throws Exception {
    Row r = parser.parse(input(null));
    assertThat(r.<String>getAs("reason")).isEqualTo("malformed_json");
    assertThat(JSON.readTree(r.<String>getAs("dead_letter")).get("original").isNull()).isTrue();
  }
}
