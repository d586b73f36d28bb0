package io.taxiplatform.producer.source;

import io.taxiplatform.model.TripEvent;
import java.util.Objects;

/**
 * One input row: either an event to send or the reason the producer cannot turn the row into an
 * event.
 *
 * @param event the event, or {@code null} for a rejected row
 * @param rejectReason {@code null} for an event, otherwise one of {@link RowRejects}
 * @param detail what was wrong (column and value), {@code null} for an event
 */
public record SourceRecord(TripEvent event, String rejectReason, String detail) {

  public SourceRecord {
    if ((event == null) == (rejectReason == null)) {
      throw new IllegalArgumentException("exactly one of event and rejectReason");
    }
  }

  public static SourceRecord of(TripEvent event) {
    return new SourceRecord(Objects.requireNonNull(event), null, null);
  }

  public static SourceRecord rejected(String reason, String detail) {
    return new SourceRecord(null, Objects.requireNonNull(reason), detail);
  }

  public boolean isRejected() {
    return event == null;
  }
}
