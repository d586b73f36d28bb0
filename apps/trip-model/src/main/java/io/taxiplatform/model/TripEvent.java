package io.taxiplatform.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One completed taxi trip, {@code schema_version} 1 of docs/contracts.md.
 *
 * <p>Required fields are primitives or non-null references; optional fields are boxed and {@code
 * null} when absent. The record itself does not apply the business rules of the streaming job (a
 * negative fare is a legal {@code TripEvent}: the producer sends it and the job dead-letters it);
 * use {@link TripEventJson#parse} to get the validated form.
 *
 * @param schemaVersion always {@link TripRules#SCHEMA_VERSION} for events built here
 * @param tripId unique per event, never blank
 * @param source {@code replay}, {@code synthetic} or {@code smoke}; optional
 * @param vendorId TLC VendorID; optional
 * @param pickupTime UTC instant
 * @param dropoffTime UTC instant; the event time
 * @param passengerCount optional
 * @param tripDistance miles
 * @param ratecodeId optional
 * @param storeAndFwdFlag optional
 * @param pickupZone PULocationID
 * @param dropoffZone DOLocationID
 * @param paymentType optional
 * @param fareAmount USD
 * @param extra optional
 * @param mtaTax optional
 * @param tipAmount USD
 * @param tollsAmount optional
 * @param improvementSurcharge optional
 * @param totalAmount USD
 * @param congestionSurcharge optional
 * @param airportFee optional (absent in some schemas)
 * @param cbdCongestionFee optional (from 2025)
 */
public record TripEvent(
    int schemaVersion,
    String tripId,
    String source,
    Integer vendorId,
    Instant pickupTime,
    Instant dropoffTime,
    Integer passengerCount,
    double tripDistance,
    Integer ratecodeId,
    String storeAndFwdFlag,
    int pickupZone,
    int dropoffZone,
    Integer paymentType,
    double fareAmount,
    Double extra,
    Double mtaTax,
    double tipAmount,
    Double tollsAmount,
    Double improvementSurcharge,
    double totalAmount,
    Double congestionSurcharge,
    Double airportFee,
    Double cbdCongestionFee)
    implements ParseResult {

  public TripEvent {
    Objects.requireNonNull(tripId, "tripId");
    Objects.requireNonNull(pickupTime, "pickupTime");
    Objects.requireNonNull(dropoffTime, "dropoffTime");
  }

  /** The event time of the trip: its dropoff time. */
  public Instant eventTime() {
    return dropoffTime;
  }

  /** The pickup zone as the Kafka record key of the trips topic ({@code "132"}). */
  public String kafkaKey() {
    return Integer.toString(pickupZone);
  }

  /**
   * A copy with both timestamps shifted by {@code seconds} (used by the producer's {@code now} time
   * mode).
   */
  public TripEvent shiftedBySeconds(long seconds) {
    return new TripEvent(
        schemaVersion,
        tripId,
        source,
        vendorId,
        pickupTime.plusSeconds(seconds),
        dropoffTime.plusSeconds(seconds),
        passengerCount,
        tripDistance,
        ratecodeId,
        storeAndFwdFlag,
        pickupZone,
        dropoffZone,
        paymentType,
        fareAmount,
        extra,
        mtaTax,
        tipAmount,
        tollsAmount,
        improvementSurcharge,
        totalAmount,
        congestionSurcharge,
        airportFee,
        cbdCongestionFee);
  }

  /** Starts a builder with {@code schema_version} 1 and no optional field set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder, for generators and tests; not thread-safe. */
  public static final class Builder {
    private int schemaVersion = TripRules.SCHEMA_VERSION;
    private String tripId;
    private String source;
    private Integer vendorId;
    private Instant pickupTime;
    private Instant dropoffTime;
    private Integer passengerCount;
    private double tripDistance;
    private Integer ratecodeId;
    private String storeAndFwdFlag;
    private int pickupZone;
    private int dropoffZone;
    private Integer paymentType;
    private double fareAmount;
    private Double extra;
    private Double mtaTax;
    private double tipAmount;
    private Double tollsAmount;
    private Double improvementSurcharge;
    private double totalAmount;
    private Double congestionSurcharge;
    private Double airportFee;
    private Double cbdCongestionFee;

    private Builder() {}

    public Builder schemaVersion(int v) {
      this.schemaVersion = v;
      return this;
    }

    public Builder tripId(String v) {
      this.tripId = v;
      return this;
    }

    public Builder source(String v) {
      this.source = v;
      return this;
    }

    public Builder vendorId(Integer v) {
      this.vendorId = v;
      return this;
    }

    public Builder pickupTime(Instant v) {
      this.pickupTime = v;
      return this;
    }

    public Builder dropoffTime(Instant v) {
      this.dropoffTime = v;
      return this;
    }

    public Builder passengerCount(Integer v) {
      this.passengerCount = v;
      return this;
    }

    public Builder tripDistance(double v) {
      this.tripDistance = v;
      return this;
    }

    public Builder ratecodeId(Integer v) {
      this.ratecodeId = v;
      return this;
    }

    public Builder storeAndFwdFlag(String v) {
      this.storeAndFwdFlag = v;
      return this;
    }

    public Builder pickupZone(int v) {
      this.pickupZone = v;
      return this;
    }

    public Builder dropoffZone(int v) {
      this.dropoffZone = v;
      return this;
    }

    public Builder paymentType(Integer v) {
      this.paymentType = v;
      return this;
    }

    public Builder fareAmount(double v) {
      this.fareAmount = v;
      return this;
    }

    public Builder extra(Double v) {
      this.extra = v;
      return this;
    }

    public Builder mtaTax(Double v) {
      this.mtaTax = v;
      return this;
    }

    public Builder tipAmount(double v) {
      this.tipAmount = v;
      return this;
    }

    public Builder tollsAmount(Double v) {
      this.tollsAmount = v;
      return this;
    }

    public Builder improvementSurcharge(Double v) {
      this.improvementSurcharge = v;
      return this;
    }

    public Builder totalAmount(double v) {
      this.totalAmount = v;
      return this;
    }

    public Builder congestionSurcharge(Double v) {
      this.congestionSurcharge = v;
      return this;
    }

    public Builder airportFee(Double v) {
      this.airportFee = v;
      return this;
    }

    public Builder cbdCongestionFee(Double v) {
      this.cbdCongestionFee = v;
      return this;
    }

    public TripEvent build() {
      return new TripEvent(
          schemaVersion,
          tripId,
          source,
          vendorId,
          pickupTime,
          dropoffTime,
          passengerCount,
          tripDistance,
          ratecodeId,
          storeAndFwdFlag,
          pickupZone,
          dropoffZone,
          paymentType,
          fareAmount,
          extra,
          mtaTax,
          tipAmount,
          tollsAmount,
          improvementSurcharge,
          totalAmount,
          congestionSurcharge,
          airportFee,
          cbdCongestionFee);
    }
  }
}
