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

  @Test
  void aCsvViewOfATimestampMapsAsItsText() {
    // the view's own reading (19 characters, LocalDateTimeText.epochSecond) against the text's
    // (parseLocal, the formatters): the same instant, or the same rejection and detail
    TlcRowMapper viewMapper = new TlcRowMapper("replay");
    TlcRowMapper textMapper = new TlcRowMapper("replay");
    SplittableRandom r = new SplittableRandom(23);
    long from = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC);
    long to = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(java.time.ZoneOffset.UTC);
    String junk = "0123456789 -:T/.xZ\t";
    int accepted = 0;
    for (int i = 0; i < 100_000; i++) {
      char[] c;
      if (r.nextInt(4) == 2) {
        // February 29 of any year divisible by 4: valid in leap years only (not 1900, 2100, ...)
        c =
            String.format("%04d-02-29 %02d:00:59", 4 * r.nextInt(2500), r.nextInt(24))
                .toCharArray();
      } else {
        LocalDateTime t =
            switch (r.nextInt(3)) {
              case 0 ->
                  LocalDateTime.ofEpochSecond(
                      r.nextLong(from, to + 1), 0, java.time.ZoneOffset.UTC);
              case 1 ->
                  LocalDateTime.of(2024, 1, 1, 0, 0).plusSeconds(r.nextLong(2L * 366 * 86_400));
              default -> LocalDateTime.of(2025, 3, 9, 1, 0).plusSeconds(r.nextInt(4 * 3600));
            };
        c =
            String.format(
                    "%04d-%02d-%02d %02d:%02d:%02d",
                    t.getYear(),
                    t.getMonthValue(),
                    t.getDayOfMonth(),
                    t.getHour(),
                    t.getMinute(),
                    t.getSecond())
                .toCharArray();
      }
      if (r.nextInt(3) == 0) {
        c[r.nextInt(c.length)] = junk.charAt(r.nextInt(junk.length()));
      }
      if (r.nextInt(10) == 0) {
        c[10] = 'T';
      }
      String text = new String(c);
      String line = "x," + text + ",y";
      CharSequence view = new CsvTripSource.Field().set(line, 2, 2 + text.length());
      SourceRecord byView = viewMapper.map("f.csv:1", SourceReads.row(view, "2025-01-01 00:30:00"));
      SourceRecord byText = textMapper.map("f.csv:1", SourceReads.row(text, "2025-01-01 00:30:00"));
      assertThat(byView).as("'%s'", text).isEqualTo(byText);
      if (!byView.isRejected()) {
        accepted++;
      }
    }
    assertThat(accepted).isGreaterThan(50_000);
    // the fast reader agrees with LocalDateTimeText.parse on what it takes
    for (String t :
        new String[] {"2025-01-01 00:18:38", "0000-01-01 00:00:00", "9999-12-31T23:59:59"}) {
      assertThat(io.taxiplatform.model.LocalDateTimeText.epochSecond(t, 0))
          .isEqualTo(
              LocalDateTime.parse(t.replace(' ', 'T')).toEpochSecond(java.time.ZoneOffset.UTC));
    }
    for (String t :
        new String[] {
          "2025-02-29 00:00:00", "2025-01-01 24:00:00", "2025-01-01 00:00:60", "2025-01-0100:00:00"
        }) {
      assertThat(io.taxiplatform.model.LocalDateTimeText.epochSecond(t, 0))
          .as(t)
          .isEqualTo(Long.MIN_VALUE);
    }
  }
}
