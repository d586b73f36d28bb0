package io.taxiplatform.model;

import static io.taxiplatform.model.TripFields.AIRPORT_FEE;
import static io.taxiplatform.model.TripFields.CBD_CONGESTION_FEE;
import static io.taxiplatform.model.TripFields.CONGESTION_SURCHARGE;
import static io.taxiplatform.model.TripFields.DROPOFF_TIME;
import static io.taxiplatform.model.TripFields.DROPOFF_ZONE;
import static io.taxiplatform.model.TripFields.EXTRA;
import static io.taxiplatform.model.TripFields.FARE_AMOUNT;
import static io.taxiplatform.model.TripFields.IMPROVEMENT_SURCHARGE;
import static io.taxiplatform.model.TripFields.MTA_TAX;
import static io.taxiplatform.model.TripFields.PASSENGER_COUNT;
import static io.taxiplatform.model.TripFields.PAYMENT_TYPE;
import static io.taxiplatform.model.TripFields.PICKUP_TIME;
import static io.taxiplatform.model.TripFields.PICKUP_ZONE;
import static io.taxiplatform.model.TripFields.RATECODE_ID;
import static io.taxiplatform.model.TripFields.SCHEMA_VERSION;
import static io.taxiplatform.model.TripFields.SOURCE;
import static io.taxiplatform.model.TripFields.STORE_AND_FWD_FLAG;
import static io.taxiplatform.model.TripFields.TIP_AMOUNT;
import static io.taxiplatform.model.TripFields.TOLLS_AMOUNT;
import static io.taxiplatform.model.TripFields.TOTAL_AMOUNT;
import static io.taxiplatform.model.TripFields.TRIP_DISTANCE;
import static io.taxiplatform.model.TripFields.TRIP_ID;
import static io.taxiplatform.model.TripFields.VENDOR_ID;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * The producer's hot-path JSON writer of {@link TripEvent}: the same bytes as {@link
 * TripEventJson#toJsonBytes} (same field order, Jackson's number and string forms, optional {@code
 * null} fields omitted), written straight to UTF-8 into a reusable buffer, without an intermediate
 * {@code String} or a Jackson generator per record.
 *
 * <ul>
 *   <li>field names are pre-encoded;
 *   <li>amounts and distances that are whole cents in 0..999,999.99 (every TLC and synthetic value)
 *       are written from their integer cents: the digits, the point and the cents without a
 *       trailing zero ({@code 12.5}, {@code 12.05}, {@code 12.0}), which is {@link Double#toString}
 *       of every such value (the form Jackson writes; checked for all 10^8 of them on JDK 17, and
 *       it is the shortest decimal form later JDKs print); any other finite double is {@code
 *       Double.toString} as in Jackson;
 *   <li>whole-second instants of years 1970..9999 are formatted here as {@link Instant#toString}
 *       does ({@code 2025-01-15T10:11:12Z}); any other instant is {@code Instant.toString()};
 *   <li>an event with a string outside printable ASCII, a quote or a backslash, or a non-finite
 *       amount (which Jackson writes as a quoted string) is written by {@link
 *       TripEventJson#toJsonBytes} itself.
 * </ul>
 *
 * TripEventWriterTest compares both writers byte for byte and round-trips through {@link
 * TripEventJson#parse}.
 *
 * <p>Not thread-safe: one writer per thread. {@link #toBytes} returns a new array each call (a
 * Kafka record keeps its value), the buffer is reused.
 */
public final class TripEventWriter {

  private static final byte[] SCHEMA_VERSION_FIELD = open(SCHEMA_VERSION);
  private static final byte[] TRIP_ID_FIELD = field(TRIP_ID);
  private static final byte[] SOURCE_FIELD = field(SOURCE);
  private static final byte[] VENDOR_ID_FIELD = field(VENDOR_ID);
  private static final byte[] PICKUP_TIME_FIELD = field(PICKUP_TIME);
  private static final byte[] DROPOFF_TIME_FIELD = field(DROPOFF_TIME);
  private static final byte[] PASSENGER_COUNT_FIELD = field(PASSENGER_COUNT);
  private static final byte[] TRIP_DISTANCE_FIELD = field(TRIP_DISTANCE);
  private static final byte[] RATECODE_ID_FIELD = field(RATECODE_ID);
  private static final byte[] STORE_AND_FWD_FLAG_FIELD = field(STORE_AND_FWD_FLAG);
  private static final byte[] PICKUP_ZONE_FIELD = field(PICKUP_ZONE);
  private static final byte[] DROPOFF_ZONE_FIELD = field(DROPOFF_ZONE);
  private static final byte[] PAYMENT_TYPE_FIELD = field(PAYMENT_TYPE);
  private static final byte[] FARE_AMOUNT_FIELD = field(FARE_AMOUNT);
  private static final byte[] EXTRA_FIELD = field(EXTRA);
  private static final byte[] MTA_TAX_FIELD = field(MTA_TAX);
  private static final byte[] TIP_AMOUNT_FIELD = field(TIP_AMOUNT);
  private static final byte[] TOLLS_AMOUNT_FIELD = field(TOLLS_AMOUNT);
  private static final byte[] IMPROVEMENT_SURCHARGE_FIELD = field(IMPROVEMENT_SURCHARGE);
  private static final byte[] TOTAL_AMOUNT_FIELD = field(TOTAL_AMOUNT);
  private static final byte[] CONGESTION_SURCHARGE_FIELD = field(CONGESTION_SURCHARGE);
  private static final byte[] AIRPORT_FEE_FIELD = field(AIRPORT_FEE);
  private static final byte[] CBD_CONGESTION_FEE_FIELD = field(CBD_CONGESTION_FEE);

  /** Whole cents below this (999,999.99) are written from their digits. */
  private static final int FAST_CENTS = 100_000_000;

  /** 9999-12-31T23:59:59Z. */
  private static final long MAX_FAST_EPOCH_SECOND = 253_402_300_799L;

  private byte[] buf = new byte[768];
  private int pos;
  private long cachedDay = Long.MIN_VALUE;
  private final byte[] dayBytes = new byte[10];

  private static byte[] open(String name) {
    return ("{\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] field(String name) {
    return (",\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** The event as compact UTF-8 JSON, the same bytes as {@link TripEventJson#toJsonBytes}. */
  public byte[] toBytes(TripEvent e) {
    if (!fast(e)) {
      return TripEventJson.toJsonBytes(e);
    }
    pos = 0;
    put(SCHEMA_VERSION_FIELD);
    putLong(e.schemaVersion());
    put(TRIP_ID_FIELD);
    putAscii(e.tripId());
    if (e.source() != null) {
      put(SOURCE_FIELD);
      putAscii(e.source());
    }
    optional(VENDOR_ID_FIELD, e.vendorId());
    put(PICKUP_TIME_FIELD);
    putInstant(e.pickupTime());
    put(DROPOFF_TIME_FIELD);
    putInstant(e.dropoffTime());
    optional(PASSENGER_COUNT_FIELD, e.passengerCount());
    put(TRIP_DISTANCE_FIELD);
    putDouble(e.tripDistance());
    optional(RATECODE_ID_FIELD, e.ratecodeId());
    if (e.storeAndFwdFlag() != null) {
      put(STORE_AND_FWD_FLAG_FIELD);
      putAscii(e.storeAndFwdFlag());
    }
    put(PICKUP_ZONE_FIELD);
    putLong(e.pickupZone());
    put(DROPOFF_ZONE_FIELD);
    putLong(e.dropoffZone());
    optional(PAYMENT_TYPE_FIELD, e.paymentType());
    put(FARE_AMOUNT_FIELD);
    putDouble(e.fareAmount());
    optional(EXTRA_FIELD, e.extra());
    optional(MTA_TAX_FIELD, e.mtaTax());
    put(TIP_AMOUNT_FIELD);
    putDouble(e.tipAmount());
    optional(TOLLS_AMOUNT_FIELD, e.tollsAmount());
    optional(IMPROVEMENT_SURCHARGE_FIELD, e.improvementSurcharge());
    put(TOTAL_AMOUNT_FIELD);
    putDouble(e.totalAmount());
    optional(CONGESTION_SURCHARGE_FIELD, e.congestionSurcharge());
    optional(AIRPORT_FEE_FIELD, e.airportFee());
    optional(CBD_CONGESTION_FEE_FIELD, e.cbdCongestionFee());
    ensure(1);
    buf[pos++] = '}';
    return Arrays.copyOf(buf, pos);
  }

  /**
   * Whether every string is plain ASCII without escapes and every double finite (else Jackson
   * writes it).
   */
  private static boolean fast(TripEvent e) {
    return plain(e.tripId())
        && (e.source() == null || plain(e.source()))
        && (e.storeAndFwdFlag() == null || plain(e.storeAndFwdFlag()))
        && Double.isFinite(e.tripDistance())
        && Double.isFinite(e.fareAmount())
        && Double.isFinite(e.tipAmount())
        && Double.isFinite(e.totalAmount())
        && finite(e.extra())
        && finite(e.mtaTax())
        && finite(e.tollsAmount())
        && finite(e.improvementSurcharge())
        && finite(e.congestionSurcharge())
        && finite(e.airportFee())
        && finite(e.cbdCongestionFee());
  }

  private static boolean finite(Double d) {
    return d == null || Double.isFinite(d);
  }

  /** Printable ASCII other than {@code "} and {@code \}: written as is inside quotes by Jackson. */
  private static boolean plain(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private void optional(byte[] name, Integer v) {
    if (v != null) {
      put(name);
      putLong(v.intValue());
    }
  }

  private void optional(byte[] name, Double v) {
    if (v != null) {
      put(name);
      putDouble(v.doubleValue());
    }
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  private void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void putAscii(String s) {
    int n = s.length();
    ensure(n + 2);
    buf[pos++] = '"';
    for (int i = 0; i < n; i++) {
      buf[pos++] = (byte) s.charAt(i);
    }
    buf[pos++] = '"';
  }

  private void putLong(long v) {
    ensure(20);
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        put(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        return;
      }
      buf[pos++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    int end = pos + digits;
    for (int i = end - 1; i >= pos; i--) {
      buf[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    pos = end;
  }

  private void putDouble(double d) {
    double a = Math.abs(d);
    if (a < FAST_CENTS / 100.0
        && Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(-0.0)) {
      long c = Math.round(a * 100);
      if (c / 100.0 == a) {
        if (d < 0) {
          ensure(1);
          buf[pos++] = '-';
        }
        putCents((int) c);
        return;
      }
    }
    put(Double.toString(d).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * {@code Double.toString(c / 100.0)} for {@code 0 <= c < FAST_CENTS}: the whole part, the point,
   * then the cents without a trailing zero, at least one digit ({@code 0.0}, {@code 0.5}, {@code
   * 0.05}, {@code 999999.99}).
   */
  private void putCents(int c) {
    ensure(11);
    putLong(c / 100);
    buf[pos++] = '.';
    int f = c % 100;
    buf[pos++] = digit(f / 10);
    if (f % 10 != 0) {
      buf[pos++] = digit(f % 10);
    }
  }

  /** Package-private for the test: {@link #putCents} as text. */
  static String centsText(int c) {
    TripEventWriter w = new TripEventWriter();
    w.putCents(c);
    return new String(w.buf, 0, w.pos, StandardCharsets.US_ASCII);
  }

  private void putInstant(Instant t) {
    long s = t.getEpochSecond();
    if (t.getNano() != 0 || s < 0 || s > MAX_FAST_EPOCH_SECOND) {
      byte[] b = t.toString().getBytes(StandardCharsets.US_ASCII);
      ensure(b.length + 2);
      buf[pos++] = '"';
      put(b);
      buf[pos++] = '"';
      return;
    }
    long day = s / 86_400;
    int secOfDay = (int) (s - day * 86_400);
    if (day != cachedDay) {
      LocalDate d = LocalDate.ofEpochDay(day);
      int y = d.getYear();
      dayBytes[0] = digit(y / 1000);
      dayBytes[1] = digit(y / 100 % 10);
      dayBytes[2] = digit(y / 10 % 10);
      dayBytes[3] = digit(y % 10);
      dayBytes[4] = '-';
      dayBytes[5] = digit(d.getMonthValue() / 10);
      dayBytes[6] = digit(d.getMonthValue() % 10);
      dayBytes[7] = '-';
      dayBytes[8] = digit(d.getDayOfMonth() / 10);
      dayBytes[9] = digit(d.getDayOfMonth() % 10);
      cachedDay = day;
    }
    ensure(22);
    buf[pos++] = '"';
    System.arraycopy(dayBytes, 0, buf, pos, 10);
    pos += 10;
    int h = secOfDay / 3600;
    int m = secOfDay / 60 % 60;
    int sec = secOfDay % 60;
    buf[pos++] = 'T';
    buf[pos++] = digit(h / 10);
    buf[pos++] = digit(h % 10);
    buf[pos++] = ':';
    buf[pos++] = digit(m / 10);
    buf[pos++] = digit(m % 10);
    buf[pos++] = ':';
    buf[pos++] = digit(sec / 10);
    buf[pos++] = digit(sec % 10);
    buf[pos++] = 'Z';
    buf[pos++] = '"';
  }

  private static byte digit(int v) {
    return (byte) ('0' + v);
  }
}
