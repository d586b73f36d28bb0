package io.taxiplatform.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TripEventBytes} agrees with the tree path ({@link TripEventJson#parseTree}, which names
 * every rejection) on every value it accepts, and accepts what producers write.
 */
class TripEventBytesTest {

  private static final Instant NOW = Instant.parse("2025-01-16T00:00:00Z");
  private static final Duration SKEW = Duration.ofHours(1);

  private static TripEvent.Builder base() {
    return TripEventWriterTest.base();
  }

  /** Random events as producers make them (whole cents), a share of them invalid by a rule. */
  private static TripEvent random(SplittableRandom r, int n) {
    long t = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond() + r.nextLong(1_300_000);
    TripEvent.Builder b =
        base()
            .tripId(r.nextBoolean() ? "syn-7-" + n : "yellow_tripdata_2025-01.csv:" + n)
            .pickupTime(Instant.ofEpochSecond(t, r.nextInt(20) == 0 ? r.nextInt(1000) * 1000 : 0))
            .dropoffTime(Instant.ofEpochSecond(t + r.nextInt(7200) - (r.nextInt(50) == 0 ? 9 : 0)))
            .tripDistance(r.nextInt(100) == 0 ? cents(r, 800) : cents(r, 40))
            .fareAmount(cents(r, 300, r.nextInt(30) == 0 ? 300 : 0))
            .tipAmount(cents(r, 40))
            .totalAmount(cents(r, 400, r.nextInt(30) == 0 ? 500 : 0))
            .pickupZone(r.nextInt(268))
            .dropoffZone(1 + r.nextInt(265))
            .extra(r.nextInt(4) == 0 ? -cents(r, 3) : cents(r, 3));
    if (r.nextBoolean()) {
      b.extra(null).airportFee(null).source(null).vendorId(null).storeAndFwdFlag(null);
    }
    if (r.nextInt(4) == 0) {
      b.passengerCount(null).ratecodeId(null).paymentType(null).mtaTax(null).tollsAmount(null);
      b.improvementSurcharge(null).congestionSurcharge(null).cbdCongestionFee(null);
    }
    return b.build();
  }

  private static double cents(SplittableRandom r, int max) {
    return cents(r, max, 0);
  }

  /** Whole cents in {@code [-minus, max - minus]} dollars. */
  private static double cents(SplittableRandom r, int max, int minus) {
    return (r.nextLong(max * 100L + 1) - minus * 100L) / 100.0;
  }

  @Test
  void whatProducersWriteIsReadAsTheTreePathReadsIt() {
    SplittableRandom r = new SplittableRandom(3);
    TripEventWriter w = new TripEventWriter();
    int valid = 0;
    int invalid = 0;
    for (int n = 0; n < 50_000; n++) {
      byte[] value = w.toBytes(random(r, n));
      String text = new String(value, StandardCharsets.UTF_8);
      ParseResult tree = TripEventJson.parseTree(value, NOW, SKEW);
      TripEvent exact = TripEventBytes.read(value, NOW, SKEW);
      if (tree instanceof TripEvent) {
        valid++;
        assertThat(exact).as(text).isEqualTo(tree);
      } else {
        invalid++;
        assertThat(exact).as(text).isNull();
      }
      assertThat(TripEventJson.parse(value, NOW, SKEW)).as(text).isEqualTo(tree);
    }
    assertThat(valid).as("valid events").isGreaterThan(40_000);
    assertThat(invalid).as("events breaking a rule").isGreaterThan(2_000);
  }

  /** Bytes a mutation puts in: JSON structure, number and string edges, non-ASCII. */
  private static final byte[] MUTANTS =
      "{}[]\",:.-+eE0159 \t\nnultaZT\\/".getBytes(StandardCharsets.US_ASCII);

  @Test
  void mutatedValuesAreReadAsTheTreePathReadsThemOrLeftToIt() {
    SplittableRandom r = new SplittableRandom(5);
    TripEventWriter w = new TripEventWriter();
    int accepted = 0;
    int declined = 0;
    for (int n = 0; n < 100_000; n++) {
      byte[] value = mutate(r, w.toBytes(random(r, n)));
      String text = new String(value, StandardCharsets.ISO_8859_1);
      ParseResult tree = TripEventJson.parseTree(value, NOW, SKEW);
      TripEvent exact = TripEventBytes.read(value, NOW, SKEW);
      if (exact != null) {
        accepted++;
        assertThat(tree).as(text).isEqualTo(exact);
      } else {
        declined++;
      }
      assertThat(TripEventJson.parse(value, NOW, SKEW)).as(text).isEqualTo(reference(value));
    }
    assertThat(accepted).as("mutants still in the exact layout and valid").isGreaterThan(5_000);
    assertThat(declined).as("mutants left to the other paths").isGreaterThan(50_000);
  }

  /** What {@link TripEventJson#parse(byte[], Instant, Duration)} made of a value before. */
  private static ParseResult reference(byte[] value) {
    String notUtf8 = TripEventJson.utf8Error(value);
    return notUtf8 != null
        ? new Rejection(RejectReason.MALFORMED_JSON, notUtf8)
        : TripEventJson.parseTree(value, NOW, SKEW);
  }

  private static byte[] mutate(SplittableRandom r, byte[] v) {
    int at = r.nextInt(v.length);
    return switch (r.nextInt(7)) {
      case 0 -> { // replace a byte
        byte[] c = v.clone();
        c[at] = pick(r);
        yield c;
      }
      case 1 -> { // delete a byte
        byte[] c = new byte[v.length - 1];
        System.arraycopy(v, 0, c, 0, at);
        System.arraycopy(v, at + 1, c, at, v.length - at - 1);
        yield c;
      }
      case 2 -> { // insert a byte
        byte[] c = new byte[v.length + 1];
        System.arraycopy(v, 0, c, 0, at);
        c[at] = pick(r);
        System.arraycopy(v, at, c, at + 1, v.length - at);
        yield c;
      }
      case 3 -> java.util.Arrays.copyOf(v, at); // truncate
      case 4 -> { // a digit changed: mostly still valid
        byte[] c = v.clone();
        for (int i = 0; i < c.length; i++) {
          int k = (at + i) % c.length;
          if (c[k] >= '0' && c[k] <= '9') {
            c[k] = (byte) ('0' + r.nextInt(10));
            break;
          }
        }
        yield c;
      }
      case 5 -> { // a non-ASCII or invalid UTF-8 byte
        byte[] c = v.clone();
        c[at] = (byte) (0x80 + r.nextInt(128));
        yield c;
      }
      default -> v; // unchanged
    };
  }

  private static byte pick(SplittableRandom r) {
    return MUTANTS[r.nextInt(MUTANTS.length)];
  }

  /** Each of these is left to the other paths; what they make of it is theirs. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"fare_amount\":10.0,|\"fare_amount\":010.0,", // a leading zero: not JSON
        "\"fare_amount\":10.0,|\"fare_amount\":1e1,",
        "\"fare_amount\":10.0,|\"fare_amount\":10.,",
        "\"fare_amount\":10.0,|\"fare_amount\":.5,",
        "\"fare_amount\":10.0,|\"fare_amount\":10.00000000000001,", // 16 significant digits
        "\"fare_amount\":10.0,|\"fare_amount\": 10.0,",
        "\"fare_amount\":10.0,|\"fare_amount\":null,",
        "\"fare_amount\":10.0,|\"fare_amount\":\"10.0\",",
        "\"pickup_zone\":161,|\"pickup_zone\":161.0,",
        "\"pickup_zone\":161,|\"pickup_zone\":2147483648,",
        "\"pickup_zone\":161,|\"pickup_zone\":0161,",
        "\"extra\":2.5,|\"extra\":2.5,\"extra\":2.5,", // a duplicated field
        "\"extra\":2.5,|\"unknown\":1,\"extra\":2.5,",
        "\"source\":\"synthetic\"|\"source\":\"synth\\u0065tic\"",
        "\"source\":\"synthetic\"|\"source\":\"synth\u00e9tic\"",
        "{\"schema_version\":1|{ \"schema_version\":1",
        "{\"schema_version\":1|{\"schema_version\":2",
        "}|} ",
        "}|}}"
      })
  void anythingButTheExactLayoutIsLeftToTheOtherPaths(String edit) {
    String[] e = edit.split("\\|");
    TripEvent event = base().build();
    String written = new String(new TripEventWriter().toBytes(event), StandardCharsets.UTF_8);
    assertThat(written).contains(e[0]);
    int i = e[0].equals("}") ? written.length() - 1 : written.indexOf(e[0]);
    String changed = written.substring(0, i) + e[1] + written.substring(i + e[0].length());
    byte[] value = changed.getBytes(StandardCharsets.UTF_8);
    assertThat(TripEventBytes.read(value, NOW, SKEW)).as(changed).isNull();
    assertThat(TripEventJson.parse(value, NOW, SKEW))
        .as(changed)
        .isEqualTo(TripEventJson.parseTree(value, NOW, SKEW));
    assertThat(TripEventBytes.read(written.getBytes(StandardCharsets.UTF_8), NOW, SKEW))
        .isEqualTo(event);
  }

  @Test
  void theProducersTimestampFormIsReadAsParseInstantReadsIt() {
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    SplittableRandom r = new SplittableRandom(9);
    int read = 0;
    for (int n = 0; n < 200_000; n++) {
      String text =
          n % 2 == 0
              ? Instant.ofEpochSecond(r.nextLong(min, max + 1)).toString()
              : String.format( // out-of-range fields, year 0, Feb 29 of any year, second 60
                  "%04d-%02d-%02dT%02d:%02d:%02dZ",
                  r.nextInt(4) == 0 ? r.nextInt(3) : r.nextInt(10_000),
                  r.nextInt(14),
                  r.nextInt(4) == 0 ? 29 : r.nextInt(33),
                  r.nextInt(26),
                  r.nextInt(62),
                  r.nextInt(62));
      byte[] b = ("\"" + text + "\"").getBytes(StandardCharsets.US_ASCII);
      Instant fixed = TripEventBytes.fixedInstant(b, 1);
      if (n % 2 == 0) {
        assertThat(fixed).as(text).isNotNull();
      }
      if (fixed != null) {
        read++;
        assertThat(fixed).as(text).isEqualTo(TripEventReader.parseInstant(text));
      } else {
        assertThat(n % 2).as(text).isOne();
      }
    }
    assertThat(read).as("timestamps read").isBetween(100_001, 190_000);
    for (String other : new String[] {"2025-01-15T10:01:02.5Z", "2025-01-15 10:01:02Z", "x"}) {
      byte[] b = other.getBytes(StandardCharsets.US_ASCII);
      assertThat(TripEventBytes.fixedInstant(b, 0)).as(other).isNull();
    }
  }

  @Test
  void integersInAmountFieldsAndMinusZeroReadAsJacksonReadsThem() {
    String written =
        new String(new TripEventWriter().toBytes(base().build()), StandardCharsets.UTF_8);
    for (String[] e :
        new String[][] {
          {"\"tip_amount\":2.0,", "\"tip_amount\":2,"},
          {"\"tip_amount\":2.0,", "\"tip_amount\":-0,"},
          {"\"tip_amount\":2.0,", "\"tip_amount\":-0.0,"},
          {"\"tip_amount\":2.0,", "\"tip_amount\":0.000000000000000000001,"},
          {"\"pickup_zone\":161,", "\"pickup_zone\":-0,"},
          {"\"vendor_id\":2,", "\"vendor_id\":-2147483648,"}
        }) {
      String changed = written.replace(e[0], e[1]);
      byte[] value = changed.getBytes(StandardCharsets.UTF_8);
      TripEvent exact = TripEventBytes.read(value, NOW, SKEW);
      ParseResult tree = TripEventJson.parseTree(value, NOW, SKEW);
      if (e[1].contains("pickup_zone")) {
        assertThat(exact).as(changed).isNull(); // zone 0 breaks a rule
        assertThat(tree).as(changed).isInstanceOf(Rejection.class);
      } else {
        assertThat(exact).as(changed).isNotNull().isEqualTo(tree);
      }
    }
  }
}
