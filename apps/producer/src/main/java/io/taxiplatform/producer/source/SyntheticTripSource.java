package io.taxiplatform.producer.source;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Endless synthetic trips with realistic shapes, reproducible for a seed (and a fixed clock).
 *
 * <ul>
 *   <li>pickup zones drawn from hand-set weights over 1..265: Midtown, the Upper East/West Side,
 *       the airports (JFK 132, LaGuardia 138) and the other busy Manhattan zones far above the
 *       rest;
 *   <li>dropoff: 8% the same zone, 72% by the same weights, 20% uniform over 1..263;
 *   <li>distance log-normal (median ~1.8 mi in the city, ~12 mi from an airport), duration from a
 *       city speed of ~11 mph (20 mph from airports) plus 1-3 minutes;
 *   <li>fare from the 2025 meter (3.00 + 3.50/mile + 0.35/minute), JFK-Manhattan flat 70.00,
 *       surcharges (MTA tax, improvement, congestion, airport fee, CBD fee in Manhattan below 60th
 *       St);
 *   <li>payment: card 74%, cash 20%, no charge 2%, dispute 1%, flex 3%; card tips 0/15/20/25/30% of
 *       the fare (most 20%), cash tips are not recorded (as in TLC data).
 * </ul>
 *
 * Event times are "now": dropoff = the clock's current second minus up to 20 s, pickup = dropoff -
 * duration. Trip ids are {@code syn-<seed>-<n>}, n from 1.
 */
public final class SyntheticTripSource implements TripSource {

  /** The {@code source} field of synthetic events. */
  public static final String SYNTHETIC = "synthetic";

  static final int ZONES = 265;
  static final int JFK = 132;
  static final int LAGUARDIA = 138;
  static final int NEWARK = 1;

  /** Relative pickup weight of busy zones; every other zone weighs {@link #BASE_WEIGHT}. */
  static final Map<Integer, Double> BUSY =
      Map.ofEntries(
          Map.entry(237, 40.0),
          Map.entry(161, 40.0),
          Map.entry(236, 38.0),
          Map.entry(162, 32.0),
          Map.entry(132, 30.0),
          Map.entry(230, 30.0),
          Map.entry(186, 28.0),
          Map.entry(170, 24.0),
          Map.entry(138, 22.0),
          Map.entry(142, 22.0),
          Map.entry(239, 22.0),
          Map.entry(141, 20.0),
          Map.entry(163, 20.0),
          Map.entry(234, 18.0),
          Map.entry(68, 18.0),
          Map.entry(79, 16.0),
          Map.entry(48, 16.0),
          Map.entry(107, 16.0),
          Map.entry(140, 16.0),
          Map.entry(238, 15.0),
          Map.entry(164, 15.0),
          Map.entry(90, 14.0),
          Map.entry(229, 14.0),
          Map.entry(100, 12.0),
          Map.entry(113, 12.0),
          Map.entry(249, 12.0),
          Map.entry(233, 10.0),
          Map.entry(246, 10.0),
          Map.entry(43, 10.0),
          Map.entry(137, 10.0),
          Map.entry(114, 10.0),
          Map.entry(263, 10.0),
          Map.entry(87, 8.0),
          Map.entry(231, 8.0),
          Map.entry(262, 8.0),
          Map.entry(88, 6.0),
          Map.entry(261, 6.0),
          Map.entry(211, 6.0),
          Map.entry(144, 6.0),
          Map.entry(148, 6.0),
          Map.entry(158, 6.0),
          Map.entry(50, 6.0),
          Map.entry(75, 5.0),
          Map.entry(151, 5.0),
          Map.entry(74, 4.0),
          Map.entry(41, 4.0),
          Map.entry(166, 4.0),
          Map.entry(24, 3.0),
          Map.entry(4, 3.0),
          Map.entry(45, 3.0),
          Map.entry(13, 3.0),
          Map.entry(209, 2.0),
          Map.entry(232, 2.0),
          Map.entry(NEWARK, 1.0));

