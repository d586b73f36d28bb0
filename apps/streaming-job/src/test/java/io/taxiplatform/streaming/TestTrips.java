package io.taxiplatform.streaming;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import java.nio.charset.StandardCharsets;

/** Test helpers for {@link TripEvent}s as the job reads them. */
final class TestTrips {

  private TestTrips() {}

  /**
   * The event as the topic's value: Jackson's compact JSON ({@link TripEventJson#toJson}), UTF-8.
   */
  static byte[] jsonBytes(TripEvent e) {
    return TripEventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
  }

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
