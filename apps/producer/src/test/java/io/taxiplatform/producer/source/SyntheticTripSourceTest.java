package io.taxiplatform.producer.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.model.ParseResult;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import io.taxiplatform.model.TripMetrics;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticTripSourceTest {

  private static final Instant NOW = Instant.parse("2025-03-04T15:30:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static List<TripEvent> generate(long seed, int n) {
    List<TripEvent> out = new ArrayList<>();
    try (SyntheticTripSource s = new SyntheticTripSource(seed, CLOCK)) {
      for (int i = 0; i < n; i++) {
        assertThat(s.hasNext()).isTrue();
        out.add(s.next().event());
      }
    }
    return out;
  }

  @Test
  void sameSeedSameTripsDifferentSeedDifferentTrips() {
    assertThat(generate(42, 500)).isEqualTo(generate(42, 500));
    assertThat(generate(42, 50)).isNotEqualTo(generate(43, 50));
    assertThat(generate(42, 3))
        .extracting(TripEvent::tripId)
        .containsExactly("syn-42-1", "syn-42-2", "syn-42-3");
  }

  @Test
  void everyTripPassesTheStreamingJobsValidation() {
    for (TripEvent e : generate(7, 5000)) {
      ParseResult r = TripEventJson.parse(TripEventJson.toJson(e), NOW, Duration.ofHours(1));
      assertThat(r).as("%s -> %s", e, r).isInstanceOf(TripEvent.class);
      assertThat(e.source()).isEqualTo("synthetic");
      assertThat(e.dropoffTime()).isBetween(NOW.minusSeconds(20), NOW);
      assertThat(TripMetrics.durationSeconds(e)).isGreaterThanOrEqualTo(60);
      assertThat(e.fareAmount()).isPositive();
    }
  }

  @Test
  void totalIsTheSumOfItsPartsAndCashTipsAreZero() {
    for (TripEvent e : generate(11, 3000)) {
      BigDecimal parts =
          TripMetrics.roundCents(e.fareAmount())
              .add(TripMetrics.roundCents(e.extra()))
              .add(TripMetrics.roundCents(e.mtaTax()))
              .add(TripMetrics.roundCents(e.tipAmount()))
              .add(TripMetrics.roundCents(e.tollsAmount()))
              .add(TripMetrics.roundCents(e.improvementSurcharge()))
              .add(TripMetrics.roundCents(e.congestionSurcharge()))
              .add(TripMetrics.roundCents(e.airportFee()))
              .add(TripMetrics.roundCents(e.cbdCongestionFee()));
      assertThat(TripMetrics.roundCents(e.totalAmount())).isEqualByComparingTo(parts);
      if (e.paymentType() != 1) {
        assertThat(e.tipAmount()).isZero();
      }
    }
  }

  @Test
  void busyZonesAreBusierAndEveryZoneCanAppear() {
    int n = 200_000;
    long[] pickups = new long[267];
    long cardTrips = 0;
    long tippedCardTrips = 0;
    try (SyntheticTripSource s = new SyntheticTripSource(3, CLOCK)) {
      for (int i = 0; i < n; i++) {
        TripEvent e = s.next().event();
        pickups[e.pickupZone()]++;
        if (e.paymentType() == 1) {
          cardTrips++;
          if (e.tipAmount() > 0) {
            tippedCardTrips++;
          }
        }
      }
    }
    // Upper East Side South (237) and Midtown Center (161) vs a quiet zone (e.g. 5, Arden Heights)
    assertThat(pickups[237]).isGreaterThan(50 * Math.max(1, pickups[5]));
    assertThat(pickups[161]).isGreaterThan(pickups[100]);
    assertThat(pickups[132]).isGreaterThan(pickups[1] * 10); // JFK vs Newark
    long zonesSeen = 0;
    for (int z = 1; z <= 265; z++) {
      if (pickups[z] > 0) {
        zonesSeen++;
      }
    }
    assertThat(zonesSeen).isEqualTo(265);
    assertThat(pickups[0]).isZero();
    assertThat(pickups[266]).isZero();
    // card share ~74%, most card trips tip
    assertThat((double) cardTrips / n).isBetween(0.70, 0.78);
    assertThat((double) tippedCardTrips / cardTrips).isBetween(0.80, 0.90);
  }

  @Test
  void airportTripsAreLongerThanCityTrips() {
    double airport = 0;
    double city = 0;
    int na = 0;
    int nc = 0;
    for (TripEvent e : generate(5, 50_000)) {
      if (e.pickupZone() == 132 || e.pickupZone() == 138) {
        airport += e.tripDistance();
        na++;
      } else if (SyntheticTripSource.BUSY.containsKey(e.pickupZone())
          && e.pickupZone() != e.dropoffZone()
          && e.dropoffZone() != 132
          && e.dropoffZone() != 138
          && e.dropoffZone() != 1) {
        city += e.tripDistance();
        nc++;
      }
    }
    assertThat(na).isPositive();
    assertThat(nc).isPositive();
    assertThat(airport / na).isGreaterThan(3 * city / nc);
  }

  @Test
  void fastCentsRoundsAsTripMetricsDoes() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    double[] edges = {
      0, -0.0, 0.005, 0.015, 1.005, 2.675, -2.675, 0.125, 1.115, 999999.995, 1e6, 123.456, -0.001
    };
    for (double v : edges) {
      assertThat(SyntheticTripSource.cents(v))
          .as("%s", v)
          .isEqualTo(TripMetrics.roundCents(v).doubleValue());
    }
    for (int i = 0; i < 200_000; i++) {
      double v =
          i % 2 == 0 ? r.nextDouble() * 500 : Math.round(r.nextDouble() * 100_000) / 1000.0 - 20;
      assertThat(SyntheticTripSource.cents(v))
          .as("%s", v)
          .isEqualTo(TripMetrics.roundCents(v).doubleValue());
    }
  }

  @Test
  void cachedNewYorkHourIsTheZoneRulesHour() {
    SyntheticTripSource s = new SyntheticTripSource(1, CLOCK);
    // across both 2025 DST changes, in an order that revisits cached hours
    long[] starts = {
      Instant.parse("2025-03-09T04:00:00Z").getEpochSecond(),
      Instant.parse("2025-11-02T04:00:00Z").getEpochSecond(),
      0L,
      -86_400L * 400
    };
    for (long start : starts) {
      for (long t = start; t < start + 6 * 3600; t += 97) {
        long sec = t % 2 == 0 ? t : t - 7200;
        assertThat(s.newYorkHour(sec))
            .as("%s", Instant.ofEpochSecond(sec))
            .isEqualTo(
                java.time.ZonedDateTime.ofInstant(Instant.ofEpochSecond(sec), TlcRowMapper.NEW_YORK)
                    .getHour());
      }
    }
  }
}