  static final double BASE_WEIGHT = 0.3;

  /** 264/265 are the TLC "unknown"/"outside NYC" zones. */
  static final double UNKNOWN_WEIGHT = 0.2;

  /** Manhattan zones below 60th Street (congestion relief zone, CBD fee from 2025). */
  private static final boolean[] CBD = new boolean[ZONES + 1];

  static {
    for (int z :
        new int[] {
          4, 12, 13, 45, 48, 50, 68, 79, 87, 88, 90, 100, 107, 113, 114, 125, 137, 144, 148, 158,
          161, 162, 163, 164, 170, 186, 209, 211, 224, 229, 230, 231, 232, 233, 234, 246, 249, 261
        }) {
      CBD[z] = true;
    }
  }

  private static final double[] CUMULATIVE = new double[ZONES + 1];

  static {
    double sum = 0;
    for (int z = 1; z <= ZONES; z++) {
      sum += weight(z);
      CUMULATIVE[z] = sum;
    }
  }

  private final SplittableRandom random;
  private final Clock clock;
  private final String idPrefix;
  private long n;

  /**
   * New York's UTC offset by UTC hour (a small direct-mapped cache: offsets change only on whole
   * UTC hours).
   */
  private final long[] offsetHour = new long[8];

  private final int[] offsetSeconds = new int[8];

  public SyntheticTripSource(long seed, Clock clock) {
    this.random = new SplittableRandom(seed);
    this.clock = clock;
    this.idPrefix = "syn-" + seed + "-";
    java.util.Arrays.fill(offsetHour, Long.MIN_VALUE);
  }

  /**
   * The hour of day in New York of an epoch second (what {@code
   * ZonedDateTime.ofInstant(..).getHour()} gives).
   */
  int newYorkHour(long epochSecond) {
    long hour = Math.floorDiv(epochSecond, 3600);
    int slot = (int) (hour & 7);
    if (offsetHour[slot] != hour) {
      offsetSeconds[slot] =
          TlcRowMapper.NEW_YORK
              .getRules()
              .getOffset(Instant.ofEpochSecond(hour * 3600))
              .getTotalSeconds();
      offsetHour[slot] = hour;
    }
    return (int) Math.floorMod(Math.floorDiv(epochSecond + offsetSeconds[slot], 3600), 24);
  }

  /** The pickup weight of a zone. */
  static double weight(int zone) {
    if (zone >= 264) {
      return UNKNOWN_WEIGHT;
    }
    return BUSY.getOrDefault(zone, BASE_WEIGHT);
  }

  private int weightedZone() {
    double x = random.nextDouble() * CUMULATIVE[ZONES];
    int i = Arrays.binarySearch(CUMULATIVE, 1, ZONES + 1, x);
    int z = i >= 0 ? i : -i - 1;
    return Math.min(Math.max(z, 1), ZONES);
  }

  private static boolean isAirport(int zone) {
    return zone == JFK || zone == LAGUARDIA || zone == NEWARK;
  }

  private double logNormal(double median, double sigma) {
    double g = random.nextGaussian();
    return median * Math.exp(sigma * g);
  }

