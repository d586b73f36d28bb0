package io.taxiplatform.model;

import java.util.List;

/** The JSON field names of the trip event (docs/contracts.md). */
public final class TripFields {

  public static final String SCHEMA_VERSION = "schema_version";
  public static final String TRIP_ID = "trip_id";
  public static final String SOURCE = "source";
  public static final String VENDOR_ID = "vendor_id";
  public static final String PICKUP_TIME = "pickup_time";
  public static final String DROPOFF_TIME = "dropoff_time";
  public static final String PASSENGER_COUNT = "passenger_count";
  public static final String TRIP_DISTANCE = "trip_distance";
  public static final String RATECODE_ID = "ratecode_id";
  public static final String STORE_AND_FWD_FLAG = "store_and_fwd_flag";
  public static final String PICKUP_ZONE = "pickup_zone";
  public static final String DROPOFF_ZONE = "dropoff_zone";
  public static final String PAYMENT_TYPE = "payment_type";
  public static final String FARE_AMOUNT = "fare_amount";
  public static final String EXTRA = "extra";
  public static final String MTA_TAX = "mta_tax";
  public static final String TIP_AMOUNT = "tip_amount";
  public static final String TOLLS_AMOUNT = "tolls_amount";
  public static final String IMPROVEMENT_SURCHARGE = "improvement_surcharge";
  public static final String TOTAL_AMOUNT = "total_amount";
  public static final String CONGESTION_SURCHARGE = "congestion_surcharge";
  public static final String AIRPORT_FEE = "airport_fee";
  public static final String CBD_CONGESTION_FEE = "cbd_congestion_fee";

  /**
   * Required fields besides {@code schema_version}, in the order {@code missing_field} checks them.
   */
  public static final List<String> REQUIRED =
      List.of(
          TRIP_ID,
          PICKUP_TIME,
          DROPOFF_TIME,
          TRIP_DISTANCE,
          PICKUP_ZONE,
          DROPOFF_ZONE,
          FARE_AMOUNT,
          TIP_AMOUNT,
          TOTAL_AMOUNT);

  private TripFields() {}
}
