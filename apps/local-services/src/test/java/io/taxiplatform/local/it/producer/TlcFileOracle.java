package io.taxiplatform.local.it.producer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An independent reading of TLC trip rows (not the producer's code): what each row should become.
 * The CSV reader here handles what the TLC sample holds (plain fields, optionally in double quotes,
 * no quoted commas) and fails the test if a line holds anything else.
 */
final class TlcFileOracle {

  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final DateTimeFormatter TLC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]", Locale.ROOT);

  /** What one input row should become: an event (rejectReason null) or a rejection. */
  record Row(
      String tripId,
      String rejectReason,
      int pickupZone,
      int dropoffZone,
      Instant pickupUtc,
      Instant dropoffUtc,
      BigDecimal tripDistance,
      BigDecimal fareAmount,
      BigDecimal tipAmount,
      BigDecimal totalAmount,
      BigDecimal airportFee,
      BigDecimal cbdCongestionFee) {

    static Row rejected(String tripId, String reason) {
      return new Row(tripId, reason, 0, 0, null, null, null, null, null, null, null, null);
    }
  }

  private final List<Row> rows;

  private TlcFileOracle(List<Row> rows) {
    this.rows = rows;
  }

  List<Row> rows() {
    return rows;
  }

  List<Row> valid() {
    return rows.stream().filter(r -> r.rejectReason() == null).toList();
  }

  Map<String, Long> rejectedByReason() {
    Map<String, Long> out = new TreeMap<>();
    rows.stream()
        .filter(r -> r.rejectReason() != null)
        .forEach(r -> out.merge(r.rejectReason(), 1L, Long::sum));
    return out;
  }

  static TlcFileOracle readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> header = fields(lines.get(0), -1);
    int n = header.size();
    List<Row> rows = new ArrayList<>();
    int rowNumber = 0;
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      rowNumber++;
      Map<String, String> v = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      List<String> f = fields(line, n);
      for (int i = 0; i < n; i++) {
        v.put(header.get(i), f.get(i));
      }
      rows.add(row(file.getFileName() + ":" + rowNumber, v));
    }
    return new TlcFileOracle(rows);
  }

  private static List<String> fields(String line, int expected) {
    String[] parts = line.split(",", -1);
    List<String> out = new ArrayList<>();
    for (String p : parts) {
      String s = p.strip();
      if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
        s = s.substring(1, s.length() - 1);
      }
      if (s.contains("\"")) {
        throw new IllegalStateException("the oracle does not read quoted commas: " + line);
      }
      out.add(s);
    }
    if (expected >= 0 && out.size() != expected) {
      throw new IllegalStateException("the oracle expected " + expected + " fields: " + line);
    }
    return out;
  }

  /** A row from text values by (case-insensitive) TLC column name. */
  static Row row(String tripId, Map<String, String> v) {
    for (String required :
        List.of(
            "tpep_pickup_datetime",
            "tpep_dropoff_datetime",
            "trip_distance",
            "PULocationID",
            "DOLocationID",
            "fare_amount",
            "tip_amount",
            "total_amount")) {
      String s = v.get(required);
      if (s == null || s.isBlank()) {
        return Row.rejected(tripId, "missing_field");
      }
    }
    Instant pickup;
    Instant dropoff;
    try {
      pickup =
          LocalDateTime.parse(v.get("tpep_pickup_datetime"), TLC_TIME).atZone(NEW_YORK).toInstant();
      dropoff =
          LocalDateTime.parse(v.get("tpep_dropoff_datetime"), TLC_TIME)
              .atZone(NEW_YORK)
              .toInstant();
    } catch (DateTimeParseException e) {
      return Row.rejected(tripId, "unparseable_timestamp");
    }
    try {
      for (String intCol : List.of("VendorID", "passenger_count", "RatecodeID", "payment_type")) {
        String s = v.get(intCol);
        if (s != null && !s.isBlank()) {
          new BigDecimal(s).intValueExact();
        }
      }
      for (String numCol :
          List.of(
              "extra",
              "mta_tax",
              "tolls_amount",
              "improvement_surcharge",
              "congestion_surcharge")) {
        String s = v.get(numCol);
        if (s != null && !s.isBlank()) {
          new BigDecimal(s);
        }
      }
      return new Row(
          tripId,
          null,
          new BigDecimal(v.get("PULocationID")).intValueExact(),
          new BigDecimal(v.get("DOLocationID")).intValueExact(),
          pickup,
          dropoff,
          new BigDecimal(v.get("trip_distance")),
          new BigDecimal(v.get("fare_amount")),
          new BigDecimal(v.get("tip_amount")),
          new BigDecimal(v.get("total_amount")),
          optional(v.get("airport_fee")),
          optional(v.get("cbd_congestion_fee")));
    } catch (NumberFormatException | ArithmeticException e) {
      return Row.rejected(tripId, "bad_number");
    }
  }

  private static BigDecimal optional(String s) {
    return s == null || s.isBlank() ? null : new BigDecimal(s);
  }
}
