package io.taxiplatform.producer.source;

import static io.taxiplatform.producer.source.TlcColumns.NAMES;

import io.taxiplatform.model.TripEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Turns one TLC row (values by {@link TlcColumns} index: {@code String} or a {@code CharSequence}
 * view of the line (read during {@link #map} only) from CSV; {@code Number}, {@code String} or
 * {@code LocalDateTime} from parquet; {@code null} when absent) into a trip event.
 *
 * <p>TLC timestamps are New York local wall-clock times; they become UTC instants through {@code
 * America/New_York} ({@link java.time.ZonedDateTime#of}: in the autumn overlap hour the earlier
 * offset, in the spring gap the time moved forward by the gap). Only rows that cannot become an
 * event are rejected ({@link RowRejects}); business validation is the streaming job's.
 */
public final class TlcRowMapper {

  /** The zone of the TLC timestamps. */
  public static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  /**
   * {@code 2025-01-01 00:18:38}, optional fraction up to nanoseconds, also with {@code T}
   * (package-private: the reference of TlcRowMapperFastPathTest).
   */
  static final DateTimeFormatter ISO_LOCAL =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd")
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .appendPattern("HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  /** {@code 01/01/2023 12:32:10 AM}, the TLC open-data portal CSV export. */
  static final DateTimeFormatter US_LOCAL =
      DateTimeFormatter.ofPattern("MM/dd/uuuu hh:mm:ss a", Locale.US);

  private final String source;

  /**
   * Slots of the New York offset cache: a direct-mapped table by local hour (epoch seconds of the
   * wall clock / 3600), {@value} slots, so that more than a year of distinct hours (a month is 744)
   * stays cached whatever the order of the rows (pickups and dropoffs of unsorted files jump
   * between hours).
   */
  private static final int OFFSET_SLOTS = 1 << 13;

  /** The local hour cached in each slot, or MIN_VALUE. */
  private final long[] cachedLocalHour = new long[OFFSET_SLOTS];

  /** New York's offset in that hour. */
  private final int[] cachedOffsetSeconds = new int[OFFSET_SLOTS];

  {
    java.util.Arrays.fill(cachedLocalHour, Long.MIN_VALUE);
  }

  /**
   * @param source the event's {@code source} field ({@code replay})
   */
  public TlcRowMapper(String source) {
    this.source = source;
  }

  /** Maps a row; {@code tripId} is {@code <file name>:<row number>}. */
  public SourceRecord map(String tripId, Object[] v) {
    for (int i : TlcColumns.REQUIRED) {
      if (isAbsent(v[i])) {
        return SourceRecord.rejected(RowRejects.MISSING_FIELD, NAMES.get(i));
      }
    }
    try {
      Instant pickup = instant(v[TlcColumns.PICKUP], TlcColumns.PICKUP);
      Instant dropoff = instant(v[TlcColumns.DROPOFF], TlcColumns.DROPOFF);
      TripEvent e =
          TripEvent.builder()
              .tripId(tripId)
              .source(source)
              .vendorId(optInt(v, TlcColumns.VENDOR_ID))
              .pickupTime(pickup)
              .dropoffTime(dropoff)
              .passengerCount(optInt(v, TlcColumns.PASSENGER_COUNT))
              .tripDistance(num(v, TlcColumns.TRIP_DISTANCE))
              .ratecodeId(optInt(v, TlcColumns.RATECODE_ID))
              .storeAndFwdFlag(optText(v, TlcColumns.STORE_AND_FWD))
              .pickupZone(integer(v, TlcColumns.PU_LOCATION))
              .dropoffZone(integer(v, TlcColumns.DO_LOCATION))
              .paymentType(optInt(v, TlcColumns.PAYMENT_TYPE))
              .fareAmount(num(v, TlcColumns.FARE))
              .extra(optNum(v, TlcColumns.EXTRA))
              .mtaTax(optNum(v, TlcColumns.MTA_TAX))
              .tipAmount(num(v, TlcColumns.TIP))
              .tollsAmount(optNum(v, TlcColumns.TOLLS))
              .improvementSurcharge(optNum(v, TlcColumns.IMPROVEMENT))
              .totalAmount(num(v, TlcColumns.TOTAL))
              .congestionSurcharge(optNum(v, TlcColumns.CONGESTION))
              .airportFee(optNum(v, TlcColumns.AIRPORT_FEE))
              .cbdCongestionFee(optNum(v, TlcColumns.CBD_FEE))
              .build();
      return SourceRecord.of(e);
    } catch (BadValue b) {
      return SourceRecord.rejected(b.reason, b.getMessage());
    }
  }

  /**
   * The dropoff {@link #map} gives a row whose dropoff column holds {@code value} (as a source puts
   * it in the row), or {@code null} when {@code map} rejects the row for that value (absent or
   * unreadable): the sort key of a dropoff-order replay's first pass, read by the same conversion.
   */
  public Instant dropoffOf(Object value) {
    if (isAbsent(value)) {
      return null;
    }
    try {
      return instant(value, TlcColumns.DROPOFF);
    } catch (BadValue b) {
      return null;
    }
  }

  /**
   * Parses a TLC local timestamp text ({@code 2025-01-01 00:18:38.000000} or {@code 01/01/2025
   * 12:18:38 AM}).
   */
  public static LocalDateTime parseLocal(String text) {
    String t = text.strip();
    LocalDateTime fast = io.taxiplatform.model.LocalDateTimeText.parse(t, t.length());
    if (fast != null) {
      return fast;
    }
    try {
      return LocalDateTime.parse(t, ISO_LOCAL);
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(t, US_LOCAL);
    }
  }

  /** New York wall-clock time to an instant. */
  public static Instant fromNewYork(LocalDateTime local) {
    return local.atZone(NEW_YORK).toInstant();
  }

  /**
   * {@link #fromNewYork} with New York's offset cached by local hour: an hour with no transition in
   * it (the gap and the overlap of a DST change are never cached, they go through {@code atZone})
   * has one offset.
   */
  Instant fromNewYorkCached(LocalDateTime local) {
    return fromNewYorkCached(local.toEpochSecond(java.time.ZoneOffset.UTC), local.getNano(), local);
  }

  /**
   * {@link #fromNewYorkCached(LocalDateTime)} of the wall clock {@code localSecond} (seconds of the
   * local date-time read at UTC) + {@code nano}; {@code local} is that date-time or {@code null}
   * (made only when the hour is not cached).
   */
  private Instant fromNewYorkCached(long localSecond, int nano, LocalDateTime local) {
    long hour = Math.floorDiv(localSecond, 3600);
    int slot = (int) (hour & (OFFSET_SLOTS - 1));
    if (hour != cachedLocalHour[slot]) {
      LocalDateTime start = LocalDateTime.ofEpochSecond(hour * 3600, 0, java.time.ZoneOffset.UTC);
      java.time.zone.ZoneRules rules = NEW_YORK.getRules();
      if (rules.getTransition(start) != null
          || rules.getTransition(start.plusSeconds(3599)) != null
          || !rules.getOffset(start).equals(rules.getOffset(start.plusSeconds(3599)))) {
        return fromNewYork(
            local != null
                ? local
                : LocalDateTime.ofEpochSecond(localSecond, nano, java.time.ZoneOffset.UTC));
      }
      cachedOffsetSeconds[slot] = rules.getOffset(start).getTotalSeconds();
      cachedLocalHour[slot] = hour;
    }
    return Instant.ofEpochSecond(localSecond - cachedOffsetSeconds[slot], nano);
  }

  /**
   * A wall-clock date-time as seconds of the local date-time read at UTC and nanoseconds, always
   * within {@link LocalDateTime}'s range (see {@link #wallClock}): what a parquet timestamp column
   * hands the mapper, without building a {@link LocalDateTime} per value.
   */
  record WallClock(long localSecond, int nano) {
    @Override
    public String toString() {
      return LocalDateTime.ofEpochSecond(localSecond, nano, java.time.ZoneOffset.UTC).toString();
    }
  }

  private static final long MIN_LOCAL_SECOND =
      LocalDateTime.MIN.toEpochSecond(java.time.ZoneOffset.UTC);
  private static final long MAX_LOCAL_SECOND =
      LocalDateTime.MAX.toEpochSecond(java.time.ZoneOffset.UTC);

  /**
   * The wall clock of {@code seconds} + {@code nanos}: a {@link WallClock}, or for seconds outside
   * {@link LocalDateTime}'s range what {@code LocalDateTime.ofEpochSecond} does (it throws).
   */
  static Object wallClock(long seconds, int nanos) {
    if (seconds < MIN_LOCAL_SECOND || seconds > MAX_LOCAL_SECOND) {
      return LocalDateTime.ofEpochSecond(seconds, nanos, java.time.ZoneOffset.UTC);
    }
    return new WallClock(seconds, nanos);
  }

  private static boolean isAbsent(Object o) {
    if (o instanceof String s) {
      return s.isBlank();
    }
    return o == null || (o instanceof CharSequence cs && isBlank(cs));
  }

  /** {@link String#isBlank} of any text (no supplementary code point is white space). */
  private static boolean isBlank(CharSequence cs) {
    for (int k = 0, n = cs.length(); k < n; k++) {
      if (!Character.isWhitespace(cs.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The instant of the 19 characters of {@code s} at {@code from} in the TLC form ({@code
   * LocalDateTimeText.epochSecond}) as New York wall-clock time, or {@code null} when they are not
   * in that form: what {@link #map} makes of a CSV field view of 19 characters (the dropoff index
   * of a CSV replay reads its sort key through this very method).
   */
  public Instant instantOfText19(CharSequence s, int from) {
    long localSecond = io.taxiplatform.model.LocalDateTimeText.epochSecond(s, from);
    return localSecond == Long.MIN_VALUE ? null : fromNewYorkCached(localSecond, 0, null);
  }

  /**
   * {@link #instantOfText19} of a whole field of 19 characters, or of 19 followed by a fraction of
   * zeros only ({@code 2025-01-01 00:26:59.000000}, the TLC export's form), else {@code null}. When
   * {@link #map} accepts a row with that dropoff text, its dropoff is this instant (a fraction of
   * zeros is no fraction).
   */
  public Instant instantOfTlcText(CharSequence s) {
    int n = s.length();
    if (n != 19) {
      if (n < 21 || n > 29 || s.charAt(19) != '.') {
        return null;
      }
      for (int i = 20; i < n; i++) {
        if (s.charAt(i) != '0') {
          return null;
        }
      }
    }
    return instantOfText19(s, 0);
  }

  private Instant instant(Object value, int i) {
    Object o = value;
    if (o instanceof CharSequence cs && !(o instanceof String)) {
      // a CSV field view: the TLC form (19 characters, no fraction, no padding) read from the view,
      // as parseLocal reads it; anything else through its text
      if (cs.length() == 19) {
        Instant fast = instantOfText19(cs, 0);
        if (fast != null) {
          return fast;
        }
      }
      o = cs.toString();
    }
    if (o instanceof WallClock w) {
      return fromNewYorkCached(w.localSecond(), w.nano(), null);
    }
    if (o instanceof LocalDateTime ldt) {
      return fromNewYorkCached(ldt);
    }
    if (o instanceof String s) {
      try {
        return fromNewYorkCached(parseLocal(s));
      } catch (DateTimeParseException e) {
        throw new BadValue(RowRejects.UNPARSEABLE_TIMESTAMP, NAMES.get(i) + "=" + s.strip());
      }
    }
    throw new BadValue(RowRejects.UNPARSEABLE_TIMESTAMP, NAMES.get(i) + "=" + o);
  }

  private static double num(Object[] v, int i) {
    Object o = v[i];
    double d;
    if (o instanceof Number n) {
      d = n.doubleValue();
    } else {
      if (o instanceof CharSequence cs) {
        double plain = parseDecimal(cs); // without stripping: a padded text takes the path below
        if (plain == plain) {
          return plain;
        }
      }
      String s = o.toString().strip();
      double fast = parseDecimal(s);
      if (fast == fast) { // not NaN: the plain decimal form, parsed exactly as parseDouble does
        return fast;
      }
      try {
        d = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new BadValue(RowRejects.BAD_NUMBER, NAMES.get(i) + "=" + s);
      }
      if (!s.isEmpty()
          && !Character.isDigit(s.charAt(s.length() - 1))
          && s.charAt(s.length() - 1) != '.') {
        // Double.parseDouble accepts "1d", "1f", "NaN", "Infinity": not TLC numbers
        throw new BadValue(RowRejects.BAD_NUMBER, NAMES.get(i) + "=" + s);
      }
    }
    if (!Double.isFinite(d)) {
      throw new BadValue(RowRejects.BAD_NUMBER, NAMES.get(i) + "=" + o);
    }
    return d;
  }

  /** 10^0 .. 10^22: every one is exactly a double. */
  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  /**
   * The value of a plain decimal ({@code [+-]digits[.digits]}, {@code [+-].digits}, the forms of
   * the TLC numbers) with at most 15 significant digits, or {@code NaN} for any other text (the
   * caller then uses {@link Double#parseDouble}, as before). The result is exactly what {@code
   * Double.parseDouble} returns: the digits are an integer {@code m < 10^15 < 2^53} and the point
   * divides it by {@code 10^k}, {@code k <= 22}; both are exact doubles, and one IEEE division of
   * two exact doubles is the correctly rounded quotient, which parseDouble returns too (Clinger's
   * fast path). Package-private for the equivalence test.
   */
  static double parseDecimal(CharSequence s) {
    int n = s.length();
    if (n == 0 || n > 40) {
      return Double.NaN;
    }
    int i = 0;
    boolean negative = false;
    char c = s.charAt(0);
    if (c == '-' || c == '+') {
      negative = c == '-';
      i = 1;
    }
    long m = 0;
    int digits = 0; // significant digits taken into m (leading zeros are not counted)
    int anyDigits = 0;
    int fraction = -1; // digits after the point, -1 before the point
    for (; i < n; i++) {
      c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        anyDigits++;
        if (m != 0 || c != '0') {
          if (++digits > 15) {
            return Double.NaN;
          }
        }
        m = m * 10 + (c - '0');
        if (fraction >= 0) {
          fraction++;
        }
      } else if (c == '.' && fraction < 0) {
        fraction = 0;
      } else {
        return Double.NaN;
      }
    }
    if (anyDigits == 0 || fraction > 22) {
      return Double.NaN;
    }
    double d = fraction > 0 ? m / POWERS_OF_TEN[fraction] : (double) m;
    return negative ? -d : d;
  }

  private static Double optNum(Object[] v, int i) {
    return isAbsent(v[i]) ? null : box(num(v, i));
  }

  /** Boxes of 0.00, 0.01, ... 100.00: the surcharges and fees of nearly every TLC row. */
  private static final Double[] CENTS = new Double[10_001];

  static {
    for (int c = 0; c < CENTS.length; c++) {
      CENTS[c] = c / 100.0;
    }
  }

  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  /**
   * {@code Double.valueOf(d)}, shared for whole cents from 0 to 100 (an equal value: the same bits,
   * -0.0 excluded): fewer objects per event held by the dropoff sort's chunk (Package-private for
   * the test).
   */
  static Double box(double d) {
    if (d >= 0 && d <= 100 && Double.doubleToRawLongBits(d) != NEGATIVE_ZERO) {
      long c = Math.round(d * 100);
      if (c / 100.0 == d) {
        return CENTS[(int) c];
      }
    }
    return d;
  }

  private static int integer(Object[] v, int i) {
    Object o = v[i];
    if (o instanceof Integer n) {
      return n;
    }
    if (o instanceof Long l && l == (int) l.longValue()) {
      return (int) l.longValue();
    }
    double d = num(v, i);
    if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
      throw new BadValue(RowRejects.BAD_NUMBER, NAMES.get(i) + "=" + o + " (not a whole number)");
    }
    return (int) d;
  }

  private static Integer optInt(Object[] v, int i) {
    return isAbsent(v[i]) ? null : integer(v, i);
  }

  private static String optText(Object[] v, int i) {
    if (isAbsent(v[i])) {
      return null;
    }
    if (v[i] instanceof CharSequence cs && cs.length() == 1) {
      // the store-and-forward flag of a CSV row, without a String per row
      char c = cs.charAt(0);
      if (c == 'N') {
        return "N";
      }
      if (c == 'Y') {
        return "Y";
      }
    }
    String t = v[i].toString().strip();
    // the store-and-forward flag: one shared string for the usual values
    return switch (t) {
      case "N" -> "N";
      case "Y" -> "Y";
      default -> t;
    };
  }

  /** Exact decimal of a parquet DECIMAL stored as INT32/INT64. */
  static BigDecimal decimal(long unscaled, int scale) {
    return BigDecimal.valueOf(unscaled, scale);
  }

  private static final class BadValue extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String reason;

    BadValue(String reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }
}
