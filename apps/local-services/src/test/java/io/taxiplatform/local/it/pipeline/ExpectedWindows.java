package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's expected output computed independently, in plain Java, from the records actually in the
 * trips topic (their JSON values and Kafka timestamps), with the rules and metric definitions of
 * docs/contracts.md. Written from the contract, not from the job's code: the rules are
 * re-implemented here on a Jackson tree.
 */
public final class ExpectedWindows {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final String[] REQUIRED = {
    "trip_id",
    "pickup_time",
    "dropoff_time",
    "trip_distance",
    "pickup_zone",
    "dropoff_zone",
    "fare_amount",
    "tip_amount",
    "total_amount"
  };

  /** One window's aggregate. */
  public static final class Agg {
    public long count;
    BigDecimal fare = BigDecimal.ZERO;
    BigDecimal revenue = BigDecimal.ZERO;
    BigDecimal distance = BigDecimal.ZERO;
    long durationS;
    double tipPctSum;
    long tipN;
    Instant maxIngest = Instant.EPOCH;
    Instant windowEnd;
    String zoneName;
    String borough;

    void add(JsonNode t, Instant ingest) {
      count++;
      fare = fare.add(cents(t.get("fare_amount")));
      revenue = revenue.add(cents(t.get("total_amount")));
      distance = distance.add(cents(t.get("trip_distance")));
      durationS +=
          Instant.parse(t.get("dropoff_time").asText()).getEpochSecond()
              - Instant.parse(t.get("pickup_time").asText()).getEpochSecond();
      double f = t.get("fare_amount").doubleValue();
      if (f > 0) {
        tipPctSum += 100.0 * t.get("tip_amount").doubleValue() / f;
        tipN++;
      }
      if (ingest.isAfter(maxIngest)) {
        maxIngest = ingest;
      }
    }
  }

  /** A record as the job reads it. */
  public record Input(byte[] value, Instant ingestTime) {}

  public final Map<String, Agg> zoneWindows = new TreeMap<>();
  public final Map<String, Agg> boroughWindows = new TreeMap<>();

  /** Expected dead letters: reason -> count. */
  public final Map<String, Long> rejectedByReason = new TreeMap<>();

  public final List<String> validTripIds = new ArrayList<>();

  /**
   * @param zones zone id -> {borough, zone name}
   * @param now processing time: {@code event_time_in_future} measures from each input's ingest time
   *     (its Kafka timestamp), or from {@code now} when that is earlier ({@link #skewReference})
   */
  public static ExpectedWindows compute(
      List<Input> inputs,
      Map<Integer, String[]> zones,
      Duration zoneWindow,
      Duration boroughWindow,
      Duration boroughSlide,
      Instant now) {
    ExpectedWindows e = new ExpectedWindows();
    for (Input in : inputs) {
      String reason = reason(in.value(), skewReference(in.ingestTime(), now));
      if (reason != null) {
        e.rejectedByReason.merge(reason, 1L, Long::sum);
        continue;
      }
      JsonNode t = tree(in.value());
      e.validTripIds.add(t.get("trip_id").asText());
      int zone = t.get("pickup_zone").intValue();
      String[] z = zones.get(zone);
      String borough = z == null ? "Unknown" : z[0];
      String zoneName = z == null ? "Unknown" : z[1];
      long ts = Instant.parse(t.get("dropoff_time").asText()).getEpochSecond();
      long w = zoneWindow.toSeconds();
      long start = Math.floorDiv(ts, w) * w;
      Agg a =
          e.zoneWindows.computeIfAbsent(zone + "|" + Instant.ofEpochSecond(start), k -> new Agg());
      a.windowEnd = Instant.ofEpochSecond(start + w);
      a.zoneName = zoneName;
      a.borough = borough;
      a.add(t, in.ingestTime());
      long bw = boroughWindow.toSeconds();
      long slide = boroughSlide.toSeconds();
      for (long s = Math.floorDiv(ts, slide) * slide; s > ts - bw; s -= slide) {
        Agg b =
            e.boroughWindows.computeIfAbsent(
                borough + "|" + Instant.ofEpochSecond(s), k -> new Agg());
        b.windowEnd = Instant.ofEpochSecond(s + bw);
        b.add(t, in.ingestTime());
      }
    }
    return e;
  }

  public long validCount() {
    return validTripIds.size();
  }

  /**
   * The sum of trip_count over the expected borough windows (each trip counts once per sliding
   * window).
   */
  public long boroughTripTotal() {
    return boroughWindows.values().stream().mapToLong(a -> a.count).sum();
  }

