package io.taxiplatform.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taxiplatform.model.fixtures.SampleTrips;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TripEventJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-01-01T06:00:00Z");
  private static final Duration SKEW = Duration.ofHours(1);

  /** A valid event value written by hand (not by the codec under test). */
  private static ObjectNode valid() {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema_version", 1);
    n.put("trip_id", "f.csv:2");
    n.put("source", "replay");
    n.put("vendor_id", 1);
    n.put("pickup_time", "2025-01-01T05:18:38Z");
    n.put("dropoff_time", "2025-01-01T05:26:59Z");
    n.put("passenger_count", 1);
    n.put("trip_distance", 1.6);
    n.put("ratecode_id", 1);
    n.put("store_and_fwd_flag", "N");
    n.put("pickup_zone", 229);
    n.put("dropoff_zone", 237);
    n.put("payment_type", 1);
    n.put("fare_amount", 10);
    n.put("extra", 3.5);
    n.put("mta_tax", 0.5);
    n.put("tip_amount", 3);
    n.put("tolls_amount", 0);
    n.put("improvement_surcharge", 1);
    n.put("total_amount", 18);
    n.put("congestion_surcharge", 2.5);
    n.put("airport_fee", 0);
    n.put("cbd_congestion_fee", 0.75);
    return n;
  }

  private static ParseResult parse(ObjectNode n) {
    return TripEventJson.parse(n.toString(), NOW, SKEW);
  }

  private static ParseResult parseWith(Consumer<ObjectNode> change) {
    ObjectNode n = valid();
    change.accept(n);
    return parse(n);
  }

  private static void assertRejected(ParseResult r, RejectReason reason, String detailContains) {
    assertThat(r).isInstanceOf(Rejection.class);
    Rejection x = (Rejection) r;
    assertThat(x.reason()).isEqualTo(reason);
    assertThat(x.detail()).contains(detailContains);
  }

  @Test
  void parsesEveryFieldOfAValidEvent() {
    ParseResult r = parse(valid());
    assertThat(r).isInstanceOf(TripEvent.class);
    TripEvent e = (TripEvent) r;
    assertThat(e).isEqualTo(SampleTrips.january2025("f.csv:2", "replay"));
    assertThat(e.schemaVersion()).isEqualTo(1);
    assertThat(e.eventTime()).isEqualTo(e.dropoffTime());
    assertThat(e.kafkaKey()).isEqualTo("229");
  }

  @Test
  void optionalFieldsMayBeAbsentOrNull() {
    ObjectNode n = valid();
    for (String f :
        new String[] {
          "source",
          "vendor_id",
          "passenger_count",
          "ratecode_id",
          "store_and_fwd_flag",
          "payment_type",
          "extra",
          "mta_tax",
          "tolls_amount",
          "improvement_surcharge",
          "congestion_surcharge"
        }) {
      n.remove(f);
    }
    n.remove("cbd_congestion_fee");
    n.putNull("airport_fee");
    TripEvent e = (TripEvent) parse(n);
    assertThat(e.source()).isNull();
    assertThat(e.vendorId()).isNull();
    assertThat(e.passengerCount()).isNull();
    assertThat(e.ratecodeId()).isNull();
    assertThat(e.storeAndFwdFlag()).isNull();
    assertThat(e.paymentType()).isNull();
    assertThat(e.extra()).isNull();
    assertThat(e.mtaTax()).isNull();
    assertThat(e.tollsAmount()).isNull();
    assertThat(e.improvementSurcharge()).isNull();
    assertThat(e.congestionSurcharge()).isNull();
    assertThat(e.airportFee()).isNull();
    assertThat(e.cbdCongestionFee()).isNull();
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertThat(parseWith(n -> n.put("surge", "yes"))).isInstanceOf(TripEvent.class);
  }

  @Test
  void roundTripsThroughTheCodec() {
    TripEvent original = (TripEvent) parse(valid());
    String json = TripEventJson.toJson(original);
    assertThat(TripEventJson.parse(json, NOW, SKEW)).isEqualTo(original);
    byte[] bytes = TripEventJson.toJsonBytes(original);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(json);
    assertThat(TripEventJson.parse(bytes, NOW, SKEW)).isEqualTo(original);
  }

  @Test
  void serializesSnakeCaseFieldsUtcInstantsAndOmitsAbsentOptionals() throws Exception {
    TripEvent e =
        TripEvent.builder()
            .tripId("syn-7-1")
            .source("synthetic")
            .pickupTime(Instant.parse("2025-01-01T05:00:00Z"))
            .dropoffTime(Instant.parse("2025-01-01T05:10:00Z"))
            .tripDistance(2.25)
            .pickupZone(132)
            .dropoffZone(1)
            .fareAmount(-7.2)
            .tipAmount(0)
            .totalAmount(-8.2)
            .build();
    var tree = JSON.readTree(TripEventJson.toJson(e));
    assertThat(tree.get("schema_version").intValue()).isEqualTo(1);
    assertThat(tree.get("trip_id").textValue()).isEqualTo("syn-7-1");
    assertThat(tree.get("pickup_time").textValue()).isEqualTo("2025-01-01T05:00:00Z");
    assertThat(tree.get("dropoff_time").textValue()).isEqualTo("2025-01-01T05:10:00Z");
    assertThat(tree.get("pickup_zone").intValue()).isEqualTo(132);
    assertThat(tree.get("fare_amount").doubleValue()).isEqualTo(-7.2);
    assertThat(tree.has("vendor_id")).isFalse();
    assertThat(tree.has("airport_fee")).isFalse();
    assertThat(tree.size()).isEqualTo(11);
    // the producer does not validate: the negative fare is what the job dead-letters
    assertRejected(
        TripEventJson.parse(TripEventJson.toJson(e), NOW, SKEW),
        RejectReason.FARE_OUT_OF_RANGE,
        "fare_amount=-7.2");
  }

  // ---------------------------------------------------------------- malformed_json

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "not json",
        "{\"a\":",
        "[1,2]",
        "42",
        "\"text\"",
        "null",
        "true",
        "{\"schema_version\":1} trailing",
        "{} {}"
      })
  void nonObjectsAreMalformed(String value) {
    assertRejected(TripEventJson.parse(value, NOW, SKEW), RejectReason.MALFORMED_JSON, "");
  }

  @Test
  void nullValueAndInvalidUtf8AreMalformed() {
    assertRejected(
        TripEventJson.parse((String) null, NOW, SKEW), RejectReason.MALFORMED_JSON, "null");
    assertRejected(
        TripEventJson.parse((byte[]) null, NOW, SKEW), RejectReason.MALFORMED_JSON, "null");
    byte[] bad = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertRejected(TripEventJson.parse(bad, NOW, SKEW), RejectReason.MALFORMED_JSON, "");
  }

  @Test
  void malformedWinsOverEverythingElse() {
    assertRejected(
        TripEventJson.parse("{\"schema_version\": 2,", NOW, SKEW), RejectReason.MALFORMED_JSON, "");
  }

  // ---------------------------------------------------------------- unsupported_schema_version

  @Test
  void schemaVersionMissingOrNotOne() {
    assertRejected(
        parseWith(n -> n.remove("schema_version")),
        RejectReason.UNSUPPORTED_SCHEMA_VERSION,
        "missing");
    assertRejected(
        parseWith(n -> n.put("schema_version", 2)), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "2");
    assertRejected(
        parseWith(n -> n.put("schema_version", 0)), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "0");
    assertRejected(
        parseWith(n -> n.put("schema_version", "1")), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "");
    assertRejected(
        parseWith(n -> n.put("schema_version", 1.5)), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "");
    assertRejected(
        parseWith(n -> n.putNull("schema_version")), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "");
    assertRejected(
        TripEventJson.parse("{\"schema_version\":4294967297}", NOW, SKEW),
        RejectReason.UNSUPPORTED_SCHEMA_VERSION,
        "");
  }

  @Test
  void schemaVersionIsCheckedBeforeMissingFields() {
    assertRejected(
        TripEventJson.parse("{\"schema_version\":2}", NOW, SKEW),
        RejectReason.UNSUPPORTED_SCHEMA_VERSION,
        "");
  }

  // ---------------------------------------------------------------- missing_field

  @ParameterizedTest
  @ValueSource(
      strings = {
        "trip_id",
        "pickup_time",
        "dropoff_time",
        "trip_distance",
        "pickup_zone",
        "dropoff_zone",
        "fare_amount",
        "tip_amount",
        "total_amount"
      })
  void everyRequiredFieldMissingOrNull(String field) {
    ParseResult missing = parseWith(n -> n.remove(field));
    assertRejected(missing, RejectReason.MISSING_FIELD, field);
    assertThat(((Rejection) missing).detail()).isEqualTo(field);
    assertRejected(parseWith(n -> n.putNull(field)), RejectReason.MISSING_FIELD, field);
  }

  @Test
  void missingIsCheckedBeforeInvalidAndRangeRules() {
    // an invalid trip_id and a zone out of range, but fare_amount is missing: missing_field wins
    ParseResult r =
        parseWith(
            n -> {
              n.put("trip_id", 5);
              n.put("pickup_zone", 999);
              n.remove("fare_amount");
            });
    assertRejected(r, RejectReason.MISSING_FIELD, "fare_amount");
  }

  @Test
  void firstMissingRequiredFieldIsNamed() {
    ParseResult r = TripEventJson.parse("{\"schema_version\":1}", NOW, SKEW);
    assertThat(r).isEqualTo(new Rejection(RejectReason.MISSING_FIELD, "trip_id"));
  }

  // ---------------------------------------------------------------- invalid_field

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "trip_id|5",
        "trip_id|\"  \"",
        "pickup_time|\"2025-01-01 05:18:38\"",
        "pickup_time|\"yesterday\"",
        "pickup_time|1735708718",
        "dropoff_time|\"2025-13-01T00:00:00Z\"",
        "trip_distance|\"1.6\"",
        "trip_distance|true",
        "trip_distance|1e400",
        "pickup_zone|\"132\"",
        "pickup_zone|132.0",
        "pickup_zone|4294967297",
        "dropoff_zone|[1]",
        "fare_amount|\"10\"",
        "tip_amount|{}",
        "total_amount|\"x\"",
        "source|1",
        "store_and_fwd_flag|false",
        "vendor_id|\"1\"",
        "passenger_count|1.5",
        "ratecode_id|\"1\"",
        "payment_type|2.0",
        "extra|\"3.5\"",
        "mta_tax|[]",
        "tolls_amount|\"0\"",
        "improvement_surcharge|true",
        "congestion_surcharge|\"2.5\"",
        "airport_fee|\"0\"",
        "cbd_congestion_fee|\"0.75\""
      })
  void wrongTypesAreInvalidAndNamed(String field, String rawJson) {
    ObjectNode n = valid();
    n.remove(field);
    String json = n.toString();
    json = json.substring(0, json.length() - 1) + ",\"" + field + "\":" + rawJson + "}";
    ParseResult r = TripEventJson.parse(json, NOW, SKEW);
    assertThat(r).isEqualTo(new Rejection(RejectReason.INVALID_FIELD, field));
  }

  @Test
  void invalidIsCheckedBeforeRangeRules() {
    ParseResult r =
        parseWith(
            n -> {
              n.put("pickup_zone", 0);
              n.put("vendor_id", "x");
            });
    assertRejected(r, RejectReason.INVALID_FIELD, "vendor_id");
  }

  @Test
  void timestampsWithAnOffsetAreAccepted() {
    TripEvent e = (TripEvent) parseWith(n -> n.put("pickup_time", "2025-01-01T00:18:38-05:00"));
    assertThat(e.pickupTime()).isEqualTo(Instant.parse("2025-01-01T05:18:38Z"));
  }

  // ---------------------------------------------------------------- zone_out_of_range

  @ParameterizedTest
  @CsvSource({
    "pickup_zone,0",
    "pickup_zone,266",
    "pickup_zone,-1",
    "dropoff_zone,0",
    "dropoff_zone,266"
  })
  void zonesOutsideRange(String field, int zone) {
    assertRejected(
        parseWith(n -> n.put(field, zone)), RejectReason.ZONE_OUT_OF_RANGE, field + "=" + zone);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 265})
  void zoneBoundsAreValid(int zone) {
    TripEvent e =
        (TripEvent)
            parseWith(
                n -> {
                  n.put("pickup_zone", zone);
                  n.put("dropoff_zone", zone);
                });
    assertThat(e.pickupZone()).isEqualTo(zone);
  }

  @Test
  void zoneIsCheckedBeforeDistance() {
    assertRejected(
        parseWith(
            n -> {
              n.put("dropoff_zone", 300);
              n.put("trip_distance", -1);
            }),
        RejectReason.ZONE_OUT_OF_RANGE,
        "dropoff_zone=300");
  }

  // ---------------------------------------------------------------- distance_out_of_range

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, -5, 500.01, 1e6})
  void distanceOutsideRange(double d) {
    assertRejected(
        parseWith(n -> n.put("trip_distance", d)),
        RejectReason.DISTANCE_OUT_OF_RANGE,
        "trip_distance=");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 500})
  void distanceBoundsAreValid(double d) {
    assertThat(parseWith(n -> n.put("trip_distance", d))).isInstanceOf(TripEvent.class);
  }

  @Test
  void distanceIsCheckedBeforeFare() {
    assertRejected(
        parseWith(
            n -> {
              n.put("trip_distance", 501);
              n.put("fare_amount", -1);
            }),
        RejectReason.DISTANCE_OUT_OF_RANGE,
        "trip_distance=501");
  }

  // ---------------------------------------------------------------- fare_out_of_range

  @ParameterizedTest
  @ValueSource(doubles = {-7.2, -0.01, 1000.01})
  void fareOutsideRange(double fare) {
    ParseResult r = parseWith(n -> n.put("fare_amount", fare));
    assertThat(r).isEqualTo(new Rejection(RejectReason.FARE_OUT_OF_RANGE, "fare_amount=" + fare));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1000})
  void fareBoundsAreValid(double fare) {
    assertThat(parseWith(n -> n.put("fare_amount", fare))).isInstanceOf(TripEvent.class);
  }

  @Test
  void fareIsCheckedBeforeTimes() {
    assertRejected(
        parseWith(
            n -> {
              n.put("fare_amount", 2000);
              n.put("dropoff_time", "2024-01-01T00:00:00Z");
            }),
        RejectReason.FARE_OUT_OF_RANGE,
        "2000");
  }

  @Test
  void negativeTipsAndTotalsAreNotRangeChecked() {
    assertThat(
            parseWith(
                n -> {
                  n.put("tip_amount", -1);
                  n.put("total_amount", -3);
                }))
        .isInstanceOf(TripEvent.class);
  }

  // ---------------------------------------------------------------- dropoff_before_pickup

  @Test
  void dropoffBeforePickup() {
    assertRejected(
        parseWith(n -> n.put("dropoff_time", "2025-01-01T05:18:37Z")),
        RejectReason.DROPOFF_BEFORE_PICKUP,
        "dropoff_time=2025-01-01T05:18:37Z");
  }

  @Test
  void zeroDurationIsValid() {
    assertThat(parseWith(n -> n.put("dropoff_time", "2025-01-01T05:18:38Z")))
        .isInstanceOf(TripEvent.class);
  }

  @Test
  void dropoffBeforePickupIsCheckedBeforeFuture() {
    assertRejected(
        parseWith(
            n -> {
              n.put("pickup_time", "2030-01-01T00:00:00Z");
              n.put("dropoff_time", "2029-01-01T00:00:00Z");
            }),
        RejectReason.DROPOFF_BEFORE_PICKUP,
        "");
  }

  // ---------------------------------------------------------------- event_time_in_future

  @Test
  void eventTimeInFutureUsesNowAndSkew() {
    Consumer<ObjectNode> at = n -> n.put("dropoff_time", "2025-01-01T07:00:01Z");
    assertRejected(
        parseWith(at), RejectReason.EVENT_TIME_IN_FUTURE, "dropoff_time=2025-01-01T07:00:01Z");
    // exactly now + skew is allowed
    assertThat(parseWith(n -> n.put("dropoff_time", "2025-01-01T07:00:00Z")))
        .isInstanceOf(TripEvent.class);
    // the same event is valid with a bigger skew or a later processing time
    ObjectNode n = valid();
    at.accept(n);
    assertThat(TripEventJson.parse(n.toString(), NOW, Duration.ofHours(2)))
        .isInstanceOf(TripEvent.class);
    assertThat(TripEventJson.parse(n.toString(), NOW.plusSeconds(1), SKEW))
        .isInstanceOf(TripEvent.class);
    assertThat(TripEventJson.parse(n.toString(), NOW, Duration.ZERO)).isInstanceOf(Rejection.class);
  }

  @Test
  void reasonsHaveTheContractWireNamesInOrder() {
    assertThat(RejectReason.values())
        .extracting(RejectReason::wireName)
        .containsExactly(
            "malformed_json",
            "unsupported_schema_version",
            "missing_field",
            "invalid_field",
            "zone_out_of_range",
            "distance_out_of_range",
            "fare_out_of_range",
            "dropoff_before_pickup",
            "event_time_in_future");
  }

  @Test
  void parsingIsThreadSafe() throws Exception {
    String good = valid().toString();
    String bad = parseWithString(Map.of("fare_amount", "-1"));
    Thread[] threads = new Thread[4];
    int[] failures = new int[1];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 2000; i++) {
                  boolean ok =
                      TripEventJson.parse(good, NOW, SKEW) instanceof TripEvent
                          && !(TripEventJson.parse(bad, NOW, SKEW) instanceof TripEvent);
                  if (!ok) {
                    synchronized (failures) {
                      failures[0]++;
                    }
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures[0]).isZero();
  }

  private static String parseWithString(Map<String, String> rawFields) {
    ObjectNode n = valid();
    rawFields.keySet().forEach(n::remove);
    StringBuilder json = new StringBuilder(n.toString());
    json.setLength(json.length() - 1);
    rawFields.forEach((k, v) -> json.append(",\"").append(k).append("\":").append(v));
    return json.append('}').toString();
  }
}
