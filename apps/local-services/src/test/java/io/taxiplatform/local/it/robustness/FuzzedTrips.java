package io.taxiplatform.local.it.robustness;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of trip event values: valid events (unique {@code trip_id}s, dropoff times
 * that never go back, so none is late) mixed with mutated ones. Every mutated event starts from a
 * valid event of the sequence (its own unique id and the current dropoff time), so a mutation that
 * leaves it valid still counts once and in order. Mutations: random bytes, truncated JSON, wrong
 * types, huge and non-finite numbers, deep nesting, huge strings, invalid UTF-8, duplicate keys,
 * nulls in every field, timestamps out of range, trailing garbage, values that are not objects.
 */
final class FuzzedTrips {

  /** A generated value and what it is (for messages). */
  record Fuzzed(byte[] value, String kind) {}

  static final String[] REQUIRED = {
    "schema_version",
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
  static final String[] OPTIONAL = {
    "source",
    "vendor_id",
    "passenger_count",
    "ratecode_id",
    "store_and_fwd_flag",
    "payment_type",
    "extra",
    "mta_tax",
    "tolls_amount",
    "improvement_surcharge",
    "congestion_surcharge",
    "airport_fee",
    "cbd_congestion_fee"
  };
  private static final String[] WRONG = {
    "\"x\"",
    "\"\"",
    "\"  \"",
    "12",
    "-3",
    "1.5",
    "4.8e1",
    "48.0",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "[1]",
    "{\"a\":1}",
    "\"12\"",
    "\"2025-06-01T10:00:00Z\"",
    "0",
    "-0",
    "1e-320",
    "\"\\u0000\"",
    "\"\\ud800\""
  };
  private static final String[] HUGE = {
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e400",
    "123456789012345678901234567890",
    "18446744073709551617",
    "9223372036854775808",
    "2147483648",
    "-2147483649",
    "1e20",
    "-1e20",
    "9999999999999999.99",
    "10000000000000000.5",
    "1e-400",
    "4.9e-324"
  };
  private static final String[] NON_FINITE = {
    "NaN", "Infinity", "-Infinity", "+Infinity", "1e", ".5", "01", "0x10", "+1", "1.", "--1"
  };
  private static final String[] TIMES = {
    "+10000-01-01T00:00:00Z",
    "-999999999-01-01T00:00:00Z",
    "+999999999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "2025-06-01T25:00:00Z",
    "2025-06-01 10:00:00",
    "2025-06-01T10:00:00",
    "2025-06-01T10:00:00+02:00",
    "1748772000",
    "",
    "soon",
    "2025-06-01T10:00:00.123456789Z"
  };
  private static final int[] ZONES = {4, 48, 132, 138, 161, 230, 236, 237, 264, 265, 1, 100, 200};

  private final Random rnd;
  private final String prefix;
  private Instant clock;
  private long n;

  /** Valid events generated as such (mutations that stay valid come on top). */
  long plainValid;

  final Map<String, Integer> kinds = new LinkedHashMap<>();

  FuzzedTrips(long seed, String prefix, Instant start) {
    this.rnd = new Random(seed);
    this.prefix = prefix;
    this.clock = start;
  }

  /** {@code count} values, each mutated with probability {@code mutatedShare}. */
  List<Fuzzed> next(int count, double mutatedShare) {
    List<Fuzzed> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(rnd.nextDouble() < mutatedShare ? mutated() : valid());
    }
    return out;
  }

  /**
   * The fields of a valid event whose dropoff is the current clock (which moves forward by 0..20
   * s).
   */
  private LinkedHashMap<String, String> baseFields(String idKind) {
    clock = clock.plusMillis(rnd.nextInt(20_000));
    Instant dropoff = clock;
    Instant pickup = dropoff.minusSeconds(30 + rnd.nextInt(3600));
    LinkedHashMap<String, String> f = new LinkedHashMap<>();
    f.put("schema_version", "1");
    f.put("trip_id", quote(prefix + "-" + idKind + "-" + (n++)));
    f.put("source", quote("synthetic"));
    if (rnd.nextBoolean()) {
      f.put("vendor_id", Integer.toString(1 + rnd.nextInt(2)));
    }
    f.put("pickup_time", quote(pickup.toString()));
    f.put("dropoff_time", quote(dropoff.toString()));
    if (rnd.nextBoolean()) {
      f.put("passenger_count", Integer.toString(rnd.nextInt(5)));
    }
    f.put("trip_distance", number(rnd.nextInt(25_000) / 1000.0));
    f.put("pickup_zone", Integer.toString(ZONES[rnd.nextInt(ZONES.length)]));
    f.put("dropoff_zone", Integer.toString(1 + rnd.nextInt(265)));
    if (rnd.nextBoolean()) {
      f.put("payment_type", Integer.toString(1 + rnd.nextInt(4)));
    }
    double fare = rnd.nextInt(13) == 0 ? 0 : rnd.nextInt(90_000) / 1000.0;
    f.put("fare_amount", number(fare));
    if (rnd.nextBoolean()) {
      f.put("extra", number(rnd.nextInt(500) / 100.0));
    }
    f.put("tip_amount", number(rnd.nextInt(15_000) / 1000.0));
    f.put("total_amount", number(fare + rnd.nextInt(30_000) / 1000.0));
    if (rnd.nextBoolean()) {
      f.put("congestion_surcharge", "2.5");
    }
    return f;
  }

