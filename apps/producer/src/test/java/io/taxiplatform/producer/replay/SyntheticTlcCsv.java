package io.taxiplatform.producer.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Random;

/**
 * Writes TLC-shaped CSV files (2023-2024 column set) whose rows are in random dropoff order, for
 * the sort tests and the replay benchmark. Seeded: the same arguments give the same file. About 1
 * row in 20 is a refund (negative amounts) and 1 in 10 has empty optional columns, so both must
 * survive a round trip.
 */
public final class SyntheticTlcCsv {

  /** The header of the files written. */
  public static final String HEADER =
      "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,"
          + "trip_distance,RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,"
          + "mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount,congestion_surcharge,Airport_fee";

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  private SyntheticTlcCsv() {}

  /**
   * Writes {@code rows} trips whose dropoffs are spread over {@code month} (New York local time) at
   * {@code stepSeconds} granularity (a coarse step makes equal dropoffs, to exercise the
   * tie-break), in random order.
   */
  public static Path write(Path file, int rows, YearMonth month, int stepSeconds, long seed) {
    Random r = new Random(seed);
    LocalDateTime start = month.atDay(1).atStartOfDay();
    long slots =
        ChronoUnit.SECONDS.between(start, month.plusMonths(1).atDay(1).atStartOfDay())
            / stepSeconds;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      for (int i = 0; i < rows; i++) {
        LocalDateTime dropoff = start.plusSeconds((long) (r.nextDouble() * slots) * stepSeconds);
        w.write(row(r, dropoff));
        w.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** One CSV row ending at {@code dropoff} (New York local). */
  public static String row(Random r, LocalDateTime dropoff) {
    LocalDateTime pickup = dropoff.minusSeconds(120 + r.nextInt(3000));
    boolean refund = r.nextInt(20) == 0;
    boolean sparse = r.nextInt(10) == 0;
    double sign = refund ? -1 : 1;
    double fare = sign * (3 + r.nextInt(6000) / 100.0);
    double tip = refund ? 0 : r.nextInt(1500) / 100.0;
    String total = String.format(Locale.ROOT, "%.2f", fare + tip + sign * 4.5);
    return String.join(
        ",",
        sparse ? "" : Integer.toString(1 + r.nextInt(2)),
        TS.format(pickup),
        TS.format(dropoff),
        sparse ? "" : Integer.toString(1 + r.nextInt(4)),
        String.format(Locale.ROOT, "%.2f", 0.3 + r.nextInt(2000) / 100.0),
        sparse ? "" : "1",
        sparse ? "" : (r.nextInt(50) == 0 ? "Y" : "N"),
        Integer.toString(1 + r.nextInt(265)),
        Integer.toString(1 + r.nextInt(265)),
        sparse ? "" : Integer.toString(1 + r.nextInt(4)),
        String.format(Locale.ROOT, "%.2f", fare),
        sparse ? "" : String.format(Locale.ROOT, "%.1f", sign * r.nextInt(3)),
        sparse ? "" : String.format(Locale.ROOT, "%.1f", sign * 0.5),
        String.format(Locale.ROOT, "%.2f", tip),
        sparse ? "" : "0",
        sparse ? "" : String.format(Locale.ROOT, "%.1f", sign * 1.0),
        total,
        sparse ? "" : "2.5",
        sparse ? "" : (r.nextInt(10) == 0 ? "1.75" : "0"));
  }
}
