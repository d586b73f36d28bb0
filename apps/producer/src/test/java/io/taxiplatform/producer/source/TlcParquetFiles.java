package io.taxiplatform.producer.source;

import blue.strategic.parquet.ParquetWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes parquet files in the published TLC yellow-trip schemas (as pyarrow reports them for real
 * files: 2023-01 VendorID int64, passenger_count/RatecodeID double, PULocationID int64, timestamps
 * {@code timestamp[us]}; 2025-09 VendorID/PULocationID int32, passenger_count/RatecodeID int64, 20
 * columns). Rows are maps of column name to value (Java types of the column, {@code LocalDateTime}
 * for timestamps); absent or null entries are written as nulls.
 */
public final class TlcParquetFiles {

  /** Physical layout of one TLC schema year. */
  public enum Variant {
    /** 2023: 19 columns, int64 ids, double passenger_count and RatecodeID, {@code airport_fee}. */
    Y2023,
    /** 2024: 19 columns, int32 VendorID/zones, int64 passenger_count, {@code Airport_fee}. */
    Y2024,
    /** 2025: 20 columns (cbd_congestion_fee), int32 VendorID/zones, {@code Airport_fee}. */
    Y2025
  }

  private TlcParquetFiles() {}

  /**
   * The schema of a variant with timestamps in {@code unit}, {@code utcAdjusted} as the writer
   * flags it.
   */
  public static MessageType schema(Variant v, TimeUnit unit, boolean utcAdjusted) {
    boolean old = v == Variant.Y2023;
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.addField(opt(old ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32, "VendorID"));
    b.addField(ts("tpep_pickup_datetime", unit, utcAdjusted));
    b.addField(ts("tpep_dropoff_datetime", unit, utcAdjusted));
    b.addField(opt(old ? PrimitiveTypeName.DOUBLE : PrimitiveTypeName.INT64, "passenger_count"));
    b.addField(opt(PrimitiveTypeName.DOUBLE, "trip_distance"));
    b.addField(opt(old ? PrimitiveTypeName.DOUBLE : PrimitiveTypeName.INT64, "RatecodeID"));
    b.addField(
        Types.optional(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("store_and_fwd_flag"));
    b.addField(opt(old ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32, "PULocationID"));
    b.addField(opt(old ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32, "DOLocationID"));
    b.addField(opt(PrimitiveTypeName.INT64, "payment_type"));
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
      b.addField(opt(PrimitiveTypeName.DOUBLE, f));
    }
    b.addField(opt(PrimitiveTypeName.DOUBLE, old ? "airport_fee" : "Airport_fee"));
    if (v == Variant.Y2025) {
      b.addField(opt(PrimitiveTypeName.DOUBLE, "cbd_congestion_fee"));
    }
    return b.named("schema");
  }

  private static Type opt(PrimitiveTypeName t, String name) {
    return Types.optional(t).named(name);
  }

  private static Type ts(String name, TimeUnit unit, boolean utc) {
    return Types.optional(PrimitiveTypeName.INT64)
        .as(LogicalTypeAnnotation.timestampType(utc, unit))
        .named(name);
  }

  /** The INT64 value a writer stores for a wall-clock time in {@code unit}. */
  public static long encode(LocalDateTime t, TimeUnit unit) {
    long s = t.toEpochSecond(ZoneOffset.UTC);
    long n = t.getNano();
    return switch (unit) {
      case MILLIS -> s * 1_000L + n / 1_000_000L;
      case MICROS -> s * 1_000_000L + n / 1_000L;
      case NANOS -> s * 1_000_000_000L + n;
    };
  }

  /** Writes {@code rows} to {@code file} with {@code schema}. */
  public static void write(Path file, MessageType schema, List<Map<String, Object>> rows)
      throws IOException {
    TimeUnit unit =
        ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)
                schema.getType("tpep_pickup_datetime").getLogicalTypeAnnotation())
            .getUnit();
    try (ParquetWriter<Map<String, Object>> w =
        ParquetWriter.writeFile(
            schema,
            file.toFile(),
            (row, out) -> {
              for (Type field : schema.getFields()) {
                Object value = row.get(field.getName());
                if (value == null) {
                  continue;
                }
                if (value instanceof LocalDateTime t) {
                  value = encode(t, unit);
                } else if (value instanceof Number n) {
                  value =
                      switch (field.asPrimitiveType().getPrimitiveTypeName()) {
                        case INT32 -> n.intValue();
                        case INT64 -> n.longValue();
                        case DOUBLE -> n.doubleValue();
                        default -> value;
                      };
                }
                out.write(field.getName(), value);
              }
            })) {
      for (Map<String, Object> row : rows) {
        w.write(row);
      }
    }
  }
}
