package io.taxiplatform.producer.source;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The TLC yellow-trip columns of the 2023-2025 files, in the published order, lower-cased (file
 * headers are matched case-insensitively, so {@code Airport_fee} and {@code airport_fee} are the
 * same column).
 */
public final class TlcColumns {

  public static final int VENDOR_ID = 0;
  public static final int PICKUP = 1;
  public static final int DROPOFF = 2;
  public static final int PASSENGER_COUNT = 3;
  public static final int TRIP_DISTANCE = 4;
  public static final int RATECODE_ID = 5;
  public static final int STORE_AND_FWD = 6;
  public static final int PU_LOCATION = 7;
  public static final int DO_LOCATION = 8;
  public static final int PAYMENT_TYPE = 9;
  public static final int FARE = 10;
  public static final int EXTRA = 11;
  public static final int MTA_TAX = 12;
  public static final int TIP = 13;
  public static final int TOLLS = 14;
  public static final int IMPROVEMENT = 15;
  public static final int TOTAL = 16;
  public static final int CONGESTION = 17;
  public static final int AIRPORT_FEE = 18;
  public static final int CBD_FEE = 19;

  /** Lower-case names, index = the constants above. */
  public static final List<String> NAMES =
      List.of(
          "vendorid",
          "tpep_pickup_datetime",
          "tpep_dropoff_datetime",
          "passenger_count",
          "trip_distance",
          "ratecodeid",
          "store_and_fwd_flag",
          "pulocationid",
          "dolocationid",
          "payment_type",
          "fare_amount",
          "extra",
          "mta_tax",
          "tip_amount",
          "tolls_amount",
          "improvement_surcharge",
          "total_amount",
          "congestion_surcharge",
          "airport_fee",
          "cbd_congestion_fee");

  /** Columns a file must have (the event's required fields). */
  public static final List<Integer> REQUIRED =
      List.of(PICKUP, DROPOFF, TRIP_DISTANCE, PU_LOCATION, DO_LOCATION, FARE, TIP, TOTAL);

  private static final Map<String, Integer> INDEX =
      IntStream.range(0, NAMES.size())
          .boxed()
          .collect(Collectors.toUnmodifiableMap(NAMES::get, Function.identity()));

  private TlcColumns() {}

  /** Index of a column name (any case, surrounding quotes and spaces ignored), or -1. */
  public static int indexOf(String name) {
    String n = name.strip();
    if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
      n = n.substring(1, n.length() - 1).strip();
    }
    return INDEX.getOrDefault(n.toLowerCase(Locale.ROOT), -1);
  }

  /** Fails when a required column is absent from {@code present}. */
  static void requireAll(boolean[] present, String file) {
    for (int i : REQUIRED) {
      if (!present[i]) {
        throw new IllegalArgumentException(
            file + ": required column " + NAMES.get(i) + " is missing");
      }
    }
  }
}
