package io.taxiplatform.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TripMetricsTest {

  @Test
  void centsRoundHalfUpOnTheDecimalForm() {
    assertThat(TripMetrics.roundCents(2.675))
        .isEqualByComparingTo("2.68"); // binary 2.67499.. but decimal 2.675
    assertThat(TripMetrics.roundCents(-7.205)).isEqualByComparingTo("-7.21");
    assertThat(TripMetrics.roundCents(10)).isEqualTo(new BigDecimal("10.00"));
    assertThat(TripMetrics.cents(12.12)).isEqualTo(1212L);
    assertThat(TripMetrics.cents(0.004)).isZero();
    assertThat(TripMetrics.roundDistance(1.605)).isEqualByComparingTo("1.61");
  }

  @Test
  void tipPercentOnlyForPositiveFares() {
    assertThat(TripMetrics.tipPercent(3, 10)).isEqualTo(30.0);
    assertThat(TripMetrics.tipPercent(1, 0)).isNull();
    assertThat(TripMetrics.tipPercent(1, -5)).isNull();
  }

  @Test
  void durationIsTheDifferenceOfWholeEpochSeconds() {
    Instant p = Instant.parse("2025-01-01T05:18:38Z");
    assertThat(TripMetrics.durationSeconds(p, Instant.parse("2025-01-01T05:26:59Z")))
        .isEqualTo(501);
    assertThat(TripMetrics.durationSeconds(p.plusMillis(900), p.plusMillis(1100))).isEqualTo(1);
  }

  @Test
  void rulesConstants() {
    assertThat(TripRules.isValidZone(0)).isFalse();
    assertThat(TripRules.isValidZone(1)).isTrue();
    assertThat(TripRules.isValidZone(265)).isTrue();
    assertThat(TripRules.isValidZone(266)).isFalse();
  }
}
