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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * JSON codec of the trip event and the validation of docs/contracts.md.
 *
 * <p>Stateless and thread-safe: one shared, never reconfigured Jackson reader and factory. This is
 * what the streaming job calls per record.
 *
 * <p>Type rules used by {@code invalid_field}: integer fields ({@code vendor_id}, {@code
 * passenger_count}, {@code ratecode_id}, {@code pickup_zone}, {@code dropoff_zone}, {@code
 * payment_type}) must be JSON integers in the 32-bit range ({@code 1.0} and {@code "1"} are
 * invalid); amount fields must be finite JSON numbers; {@code trip_id} a non-blank string; {@code
 * source} and {@code store_and_fwd_flag} strings; timestamps strings accepted by {@link
 * Instant#parse} with a year in 0001..9999. An optional field that is {@code null} counts as
 * absent. Unknown fields are ignored (forward compatible).
 */
public final class TripEventJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final ObjectReader READER = MAPPER.reader();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private TripEventJson() {}

  // ---------------------------------------------------------------- serialize

  /** The event as compact JSON; optional fields that are {@code null} are omitted. */
  public static String toJson(TripEvent e) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, e);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }

  /**
   * {@link #toJson} as UTF-8 bytes: the reference {@link TripEventWriter} matches and falls back to
   * (producers write with {@link TripEventWriter}).
   */
  static byte[] toJsonBytes(TripEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, e);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, TripEvent e) throws IOException {
    g.writeStartObject();
    g.writeNumberField(SCHEMA_VERSION, e.schemaVersion());
    g.writeStringField(TRIP_ID, e.tripId());
    if (e.source() != null) {
      g.writeStringField(SOURCE, e.source());
    }
    writeOptional(g, VENDOR_ID, e.vendorId());
    g.writeStringField(PICKUP_TIME, e.pickupTime().toString());
    g.writeStringField(DROPOFF_TIME, e.dropoffTime().toString());
    writeOptional(g, PASSENGER_COUNT, e.passengerCount());
    g.writeNumberField(TRIP_DISTANCE, e.tripDistance());
    writeOptional(g, RATECODE_ID, e.ratecodeId());
    if (e.storeAndFwdFlag() != null) {
      g.writeStringField(STORE_AND_FWD_FLAG, e.storeAndFwdFlag());
    }
    g.writeNumberField(PICKUP_ZONE, e.pickupZone());
    g.writeNumberField(DROPOFF_ZONE, e.dropoffZone());
    writeOptional(g, PAYMENT_TYPE, e.paymentType());
    g.writeNumberField(FARE_AMOUNT, e.fareAmount());
    writeOptional(g, EXTRA, e.extra());
    writeOptional(g, MTA_TAX, e.mtaTax());
    g.writeNumberField(TIP_AMOUNT, e.tipAmount());
    writeOptional(g, TOLLS_AMOUNT, e.tollsAmount());
    writeOptional(g, IMPROVEMENT_SURCHARGE, e.improvementSurcharge());
    g.writeNumberField(TOTAL_AMOUNT, e.totalAmount());
    writeOptional(g, CONGESTION_SURCHARGE, e.congestionSurcharge());
    writeOptional(g, AIRPORT_FEE, e.airportFee());
    writeOptional(g, CBD_CONGESTION_FEE, e.cbdCongestionFee());
    g.writeEndObject();
  }

  private static void writeOptional(JsonGenerator g, String name, Integer v) throws IOException {
    if (v != null) {
      g.writeNumberField(name, v.intValue());
    }
  }

  private static void writeOptional(JsonGenerator g, String name, Double v) throws IOException {
    if (v != null) {
      g.writeNumberField(name, v.doubleValue());
    }
  }

  // ---------------------------------------------------------------- parse + validate

  /**
   * Parses and validates one record value.
   *
   * @param value the Kafka record value (may be {@code null})
   * @param now the time {@code event_time_in_future} measures from (the job: the record's Kafka
   *     timestamp, at most the micro-batch time)
   * @param maxSkew allowed skew of {@code dropoff_time} over {@code now}
   * @return the valid event, or the first failing rule
   */
  public static ParseResult parse(String value, Instant now, Duration maxSkew) {
    if (value == null) {
      return new Rejection(RejectReason.MALFORMED_JSON, "null value");
    }
    TripEvent fast = fastPath(() -> FACTORY.createParser(value), now, maxSkew);
    return fast != null ? fast : parseTree(value, now, maxSkew);
  }

  /**
   * {@link #parse(String, Instant, Duration)} by the tree path only (the reference of the fast
   * path's tests).
   */
  static ParseResult parseTree(String value, Instant now, Duration maxSkew) {
    JsonNode root;
    try {
      root = READER.readTree(value);
    } catch (IOException | RuntimeException ex) {
      return malformed(ex);
    }
    return validate(root, now, maxSkew);
  }

  /**
   * {@link #parse(String, Instant, Duration)} of UTF-8 bytes. Invalid UTF-8 anywhere in the value
   * (also inside a string, where Jackson's byte parser lets overlong forms and encoded surrogates
   * through) is {@code malformed_json}: a JSON text on the wire is UTF-8 (RFC 8259,
   * docs/contracts.md).
   */
  public static ParseResult parse(byte[] value, Instant now, Duration maxSkew) {
    if (value == null) {
      return new Rejection(RejectReason.MALFORMED_JSON, "null value");
    }
    if (now != null && maxSkew != null) {
      TripEvent exact = TripEventBytes.read(value, now, maxSkew);
      if (exact != null) {
        return exact; // the producer's own layout (TripEventWriter), read without Jackson
      }
    }
    String notUtf8 = utf8Error(value);
    if (notUtf8 != null) {
      return new Rejection(RejectReason.MALFORMED_JSON, notUtf8);
    }
    TripEvent fast = fastPath(() -> FACTORY.createParser(value), now, maxSkew);
    return fast != null ? fast : parseTree(value, now, maxSkew);
  }

  /**
   * {@link #parse(byte[], Instant, Duration)} of UTF-8 bytes by the tree path only (after the UTF-8
   * check).
   */
  static ParseResult parseTree(byte[] value, Instant now, Duration maxSkew) {
    JsonNode root;
    try {
      root = READER.readTree(value);
    } catch (IOException | RuntimeException ex) {
      return malformed(ex);
    }
    return validate(root, now, maxSkew);
  }

  /** Opens a streaming parser over the value. */
  private interface ParserSource {
    com.fasterxml.jackson.core.JsonParser open() throws IOException;
  }

  /**
   * The common case in one streaming pass ({@link TripEventReader}): the event when the value is a
   * plain valid one, else {@code null} and the caller runs the tree path, which names the
   * rejection.
   */
  private static TripEvent fastPath(ParserSource source, Instant now, Duration maxSkew) {
    if (now == null || maxSkew == null) {
      return null; // the tree path reports it as before
    }
    try {
      return TripEventReader.read(source.open(), now, maxSkew);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Why {@code value} is not UTF-8, or {@code null} when it is. */
  static String utf8Error(byte[] value) {
    int i = 0;
    while (i < value.length && value[i] >= 0) {
      i++;
    }
    if (i == value.length) {
      return null; // ASCII
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value));
      return null;
    } catch (CharacterCodingException e) {
      return "not UTF-8: " + e.getMessage();
    }
  }

  private static Rejection malformed(Exception ex) {
    String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    int nl = msg.indexOf('\n');
    return new Rejection(RejectReason.MALFORMED_JSON, nl >= 0 ? msg.substring(0, nl) : msg);
  }

  private static ParseResult validate(JsonNode root, Instant now, Duration maxSkew) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(maxSkew, "maxSkew");
    if (root == null || !root.isObject()) {
      String type =
          root == null || root.isMissingNode() ? "empty" : root.getNodeType().name().toLowerCase();
      return new Rejection(RejectReason.MALFORMED_JSON, "not a JSON object: " + type);
    }

    JsonNode version = root.get(SCHEMA_VERSION);
    if (version == null
        || !version.isIntegralNumber()
        || !version.canConvertToLong()
        || version.longValue() != TripRules.SCHEMA_VERSION) {
      return new Rejection(
          RejectReason.UNSUPPORTED_SCHEMA_VERSION,
          version == null ? "schema_version missing" : "schema_version=" + version);
    }

    for (String field : TripFields.REQUIRED) {
      if (isAbsent(root.get(field))) {
        return new Rejection(RejectReason.MISSING_FIELD, field);
      }
    }

    // invalid_field: required fields in contract order, then optional fields.
    JsonNode n = root.get(TRIP_ID);
    if (n.getNodeType() != JsonNodeType.STRING || n.textValue().isBlank()) {
      return invalid(TRIP_ID);
    }
    String tripId = n.textValue();
    Instant pickup = instant(root.get(PICKUP_TIME));
    if (pickup == null) {
      return invalid(PICKUP_TIME);
    }
    Instant dropoff = instant(root.get(DROPOFF_TIME));
    if (dropoff == null) {
      return invalid(DROPOFF_TIME);
    }
    if (!isFiniteNumber(root.get(TRIP_DISTANCE))) {
      return invalid(TRIP_DISTANCE);
    }
    if (!isInt(root.get(PICKUP_ZONE))) {
      return invalid(PICKUP_ZONE);
    }
    if (!isInt(root.get(DROPOFF_ZONE))) {
      return invalid(DROPOFF_ZONE);
    }
    for (String f : new String[] {FARE_AMOUNT, TIP_AMOUNT, TOTAL_AMOUNT}) {
      if (!isFiniteNumber(root.get(f))) {
        return invalid(f);
      }
    }
    for (String f : OPTIONAL_STRINGS) {
      JsonNode o = root.get(f);
      if (!isAbsent(o) && !o.isTextual()) {
        return invalid(f);
      }
    }
    for (String f : OPTIONAL_INTS) {
      JsonNode o = root.get(f);
      if (!isAbsent(o) && !isInt(o)) {
        return invalid(f);
      }
    }
    for (String f : OPTIONAL_NUMBERS) {
      JsonNode o = root.get(f);
      if (!isAbsent(o) && !isFiniteNumber(o)) {
        return invalid(f);
      }
    }

    int pickupZone = root.get(PICKUP_ZONE).intValue();
    if (!TripRules.isValidZone(pickupZone)) {
      return new Rejection(RejectReason.ZONE_OUT_OF_RANGE, PICKUP_ZONE + "=" + pickupZone);
    }
    int dropoffZone = root.get(DROPOFF_ZONE).intValue();
    if (!TripRules.isValidZone(dropoffZone)) {
      return new Rejection(RejectReason.ZONE_OUT_OF_RANGE, DROPOFF_ZONE + "=" + dropoffZone);
    }
    double distance = root.get(TRIP_DISTANCE).doubleValue();
    if (distance < TripRules.MIN_DISTANCE_MILES || distance > TripRules.MAX_DISTANCE_MILES) {
      return new Rejection(RejectReason.DISTANCE_OUT_OF_RANGE, TRIP_DISTANCE + "=" + distance);
    }
    double fare = root.get(FARE_AMOUNT).doubleValue();
    if (fare < TripRules.MIN_FARE_USD || fare > TripRules.MAX_FARE_USD) {
      return new Rejection(RejectReason.FARE_OUT_OF_RANGE, FARE_AMOUNT + "=" + fare);
    }
    if (dropoff.isBefore(pickup)) {
      return new Rejection(
          RejectReason.DROPOFF_BEFORE_PICKUP,
          PICKUP_TIME + "=" + pickup + " " + DROPOFF_TIME + "=" + dropoff);
    }
    Instant limit = now.plus(maxSkew);
    if (dropoff.isAfter(limit)) {
      return new Rejection(
          RejectReason.EVENT_TIME_IN_FUTURE, DROPOFF_TIME + "=" + dropoff + " limit=" + limit);
    }

    return new TripEvent(
        TripRules.SCHEMA_VERSION,
        tripId,
        text(root.get(SOURCE)),
        optInt(root.get(VENDOR_ID)),
        pickup,
        dropoff,
        optInt(root.get(PASSENGER_COUNT)),
        distance,
        optInt(root.get(RATECODE_ID)),
        text(root.get(STORE_AND_FWD_FLAG)),
        pickupZone,
        dropoffZone,
        optInt(root.get(PAYMENT_TYPE)),
        fare,
        optDouble(root.get(EXTRA)),
        optDouble(root.get(MTA_TAX)),
        root.get(TIP_AMOUNT).doubleValue(),
        optDouble(root.get(TOLLS_AMOUNT)),
        optDouble(root.get(IMPROVEMENT_SURCHARGE)),
        root.get(TOTAL_AMOUNT).doubleValue(),
        optDouble(root.get(CONGESTION_SURCHARGE)),
        optDouble(root.get(AIRPORT_FEE)),
        optDouble(root.get(CBD_CONGESTION_FEE)));
  }

  /** Timestamps must lie in years 0001..9999. */
  private static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private static final String[] OPTIONAL_STRINGS = {SOURCE, STORE_AND_FWD_FLAG};
  private static final String[] OPTIONAL_INTS = {
    VENDOR_ID, PASSENGER_COUNT, RATECODE_ID, PAYMENT_TYPE
  };
  private static final String[] OPTIONAL_NUMBERS = {
    EXTRA,
    MTA_TAX,
    TOLLS_AMOUNT,
    IMPROVEMENT_SURCHARGE,
    CONGESTION_SURCHARGE,
    AIRPORT_FEE,
    CBD_CONGESTION_FEE
  };

  private static Rejection invalid(String field) {
    return new Rejection(RejectReason.INVALID_FIELD, field);
  }

  private static boolean isAbsent(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  private static boolean isInt(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToInt();
  }

  private static boolean isFiniteNumber(JsonNode n) {
    return n.isNumber() && Double.isFinite(n.doubleValue());
  }

  private static Instant instant(JsonNode n) {
    if (!n.isTextual()) {
      return null;
    }
    try {
      Instant i = Instant.parse(n.textValue());
      // ISO-8601 without an agreed expansion has four-digit years; Instant.parse also takes +10000
      // or
      // -999999999, which java.sql.Timestamp and Spark's microsecond timestamps cannot hold (they
      // wrap silently
      // to another time, which could even reach the watermark).
      return i.isBefore(MIN_INSTANT) || i.isAfter(MAX_INSTANT) ? null : i;
    } catch (DateTimeException ex) {
      return null;
    }
  }

  private static String text(JsonNode n) {
    return isAbsent(n) ? null : n.textValue();
  }

  private static Integer optInt(JsonNode n) {
    return isAbsent(n) ? null : n.intValue();
  }

  private static Double optDouble(JsonNode n) {
    return isAbsent(n) ? null : n.doubleValue();
  }
}
