package io.taxiplatform.model;

import java.time.LocalDateTime;

/**
 * The hot-path reader of {@code uuuu-MM-dd HH:mm:ss[.f{1,9}]} (separator {@code ' '} or {@code
 * 'T'}) shared by the producer's TLC rows and the job's event timestamps: no formatter, no
 * exception. It answers only for that exact form with a valid date and time; every other text gives
 * {@code null}, and the caller hands it to its formatter, so errors keep one implementation (the
 * formatter's).
 */
public final class LocalDateTimeText {

  private LocalDateTimeText() {}

  /**
   * The date-time of {@code s[0, end)}, or {@code null} when it is not {@code uuuu-MM-dd('
   * '|'T')HH:mm:ss} with an optional fraction of 1 to 9 digits, or not a valid date and time
   * (month, day of month, hour, minute, second 0..59).
   */
  public static LocalDateTime parse(String s, int end) {
    if (end < 19
        || end == 20
        || end > 29
        || end > s.length()
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || (s.charAt(10) != ' ' && s.charAt(10) != 'T')
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || (end > 19 && s.charAt(19) != '.')) {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (!isValid(year, month, day, hour, minute, second)) {
      return null;
    }
    int nanos = 0;
    if (end > 19) {
      nanos = digits(s, 20, end);
      if (nanos < 0) {
        return null;
      }
      for (int i = end - 20; i < 9; i++) {
        nanos *= 10;
      }
    }
    return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
  }

  /**
   * The seconds of {@code s[from, from + 19)} read as a UTC date-time ({@code
   * LocalDateTime.toEpochSecond(ZoneOffset.UTC)}) when it is exactly {@code uuuu-MM-dd('
   * '|'T')HH:mm:ss} with a valid date and time, else {@link Long#MIN_VALUE}: the text {@link
   * #parse} reads to a {@code LocalDateTime} with no fraction, without making one (the producer's
   * CSV rows, read from a view of the line).
   */
  public static long epochSecond(CharSequence s, int from) {
    if (from < 0
        || from + 19 > s.length()
        || s.charAt(from + 4) != '-'
        || s.charAt(from + 7) != '-'
        || (s.charAt(from + 10) != ' ' && s.charAt(from + 10) != 'T')
        || s.charAt(from + 13) != ':'
        || s.charAt(from + 16) != ':') {
      return Long.MIN_VALUE;
    }
    int year = digits(s, from, from + 4);
    int month = digits(s, from + 5, from + 7);
    int day = digits(s, from + 8, from + 10);
    int hour = digits(s, from + 11, from + 13);
    int minute = digits(s, from + 14, from + 16);
    int second = digits(s, from + 17, from + 19);
    if (!isValid(year, month, day, hour, minute, second)) {
      return Long.MIN_VALUE;
    }
    return epochDay(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  }

  /** Days from 0000-01-01 to 1970-01-01 (as {@link java.time.LocalDate#toEpochDay} counts). */
  private static final long DAYS_0000_TO_1970 = (146_097 * 5L) - (30L * 365L + 7L);

  /**
   * {@link java.time.LocalDate#toEpochDay} of a valid date of a year from 0 ({@link #isValid}): its
   * arithmetic, without a {@code LocalDate}.
   */
  static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    total += (367L * month - 362) / 12;
    total += day - 1;
    if (month > 2) {
      total--;
      if (!isLeap(year)) {
        total--;
      }
    }
    return total - DAYS_0000_TO_1970;
  }

  /** The decimal number of {@code s[from, to)}, or -1 when a character is not an ASCII digit. */
  private static int digits(CharSequence s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /**
   * Whether the fields (each -1 when its text was not digits) are a valid date and time, seconds
   * 0..59, any year from 0 (package-private: {@link TripEventBytes} reads the same form from
   * bytes).
   */
  static boolean isValid(int year, int month, int day, int hour, int minute, int second) {
    return year >= 0
        && month >= 1
        && month <= 12
        && day >= 1
        && day <= monthLength(year, month)
        && hour >= 0
        && hour <= 23
        && minute >= 0
        && minute <= 59
        && second >= 0
        && second <= 59;
  }

  static boolean isLeap(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  private static int monthLength(int year, int month) {
    return switch (month) {
      case 2 -> isLeap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }
}
