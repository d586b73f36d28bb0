package io.taxiplatform.model;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The first path of {@link TripEventJson#parse(byte[], Instant, Duration)}: the exact bytes a
 * producer writes ({@link TripEventWriter}: compact, its field order, optional fields omitted,
 * plain ASCII strings, plain decimal numbers), read in one pass over the array: no Jackson parser,
 * no field-name lookup, no decimal string.
 *
 * <p>It accepts only that layout: {@code {"schema_version":1,"trip_id":"...",...}} with the fields
 * in {@link TripEventWriter}'s order (the optional ones may be absent), no white space, no {@code
 * null}, no unknown field; strings of printable ASCII without {@code "} or {@code \}; integers
 * {@code -?(0|[1-9][0-9]*)} in the 32-bit range; other numbers {@code -?(0|[1-9][0-9]*)(.[0-9]+)?}
 * with at most 15 significant digits (whose double is {@code m / 10^k}, exact and correctly
 * rounded, which is what {@code Double.parseDouble} returns); timestamps as {@link
 * TripEventReader#parseInstant} reads them (the producer's {@code yyyy-MM-ddTHH:mm:ssZ} read from
 * the bytes, without a string). For any other value it returns {@code null} and the caller goes on
 * to {@link TripEventReader} (Jackson's streaming parser), then the tree path, as before: a value
 * it accepts is one those accept with the same event, because it applies the same rules ({@link
 * TripEventReader#passesRules}); TripEventBytesTest checks that on written, generated and mutated
 * records.
 *
 * <p>Every byte of an accepted value is printable ASCII, so it is valid UTF-8.
 */
final class TripEventBytes {

  private TripEventBytes() {}

  private static final byte[] SCHEMA_VERSION = key('{', TripFields.SCHEMA_VERSION);
  private static final byte[] TRIP_ID = key(',', TripFields.TRIP_ID);
  private static final byte[] SOURCE = key(',', TripFields.SOURCE);
  private static final byte[] VENDOR_ID = key(',', TripFields.VENDOR_ID);
  private static final byte[] PICKUP_TIME = key(',', TripFields.PICKUP_TIME);
  private static final byte[] DROPOFF_TIME = key(',', TripFields.DROPOFF_TIME);
  private static final byte[] PASSENGER_COUNT = key(',', TripFields.PASSENGER_COUNT);
  private static final byte[] TRIP_DISTANCE = key(',', TripFields.TRIP_DISTANCE);
  private static final byte[] RATECODE_ID = key(',', TripFields.RATECODE_ID);
  private static final byte[] STORE_AND_FWD_FLAG = key(',', TripFields.STORE_AND_FWD_FLAG);
  private static final byte[] PICKUP_ZONE = key(',', TripFields.PICKUP_ZONE);
  private static final byte[] DROPOFF_ZONE = key(',', TripFields.DROPOFF_ZONE);
  private static final byte[] PAYMENT_TYPE = key(',', TripFields.PAYMENT_TYPE);
  private static final byte[] FARE_AMOUNT = key(',', TripFields.FARE_AMOUNT);
  private static final byte[] EXTRA = key(',', TripFields.EXTRA);
  private static final byte[] MTA_TAX = key(',', TripFields.MTA_TAX);
  private static final byte[] TIP_AMOUNT = key(',', TripFields.TIP_AMOUNT);
  private static final byte[] TOLLS_AMOUNT = key(',', TripFields.TOLLS_AMOUNT);
  private static final byte[] IMPROVEMENT_SURCHARGE = key(',', TripFields.IMPROVEMENT_SURCHARGE);
  private static final byte[] TOTAL_AMOUNT = key(',', TripFields.TOTAL_AMOUNT);
  private static final byte[] CONGESTION_SURCHARGE = key(',', TripFields.CONGESTION_SURCHARGE);
  private static final byte[] AIRPORT_FEE = key(',', TripFields.AIRPORT_FEE);
  private static final byte[] CBD_CONGESTION_FEE = key(',', TripFields.CBD_CONGESTION_FEE);

  /** 10^0 .. 10^22: every one is exactly a double. */
  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  private static byte[] key(char before, String name) {
    return (before + "\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** Thrown (without a stack trace) when the value leaves this path; never escapes this class. */
  private static final class NotExact extends Exception {
    private static final long serialVersionUID = 1L;
    static final NotExact INSTANCE = new NotExact();

    private NotExact() {
      super(null, null, false, false);
    }
  }

  /**
   * The valid event of {@code value} when it has the producer's exact layout and passes every rule,
   * else {@code null}.
   */
  static TripEvent read(byte[] value, Instant now, Duration maxSkew) {
    try {
      return new Cursor(value).event(now, maxSkew);
    } catch (NotExact e) {
      return null;
    }
  }

  /** One pass over one value. */
  private static final class Cursor {
    private final byte[] b;
    private int p;

    Cursor(byte[] b) {
      this.b = b;
    }

    /**
     * The fields in the order producers write them, which is {@link TripEvent}'s component order:
     * the arguments are read left to right (JLS 15.7.4), each a key and its value.
     */
    TripEvent event(Instant now, Duration maxSkew) throws NotExact {
      TripEvent e =
          new TripEvent(
              schemaVersion(),
              requiredString(TRIP_ID),
              at(SOURCE) ? string() : null,
              at(VENDOR_ID) ? intValue() : null,
              requiredInstant(PICKUP_TIME),
              requiredInstant(DROPOFF_TIME),
              at(PASSENGER_COUNT) ? intValue() : null,
              requiredNumber(TRIP_DISTANCE),
              at(RATECODE_ID) ? intValue() : null,
              at(STORE_AND_FWD_FLAG) ? string() : null,
              requiredInt(PICKUP_ZONE),
              requiredInt(DROPOFF_ZONE),
              at(PAYMENT_TYPE) ? intValue() : null,
              requiredNumber(FARE_AMOUNT),
              at(EXTRA) ? number() : null,
              at(MTA_TAX) ? number() : null,
              requiredNumber(TIP_AMOUNT),
              at(TOLLS_AMOUNT) ? number() : null,
              at(IMPROVEMENT_SURCHARGE) ? number() : null,
              requiredNumber(TOTAL_AMOUNT),
              at(CONGESTION_SURCHARGE) ? number() : null,
              at(AIRPORT_FEE) ? number() : null,
              at(CBD_CONGESTION_FEE) ? number() : null);
      if (p != b.length - 1 || b[p] != '}') {
        throw NotExact.INSTANCE;
      }
      return TripEventReader.passesRules(e, now, maxSkew) ? e : null;
    }

    private int schemaVersion() throws NotExact {
      if (requiredInt(SCHEMA_VERSION) != TripRules.SCHEMA_VERSION) {
        throw NotExact.INSTANCE;
      }
      return TripRules.SCHEMA_VERSION;
    }

    private String requiredString(byte[] key) throws NotExact {
      require(key);
      return string();
    }

    private Instant requiredInstant(byte[] key) throws NotExact {
      require(key);
      return instant();
    }

    private int requiredInt(byte[] key) throws NotExact {
      require(key);
      return intValue();
    }

    private double requiredNumber(byte[] key) throws NotExact {
      require(key);
      return number();
    }

    /** Whether {@code key} is next; when it is, moves past it. */
    private boolean at(byte[] key) {
      int n = key.length;
      if (p + n > b.length) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (b[p + i] != key[i]) {
          return false;
        }
      }
      p += n;
      return true;
    }

    private void require(byte[] key) throws NotExact {
      if (!at(key)) {
        throw NotExact.INSTANCE;
      }
    }

    /** {@code -?(0|[1-9][0-9]*)} in the 32-bit range. */
    private int intValue() throws NotExact {
      boolean negative = p < b.length && b[p] == '-';
      if (negative) {
        p++;
      }
      long v = digits(10);
      if (negative) {
        v = -v;
      }
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw NotExact.INSTANCE;
      }
      return (int) v;
    }

    /**
     * {@code 0} or {@code [1-9][0-9]*} of at most {@code max} digits (more: not this path), else
     * not this path.
     */
    private long digits(int max) throws NotExact {
      int start = p;
      long v = 0;
      while (p < b.length && b[p] >= '0' && b[p] <= '9') {
        v = v * 10 + (b[p] - '0');
        p++;
        if (p - start > max) {
          throw NotExact.INSTANCE;
        }
      }
      if (p == start || (b[start] == '0' && p - start > 1)) {
        throw NotExact.INSTANCE; // no digit, or a leading zero (not JSON)
      }
      return v;
    }

    /**
     * {@code -?(0|[1-9][0-9]*)(.[0-9]+)?} with at most 15 significant digits, as {@code
     * Double.parseDouble} (an integer as its {@code long}, as Jackson's {@code getDoubleValue} of
     * an integer token: {@code -0} is {@code 0.0}).
     */
    private double number() throws NotExact {
      boolean negative = p < b.length && b[p] == '-';
      if (negative) {
        p++;
      }
      int start = p;
      long m = digits(15);
      int significant = m == 0 ? 0 : p - start; // no leading zero: every digit is significant
      if (p >= b.length || b[p] != '.') {
        return negative ? -m : m;
      }
      p++;
      start = p;
      while (p < b.length && b[p] >= '0' && b[p] <= '9') {
        m = m * 10 + (b[p] - '0');
        if (m != 0 && ++significant > 15) {
          throw NotExact.INSTANCE;
        }
        p++;
      }
      int fraction = p - start;
      if (fraction == 0 || fraction > 22) {
        throw NotExact.INSTANCE;
      }
      double d = m / POWERS_OF_TEN[fraction];
      return negative ? -d : d;
    }

    /** A string of printable ASCII other than {@code "} and {@code \}. */
    private String string() throws NotExact {
      if (p >= b.length || b[p] != '"') {
        throw NotExact.INSTANCE;
      }
      int start = ++p;
      while (p < b.length) {
        byte c = b[p];
        if (c == '"') {
          p++;
          return text(start, p - 1 - start);
        }
        if (c < 0x20 || c > 0x7E || c == '\\') {
          throw NotExact.INSTANCE;
        }
        p++;
      }
      throw NotExact.INSTANCE;
    }

    /** The text of {@code b[start, start + n)} (ASCII), shared for the usual short values. */
    private String text(int start, int n) {
      if (n == 1) {
        if (b[start] == 'N') {
          return "N";
        }
        if (b[start] == 'Y') {
          return "Y";
        }
      }
      return new String(b, start, n, StandardCharsets.ISO_8859_1);
    }

    /**
     * A timestamp: the producer's {@code "yyyy-MM-ddTHH:mm:ssZ"} read here ({@link #fixedInstant}),
     * any other string as {@link TripEventReader#parseInstant} reads it.
     */
    private Instant instant() throws NotExact {
      if (p + FIXED_LENGTH + 2 <= b.length && b[p] == '"' && b[p + FIXED_LENGTH + 1] == '"') {
        Instant fixed = fixedInstant(b, p + 1);
        if (fixed != null) {
          p += FIXED_LENGTH + 2;
          return fixed;
        }
      }
      Instant i = TripEventReader.parseInstant(string());
      if (i == null) {
        throw NotExact.INSTANCE;
      }
      return i;
    }
  }

  /** {@code yyyy-MM-ddTHH:mm:ssZ}. */
  static final int FIXED_LENGTH = 20;

  /**
   * The instant of {@code b[from, from + 20)} when it is {@code yyyy-MM-ddTHH:mm:ssZ} with a valid
   * date and time (seconds 0..59) in years 0001..9999, else {@code null} (the text then goes
   * through {@link TripEventReader#parseInstant}, which also reads every such text, to the same
   * instant: TripEventBytesTest). The epoch day is {@link java.time.LocalDate#toEpochDay}'s
   * arithmetic. Package-private for the test.
   */
  static Instant fixedInstant(byte[] b, int from) {
    if (from < 0
        || from + FIXED_LENGTH > b.length
        || b[from + 4] != '-'
        || b[from + 7] != '-'
        || b[from + 10] != 'T'
        || b[from + 13] != ':'
        || b[from + 16] != ':'
        || b[from + 19] != 'Z') {
      return null;
    }
    int year = digits(b, from, 4);
    int month = digits(b, from + 5, 2);
    int day = digits(b, from + 8, 2);
    int hour = digits(b, from + 11, 2);
    int minute = digits(b, from + 14, 2);
    int second = digits(b, from + 17, 2);
    if (year < 1 || !LocalDateTimeText.isValid(year, month, day, hour, minute, second)) {
      return null;
    }
    long epochDay = LocalDateTimeText.epochDay(year, month, day);
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second);
  }

  /** The decimal number of {@code n} ASCII digits at {@code from}, or -1. */
  private static int digits(byte[] b, int from, int n) {
    int v = 0;
    for (int i = from; i < from + n; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
