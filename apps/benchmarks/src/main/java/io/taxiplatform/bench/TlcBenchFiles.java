package io.taxiplatform.bench;

import blue.strategic.parquet.ParquetWriter;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventWriter;
import io.taxiplatform.producer.source.SyntheticTripSource;
import io.taxiplatform.producer.source.TlcRowMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The benchmark's input files, all from the producer's own {@link SyntheticTripSource} (seeded):
 *
 * <ul>
 *   <li>the {@code --payload-file} of {@code ProducerPerformance}: one event's JSON per line, as
 *       the producer sends it;
 *   <li>TLC yellow-trip files (the 2025 layout, 20 columns, New York wall-clock times) in CSV and
 *       parquet, named {@code yellow_tripdata_2025-01.*}; trips end from 2025-01-10 on, 50 per
 *       second, in generation order (the way a TLC file is roughly ordered), so every row lies in
 *       the file's month.
 * </ul>
 */
final class TlcBenchFiles {

  static final String HEADER =
      "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
          + "RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,mta_tax,tip_amount,"
          + "tolls_amount,improvement_surcharge,total_amount,congestion_surcharge,Airport_fee,cbd_congestion_fee";
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final ZoneId NY = TlcRowMapper.NEW_YORK;

  private TlcBenchFiles() {}

  /**
   * A clock that moves {@code step} ms forward each time it is read, from {@code start}; by default
   * 20 ms from 2025-01-10T00:00:00Z (50 trips per second of event time).
   */
  static final class SteppingClock extends Clock {
    private long millis;
    private final long step;

    SteppingClock() {
      this(Instant.parse("2025-01-10T00:00:00Z"), 20);
    }

    SteppingClock(Instant start, long step) {
      this.millis = start.toEpochMilli();
      this.step = step;
    }

    /**
     * {@code n} trips spread evenly over January 2025 in New York (from Jan 1 01:00 local to about
     * Jan 31 13:00): the event-time density of a TLC month (~3 M trips).
     */
    static SteppingClock januaryOf(int n) {
      Instant start = Instant.parse("2025-01-01T06:00:00Z");
      long span = java.time.Duration.ofDays(30).plusHours(12).toMillis();
      return new SteppingClock(start, Math.max(1, span / Math.max(1, n)));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      long m = millis;
      millis += step;
      return m;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }
  }

  /** The first {@code n} synthetic events of {@code seed}, times from the stepping clock. */
  static Iterable<TripEvent> events(long seed, int n) {
    return events(seed, n, SteppingClock::new);
  }

  /** {@link #events(long, int)} with times from {@code clock} (a new one per iteration). */
  static Iterable<TripEvent> events(
      long seed, int n, java.util.function.Supplier<SteppingClock> clock) {
    return () ->
        new java.util.Iterator<>() {
          private final SyntheticTripSource source = new SyntheticTripSource(seed, clock.get());
          private int i;

          @Override
          public boolean hasNext() {
            return i < n;
          }

          @Override
          public TripEvent next() {
            i++;
            return source.next().event();
          }
        };
  }

  /** {@code n} records' JSON, one per line; returns the mean record size in bytes. */
  static double writePayloadFile(Path file, long seed, int n) throws IOException {
    TripEventWriter w = new TripEventWriter();
    long bytes = 0;
    try (OutputStream out =
        new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (TripEvent e : events(seed, n)) {
        byte[] v = w.toBytes(e);
        out.write(v);
        out.write('\n');
        bytes += v.length;
      }
    }
    return (double) bytes / n;
  }

  private static String local(Instant t) {
    return LocalDateTime.ofInstant(t, NY).format(LOCAL);
  }

  /** A TLC CSV of {@code n} rows, 50 trips per second of event time from 2025-01-10. */
  static void writeCsv(Path file, long seed, int n) throws IOException {
    writeCsv(file, seed, n, SteppingClock::new);
  }

