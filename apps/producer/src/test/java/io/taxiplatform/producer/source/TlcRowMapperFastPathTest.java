package io.taxiplatform.producer.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The replay's timestamp fast paths give what the formatter and {@code atZone} gave (values and
 * errors).
 */
class TlcRowMapperFastPathTest {

  /** The formatters TlcRowMapper used alone before the fast path: the reference. */
  private static final DateTimeFormatter ISO_LOCAL = TlcRowMapper.ISO_LOCAL;

  private static final DateTimeFormatter US_LOCAL = TlcRowMapper.US_LOCAL;

  private static String reference(String text) {
    String t = text.strip();
    try {
      try {
        return LocalDateTime.parse(t, ISO_LOCAL).toString();
      } catch (DateTimeParseException e) {
        return LocalDateTime.parse(t, US_LOCAL).toString();
      }
    } catch (DateTimeParseException e) {
      return "error";
    }
  }

  private static String actual(String text) {
    try {
      return TlcRowMapper.parseLocal(text).toString();
    } catch (DateTimeParseException e) {
      return "error";
    }
  }

  @Test
  void parseLocalMatchesTheFormatter() {
    String[] texts = {
      "2025-01-01 00:18:38",
      "2025-01-01T00:18:38",
      "2025-01-01 00:18:38.000000",
      "2025-01-01 00:18:38.5",
      "2025-01-01 00:18:38.123456789",
      "2025-01-01 00:18:38.1234567891",
      "2025-01-01 00:18:38.",
      "2024-02-29 23:59:59",
      "2025-02-29 10:00:00",
      "2025-02-30 10:00:00",
      "2025-04-31 10:00:00",
      "2025-13-01 10:00:00",
      "2025-01-01 24:00:00",
      "2025-01-01 23:60:00",
      "2025-01-01 23:59:60",
      "2025-1-01 00:00:00",
      "2025-01-01  00:18:38",
      "+2025-01-01 00:18:38",
      "２０２５-01-01 00:18:38",
      "2025-01-01 00:18:38Z",
      "01/01/2025 12:18:38 AM",
      " 2025-01-01 00:18:38 ",
      "0000-01-01 00:00:00",
      "9999-12-31 23:59:59",
      "2025-01-01 0a:18:38",
      "",
      "2025-01-01 00:18:3"
    };
    for (String t : texts) {
      assertThat(actual(t)).as("'%s'", t).isEqualTo(reference(t));
    }
  }

  @Test
  void cachedOffsetsMatchAtZoneAcrossDstChanges() {
    TlcRowMapper m = new TlcRowMapper("replay");
    SplittableRandom r = new SplittableRandom(11);
    LocalDateTime[] starts = {
      LocalDateTime.of(2025, 3, 9, 0, 0),
      LocalDateTime.of(2025, 11, 2, 0, 0),
      LocalDateTime.of(2024, 12, 31, 22, 0)
    };
    for (LocalDateTime start : starts) {
      for (int i = 0; i < 20_000; i++) {
        LocalDateTime t =
            start
                .plusSeconds(r.nextInt(6 * 3600))
                .withNano(r.nextInt(3) == 0 ? r.nextInt(1000) : 0);
        Instant expected = TlcRowMapper.fromNewYork(t);
        assertThat(m.fromNewYorkCached(t)).as("%s", t).isEqualTo(expected);
      }
    }
  }

  @Test
  void cachedOffsetsMatchAtZoneInAnyOrderOverYears() {
    // hours far apart share a cache slot (the table is direct-mapped): a slot holding another hour,
    // or one that held a DST hour's neighbour, must never answer for this one
    TlcRowMapper m = new TlcRowMapper("replay");
    SplittableRandom r = new SplittableRandom(17);
    LocalDateTime from = LocalDateTime.of(2009, 1, 1, 0, 0);
    long span = java.time.Duration.ofDays(366L * 17).toSeconds();
    java.util.List<LocalDateTime> times = new java.util.ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      LocalDateTime t = from.plusSeconds(r.nextLong(span));
      times.add(t);
      assertThat(m.fromNewYorkCached(t)).as("%s", t).isEqualTo(TlcRowMapper.fromNewYork(t));
    }
    // the same times again, in reverse order: the hours still in their slots answer from the cache
    java.util.Collections.reverse(times);
    for (LocalDateTime t : times) {
      assertThat(m.fromNewYorkCached(t)).as("%s", t).isEqualTo(TlcRowMapper.fromNewYork(t));
    }
  }
}
