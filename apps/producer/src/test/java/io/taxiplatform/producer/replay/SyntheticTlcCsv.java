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
import java.util.ArrayList;
import java.util.List;
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

  /** A row of January 9th, 2025 with every optional column (a store-and-forward flag N). */
  public static String plainRow(Random r) {
    String plain;
    do {
      plain = row(r, LocalDateTime.of(2025, 1, 9, 10, 0));
    } while (!plain.contains(",N,"));
    return plain;
  }

  /**
   * Lines of January 2025 the CSV reader treats apart ({@code plain} from {@link #plainRow}): some
   * sent (a CRLF line, quotes after and around the dropoff, the US form, a padded dropoff), some
   * rejected (unparseable and missing dropoffs, a wrong column count, unbalanced quotes, a dropoff
   * in March, a line too long to read), non-ASCII text, a blank and a white-space line (skipped,
   * not counted).
   */
  public static List<String> oddRows(Random r, String plain) {
    List<String> odd = new ArrayList<>();
    // a CRLF line, a quoted field after the dropoff, a quoted dropoff
    odd.add(row(r, LocalDateTime.of(2025, 1, 3, 8, 0)) + "\r");
    odd.add(plain.replace(",N,", ",\"N\","));
    String[] f = row(r, LocalDateTime.of(2025, 1, 2, 7, 0)).split(",", -1);
    f[2] = "\"" + f[2] + "\"";
    odd.add(String.join(",", f));
    // the US form and a padded dropoff: mapped in full
    f = row(r, LocalDateTime.of(2025, 1, 4, 0, 0)).split(",", -1);
    f[2] = "01/04/2025 12:18:38 AM";
    odd.add(String.join(",", f));
    f = row(r, LocalDateTime.of(2025, 1, 5, 0, 0)).split(",", -1);
    f[2] = " " + f[2] + " ";
    odd.add(String.join(",", f));
    // rejected: unparseable dropoff, missing dropoff, wrong column count, unbalanced quotes, a
    // dropoff outside the period, a line too long to read
    f = row(r, LocalDateTime.of(2025, 1, 6, 0, 0)).split(",", -1);
    f[2] = "2025-13-45 99:00:00";
    odd.add(String.join(",", f));
    f[2] = "";
    odd.add(String.join(",", f));
    odd.add(plain + ",extra");
    odd.add(plain.replace(",N,", ",\"N,"));
    odd.add(row(r, LocalDateTime.of(2025, 3, 1, 0, 0)));
    odd.add("x".repeat(io.taxiplatform.producer.source.CsvTripSource.MAX_LINE_BYTES + 10));
    // non-ASCII text, a blank and a white-space line (skipped, not counted)
    odd.add(plain.replace(",N,", ",\u00e9,"));
    odd.add("");
    odd.add(" \t");
    return odd;
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