  public long rejectedCount() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Optional fields and their contract types. */
  private static final String[] OPTIONAL_STRINGS = {"source", "store_and_fwd_flag"};

  private static final String[] OPTIONAL_INTS = {
    "vendor_id", "passenger_count", "ratecode_id", "payment_type"
  };
  private static final String[] OPTIONAL_NUMBERS = {
    "extra",
    "mta_tax",
    "tolls_amount",
    "improvement_surcharge",
    "congestion_surcharge",
    "airport_fee",
    "cbd_congestion_fee"
  };

  /**
   * The largest absolute {@code total_amount} the revenue columns can sum (decimal(18,2) per trip).
   */
  private static final BigDecimal MAX_TOTAL = new BigDecimal("9999999999999999.99");

  private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
      JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * The contract's reference for {@code event_time_in_future} (docs/contracts.md): the record's
   * Kafka timestamp, or the processing time when that is earlier.
   */
  public static Instant skewReference(Instant recordTimestamp, Instant processingTime) {
    return recordTimestamp != null && recordTimestamp.isBefore(processingTime)
        ? recordTimestamp
        : processingTime;
  }

  /**
   * The contract's first failing rule, or null for a valid trip. Where docs/contracts.md leaves a
   * case open, this follows the reading written here (and the job agrees, FuzzedEventsIT):
   *
   * <ul>
   *   <li>a value with anything but whitespace after the object is not "a JSON object": {@code
   *       malformed_json}; so is a value that is not UTF-8 anywhere, also inside a string (JSON
   *       text is UTF-8, RFC 8259);
   *   <li>a duplicate key: the last value counts (JSON parsers' usual reading);
   *   <li>{@code schema_version} is 1 only as a JSON integer equal to 1 (not 1.0, not an integer
   *       that wraps);
   *   <li>wrong type ({@code invalid_field}) covers the optional fields too (their types are in the
   *       contract's table); a number must be finite as a double (1e400 is not a usable number); an
   *       int field a JSON integer in the 32-bit range; {@code trip_id} a non-blank string (it must
   *       identify the trip); a timestamp an ISO-8601 instant with a four-digit year (0001..9999),
   *       as Java's {@code Instant.parse} reads it;
   *   <li>a {@code total_amount} beyond the revenue columns' range (|x| > 9999999999999999.99 after
   *       rounding the number, read as a double, to cents) is {@code invalid_field}.
   * </ul>
   *
   * @param now the time {@code event_time_in_future} measures from ({@link #skewReference})
   */
  public static String reason(byte[] value, Instant now) {
    JsonNode t;
    try {
      // JSON on the wire is UTF-8 (RFC 8259): any invalid sequence, also inside a string, is
      // malformed
      java.nio.charset.StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(value));
      t = STRICT.readTree(value);
    } catch (Exception ex) {
      return "malformed_json";
    }
    if (t == null || !t.isObject()) {
      return "malformed_json";
    }
    JsonNode v = t.get("schema_version");
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() != 1) {
      return "unsupported_schema_version";
    }
    for (String f : REQUIRED) {
      if (t.get(f) == null || t.get(f).isNull()) {
        return "missing_field";
      }
    }
    Instant pickup = instant(t.get("pickup_time"));
    Instant dropoff = instant(t.get("dropoff_time"));
    if (pickup == null || dropoff == null) {
      return "invalid_field";
    }
    if (!finite(t.get("trip_distance"))
        || !isInt(t.get("pickup_zone"))
        || !isInt(t.get("dropoff_zone"))
        || !finite(t.get("fare_amount"))
        || !finite(t.get("tip_amount"))
        || !finite(t.get("total_amount"))
        || !t.get("trip_id").isTextual()
        || t.get("trip_id").asText().isBlank()) {
      return "invalid_field";
    }
    for (String f : OPTIONAL_STRINGS) {
      if (present(t.get(f)) && !t.get(f).isTextual()) {
        return "invalid_field";
      }
    }
    for (String f : OPTIONAL_INTS) {
      if (present(t.get(f)) && !isInt(t.get(f))) {
        return "invalid_field";
      }
    }
    for (String f : OPTIONAL_NUMBERS) {
      if (present(t.get(f)) && !finite(t.get(f))) {
        return "invalid_field";
      }
    }
    int pz = t.get("pickup_zone").intValue();
    int dz = t.get("dropoff_zone").intValue();
    if (pz < 1 || pz > 265 || dz < 1 || dz > 265) {
      return "zone_out_of_range";
    }
    BigDecimal distance = t.get("trip_distance").decimalValue();
    if (distance.signum() < 0 || distance.compareTo(BigDecimal.valueOf(500)) > 0) {
      return "distance_out_of_range";
    }
    BigDecimal fare = t.get("fare_amount").decimalValue();
    if (fare.signum() < 0 || fare.compareTo(BigDecimal.valueOf(1000)) > 0) {
      return "fare_out_of_range";
    }
    if (dropoff.isBefore(pickup)) {
      return "dropoff_before_pickup";
    }
    if (dropoff.isAfter(now.plus(Duration.ofHours(1)))) {
      return "event_time_in_future";
    }
    // JSON numbers are IEEE doubles (as in JavaScript): 9999999999999999.99 is 1e16, beyond the
    // range.
    if (BigDecimal.valueOf(t.get("total_amount").doubleValue())
            .setScale(2, RoundingMode.HALF_UP)
            .abs()
            .compareTo(MAX_TOTAL)
        > 0) {
      return "invalid_field";
    }
    return null;
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull();
  }

  private static boolean isInt(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToInt();
  }

  private static boolean finite(JsonNode n) {
    return n.isNumber() && Double.isFinite(n.doubleValue());
  }

  /** An ISO-8601 instant with a four-digit year, or null. */
  private static Instant instant(JsonNode n) {
    if (!n.isTextual()) {
      return null;
    }
    try {
      Instant i = Instant.parse(n.asText());
      int year = i.atZone(java.time.ZoneOffset.UTC).getYear();
      return year >= 1 && year <= 9999 ? i : null;
    } catch (Exception ex) {
      return null;
    }
  }

  /** The record's {@code trip_id} when it is a JSON object with a textual one, else null. */
  public static String tripId(byte[] value) {
    try {
      JsonNode t = JSON.readTree(value);
      JsonNode id = t == null ? null : t.get("trip_id");
      return id != null && id.isTextual() ? id.asText() : null;
    } catch (Exception e) {
      return null;
    }
  }

  public static JsonNode tree(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static BigDecimal cents(JsonNode n) {
    return n.decimalValue().setScale(2, RoundingMode.HALF_UP);
  }

  /**
   * Asserts one Cassandra row equals the expected aggregate (exact sums, tolerance for the
   * averages).
   */
  static void assertRow(Row row, Agg e, String what) {
    assertThat(row.getLong("trip_count")).as(what + " trip_count").isEqualTo(e.count);
    assertThat(row.getBigDecimal("fare_total"))
        .as(what + " fare_total")
        .isEqualByComparingTo(e.fare);
    assertThat(row.getBigDecimal("revenue_total"))
        .as(what + " revenue_total")
        .isEqualByComparingTo(e.revenue);
    assertThat(row.getBigDecimal("distance_total"))
        .as(what + " distance_total")
        .isEqualByComparingTo(e.distance);
    assertThat(row.getLong("duration_total_s"))
        .as(what + " duration_total_s")
        .isEqualTo(e.durationS);
    assertThat(row.getDouble("avg_fare"))
        .as(what + " avg_fare")
        .isCloseTo(e.fare.doubleValue() / e.count, within(1e-6));
    assertThat(row.getDouble("avg_distance"))
        .as(what + " avg_distance")
        .isCloseTo(e.distance.doubleValue() / e.count, within(1e-6));
    assertThat(row.getDouble("avg_duration_s"))
        .as(what + " avg_duration_s")
        .isCloseTo((double) e.durationS / e.count, within(1e-6));
    if (e.tipN == 0) {
      assertThat(row.isNull("avg_tip_pct")).as(what + " avg_tip_pct is null").isTrue();
    } else if (!Double.isFinite(e.tipPctSum)) {
      // a finite but huge tip_amount (1e308) makes 100 * tip / fare overflow the double
      assertThat(Double.valueOf(row.getDouble("avg_tip_pct")))
          .as(what + " avg_tip_pct")
          .isEqualTo(Double.valueOf(e.tipPctSum / e.tipN));
    } else {
      // A double sum depends on the order of its terms: relative tolerance for huge values (tip
      // 1e13)
      double tip = e.tipPctSum / e.tipN;
      assertThat(row.getDouble("avg_tip_pct"))
          .as(what + " avg_tip_pct")
          .isCloseTo(tip, within(Math.max(1e-6, Math.abs(tip) * 1e-12)));
    }
    assertThat(row.getInstant("window_end")).as(what + " window_end").isEqualTo(e.windowEnd);
    assertThat(row.getInstant("max_ingest_time"))
        .as(what + " max_ingest_time")
        .isEqualTo(e.maxIngest);
    assertThat(row.getInstant("written_at")).as(what + " written_at").isAfterOrEqualTo(e.maxIngest);
  }
}
