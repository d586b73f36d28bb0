package io.taxiplatform.model;

/**
 * Dead-letter reasons, in the order the rules are checked (docs/contracts.md, "Validation"). {@link
 * #wireName()} is the snake_case name used in the dead-letter record, its header and metrics.
 */
public enum RejectReason {
  /** The value is not a JSON object. */
  MALFORMED_JSON("malformed_json"),
  /** {@code schema_version} missing or not {@code 1}. */
  UNSUPPORTED_SCHEMA_VERSION("unsupported_schema_version"),
  /** A required field is missing or null. */
  MISSING_FIELD("missing_field"),
  /** A field has the wrong type or an unparseable timestamp. */
  INVALID_FIELD("invalid_field"),
  /** {@code pickup_zone} or {@code dropoff_zone} outside 1..265. */
  ZONE_OUT_OF_RANGE("zone_out_of_range"),
  /** {@code trip_distance} &lt; 0 or &gt; 500. */
  DISTANCE_OUT_OF_RANGE("distance_out_of_range"),
  /** {@code fare_amount} &lt; 0 or &gt; 1000. */
  FARE_OUT_OF_RANGE("fare_out_of_range"),
  /** {@code dropoff_time} &lt; {@code pickup_time}. */
  DROPOFF_BEFORE_PICKUP("dropoff_before_pickup"),
  /** {@code dropoff_time} &gt; processing time + allowed skew. */
  EVENT_TIME_IN_FUTURE("event_time_in_future");

  private final String wireName;

  RejectReason(String wireName) {
    this.wireName = wireName;
  }

  /** The snake_case name on the wire ({@code fare_out_of_range}). */
  public String wireName() {
    return wireName;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