  private Fuzzed valid() {
    plainValid++;
    return new Fuzzed(json(baseFields("v")).getBytes(StandardCharsets.UTF_8), "valid");
  }

  private Fuzzed mutated() {
    LinkedHashMap<String, String> f = baseFields("m");
    String all = pick(allFields());
    int m = rnd.nextInt(22);
    String kind;
    byte[] value;
    switch (m) {
      case 0 -> {
        kind = "random_bytes";
        value = new byte[rnd.nextInt(300)];
        rnd.nextBytes(value);
      }
      case 1 -> {
        kind = "truncated_json";
        String s = json(f);
        value = s.substring(0, 1 + rnd.nextInt(s.length() - 1)).getBytes(StandardCharsets.UTF_8);
      }
      case 2, 3 -> {
        kind = "wrong_type";
        f.put(all, unique(all, pick(WRONG)));
        value = bytes(json(f));
      }
      case 4, 5 -> {
        kind = "huge_number";
        f.put(
            pick(
                new String[] {
                  "trip_distance",
                  "fare_amount",
                  "tip_amount",
                  "total_amount",
                  "pickup_zone",
                  "dropoff_zone",
                  "schema_version",
                  "extra",
                  "vendor_id",
                  "passenger_count"
                }),
            pick(HUGE));
        value = bytes(json(f));
      }
      case 6 -> {
        kind = "non_finite_number";
        f.put(all, pick(NON_FINITE));
        value = bytes(json(f));
      }
      case 7 -> {
        kind = "deep_nesting";
        int depth = pick(new int[] {5, 50, 500, 999, 1001, 5000, 20000});
        if (rnd.nextBoolean()) {
          f.put(rnd.nextBoolean() ? "notes" : all, "[".repeat(depth) + "]".repeat(depth));
          value = bytes(json(f));
        } else {
          value = bytes("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
        }
      }
      case 8 -> {
        kind = "huge_string";
        int len = pick(new int[] {1_000, 65_536, 200_000});
        String field =
            pick(
                new String[] {
                  "trip_id", "source", "store_and_fwd_flag", "notes", "pickup_time", "fare_amount"
                });
        f.put(field, unique(field, quote("é".repeat(len / 2))));
        value = bytes(json(f));
      }
      case 9 -> {
        kind = "huge_number_text";
        f.put(
            pick(new String[] {"trip_distance", "total_amount", "tip_amount", "pickup_zone"}),
            "9".repeat(pick(new int[] {50, 400, 999, 1001, 5000})));
        value = bytes(json(f));
      }
      case 10, 11 -> {
        kind = "invalid_utf8";
        String marker = "\u0001MARK\u0001";
        String field =
            pick(new String[] {"trip_id", "source", "pickup_time", "store_and_fwd_flag", "notes"});
        f.put(field, quote("a" + marker + "b"));
        byte[][] bad = {
          {(byte) 0xc3, 0x28},
          {(byte) 0xff},
          {(byte) 0xc0, (byte) 0xaf},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
          {(byte) 0xe2, (byte) 0x82}
        };
        value = replace(bytes(json(f)), marker, bad[rnd.nextInt(bad.length)]);
      }
      case 12, 13 -> {
        kind = "duplicate_key";
        String s = json(f);
        String dupValue = rnd.nextBoolean() ? f.get(all) : unique(all, pick(WRONG));
        if (all.equals("trip_id") && dupValue.equals(f.get(all))) {
          dupValue = quote(prefix + "-dup-" + (n++));
        }
        s =
            rnd.nextBoolean()
                ? s.substring(0, s.length() - 1) + ",\"" + all + "\":" + dupValue + "}"
                : "{\"" + all + "\":" + dupValue + "," + s.substring(1);
        value = bytes(s);
      }
      case 14, 15 -> {
        kind = "null_field";
        if (rnd.nextInt(10) == 0) {
          f.replaceAll((k, v) -> "null");
        } else {
          f.put(all, "null");
        }
        value = bytes(json(f));
      }
      case 16 -> {
        kind = "missing_field";
        f.remove(all);
        value = bytes(json(f));
      }
      case 17 -> {
        kind = "timestamp";
        f.put(rnd.nextBoolean() ? "pickup_time" : "dropoff_time", quote(pick(TIMES)));
        value = bytes(json(f));
      }
      case 18 -> {
        kind = "out_of_range";
        switch (rnd.nextInt(6)) {
          case 0 -> f.put("pickup_zone", pick(new String[] {"0", "266", "-1", "2147483647"}));
          case 1 -> f.put("dropoff_zone", pick(new String[] {"0", "266"}));
          case 2 -> f.put("trip_distance", pick(new String[] {"-0.01", "500.01", "1e6"}));
          case 3 -> f.put("fare_amount", pick(new String[] {"-7.2", "1000.01", "-0.001"}));
          case 4 -> {
            String p = f.get("pickup_time");
            f.put("pickup_time", f.get("dropoff_time"));
            f.put("dropoff_time", p);
          }
          default ->
              f.put(
                  "dropoff_time",
                  quote(
                      Instant.parse("2100-01-01T00:00:00Z")
                          .plusSeconds(86_400L * rnd.nextInt(900))
                          .toString()));
        }
        value = bytes(json(f));
      }
      case 19 -> {
        kind = "trailing_garbage";
        value =
            bytes(json(f) + pick(new String[] {" x", "}", "{}", ",", " 1", "\u0000", " ", "\n"}));
      }
      case 20 -> {
        kind = "not_an_object";
        String[] others = {
          "",
          " ",
          "null",
          "[]",
          "[{}]",
          "\"trip\"",
          "1",
          "true",
          "{",
          "}",
          "{}",
          "[" + json(f) + "]",
          "\uFEFF" + json(f)
        };
        String s = pick(others);
        value = s.isEmpty() && rnd.nextBoolean() ? null : bytes(s);
      }
      default -> {
        kind = "unknown_fields";
        f.put(
            "notes",
            pick(
                new String[] {
                  "\"emoji \\ud83d\\ude95\"",
                  "\"\\u0000\"",
                  "[1,{\"a\":null}]",
                  "{\"nested\":{\"deep\":[1,2,3]}}",
                  "1e400",
                  "\"" + "x".repeat(10_000) + "\""
                }));
        f.put("Trip_ID", quote("case"));
        value = bytes(json(f));
      }
    }
    kinds.merge(kind, 1, Integer::sum);
    return new Fuzzed(value, kind);
  }

  /**
   * A non-blank string value for {@code trip_id} made unique (the job counts a trip id once: copies
   * would be dropped as duplicates, neither aggregated nor dead-lettered); other values as they
   * are.
   */
  private String unique(String field, String value) {
    if (field.equals("trip_id")
        && value.startsWith("\"")
        && !value.substring(1, value.length() - 1).isBlank()) {
      return "\"" + prefix + "-u" + (n++) + "-" + value.substring(1);
    }
    return value;
  }

  private static String[] allFields() {
    String[] all = new String[REQUIRED.length + OPTIONAL.length];
    System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
    System.arraycopy(OPTIONAL, 0, all, REQUIRED.length, OPTIONAL.length);
    return all;
  }

  private String pick(String[] options) {
    return options[rnd.nextInt(options.length)];
  }

  private int pick(int[] options) {
    return options[rnd.nextInt(options.length)];
  }

  private static String json(Map<String, String> fields) {
    StringBuilder s = new StringBuilder("{");
    fields.forEach(
        (k, v) ->
            s.append(s.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return s.append('}').toString();
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String number(double d) {
    return String.format(Locale.ROOT, "%s", Double.toString(d));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] replace(byte[] in, String marker, byte[] with) {
    String s = new String(in, StandardCharsets.UTF_8);
    int at = s.indexOf(marker);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + with.length);
    out.writeBytes(bytes(s.substring(0, at)));
    out.writeBytes(with);
    out.writeBytes(bytes(s.substring(at + marker.length())));
    return out.toByteArray();
  }
}
