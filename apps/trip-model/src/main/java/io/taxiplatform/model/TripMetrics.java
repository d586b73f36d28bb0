package io.taxiplatform.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * Per-trip quantities behind the window metrics of docs/contracts.md ("Aggregates"). Tests
 * recompute the aggregates independently with these definitions:
 *
 * <ul>
 *   <li>money is rounded to cents, distance to 0.01 mile, both {@link RoundingMode#HALF_UP} on the
 *       shortest decimal form of the double ({@link BigDecimal#valueOf(double)}), which is what
 *       Spark's {@code round(col, 2)} and a cast to {@code decimal(_, 2)} do;
 *   <li>duration = difference of the whole epoch seconds of dropoff and pickup (what Spark's {@code
 *       unix_timestamp(dropoff) - unix_timestamp(pickup)} gives);
 *   <li>tip percentage = {@code 100 * tip_amount / fare_amount} in double arithmetic, defined only
 *       when {@code fare_amount > 0}.
 * </ul>
 */
public final class TripMetrics {

  private TripMetrics() {}

  /** {@code amount} rounded half-up to 2 decimals. */
  public static BigDecimal roundCents(double amount) {
    return BigDecimal.valueOf(amount).setScale(2, RoundingMode.HALF_UP);
  }

  /** {@code amount} rounded half-up to whole cents, as a count of cents. */
  public static long cents(double amount) {
    return roundCents(amount).unscaledValue().longValueExact();
  }

  /** {@code miles} rounded half-up to 0.01 mile. */
  public static BigDecimal roundDistance(double miles) {
    return roundCents(miles);
  }

  /** {@code 100 * tip / fare}, or {@code null} when {@code fare <= 0}. */
  public static Double tipPercent(double tip, double fare) {
    return fare > 0 ? 100.0 * tip / fare : null;
  }

  /** Whole seconds between pickup and dropoff (epoch seconds difference). */
  public static long durationSeconds(Instant pickup, Instant dropoff) {
    return dropoff.getEpochSecond() - pickup.getEpochSecond();
  }

  /** {@link #durationSeconds(Instant, Instant)} of a trip. */
  public static long durationSeconds(TripEvent trip) {
    return durationSeconds(trip.pickupTime(), trip.dropoffTime());
  }
}
