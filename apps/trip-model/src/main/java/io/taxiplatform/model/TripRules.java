package io.taxiplatform.model;

import java.time.Duration;

/** The constants of the validation rules in docs/contracts.md. */
public final class TripRules {

  /** The only supported {@code schema_version}. */
  public static final int SCHEMA_VERSION = 1;

  /** Lowest valid TLC zone id (inclusive). */
  public static final int MIN_ZONE = 1;

  /** Highest valid TLC zone id (inclusive). */
  public static final int MAX_ZONE = 265;

  /** Lowest valid {@code trip_distance} in miles (inclusive). */
  public static final double MIN_DISTANCE_MILES = 0.0;

  /** Highest valid {@code trip_distance} in miles (inclusive). */
  public static final double MAX_DISTANCE_MILES = 500.0;

  /** Lowest valid {@code fare_amount} in USD (inclusive). */
  public static final double MIN_FARE_USD = 0.0;

  /** Highest valid {@code fare_amount} in USD (inclusive). */
  public static final double MAX_FARE_USD = 1000.0;

  /** Default of {@code MAX_EVENT_TIME_SKEW}. */
  public static final Duration DEFAULT_MAX_EVENT_TIME_SKEW = Duration.ofHours(1);

  private TripRules() {}

  /** {@code true} when {@code zone} is in {@code 1..265}. */
  public static boolean isValidZone(long zone) {
    return zone >= MIN_ZONE && zone <= MAX_ZONE;
  }
}
