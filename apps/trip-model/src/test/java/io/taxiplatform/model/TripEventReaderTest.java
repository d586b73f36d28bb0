package io.taxiplatform.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast path of {@link TripEventJson#parse} ({@link TripEventReader}) against the tree path it
 * short-cuts: for every value, both give the same result, and the fast path does take the common
 * valid records.
 */
class TripEventReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Instant NOW = Instant.parse("2025-01-01T06:00:00Z");
  private static final Duration SKEW = Duration.ofHours(1);
  private static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** What the tree path accepts as a timestamp. */
  private static Instant reference(String s) {
    try {
      Instant i = Instant.parse(s);
      return i.isBefore(MIN) || i.isAfter(MAX) ? null : i;
    } catch (DateTimeException e) {
      return null;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2025-01-01T05:18:38Z",
        "2024-02-29T23:59:59Z",
        "2023-02-29T00:00:00Z",
        "2023-04-31T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "0000-12-31T23:59:59Z",
        "9999-12-31T23:59:59.999999999Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.5Z",
        "2025-01-01T24:00:00Z",
        "2025-01-01T23:60:00Z",
        "2025-12-31T23:59:60Z",
        "2025-13-01T00:00:00Z",
        "2025-00-01T00:00:00Z",
        "2025-01-00T00:00:00Z",
        "2025-01-01T00:00:00.Z",
        "2025-01-01T00:00:00.1Z",
        "2025-01-01T00:00:00.123456789Z",
        "2025-01-01T00:00:00.1234567890Z",
        "2025-01-01t00:00:00z",
        "2025-01-01T00:00:00+01:00",
        "2025-01-01T00:00:00",
        "+12025-01-01T00:00:00Z",
        "2025-1-01T00:00:00Z",
        "2025-01-01T00:00:0aZ",
        "2025-01-01 00:00:00Z",
        "",
        "2025-01-01T00:00:00.12a4Z",
        "-001-01-01T00:00:00Z"
      })
  void timestampsParseAsInstantParseWithinYears1To9999(String s) {
    assertThat(TripEventReader.parseInstant(s)).as(s).isEqualTo(reference(s));
  }

  @Test
  void theFixedFormParserAgreesWithInstantParseOnRandomInstants() {
    Random r = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      long second =
          MIN.getEpochSecond()
              + (long) (r.nextDouble() * (MAX.getEpochSecond() - MIN.getEpochSecond()));
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1000;
            default -> r.nextInt(1_000_000_000);
          };
      Instant expected = Instant.ofEpochSecond(second, nanos);
      String text = expected.toString();
      assertThat(TripEventReader.parseFixed(text)).as(text).isEqualTo(expected);
    }
  }

  private static ObjectNode valid(Random r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema_version", 1);
    n.put("trip_id", "f.csv:" + r.nextInt(1_000_000));
    n.put("source", "replay");
    n.put("vendor_id", 1 + r.nextInt(2));
    Instant pickup = NOW.minusSeconds(3600 + r.nextInt(86_400));
    n.put("pickup_time", pickup.toString());
    n.put("dropoff_time", pickup.plusSeconds(r.nextInt(7200)).toString());
    n.put("passenger_count", r.nextInt(5));
    n.put("trip_distance", Math.round(r.nextDouble() * 3000) / 100.0);
    n.put("ratecode_id", 1);
    n.put("store_and_fwd_flag", r.nextBoolean() ? "N" : "Y");
    n.put("pickup_zone", 1 + r.nextInt(265));
    n.put("dropoff_zone", 1 + r.nextInt(265));
    n.put("payment_type", 1);
    n.put("fare_amount", Math.round(r.nextDouble() * 10000) / 100.0);
    n.put("extra", 3.5);
    n.put("mta_tax", 0.5);
    n.put("tip_amount", r.nextInt(10));
    n.put("tolls_amount", 0);
    n.put("improvement_surcharge", 1);
    n.put("total_amount", Math.round(r.nextDouble() * 20000) / 100.0);
    n.put("congestion_surcharge", 2.5);
    n.put("airport_fee", 0);
    n.put("cbd_congestion_fee", 0.75);
    return n;
  }

  @Test
  void theFastPathTakesPlainValidRecordsAndAgreesWithTheTreePath() throws Exception {
    Random r = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] value = valid(r).toString().getBytes(StandardCharsets.UTF_8);
      TripEvent fast = TripEventReader.read(FACTORY.createParser(value), NOW, SKEW);
      assertThat(fast).as(new String(value, StandardCharsets.UTF_8)).isNotNull();
      assertThat(fast).isEqualTo(TripEventJson.parseTree(value, NOW, SKEW));
      assertThat(TripEventJson.parse(value, NOW, SKEW)).isEqualTo(fast);
    }
  }

  /** Values to put into a field: every JSON type, edge numbers, timestamps, blanks. */
  private static final String[] VALUES = {
    "null",
    "1",
    "0",
    "-1",
    "265",
    "266",
    "1.0",
    "1.5",
    "-0.01",
    "500",
    "500.01",
    "1000",
    "1000.01",
    "2147483647",
    "2147483648",
    "-2147483649",
    "99999999999999999999",
    "1e400",
    "-1e400",
    "1e300",
    "\"1\"",
    "\"\"",
    "\" \"",
    "\"x\"",
    "true",
    "false",
    "[]",
    "{}",
    "[1]",
    "{\"a\":1}",
    "\"2025-01-01T05:00:00Z\"",
    "\"2025-01-01T06:59:59Z\"",
    "\"2025-01-01T07:00:01Z\"",
    "\"2024-12-31T00:00:00Z\"",
    "\"2025-01-01T05:00:00+01:00\"",
    "\"2025-02-29T05:00:00Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"2025-01-01T05:00:00.5Z\"",
    "\"2025-01-01t05:00:00z\"",
    "\"2025-01-01T23:59:60Z\""
  };

  private static final String[] FIELDS = {
    "schema_version",
    "trip_id",
    "source",
    "vendor_id",
    "pickup_time",
    "dropoff_time",
    "passenger_count",
    "trip_distance",
    "ratecode_id",
    "store_and_fwd_flag",
    "pickup_zone",
    "dropoff_zone",
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
    "cbd_congestion_fee",
    "unknown_field"
  };

  @Test
  void mutatedRecordsParseTheSameByBothPaths() throws Exception {
    Random r = new Random(11);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ObjectNode n = valid(r);
      String text = n.toString();
      int mutations = 1 + r.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        String field = FIELDS[r.nextInt(FIELDS.length)];
        switch (r.nextInt(6)) {
          case 0 -> { // drop the field
            text = text.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[^,}]*),?", "");
          }
          case 1 -> { // duplicate it with another value (at the end)
            text =
                text.substring(0, Math.max(0, text.length() - 1))
                    + ",\""
                    + field
                    + "\":"
                    + VALUES[r.nextInt(VALUES.length)]
                    + "}";
          }
          case 2 -> { // truncate the text
            text = text.substring(0, r.nextInt(text.length() + 1));
          }
          case 3 -> { // trailing content
            text = text + (r.nextBoolean() ? " {}" : " ");
          }
          default -> { // replace its value
            ObjectNode copy;
            try {
              copy = (ObjectNode) JSON.readTree(text);
            } catch (Exception notAnObject) {
              copy = JSON.createObjectNode();
            }
            copy.set(field, JSON.readTree(VALUES[r.nextInt(VALUES.length)]));
            text = copy.toString();
          }
        }
      }
      values.add(text.replace(",}", "}"));
    }
    int valid = 0;
    for (String text : values) {
      byte[] value = text.getBytes(StandardCharsets.UTF_8);
      ParseResult tree = TripEventJson.parseTree(value, NOW, SKEW);
      assertThat(TripEventJson.parse(value, NOW, SKEW)).as(text).isEqualTo(tree);
      assertThat(TripEventJson.parse(text, NOW, SKEW))
          .as(text)
          .isEqualTo(TripEventJson.parseTree(text, NOW, SKEW));
      valid += tree instanceof TripEvent ? 1 : 0;
    }
    assertThat(valid).as("valid records among the mutated ones").isBetween(1000, 19_000);
  }
}