  /** A TLC CSV of {@code n} rows, times from {@code clock}. */
  static void writeCsv(
      Path file, long seed, int n, java.util.function.Supplier<SteppingClock> clock)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      StringBuilder sb = new StringBuilder(256);
      for (TripEvent e : events(seed, n, clock)) {
        sb.setLength(0);
        sb.append(e.vendorId())
            .append(',')
            .append(local(e.pickupTime()))
            .append(',')
            .append(local(e.dropoffTime()))
            .append(',')
            .append(e.passengerCount())
            .append(',')
            .append(e.tripDistance())
            .append(',')
            .append(e.ratecodeId())
            .append(',')
            .append(e.storeAndFwdFlag())
            .append(',')
            .append(e.pickupZone())
            .append(',')
            .append(e.dropoffZone())
            .append(',')
            .append(e.paymentType())
            .append(',')
            .append(e.fareAmount())
            .append(',')
            .append(e.extra())
            .append(',')
            .append(e.mtaTax())
            .append(',')
            .append(e.tipAmount())
            .append(',')
            .append(e.tollsAmount())
            .append(',')
            .append(e.improvementSurcharge())
            .append(',')
            .append(e.totalAmount())
            .append(',')
            .append(e.congestionSurcharge())
            .append(',')
            .append(e.airportFee())
            .append(',')
            .append(e.cbdCongestionFee())
            .append('\n');
        w.append(sb);
      }
    }
  }

  /** The TLC 2025 parquet schema (int32 ids and zones, int64 counts, timestamp[us] wall clock). */
  static MessageType parquetSchema() {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.addField(Types.optional(PrimitiveTypeName.INT32).named("VendorID"));
    for (String ts : List.of("tpep_pickup_datetime", "tpep_dropoff_datetime")) {
      b.addField(
          Types.optional(PrimitiveTypeName.INT64)
              .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS))
              .named(ts));
    }
    b.addField(Types.optional(PrimitiveTypeName.INT64).named("passenger_count"));
    b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named("trip_distance"));
    b.addField(Types.optional(PrimitiveTypeName.INT64).named("RatecodeID"));
    b.addField(
        Types.optional(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("store_and_fwd_flag"));
    b.addField(Types.optional(PrimitiveTypeName.INT32).named("PULocationID"));
    b.addField(Types.optional(PrimitiveTypeName.INT32).named("DOLocationID"));
    b.addField(Types.optional(PrimitiveTypeName.INT64).named("payment_type"));
    for (String f :
        List.of(
            "fare_amount",
            "extra",
            "mta_tax",
            "tip_amount",
            "tolls_amount",
            "improvement_surcharge",
            "total_amount",
            "congestion_surcharge",
            "Airport_fee",
            "cbd_congestion_fee")) {
      b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named(f));
    }
    return b.named("schema");
  }

  private static long micros(Instant t) {
    return LocalDateTime.ofInstant(t, NY).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
  }

  /** A TLC parquet file of {@code n} rows. */
  static void writeParquet(Path file, long seed, int n) throws IOException {
    Files.deleteIfExists(file);
    try (ParquetWriter<TripEvent> w =
        ParquetWriter.writeFile(
            parquetSchema(),
            file.toFile(),
            (e, out) -> {
              out.write("VendorID", e.vendorId());
              out.write("tpep_pickup_datetime", micros(e.pickupTime()));
              out.write("tpep_dropoff_datetime", micros(e.dropoffTime()));
              out.write("passenger_count", (long) e.passengerCount());
              out.write("trip_distance", e.tripDistance());
              out.write("RatecodeID", (long) e.ratecodeId());
              out.write("store_and_fwd_flag", e.storeAndFwdFlag());
              out.write("PULocationID", e.pickupZone());
              out.write("DOLocationID", e.dropoffZone());
              out.write("payment_type", (long) e.paymentType());
              out.write("fare_amount", e.fareAmount());
              out.write("extra", e.extra());
              out.write("mta_tax", e.mtaTax());
              out.write("tip_amount", e.tipAmount());
              out.write("tolls_amount", e.tollsAmount());
              out.write("improvement_surcharge", e.improvementSurcharge());
              out.write("total_amount", e.totalAmount());
              out.write("congestion_surcharge", e.congestionSurcharge());
              out.write("Airport_fee", e.airportFee());
              out.write("cbd_congestion_fee", e.cbdCongestionFee());
            })) {
      for (TripEvent e : events(seed, n)) {
        w.write(e);
      }
    }
  }
}