  /**
   * {@code v} rounded half-up to cents as {@link TripMetrics#roundCents} does (on the shortest
   * decimal form of the double), without a {@code BigDecimal} unless {@code v * 100} lies within
   * 1e-6 of a half cent, where the double arithmetic could round the other way.
   */
  static double cents(double v) {
    double x = v * 100;
    if (Math.abs(v) < 1e6) {
      double frac = x - Math.floor(x);
      if (Math.abs(frac - 0.5) > 1e-6) {
        return Math.round(x) / 100.0;
      }
    }
    return TripMetrics.roundCents(v).doubleValue();
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public SourceRecord next() {
    n++;
    int pickup = weightedZone();
    double r = random.nextDouble();
    int dropoff = r < 0.08 ? pickup : r < 0.80 ? weightedZone() : 1 + random.nextInt(263);
    boolean airport = isAirport(pickup) || isAirport(dropoff);
    double distance;
    if (pickup == dropoff) {
      distance = 0.3 + random.nextDouble() * 1.2;
    } else if (airport) {
      distance = Math.min(logNormal(12.0, 0.35), 45.0);
    } else {
      distance = Math.min(logNormal(1.8, 0.7), 30.0);
    }
    distance = cents(distance);
    double mph = airport ? 20 + random.nextGaussian() * 4 : 11 + random.nextGaussian() * 3;
    mph = Math.min(Math.max(mph, 4), 35);
    long durationS = Math.max(60, Math.round(distance / mph * 3600) + 60 + random.nextInt(121));

    long dropoffSecond = Math.floorDiv(clock.millis(), 1000) - random.nextInt(21);
    Instant dropoffTime = Instant.ofEpochSecond(dropoffSecond);
    Instant pickupTime = Instant.ofEpochSecond(dropoffSecond - durationS);
    int hour = newYorkHour(dropoffSecond - durationS);

    int ratecode = 1;
    double fare;
    boolean manhattan =
        CBD[pickup] || CBD[dropoff] || BUSY.containsKey(pickup) && !isAirport(pickup);
    if ((pickup == JFK || dropoff == JFK) && manhattan) {
      ratecode = 2;
      fare = 70.0;
    } else {
      fare = 3.00 + 3.50 * distance + 0.35 * (durationS / 60.0);
      if (dropoff == NEWARK) {
        ratecode = 3;
        fare += 20.0;
      }
    }
    fare = cents(fare);
    double extra = hour >= 20 || hour < 6 ? 1.0 : hour >= 16 && hour < 20 ? 2.5 : 0.0;
    double mta = 0.5;
    double improvement = 1.0;
    double congestion = manhattan ? 2.5 : 0.0;
    double airportFee = pickup == JFK || pickup == LAGUARDIA ? 1.75 : 0.0;
    double cbd = CBD[pickup] || CBD[dropoff] ? 0.75 : 0.0;
    double tolls = airport && random.nextDouble() < 0.3 ? 6.94 : 0.0;

    double p = random.nextDouble();
    int payment = p < 0.74 ? 1 : p < 0.94 ? 2 : p < 0.96 ? 3 : p < 0.97 ? 4 : 0;
    double tip = 0.0;
    if (payment == 1) {
      double t = random.nextDouble();
      double pct = t < 0.15 ? 0 : t < 0.30 ? 15 : t < 0.75 ? 20 : t < 0.92 ? 25 : 30;
      tip = cents(fare * pct / 100.0);
    }
    double total =
        cents(fare + extra + mta + tip + tolls + improvement + congestion + airportFee + cbd);
    double pc = random.nextDouble();
    int passengers =
        pc < 0.70 ? 1 : pc < 0.85 ? 2 : pc < 0.90 ? 3 : pc < 0.93 ? 4 : pc < 0.97 ? 5 : 6;

    TripEvent e =
        TripEvent.builder()
            .tripId(idPrefix + n)
            .source(SYNTHETIC)
            .vendorId(random.nextDouble() < 0.26 ? 1 : 2)
            .pickupTime(pickupTime)
            .dropoffTime(dropoffTime)
            .passengerCount(passengers)
            .tripDistance(distance)
            .ratecodeId(ratecode)
            .storeAndFwdFlag(random.nextDouble() < 0.005 ? "Y" : "N")
            .pickupZone(pickup)
            .dropoffZone(dropoff)
            .paymentType(payment)
            .fareAmount(fare)
            .extra(extra)
            .mtaTax(mta)
            .tipAmount(tip)
            .tollsAmount(tolls)
            .improvementSurcharge(improvement)
            .totalAmount(total)
            .congestionSurcharge(congestion)
            .airportFee(airportFee)
            .cbdCongestionFee(cbd)
            .build();
    return SourceRecord.of(e);
  }

  @Override
  public String name() {
    return SYNTHETIC;
  }

  @Override
  public void close() {}
}
