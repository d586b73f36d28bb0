package io.taxiplatform.producer.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The replay's CSV and number fast paths give exactly what the code before them gave: the
 * plain-line splitter against FastCSV alone ({@link CsvTripSource#splitWithFastCsv}), the decimal
 * parser against {@link Double#parseDouble}, the parquet wall clock against {@link LocalDateTime}.
 */
class ReplayFastPathsTest {

  private static String splitResult(String line, boolean reference) {
    List<String> out = new ArrayList<>();
    boolean ok =
        reference ? CsvTripSource.splitWithFastCsv(line, out) : CsvTripSource.split(line, out);
    return ok ? out.toString() + "#" + out.size() : "unbalanced";
  }

  private static void sameSplit(String line) {
    assertThat(splitResult(line, false))
        .as("%s", line.replace("\r", "\\r"))
        .isEqualTo(splitResult(line, true));
    // the views CsvTripSource maps from: the same fields and count, or not plain
    for (int cap : new int[] {0, 3, 20, 64}) {
      int[] bounds = new int[2 * cap];
      int n = CsvTripSource.plainBounds(line, bounds);
      List<String> plain = new ArrayList<>();
      boolean isPlain = CsvTripSource.splitPlain(line, plain);
      assertThat(n >= 0).as("plain: %s", line).isEqualTo(isPlain);
      if (isPlain) {
        assertThat(n).isEqualTo(plain.size());
        for (int i = 0; i < Math.min(n, cap); i++) {
          CsvTripSource.Field f =
              new CsvTripSource.Field().set(line, bounds[2 * i], bounds[2 * i + 1]);
          assertThat(f.toString()).isEqualTo(plain.get(i));
          assertThat(f.length()).isEqualTo(plain.get(i).length());
          assertThat(TlcRowMapper.parseDecimal(f))
              .usingComparator(Double::compare)
              .isEqualTo(TlcRowMapper.parseDecimal(plain.get(i)));
        }
      }
    }
  }

  @Test
  void splitMatchesFastCsvOnEdgeCases() {
    String[] lines = {
      "",
      "\r",
      "a",
      "a\r",
      ",",
      ",,",
      "a,",
      ",a",
      "a,\r",
      "a,,b",
      " a , b ",
      "1,2025-01-01 00:18:38,2025-01-01 00:26:49,1,1.60,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
      "1,2025-01-01 00:18:38,2025-01-01 00:26:49,1,1.60,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0\r",
      "2,2025-01-01 00:18:38,,,,,,,,,-10.5,-1,-0.5,0,0,-1,-13,,,",
      "\"a\",b",
      "\"a,b\",c",
      "\"a\"\"b\",c",
      "\"\",\"\"",
      "\"a\"b,c",
      "a\"b,c",
      "\"abc",
      "\"abc\r",
      "\"a\"\r",
      "\"a\r\",b",
      "a\rb",
      "a,b\rc,d",
      "a,b\r\r",
      "\ra,b",
      "a\r\rb",
      "1e5,NaN,Infinity,1d,0x1p3",
      "é,ü,日本,\uFEFFx",
      "a,b,".repeat(1000) + "z",
      "x".repeat(100_000) + "," + "y".repeat(100_000),
    };
    for (String l : lines) {
      sameSplit(l);
    }
  }

  @Test
  void splitMatchesFastCsvOnRandomLines() {
    SplittableRandom r = new SplittableRandom(42);
    char[] alphabet = {'a', '1', ',', ',', ',', '"', '\r', ' ', '.', '-'};
    for (int n = 0; n < 50_000; n++) {
      int len = r.nextInt(1, 25);
      StringBuilder b = new StringBuilder(len);
      for (int i = 0; i < len; i++) {
        b.append(alphabet[r.nextInt(alphabet.length)]);
      }
      sameSplit(b.toString());
    }
  }

  /** What TlcRowMapper did before the fast path: parseDouble, or a NumberFormatException. */
  private static String reference(String s) {
    try {
      return Long.toHexString(Double.doubleToRawLongBits(Double.parseDouble(s)));
    } catch (NumberFormatException e) {
      return "error";
    }
  }

  private static void fastIsExactOrDeclines(String s) {
    double d = TlcRowMapper.parseDecimal(s);
    if (!Double.isNaN(d)) {
      assertThat(Long.toHexString(Double.doubleToRawLongBits(d))).as(s).isEqualTo(reference(s));
    }
  }

  @Test
  void decimalFastPathTakesTheTlcFormsAndIsExact() {
    String[] tlc = {
      "0",
      "1",
      "10",
      "1.60",
      "-10.5",
      "-0.5",
      "-0",
      "-0.00",
      "0.00",
      "+3",
      "3.",
      ".5",
      "-.5",
      "007.50",
      "123456789012345",
      "0.000000000000000000001",
      "99999.99",
      "-99999.99",
      "2.5",
      "1.1",
      "0.1",
      "0.3",
      "4503599627370495.5",
      "999999999999999"
    };
    for (String s : tlc) {
      fastIsExactOrDeclines(s);
    }
    for (String s : new String[] {"0", "1.60", "-10.5", "-0", "+3", "3.", ".5", "0.1"}) {
      assertThat(TlcRowMapper.parseDecimal(s)).as("fast path taken for %s", s).isNotNaN();
    }
    assertThat(Double.doubleToRawLongBits(TlcRowMapper.parseDecimal("-0")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void decimalFastPathDeclinesEverythingElse() {
    String[] other = {
      "",
      "-",
      "+",
      ".",
      "-.",
      "1e5",
      "1E5",
      "1.5e-3",
      "NaN",
      "Infinity",
      "-Infinity",
      "1d",
      "1f",
      "0x1p3",
      " 1",
      "1 ",
      "1,5",
      "1..5",
      "1.2.3",
      "--1",
      "+-1",
      "1-",
      "١",
      "1234567890123456",
      "0.00000000000000000000001",
      "12345678901234567890",
      "x".repeat(50)
    };
    for (String s : other) {
      assertThat(TlcRowMapper.parseDecimal(s)).as("declined: '%s'", s).isNaN();
    }
  }

  @Test
  void decimalFastPathIsExactOnRandomDecimals() {
    SplittableRandom r = new SplittableRandom(7);
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      if (r.nextInt(4) == 0) {
        b.append('-');
      }
      int intDigits = r.nextInt(0, 10);
      for (int i = 0; i < intDigits; i++) {
        b.append((char) ('0' + r.nextInt(10)));
      }
      if (r.nextBoolean()) {
        b.append('.');
        int frac = r.nextInt(0, 12);
        for (int i = 0; i < frac; i++) {
          b.append((char) ('0' + r.nextInt(10)));
        }
      }
      fastIsExactOrDeclines(b.toString());
    }
  }

  @Test
  void sharedBoxesAreTheValueOfDoubleValueOf() {
    SplittableRandom r = new SplittableRandom(9);
    List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 0.5, 1.0, 2.5, 100.0, 100.01, 99.99));
    values.addAll(List.of(-0.5, 0.001, 1e-300, Double.MIN_VALUE, 0.1 + 0.2, 1.0000000000000002));
    for (int i = 0; i < 100_000; i++) {
      values.add(r.nextInt(-200, 12_000) / 100.0);
      values.add(r.nextDouble() * 120 - 10);
    }
    for (double d : values) {
      Double boxed = TlcRowMapper.box(d);
      assertThat(Double.doubleToRawLongBits(boxed))
          .as("%s", d)
          .isEqualTo(Double.doubleToRawLongBits(d));
    }
    assertThat(TlcRowMapper.box(2.5)).isSameAs(TlcRowMapper.box(2.5));
  }

  @Test
  void wallClockGivesTheInstantsOfLocalDateTime() {
    TlcRowMapper viaWallClock = new TlcRowMapper("replay");
    TlcRowMapper viaLocal = new TlcRowMapper("replay");
    // every 17 minutes and a bit over two years, DST changes included, with fractions
    long start = LocalDateTime.of(2024, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    for (long s = start; s < start + 2L * 366 * 86_400; s += 1_021) {
      int nano = (int) (s % 7) * 125_000_000;
      Object w = TlcRowMapper.wallClock(s, nano);
      assertThat(w).isInstanceOf(TlcRowMapper.WallClock.class);
      LocalDateTime local = LocalDateTime.ofEpochSecond(s, nano, ZoneOffset.UTC);
      assertThat(w.toString()).isEqualTo(local.toString());
      Instant a = map(viaWallClock, w);
      Instant b = map(viaLocal, local);
      assertThat(a).as("%s", local).isEqualTo(b).isEqualTo(TlcRowMapper.fromNewYork(local));
    }
  }

  @Test
  void parquetWallClockMatchesTheLocalDateTimeReading() {
    long[] values = {0L, -1L, 1_735_690_718_123_456L, -62_135_596_800_000_000L, Long.MAX_VALUE};
    for (long v : values) {
      Object w = ParquetTripSource.wallClockValue(v, 1_000_000L);
      assertThat(w.toString()).isEqualTo(ParquetTripSource.wallClock(v, 1_000_000L).toString());
    }
  }

  private static Instant map(TlcRowMapper m, Object pickupAndDropoff) {
    Object[] v = SourceReads.row(pickupAndDropoff, pickupAndDropoff);
    SourceRecord r = m.map("f:1", v);
    assertThat(r.isRejected()).as("%s", r.detail()).isFalse();
    return r.event().dropoffTime();
  }
}
