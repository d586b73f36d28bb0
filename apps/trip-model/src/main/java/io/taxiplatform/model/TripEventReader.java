package io.taxiplatform.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The fast path of {@link TripEventJson#parse}: one pass of Jackson's streaming parser over the
 * value, no tree, straight into the fields of a {@link TripEvent}, and a hand parser for the
 * timestamp form the producer writes ({@code 2025-01-01T05:18:38Z}, with up to 9 fraction digits).
 *
 * <p>It answers only the common case: {@link #read} returns the event when the value is a
 * well-formed JSON object whose every known field has its plain type (integers that fit 32 bits,
 * finite numbers, strings, {@code null} for an absent optional), no known field twice, and every
 * rule of docs/contracts.md passes. For anything else it returns {@code null} and {@link
 * TripEventJson} runs the tree-based validation, which produces the rejection (or the event, for
 * the rare valid shapes this path leaves out, such as a duplicated field). So the rules and the
 * details of every rejection keep one implementation; this class only has to agree with it on valid
 * events, which {@code TripEventReaderTest} checks against the tree path on generated and mutated
 * records.
 */
final class TripEventReader {

  private TripEventReader() {}

  // Field slots, one bit each in the "seen" mask.
  private static final int F_SCHEMA_VERSION = 0;
  private static final int F_TRIP_ID = 1;
  private static final int F_SOURCE = 2;
  private static final int F_VENDOR_ID = 3;
  private static final int F_PICKUP_TIME = 4;
  private static final int F_DROPOFF_TIME = 5;
  private static final int F_PASSENGER_COUNT = 6;
  private static final int F_TRIP_DISTANCE = 7;
  private static final int F_RATECODE_ID = 8;
  private static final int F_STORE_AND_FWD_FLAG = 9;
  private static final int F_PICKUP_ZONE = 10;
  private static final int F_DROPOFF_ZONE = 11;
  private static final int F_PAYMENT_TYPE = 12;
  private static final int F_FARE_AMOUNT = 13;
  private static final int F_EXTRA = 14;
  private static final int F_MTA_TAX = 15;
  private static final int F_TIP_AMOUNT = 16;
  private static final int F_TOLLS_AMOUNT = 17;
  private static final int F_IMPROVEMENT_SURCHARGE = 18;
  private static final int F_TOTAL_AMOUNT = 19;
  private static final int F_CONGESTION_SURCHARGE = 20;
  private static final int F_AIRPORT_FEE = 21;
  private static final int F_CBD_CONGESTION_FEE = 22;

  /** Required fields (with schema_version) that must be present and non-null. */
  private static final int REQUIRED =
      bit(F_SCHEMA_VERSION)
          | bit(F_TRIP_ID)
          | bit(F_PICKUP_TIME)
          | bit(F_DROPOFF_TIME)
          | bit(F_TRIP_DISTANCE)
          | bit(F_PICKUP_ZONE)
          | bit(F_DROPOFF_ZONE)
          | bit(F_FARE_AMOUNT)
          | bit(F_TIP_AMOUNT)
          | bit(F_TOTAL_AMOUNT);

  private static int bit(int slot) {
    return 1 << slot;
  }

  /**
   * Thrown (without a stack trace) when the value leaves the fast path; never escapes this class.
   */
  private static final class NotPlain extends Exception {
    private static final long serialVersionUID = 1L;
    static final NotPlain INSTANCE = new NotPlain();

    private NotPlain() {
      super(null, null, false, false);
    }
  }

  /**
   * The valid event in {@code p}'s input, or {@code null} when the value is not a plain valid event
   * (the caller then runs the full validation). Closes {@code p}.
   */
  static TripEvent read(JsonParser p, Instant now, Duration maxSkew) {
    try (p) {
      return readOrThrow(p, now, maxSkew);
    } catch (NotPlain | IOException | RuntimeException e) {
      return null;
    }
  }

  private static TripEvent readOrThrow(JsonParser p, Instant now, Duration maxSkew)
      throws IOException, NotPlain {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw NotPlain.INSTANCE;
    }
    int seen = 0;
    int present = 0;
    String tripId = null;
    String source = null;
    String storeAndFwdFlag = null;
    Instant pickup = null;
    Instant dropoff = null;
    Integer vendorId = null;
    Integer passengerCount = null;
    Integer ratecodeId = null;
    Integer paymentType = null;
    int pickupZone = 0;
    int dropoffZone = 0;
    double distance = 0;
    double fare = 0;
    double tip = 0;
    double total = 0;
    Double extra = null;
    Double mtaTax = null;
    Double tolls = null;
    Double improvement = null;
    Double congestion = null;
    Double airportFee = null;
    Double cbdFee = null;

    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      int slot = slot(name);
      if (slot < 0) {
        p.skipChildren(); // unknown field: ignored, but it must still be well-formed JSON
        continue;
      }
      if ((seen & bit(slot)) != 0) {
        throw NotPlain.INSTANCE; // a duplicated field: the tree path decides (its last value wins)
      }
      seen |= bit(slot);
      if (t == JsonToken.VALUE_NULL) {
        continue; // absent; a missing required field is caught below
      }
      present |= bit(slot);
      switch (slot) {
        case F_SCHEMA_VERSION -> {
          if (intValue(p, t) != TripRules.SCHEMA_VERSION) {
            throw NotPlain.INSTANCE;
          }
        }
        case F_TRIP_ID -> tripId = string(p, t);
        case F_SOURCE -> source = string(p, t);
        case F_STORE_AND_FWD_FLAG -> storeAndFwdFlag = string(p, t);
        case F_PICKUP_TIME -> pickup = instant(string(p, t));
        case F_DROPOFF_TIME -> dropoff = instant(string(p, t));
        case F_VENDOR_ID -> vendorId = intValue(p, t);
        case F_PASSENGER_COUNT -> passengerCount = intValue(p, t);
        case F_RATECODE_ID -> ratecodeId = intValue(p, t);
        case F_PAYMENT_TYPE -> paymentType = intValue(p, t);
        case F_PICKUP_ZONE -> pickupZone = intValue(p, t);
        case F_DROPOFF_ZONE -> dropoffZone = intValue(p, t);
        case F_TRIP_DISTANCE -> distance = number(p, t);
        case F_FARE_AMOUNT -> fare = number(p, t);
        case F_TIP_AMOUNT -> tip = number(p, t);
        case F_TOTAL_AMOUNT -> total = number(p, t);
        case F_EXTRA -> extra = number(p, t);
        case F_MTA_TAX -> mtaTax = number(p, t);
        case F_TOLLS_AMOUNT -> tolls = number(p, t);
        case F_IMPROVEMENT_SURCHARGE -> improvement = number(p, t);
        case F_CONGESTION_SURCHARGE -> congestion = number(p, t);
        case F_AIRPORT_FEE -> airportFee = number(p, t);
        case F_CBD_CONGESTION_FEE -> cbdFee = number(p, t);
        default -> throw new IllegalStateException("slot " + slot);
      }
    }
    // The object is closed: nothing may follow it (FAIL_ON_TRAILING_TOKENS of the tree path).
    if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
      throw NotPlain.INSTANCE;
    }
    if ((present & REQUIRED) != REQUIRED) {
      throw NotPlain.INSTANCE;
    }
    TripEvent e =
        new TripEvent(
            TripRules.SCHEMA_VERSION,
            tripId,
            source,
            vendorId,
            pickup,
            dropoff,
            passengerCount,
            distance,
            ratecodeId,
            storeAndFwdFlag,
            pickupZone,
            dropoffZone,
            paymentType,
            fare,
            extra,
            mtaTax,
            tip,
            tolls,
            improvement,
            total,
            congestion,
            airportFee,
            cbdFee);
    if (!passesRules(e, now, maxSkew)) {
      throw NotPlain.INSTANCE; // the tree path names the failing rule
    }
    return e;
  }

  /**
   * Whether {@code e}, read by a fast path, passes the rules of docs/contracts.md. Shared by both
   * fast paths ({@link TripEventBytes} too), so the rules they apply are one piece of code; the
   * tree path names the failing rule.
   */
  static boolean passesRules(TripEvent e, Instant now, Duration maxSkew) {
    return !e.tripId().isBlank()
        && TripRules.isValidZone(e.pickupZone())
        && TripRules.isValidZone(e.dropoffZone())
        && e.tripDistance() >= TripRules.MIN_DISTANCE_MILES
        && e.tripDistance() <= TripRules.MAX_DISTANCE_MILES
        && e.fareAmount() >= TripRules.MIN_FARE_USD
        && e.fareAmount() <= TripRules.MAX_FARE_USD
        && !e.dropoffTime().isBefore(e.pickupTime())
        && !e.dropoffTime().isAfter(now.plus(maxSkew));
  }

  private static int slot(String name) {
    return switch (name) {
      case TripFields.SCHEMA_VERSION -> F_SCHEMA_VERSION;
      case TripFields.TRIP_ID -> F_TRIP_ID;
      case TripFields.SOURCE -> F_SOURCE;
      case TripFields.VENDOR_ID -> F_VENDOR_ID;
      case TripFields.PICKUP_TIME -> F_PICKUP_TIME;
      case TripFields.DROPOFF_TIME -> F_DROPOFF_TIME;
      case TripFields.PASSENGER_COUNT -> F_PASSENGER_COUNT;
      case TripFields.TRIP_DISTANCE -> F_TRIP_DISTANCE;
      case TripFields.RATECODE_ID -> F_RATECODE_ID;
      case TripFields.STORE_AND_FWD_FLAG -> F_STORE_AND_FWD_FLAG;
      case TripFields.PICKUP_ZONE -> F_PICKUP_ZONE;
      case TripFields.DROPOFF_ZONE -> F_DROPOFF_ZONE;
      case TripFields.PAYMENT_TYPE -> F_PAYMENT_TYPE;
      case TripFields.FARE_AMOUNT -> F_FARE_AMOUNT;
      case TripFields.EXTRA -> F_EXTRA;
      case TripFields.MTA_TAX -> F_MTA_TAX;
      case TripFields.TIP_AMOUNT -> F_TIP_AMOUNT;
      case TripFields.TOLLS_AMOUNT -> F_TOLLS_AMOUNT;
      case TripFields.IMPROVEMENT_SURCHARGE -> F_IMPROVEMENT_SURCHARGE;
      case TripFields.TOTAL_AMOUNT -> F_TOTAL_AMOUNT;
      case TripFields.CONGESTION_SURCHARGE -> F_CONGESTION_SURCHARGE;
      case TripFields.AIRPORT_FEE -> F_AIRPORT_FEE;
      case TripFields.CBD_CONGESTION_FEE -> F_CBD_CONGESTION_FEE;
      default -> -1;
    };
  }

  /** A JSON integer in the 32-bit range (what the tree path's {@code isInt} accepts). */
  private static int intValue(JsonParser p, JsonToken t) throws IOException, NotPlain {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw NotPlain.INSTANCE;
    }
    return p.getIntValue();
  }

  /** A finite JSON number, as the tree path reads it ({@code JsonNode.doubleValue()}). */
  private static double number(JsonParser p, JsonToken t) throws IOException, NotPlain {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw NotPlain.INSTANCE;
    }
    double d = p.getDoubleValue();
    if (!Double.isFinite(d)) {
      throw NotPlain.INSTANCE;
    }
    return d;
  }

  private static String string(JsonParser p, JsonToken t) throws IOException, NotPlain {
    if (t != JsonToken.VALUE_STRING) {
      throw NotPlain.INSTANCE;
    }
    return p.getText();
  }

  private static Instant instant(String text) throws NotPlain {
    Instant i = parseInstant(text);
    if (i == null) {
      throw NotPlain.INSTANCE;
    }
    return i;
  }

  /** Timestamps must lie in years 0001..9999 (see {@link TripEventJson}). */
  private static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * The instant of a contract timestamp, or {@code null} when it is not one: {@link Instant#parse}
   * limited to years 0001..9999. The form {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} is parsed by hand
   * (no formatter, no exception); every other text goes to {@link Instant#parse}.
   */
  static Instant parseInstant(String s) {
    Instant fast = parseFixed(s);
    if (fast != null) {
      return fast;
    }
    try {
      Instant i = Instant.parse(s);
      return i.isBefore(MIN_INSTANT) || i.isAfter(MAX_INSTANT) ? null : i;
    } catch (DateTimeException ex) {
      return null;
    }
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with a valid date and time (seconds 0..59) in years
   * 0001..9999, else {@code null} ({@link LocalDateTimeText}, which the producer's TLC rows use
   * too).
   */
  static Instant parseFixed(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(10) != 'T') {
      return null;
    }
    LocalDateTime t = LocalDateTimeText.parse(s, n - 1);
    return t == null || t.getYear() < 1 ? null : t.toInstant(ZoneOffset.UTC);
  }
}
