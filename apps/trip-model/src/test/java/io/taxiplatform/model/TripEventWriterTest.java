package io.taxiplatform.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.model.fixtures.TestTrips;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TripEventWriter} writes the bytes of Jackson's {@link TripEventJson#toJsonBytes}, and they
 * parse back.
 */
class TripEventWriterTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  /** A typical synthetic event (package-private: TripEventBytesTest writes it too). */
  static TripEvent.Builder base() {
    return TripEvent.builder()
        .tripId("syn-42-1")
        .source("synthetic")
        .vendorId(2)
        .pickupTime(Instant.parse("2025-01-15T10:01:02Z"))
        .dropoffTime(Instant.parse("2025-01-15T10:11:12Z"))
        .passengerCount(1)
        .tripDistance(1.6)
        .ratecodeId(1)
        .storeAndFwdFlag("N")
        .pickupZone(161)
        .dropoffZone(237)
        .paymentType(1)
        .fareAmount(10.0)
        .extra(2.5)
        .mtaTax(0.5)
        .tipAmount(2.0)
        .tollsAmount(0.0)
        .improvementSurcharge(1.0)
        .totalAmount(18.75)
        .congestionSurcharge(2.5)
        .airportFee(0.0)
        .cbdCongestionFee(0.75);
  }

  private static void assertSameAsJackson(TripEventWriter w, TripEvent e) {
    byte[] expected = TripEventJson.toJsonBytes(e);
    byte[] actual = w.toBytes(e);
    assertThat(new String(actual, StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void typicalEventIsByteIdenticalAndRoundTrips() {
    TripEventWriter w = new TripEventWriter();
    TripEvent e = base().build();
    assertSameAsJackson(w, e);
    assertThat(new String(w.toBytes(e), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"schema_version\":1,"
                + "\"trip_id\":\"syn-42-1\",\"source\":\"synthetic\",\"vendor_id\":2,\"pickup_time\":\"2025-01-15T10:01:02Z\","
                + "\"dropoff_time\":\"2025-01-15T10:11:12Z\",\"passenger_count\":1,\"trip_distance\":1.6,\"ratecode_id\":1,"
                + "\"store_and_fwd_flag\":\"N\",\"pickup_zone\":161,\"dropoff_zone\":237,\"payment_type\":1,"
                + "\"fare_amount\":10.0,\"extra\":2.5,\"mta_tax\":0.5,\"tip_amount\":2.0,\"tolls_amount\":0.0,"
                + "\"improvement_surcharge\":1.0,\"total_amount\":18.75,\"congestion_surcharge\":2.5,\"airport_fee\":0.0,"
                + "\"cbd_congestion_fee\":0.75}");
    ParseResult back = TripEventJson.parse(w.toBytes(e), NOW, Duration.ofHours(1));
    assertThat(back).isEqualTo(e);
  }

  @Test
  void optionalFieldsAbsentAreOmitted() {
    TripEventWriter w = new TripEventWriter();
    TripEvent e =
        TripEvent.builder()
            .tripId("f.csv:2")
            .pickupTime(Instant.parse("2025-01-15T10:01:02Z"))
            .dropoffTime(Instant.parse("2025-01-15T10:11:12Z"))
            .tripDistance(0)
            .pickupZone(1)
            .dropoffZone(265)
            .fareAmount(3.5)
            .tipAmount(0)
            .totalAmount(-4.0)
            .build();
    assertSameAsJackson(w, e);
    assertThat(TripEventJson.parse(w.toBytes(e), NOW, Duration.ofHours(1))).isEqualTo(e);
    assertSameAsJackson(w, TestTrips.withId(e, "refund", null).shiftedBySeconds(-86_400 * 365));
  }

  @Test
  void edgeValuesAreWrittenAsJacksonDoes() {
    TripEventWriter w = new TripEventWriter();
    double[] doubles = {
      0.0,
      -0.0,
      0.01,
      -0.01,
      0.1,
      0.3,
      1.005,
      2.675,
      1e-4,
      1.0E-7,
      123.456,
      999999.99,
      1000000.0,
      1.0E7,
      1.0E21,
      -1.0E300,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      5e-324,
      0.125,
      70.0,
      6.94,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double d : doubles) {
      assertSameAsJackson(
          w, base().tripDistance(d).fareAmount(d).tipAmount(-d).totalAmount(d).extra(d).build());
    }
    int[] ints = {0, -1, 9, 10, 99, 100, 265, Integer.MAX_VALUE, Integer.MIN_VALUE};
    for (int i : ints) {
      assertSameAsJackson(
          w, base().pickupZone(i).dropoffZone(i).vendorId(i).passengerCount(-i).build());
    }
    String[] instants = {
      "1970-01-01T00:00:00Z",
      "1969-12-31T23:59:59Z",
      "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
      "+10000-01-01T00:00:00Z",
      "2024-02-29T23:59:59Z",
      "2025-01-15T10:11:12.500Z",
      "2025-01-15T10:11:12.000000001Z",
      "2025-03-09T07:00:00Z"
    };
    for (String t : instants) {
      Instant i = Instant.parse(t);
      assertSameAsJackson(w, base().pickupTime(i).dropoffTime(i.plusSeconds(61)).build());
    }
    String[] strings = {
      "",
      " ",
      "a\"b",
      "back\\slash",
      "tab\there",
      "new\nline",
      "\u0001ctl",
      "caf\u00e9",
      "\u20ac",
      "emoji \ud83d\ude95",
      "del\u007f",
      "/slash/",
      "a'b"
    };
    for (String s : strings) {
      assertSameAsJackson(w, base().tripId("id-" + s).source(s).storeAndFwdFlag(s).build());
    }
  }

  /**
   * The cents form is {@code Double.toString} of the value. All 10^8 cents were compared once (JDK
   * 17.0.15, 6.6 s on 2 cores: no difference); here the edges of each digit count and a million
   * random cents.
   */
  @Test
  void centsFormIsDoubleToString() {
    List<Integer> cents = new ArrayList<>();
    for (int digits = 1, p = 1; digits <= 8; digits++, p *= 10) {
      for (int c : new int[] {p - 1, p, p + 1, 10 * p - 10, 10 * p - 1}) {
        if (c >= 0 && c < 100_000_000) {
          cents.add(c);
        }
      }
    }
    for (int c = 0; c < 1000; c++) {
      cents.add(c);
    }
    SplittableRandom r = new SplittableRandom(11);
    for (int n = 0; n < 1_000_000; n++) {
      cents.add(r.nextInt(100_000_000));
    }
    for (int c : cents) {
      String expected = Double.toString(c / 100.0);
      if (!TripEventWriter.centsText(c).equals(expected)) {
        assertThat(TripEventWriter.centsText(c)).as("cents %d", c).isEqualTo(expected);
      }
    }
  }

  @Test
  void randomEventsAreByteIdenticalAndRoundTrip() {
    SplittableRandom r = new SplittableRandom(7);
    TripEventWriter w = new TripEventWriter();
    for (int n = 0; n < 20_000; n++) {
      long t = 1_600_000_000L + r.nextLong(400_000_000L);
      TripEvent.Builder b =
          base()
              .tripId("syn-7-" + n)
              .pickupTime(
                  Instant.ofEpochSecond(t, r.nextInt(10) == 0 ? r.nextInt(1_000_000_000) : 0))
              .dropoffTime(Instant.ofEpochSecond(t + 1 + r.nextInt(7200)))
              .tripDistance(cents(r, 50))
              .fareAmount(cents(r, 300) - (r.nextInt(20) == 0 ? 300 : 0))
              .tipAmount(r.nextInt(5) == 0 ? r.nextDouble() * 40 : cents(r, 40))
              .totalAmount(cents(r, 400))
              .pickupZone(1 + r.nextInt(265))
              .dropoffZone(1 + r.nextInt(265));
      if (r.nextBoolean()) {
        b.extra(null).airportFee(null).source(null).vendorId(null).storeAndFwdFlag(null);
      }
      TripEvent e = b.build();
      assertSameAsJackson(w, e);
      if (e.fareAmount() >= 0 && e.tripDistance() <= 50) {
        ParseResult back = TripEventJson.parse(w.toBytes(e), NOW, Duration.ofDays(3650));
        assertThat(back).as("event %d", n).isEqualTo(e);
      }
    }
  }

  private static double cents(SplittableRandom r, int max) {
    return Math.round(r.nextDouble() * max * 100) / 100.0;
  }
}
