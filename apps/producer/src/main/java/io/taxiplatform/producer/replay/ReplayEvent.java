package io.taxiplatform.producer.replay;

import io.taxiplatform.model.TripEvent;
import java.util.Comparator;

/**
 * A trip event with its place in the input: the index of its file in {@code --input} and its row
 * number in that file (from 1, every row read counts, rejected ones too).
 *
 * @param event the event as read (original times)
 * @param fileIndex index of the input file, from 0
 * @param row row number in the file, from 1
 */
public record ReplayEvent(TripEvent event, int fileIndex, long row) {

  /** Dropoff instant, then input file index, then row number: a total, deterministic order. */
  public static final Comparator<ReplayEvent> DROPOFF_ORDER =
      (a, b) -> {
        int c = a.event.dropoffTime().compareTo(b.event.dropoffTime());
        if (c != 0) {
          return c;
        }
        c = Integer.compare(a.fileIndex, b.fileIndex);
        return c != 0 ? c : Long.compare(a.row, b.row);
      };
}
