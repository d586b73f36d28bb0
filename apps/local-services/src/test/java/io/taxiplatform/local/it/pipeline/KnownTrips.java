package io.taxiplatform.local.it.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Hand-made trip event JSON (docs/contracts.md, schema_version 1), deterministic per seed. */
public final class KnownTrips {

  private KnownTrips() {}

  /**
   * {@code n} valid trips with dropoff times spread over {@code span} after {@code start}, in a
   * handful of zones (including 264/265, missing from or "Unknown" in the lookup), amounts with
   * three decimals (so rounding to cents matters), some zero fares (no tip percentage).
   */
  public static List<String> valid(String prefix, long seed, int n, Instant start, Duration span) {
    Random rnd = new Random(seed);
    int[] zones = {4, 48, 132, 138, 161, 230, 236, 237, 264, 265};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant dropoff = start.plusMillis((long) (rnd.nextDouble() * span.toMillis()));
      Instant pickup = dropoff.minusSeconds(30 + rnd.nextInt(3600));
      double fare = i % 13 == 0 ? 0 : rnd.nextInt(90_000) / 1000.0;
      out.add(
          trip(
              prefix + "-" + i,
              pickup,
              dropoff,
              rnd.nextInt(25_000) / 1000.0,
              zones[rnd.nextInt(zones.length)],
              1 + rnd.nextInt(265),
              fare,
              rnd.nextInt(15_000) / 1000.0,
              fare + rnd.nextInt(30_000) / 1000.0));
    }
    return out;
  }

  public static String trip(
      String id,
      Instant pickup,
      Instant dropoff,
      double distance,
      int pickupZone,
      int dropoffZone,
      double fare,
      double tip,
      double total) {
    return String.format(
        Locale.ROOT,
        "{\"schema_version\":1,\"trip_id\":\"%s\",\"source\":\"synthetic\","
            + "\"pickup_time\":\"%s\",\"dropoff_time\":\"%s\",\"trip_distance\":%s,\"pickup_zone\":%d,"
            + "\"dropoff_zone\":%d,\"fare_amount\":%s,\"tip_amount\":%s,\"total_amount\":%s}",
        id,
        pickup,
        dropoff,
        Double.toString(distance),
        pickupZone,
        dropoffZone,
        Double.toString(fare),
        Double.toString(tip),
        Double.toString(total));
  }
}
