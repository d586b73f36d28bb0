package io.taxiplatform.producer.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.producer.source.TlcParquetFiles.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParquetTripSourceTest {

  @TempDir Path dir;

  static Map<String, Object> row(
      Variant v, LocalDateTime pickup, LocalDateTime dropoff, int pu, double fare) {
    Map<String, Object> r = new HashMap<>();
    r.put("VendorID", 2);
    r.put("tpep_pickup_datetime", pickup);
    r.put("tpep_dropoff_datetime", dropoff);
    r.put("passenger_count", 2);
    r.put("trip_distance", 3.25);
    r.put("RatecodeID", 1);
    r.put("store_and_fwd_flag", "N");
    r.put("PULocationID", pu);
    r.put("DOLocationID", 161);
    r.put("payment_type", 1);
    r.put("fare_amount", fare);
    r.put("extra", 1.0);
    r.put("mta_tax", 0.5);
    r.put("tip_amount", 4.1);
    r.put("tolls_amount", 0.0);
    r.put("improvement_surcharge", 1.0);
    r.put("total_amount", fare + 9.1);
    r.put("congestion_surcharge", 2.5);
    r.put(v == Variant.Y2023 ? "airport_fee" : "Airport_fee", 1.75);
    if (v == Variant.Y2025) {
      r.put("cbd_congestion_fee", 0.75);
    }
    return r;
  }

  /**
   * The first pass of a dropoff-order replay ({@link ParquetTripSource#readDropoffs}) gives every
   * row the dropoff the row reader gives it: the event's, or none when the row is rejected for its
   * dropoff.
   */
  static void assertFirstPassAgrees(Path file) {
    List<SourceRecord> rows = SourceReads.readAll(new ParquetTripSource(file, "replay"));
    List<Object> values = new java.util.ArrayList<>();
    assertThat(ParquetTripSource.readDropoffs(file, values::add)).isTrue();
    assertThat(values).hasSameSizeAs(rows);
    TlcRowMapper mapper = new TlcRowMapper("replay");
    for (int i = 0; i < rows.size(); i++) {
      SourceRecord r = rows.get(i);
      Instant d = mapper.dropoffOf(values.get(i));
      if (!r.isRejected()) {
        assertThat(d).as("row %d", i + 1).isEqualTo(r.event().dropoffTime());
      } else if (r.detail().contains("tpep_dropoff_datetime")) {
        assertThat(d).as("row %d: %s", i + 1, r.detail()).isNull();
      }
    }
    // stopping: the rows before it only
    int[] seen = {0};
    assertThat(ParquetTripSource.readDropoffs(file, v -> ++seen[0] < 1)).isEqualTo(rows.isEmpty());
    assertThat(seen[0]).isEqualTo(rows.isEmpty() ? 0 : 1);
  }

  @ParameterizedTest(name = "{0} {1} utc={2}")
  @CsvSource({
    "Y2023,MICROS,false",
    "Y2024,MICROS,false",
    "Y2025,MICROS,false",
    "Y2025,NANOS,false",
    "Y2024,MILLIS,true",
    "Y2025,MICROS,true"
  })
  void readsEveryTlcSchemaVariant(Variant v, TimeUnit unit, boolean utc) throws IOException {
    Path file = dir.resolve("yellow_" + v + ".parquet");
    LocalDateTime pickup = LocalDateTime.parse("2025-01-31T23:50:10.123456");
    LocalDateTime dropoff = LocalDateTime.parse("2025-02-01T00:05:00");
    TlcParquetFiles.write(
        file,
        TlcParquetFiles.schema(v, unit, utc),
        List.of(
            row(v, pickup, dropoff, 132, 52.5),
            row(v, pickup.plusHours(6), dropoff.plusHours(6), 237, 8.6),
            row(v, pickup, pickup.plusMinutes(7).plusNanos(250_000_000), 4, 9.0)));
    assertFirstPassAgrees(file);

    List<SourceRecord> rows = SourceReads.readAll(new ParquetTripSource(file, "replay"));
    assertThat(rows).hasSize(3).noneMatch(SourceRecord::isRejected);
    TripEvent e = rows.get(0).event();
    assertThat(e.tripId()).isEqualTo(file.getFileName() + ":1");
    assertThat(rows.get(1).event().tripId()).isEqualTo(file.getFileName() + ":2");
    // the stored digits are New York wall-clock time (EST, UTC-5), whatever the UTC flag says
    Instant expectedPickup =
        switch (unit) {
          case MILLIS -> Instant.parse("2025-02-01T04:50:10.123Z");
          default -> Instant.parse("2025-02-01T04:50:10.123456Z");
        };
    assertThat(e.pickupTime()).isEqualTo(expectedPickup);
    assertThat(e.dropoffTime()).isEqualTo(Instant.parse("2025-02-01T05:05:00Z"));
    assertThat(e.vendorId()).isEqualTo(2);
    assertThat(e.passengerCount()).isEqualTo(2);
    assertThat(e.ratecodeId()).isEqualTo(1);
    assertThat(e.storeAndFwdFlag()).isEqualTo("N");
    assertThat(e.pickupZone()).isEqualTo(132);
    assertThat(e.dropoffZone()).isEqualTo(161);
    assertThat(e.paymentType()).isEqualTo(1);
    assertThat(e.tripDistance()).isEqualTo(3.25);
    assertThat(e.fareAmount()).isEqualTo(52.5);
    assertThat(e.tipAmount()).isEqualTo(4.1);
    assertThat(e.totalAmount()).isEqualTo(61.6);
    assertThat(e.airportFee()).isEqualTo(1.75);
    assertThat(e.cbdCongestionFee()).isEqualTo(v == Variant.Y2025 ? 0.75 : null);
    assertThat(rows.get(1).event().pickupZone()).isEqualTo(237);
  }

  @Test
  void nullsInOptionalColumnsAreAbsentAndInRequiredColumnsRejectTheRow() throws IOException {
    Variant v = Variant.Y2025;
    Path file = dir.resolve("nulls.parquet");
    LocalDateTime t = LocalDateTime.parse("2025-06-01T12:00:00");
    Map<String, Object> sparse = row(v, t, t.plusMinutes(9), 48, 12.0);
    sparse.put("passenger_count", null);
    sparse.put("RatecodeID", null);
    sparse.put("Airport_fee", null);
    sparse.put("store_and_fwd_flag", null);
    Map<String, Object> noFare = row(v, t, t.plusMinutes(9), 48, 12.0);
    noFare.put("fare_amount", null);
    Map<String, Object> noDropoff = row(v, t, null, 48, 12.0);
    TlcParquetFiles.write(
        file,
        TlcParquetFiles.schema(v, TimeUnit.MICROS, false),
        List.of(sparse, noFare, noDropoff));

    assertFirstPassAgrees(file);
    List<SourceRecord> rows = SourceReads.readAll(new ParquetTripSource(file, "replay"));
    assertThat(rows).hasSize(3);
    TripEvent e = rows.get(0).event();
    assertThat(e.passengerCount()).isNull();
    assertThat(e.ratecodeId()).isNull();
    assertThat(e.airportFee()).isNull();
    assertThat(e.storeAndFwdFlag()).isNull();
    // EDT in June
    assertThat(e.pickupTime()).isEqualTo(Instant.parse("2025-06-01T16:00:00Z"));
    assertThat(rows.get(1).rejectReason()).isEqualTo(RowRejects.MISSING_FIELD);
    assertThat(rows.get(1).detail()).isEqualTo("fare_amount");
    assertThat(rows.get(2).rejectReason()).isEqualTo(RowRejects.MISSING_FIELD);
    assertThat(rows.get(2).detail()).isEqualTo("tpep_dropoff_datetime");
  }

  @Test
  void fractionalPassengerCountInADoubleColumnIsABadNumber() throws IOException {
    Path file = dir.resolve("frac.parquet");
    LocalDateTime t = LocalDateTime.parse("2023-01-01T00:00:00");
    Map<String, Object> r = row(Variant.Y2023, t, t.plusMinutes(5), 4, 5.0);
    r.put("passenger_count", 1.5);
    TlcParquetFiles.write(
        file, TlcParquetFiles.schema(Variant.Y2023, TimeUnit.MICROS, false), List.of(r));
    SourceRecord rec = SourceReads.readAll(new ParquetTripSource(file, "replay")).get(0);
    assertThat(rec.rejectReason()).isEqualTo(RowRejects.BAD_NUMBER);
    assertThat(rec.detail()).contains("passenger_count");
  }

  @Test
  void missingRequiredColumnAndUnsupportedTimestampTypesFailTheFile() throws IOException {
    Path noTotal = dir.resolve("nototal.parquet");
    MessageType full = TlcParquetFiles.schema(Variant.Y2025, TimeUnit.MICROS, false);
    Types.MessageTypeBuilder b = Types.buildMessage();
    full.getFields().stream().filter(f -> !f.getName().equals("total_amount")).forEach(b::addField);
    MessageType withoutTotal = b.named("schema");
    LocalDateTime t = LocalDateTime.parse("2025-01-01T00:00:00");
    Map<String, Object> r = row(Variant.Y2025, t, t.plusMinutes(5), 4, 5.0);
    r.remove("total_amount");
    TlcParquetFiles.write(noTotal, withoutTotal, List.of(r));
    assertThatThrownBy(() -> new ParquetTripSource(noTotal, "replay"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("total_amount");

    Path rawInt64 = dir.resolve("rawint64.parquet");
    MessageType plain =
        Types.buildMessage()
            .addField(Types.optional(PrimitiveTypeName.INT64).named("tpep_pickup_datetime"))
            .addField(Types.optional(PrimitiveTypeName.INT64).named("tpep_dropoff_datetime"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("trip_distance"))
            .addField(Types.optional(PrimitiveTypeName.INT32).named("PULocationID"))
            .addField(Types.optional(PrimitiveTypeName.INT32).named("DOLocationID"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("fare_amount"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("tip_amount"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("total_amount"))
            .named("schema");
    blue.strategic.parquet.ParquetWriter.<Object>writeFile(plain, rawInt64.toFile(), (o, out) -> {})
        .close();
    assertThatThrownBy(() -> new ParquetTripSource(rawInt64, "replay"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tpep_pickup_datetime")
        .hasMessageContaining("TIMESTAMP");

    Path notParquet = dir.resolve("text.parquet");
    java.nio.file.Files.writeString(notParquet, "this is not parquet");
    assertThatThrownBy(() -> new ParquetTripSource(notParquet, "replay"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a readable parquet file");
  }

  @Test
  void stringTimestampColumnsAreParsedLikeCsv() throws IOException {
    Path file = dir.resolve("strings.parquet");
    MessageType s =
        Types.buildMessage()
            .addField(
                Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType())
                    .named("tpep_pickup_datetime"))
            .addField(
                Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType())
                    .named("tpep_dropoff_datetime"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("trip_distance"))
            .addField(Types.optional(PrimitiveTypeName.INT64).named("PULocationID"))
            .addField(Types.optional(PrimitiveTypeName.INT64).named("DOLocationID"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("fare_amount"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("tip_amount"))
            .addField(Types.optional(PrimitiveTypeName.DOUBLE).named("total_amount"))
            .named("schema");
    try (var w =
        blue.strategic.parquet.ParquetWriter.<String[]>writeFile(
            s,
            file.toFile(),
            (row, out) -> {
              out.write("tpep_pickup_datetime", row[0]);
              out.write("tpep_dropoff_datetime", row[1]);
              out.write("trip_distance", 1.0);
              out.write("PULocationID", 10L);
              out.write("DOLocationID", 11L);
              out.write("fare_amount", 5.0);
              out.write("tip_amount", 0.0);
              out.write("total_amount", 6.0);
            })) {
      w.write(new String[] {"2024-12-31 23:00:00", "2025-01-01 00:00:00.5"});
      w.write(new String[] {"2024-12-31 23:00:00", "soon"});
    }
    assertFirstPassAgrees(file);
    List<SourceRecord> rows = SourceReads.readAll(new ParquetTripSource(file, "replay"));
    assertThat(rows.get(0).event().dropoffTime())
        .isEqualTo(Instant.parse("2025-01-01T05:00:00.500Z"));
    assertThat(rows.get(1).rejectReason()).isEqualTo(RowRejects.UNPARSEABLE_TIMESTAMP);
  }

  @Test
  void codecsThatNeedHadoopAreRefusedUpFront() {
    ParquetTripSource.checkCodecs(
        java.util.EnumSet.of(
            org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY,
            org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD,
            org.apache.parquet.hadoop.metadata.CompressionCodecName.LZ4_RAW,
            org.apache.parquet.hadoop.metadata.CompressionCodecName.UNCOMPRESSED),
        "ok.parquet");
    assertThatThrownBy(
            () ->
                ParquetTripSource.checkCodecs(
                    java.util.EnumSet.of(
                        org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY,
                        org.apache.parquet.hadoop.metadata.CompressionCodecName.GZIP),
                    "g.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g.parquet")
        .hasMessageContaining("GZIP");
  }

  @Test
  void wallClockConversionHandlesNegativeEpochValues() {
    assertThat(ParquetTripSource.wallClock(-1, 1_000_000L))
        .isEqualTo(LocalDateTime.parse("1969-12-31T23:59:59.999999"));
    assertThat(ParquetTripSource.wallClock(1_735_690_718_000_000L, 1_000_000L))
        .isEqualTo(LocalDateTime.parse("2025-01-01T00:18:38"));
  }
}
