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

  /**
   * A TLC row (values by {@link TlcColumns} index) with the given pickup and dropoff values (text,
   * a CSV view, a parquet value) and the other required fields valid.
   */
  static Object[] row(Object pickup, Object dropoff) {
    Object[] v = new Object[TlcColumns.NAMES.size()];
    v[TlcColumns.PICKUP] = pickup;
    v[TlcColumns.DROPOFF] = dropoff;
    v[TlcColumns.TRIP_DISTANCE] = "1.5";
    v[TlcColumns.PU_LOCATION] = "1";
    v[TlcColumns.DO_LOCATION] = "2";
    v[TlcColumns.FARE] = "10";
    v[TlcColumns.TIP] = "0";
    v[TlcColumns.TOTAL] = "10";
    return v;
  }
}
