package io.taxiplatform.local.it.producer;

import blue.strategic.parquet.ParquetWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes TLC-schema parquet files for the IT (physical types as pyarrow reports them for the
 * published files) and returns what each row should become.
 */
final class TlcParquetWriter {

  /** The three yellow-trip layouts of 2023-2025. */
  enum Schema {
    /**
     * 19 columns, VendorID/zones int64, passenger_count/RatecodeID double, {@code airport_fee},
     * micros.
     */
    Y2023(TimeUnit.MICROS, false),
    /**
     * 19 columns, VendorID/zones int32, passenger_count int64, {@code Airport_fee}; nanos flagged
     * UTC.
     */
    Y2024(TimeUnit.NANOS, true),
    /** 20 columns (+ cbd_congestion_fee), {@code Airport_fee}, micros. */
    Y2025(TimeUnit.MICROS, false);

    final TimeUnit unit;
    final boolean utcFlag;

    Schema(TimeUnit unit, boolean utcFlag) {
      this.unit = unit;
      this.utcFlag = utcFlag;
    }

    String airportFeeColumn() {
      return this == Y2023 ? "airport_fee" : "Airport_fee";
    }

    MessageType messageType() {
      boolean old = this == Y2023;
      PrimitiveTypeName ids = old ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32;
      Types.MessageTypeBuilder b = Types.buildMessage();
      b.addField(Types.optional(ids).named("VendorID"));
      b.addField(ts("tpep_pickup_datetime"));
      b.addField(ts("tpep_dropoff_datetime"));
      b.addField(
          Types.optional(old ? PrimitiveTypeName.DOUBLE : PrimitiveTypeName.INT64)
              .named("passenger_count"));
      b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named("trip_distance"));
      b.addField(
          Types.optional(old ? PrimitiveTypeName.DOUBLE : PrimitiveTypeName.INT64)
              .named("RatecodeID"));
      b.addField(
          Types.optional(PrimitiveTypeName.BINARY)
              .as(LogicalTypeAnnotation.stringType())
              .named("store_and_fwd_flag"));
      b.addField(Types.optional(ids).named("PULocationID"));
      b.addField(Types.optional(ids).named("DOLocationID"));
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
              "congestion_surcharge")) {
        b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named(f));
      }
      b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named(airportFeeColumn()));
      if (this == Y2025) {
        b.addField(Types.optional(PrimitiveTypeName.DOUBLE).named("cbd_congestion_fee"));
      }
      return b.named("schema");
    }

    private Type ts(String name) {
      return Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(utcFlag, unit))
          .named(name);
    }

    long encode(LocalDateTime t) {
      long s = t.toEpochSecond(ZoneOffset.UTC);
      return switch (unit) {
        case MILLIS -> s * 1_000L;
        case MICROS -> s * 1_000_000L;
        case NANOS -> s * 1_000_000_000L;
      };
    }
  }

  private TlcParquetWriter() {}

  /**
   * Writes {@code n} random rows: mostly valid trips (some refunds with negative amounts, nulls in
   * optional columns), every 37th without fare_amount, every 53rd without a dropoff time, and in
   * the 2023 layout every 41st with a fractional passenger_count.
   */
  static List<TlcFileOracle.Row> writeSample(Path file, Schema schema, int n, long seed)
      throws IOException {
    MessageType type = schema.messageType();
    Random random = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    List<TlcFileOracle.Row> expected = new ArrayList<>();
    LocalDateTime base =
        LocalDateTime.of(2024 + schema.ordinal() / 2, 3, 10, 0, 0); // spans the DST change
    String name = file.getFileName().toString();
    for (int i = 1; i <= n; i++) {
      LocalDateTime pickup = base.plusSeconds(random.nextInt(6 * 3600));
      LocalDateTime dropoff = pickup.plusSeconds(60 + random.nextInt(3600));
      int pu = 1 + random.nextInt(265);
      int dz = 1 + random.nextInt(265);
      double distance = Math.round(random.nextDouble() * 2000) / 100.0;
      double fare = Math.round((3 + distance * 3.5) * 100) / 100.0;
      if (i % 29 == 0) {
        fare = -fare; // a refund: still an event
      }
      double tip = Math.round(random.nextDouble() * 800) / 100.0;
      double total = Math.round((fare + tip + 1.5) * 100) / 100.0;
      Map<String, Object> r = new HashMap<>();
      r.put("VendorID", 1 + random.nextInt(2));
      r.put("tpep_pickup_datetime", schema.encode(pickup));
      r.put("tpep_dropoff_datetime", schema.encode(dropoff));
      if (i % 11 != 0) {
        r.put("passenger_count", 1 + random.nextInt(4));
      }
      r.put("trip_distance", distance);
      r.put("RatecodeID", 1);
      r.put("store_and_fwd_flag", "N");
      r.put("PULocationID", pu);
      r.put("DOLocationID", dz);
      r.put("payment_type", 1 + random.nextInt(2));
      r.put("fare_amount", fare);
      r.put("extra", 1.0);
      r.put("mta_tax", 0.5);
      r.put("tip_amount", tip);
      r.put("tolls_amount", 0.0);
      r.put("improvement_surcharge", 1.0);
      r.put("total_amount", total);
      r.put("congestion_surcharge", 2.5);
      Double airportFee = i % 7 == 0 ? null : (pu == 132 || pu == 138 ? 1.75 : 0.0);
      r.put(schema.airportFeeColumn(), airportFee);
      Double cbd = schema == Schema.Y2025 ? 0.75 : null;
      if (cbd != null) {
        r.put("cbd_congestion_fee", cbd);
      }
      String tripId = name + ":" + i;
      if (i % 37 == 0) {
        r.remove("fare_amount");
        expected.add(TlcFileOracle.Row.rejected(tripId, "missing_field"));
      } else if (i % 53 == 0) {
        r.remove("tpep_dropoff_datetime");
        expected.add(TlcFileOracle.Row.rejected(tripId, "missing_field"));
      } else if (schema == Schema.Y2023 && i % 41 == 0) {
        r.put("passenger_count", 1.5);
        expected.add(TlcFileOracle.Row.rejected(tripId, "bad_number"));
      } else {
        expected.add(
            new TlcFileOracle.Row(
                tripId,
                null,
                pu,
                dz,
                pickup.atZone(TlcFileOracle.NEW_YORK).toInstant(),
                dropoff.atZone(TlcFileOracle.NEW_YORK).toInstant(),
                BigDecimal.valueOf(distance),
                BigDecimal.valueOf(fare),
                BigDecimal.valueOf(tip),
                BigDecimal.valueOf(total),
                airportFee == null ? null : BigDecimal.valueOf(airportFee),
                cbd == null ? null : BigDecimal.valueOf(cbd)));
      }
      rows.add(r);
    }
    try (ParquetWriter<Map<String, Object>> w =
        ParquetWriter.writeFile(
            type,
            file.toFile(),
            (row, out) -> {
              for (Type field : type.getFields()) {
                Object value = row.get(field.getName());
                if (value == null) {
                  continue;
                }
                if (value instanceof Number num) {
                  value =
                      switch (field.asPrimitiveType().getPrimitiveTypeName()) {
                        case INT32 -> num.intValue();
                        case INT64 -> num.longValue();
                        default -> num.doubleValue();
                      };
                }
                out.write(field.getName(), value);
              }
            })) {
      for (Map<String, Object> r : rows) {
        w.write(r);
      }
    }
    return expected;
  }
}
