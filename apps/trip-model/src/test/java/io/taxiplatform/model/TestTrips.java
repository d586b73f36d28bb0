package io.taxiplatform.model;

/** Test helpers for {@link TripEvent}s. */
final class TestTrips {

  private TestTrips() {}

  /** A copy of {@code e} with another trip id and source. */
  static TripEvent withId(TripEvent e, String tripId, String source) {
    return new TripEvent(
        e.schemaVersion(),
        tripId,
        source,
        e.vendorId(),
        e.pickupTime(),
        e.dropoffTime(),
        e.passengerCount(),
        e.tripDistance(),
        e.ratecodeId(),
        e.storeAndFwdFlag(),
        e.pickupZone(),
        e.dropoffZone(),
        e.paymentType(),
        e.fareAmount(),
        e.extra(),
        e.mtaTax(),
        e.tipAmount(),
        e.tollsAmount(),
        e.improvementSurcharge(),
        e.totalAmount(),
        e.congestionSurcharge(),
        e.airportFee(),
        e.cbdCongestionFee());
  }
}
