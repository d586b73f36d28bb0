package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.TlcRowMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The period of a replay file: the month its trips belong to, in New York local time, widened by a
 * tolerance on both sides. A row whose dropoff lies outside is not sent (reason {@code
 * outside_period}).
 *
 * <p>The month comes from the file name ({@code ..._YYYY-MM.csv}, {@code
 * ..._YYYY-MM_sample.parquet}: the first {@code _YYYY-MM} followed by {@code .}, {@code _} or
 * {@code -}) or from {@code --period}, which applies to every input. A file whose name carries no
 * month and no {@code --period}: no rule.
 *
 * @param month the month (New York local month boundaries)
 * @param tolerance how far outside the month a dropoff may lie and still be sent
 */
public record TripPeriod(YearMonth month, Duration tolerance) {

  /**
   * The default tolerance: one day each side (trips across midnight at a month's end, late
   * uploads).
   */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofDays(1);

  private static final Pattern MONTH_IN_NAME = Pattern.compile("_(\\d{4})-(\\d{2})(?=[._-])");

  public TripPeriod {
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative: " + tolerance);
    }
  }

  /** The month in a file name ({@code yellow_tripdata_2019-02_sample.csv} -> 2019-02), if any. */
  public static Optional<YearMonth> monthInName(String fileName) {
    Matcher m = MONTH_IN_NAME.matcher(fileName);
    while (m.find()) {
      int month = Integer.parseInt(m.group(2));
      if (month >= 1 && month <= 12) {
        return Optional.of(YearMonth.of(Integer.parseInt(m.group(1)), month));
      }
    }
    return Optional.empty();
  }

  /**
   * The period of one input: {@code override} when given, otherwise the month in the file name,
   * otherwise none (every row is sent).
   */
  public static Optional<TripPeriod> forFile(
      String fileName, YearMonth override, Duration tolerance) {
    Optional<YearMonth> month = override != null ? Optional.of(override) : monthInName(fileName);
    return month.map(m -> new TripPeriod(m, tolerance));
  }

  /** First instant of the month (New York midnight) minus the tolerance. */
  public Instant from() {
    return TlcRowMapper.fromNewYork(month.atDay(1).atStartOfDay()).minus(tolerance);
  }

  /**
   * First instant after the month (New York midnight of the next month's first day) plus the
   * tolerance.
   */
  public Instant until() {
    return TlcRowMapper.fromNewYork(month.plusMonths(1).atDay(1).atStartOfDay()).plus(tolerance);
  }

  /** {@code true} when {@code dropoff} lies in {@code [from, until)}. */
  public boolean contains(Instant dropoff) {
    return !dropoff.isBefore(from()) && dropoff.isBefore(until());
  }

  /** A matcher with the bounds computed once. */
  Bounds bounds() {
    return new Bounds(from(), until());
  }

  /** Precomputed {@code [from, until)}. */
  record Bounds(Instant from, Instant until) {
    boolean contains(Instant t) {
      return !t.isBefore(from) && t.isBefore(until);
    }
  }
}
