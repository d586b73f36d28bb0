package io.taxiplatform.producer.source;

import java.util.ArrayList;
import java.util.List;

/** Test helpers for {@link TripSource}s. */
final class SourceReads {

  private SourceReads() {}

  /** Every record of the source, which is closed afterwards. */
  static List<SourceRecord> readAll(TripSource s) {
    List<SourceRecord> out = new ArrayList<>();
    try (s) {
      while (s.hasNext()) {
        out.add(s.next());
      }
    }
    return out;
  }
}
