package io.taxiplatform.producer.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.fixtures.SampleTrips;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTripSourceTest {

  static final String HEADER_2025 =
      "\"VendorID\",\"tpep_pickup_datetime\",\"tpep_dropoff_datetime\","
          + "\"passenger_count\",\"trip_distance\",\"RatecodeID\",\"store_and_fwd_flag\",\"PULocationID\","
          + "\"DOLocationID\",\"payment_type\",\"fare_amount\",\"extra\",\"mta_tax\",\"tip_amount\",\"tolls_amount\","
          + "\"improvement_surcharge\",\"total_amount\",\"congestion_surcharge\",\"Airport_fee\",\"cbd_congestion_fee\"";

  @TempDir Path dir;

  private Path csv(String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void readsA2025RowConvertingNewYorkTimeToUtc() throws IOException {
    Path p =
        csv(
            "jan.csv",
            HEADER_2025,
            "1,2025-01-01 00:18:38.000000,2025-01-01 00:26:59.000000,1,1.6,1,\"N\",229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0.75");
    List<SourceRecord> rows = SourceReads.readAll(new CsvTripSource(p, "replay"));
    assertThat(rows).hasSize(1);
    // every field; the times: EST = UTC-5 in January
    assertThat(rows.get(0).event()).isEqualTo(SampleTrips.january2025("jan.csv:1", "replay"));
  }

  @Test
  void summerTimeAndTheUsTimestampFormat() throws IOException {
    Path p =
        csv(
            "jul.csv",
            HEADER_2025,
            "2,07/01/2024 11:59:59 PM,07/02/2024 12:10:00 AM,,2.0,,,132,1,2,20,0,0.5,0,0,1,21.5,,,");
    TripEvent e = SourceReads.readAll(new CsvTripSource(p, "replay")).get(0).event();
    // EDT = UTC-4
    assertThat(e.pickupTime()).isEqualTo(Instant.parse("2024-07-02T03:59:59Z"));
    assertThat(e.dropoffTime()).isEqualTo(Instant.parse("2024-07-02T04:10:00Z"));
    assertThat(e.passengerCount()).isNull();
    assertThat(e.ratecodeId()).isNull();
    assertThat(e.storeAndFwdFlag()).isNull();
    assertThat(e.congestionSurcharge()).isNull();
    assertThat(e.airportFee()).isNull();
    assertThat(e.cbdCongestionFee()).isNull();
  }

  @Test
  void autumnOverlapTakesTheEarlierOffset() {
    // 2024-11-03 01:30 happens twice in New York; the first one is EDT (UTC-4)
    assertThat(TlcRowMapper.fromNewYork(TlcRowMapper.parseLocal("2024-11-03 01:30:00")))
        .isEqualTo(Instant.parse("2024-11-03T05:30:00Z"));
    // 2024-03-10 02:30 does not exist; it moves forward by the one-hour gap (03:30 EDT)
    assertThat(TlcRowMapper.fromNewYork(TlcRowMapper.parseLocal("2024-03-10 02:30:00")))
        .isEqualTo(Instant.parse("2024-03-10T07:30:00Z"));
  }

  @Test
  void headerIsCaseInsensitiveInAnyOrderAndOlderSchemasLackNewColumns() throws IOException {
    // 2023-like: lower-case airport_fee, no cbd_congestion_fee, columns shuffled, an unknown column
    Path p =
        csv(
            "old.csv",
            "pulocationid,DOLOCATIONID,Tpep_Pickup_Datetime,tpep_dropoff_datetime,trip_distance,fare_amount,"
                + "tip_amount,total_amount,airport_fee,comment",
            "138,7,2023-03-01 10:00:00,2023-03-01 10:20:00,9.5,35.2,7,50.45,1.25,hello");
    TripEvent e = SourceReads.readAll(new CsvTripSource(p, "replay")).get(0).event();
    assertThat(e.pickupZone()).isEqualTo(138);
    assertThat(e.dropoffZone()).isEqualTo(7);
    assertThat(e.airportFee()).isEqualTo(1.25);
    assertThat(e.cbdCongestionFee()).isNull();
    assertThat(e.vendorId()).isNull();
  }

  @Test
  void rowsThatCannotBecomeEventsAreRejectedByReasonAndTheRestAreRead() throws IOException {
    Path p =
        csv(
            "mixed.csv",
            HEADER_2025,
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "1,2025-01-01 00:18:38,,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "1,yesterday,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,one,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229.5,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237",
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,\"N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0",
            "",
            "2,2025-01-01 01:00:00,2025-01-01 00:59:00,1,-3,1,N,0,300,3,-7.2,0,-0.5,0,0,-1,-8.7,0,0,0",
            "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,NaN,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0");
    List<SourceRecord> rows = SourceReads.readAll(new CsvTripSource(p, "replay"));
    assertThat(rows)
        .extracting(r -> r.isRejected() ? r.rejectReason() : "ok")
        .containsExactly(
            "ok",
            "missing_field",
            "unparseable_timestamp",
            "bad_number",
            "bad_number",
            "wrong_column_count",
            "malformed_row",
            "ok",
            "bad_number");
    assertThat(rows.get(1).detail()).isEqualTo("tpep_dropoff_datetime");
    assertThat(rows.get(2).detail()).contains("tpep_pickup_datetime").contains("yesterday");
    assertThat(rows.get(3).detail()).contains("trip_distance");
    assertThat(rows.get(4).detail()).contains("pulocationid");
    // row numbers skip nothing but blank lines: the refund-like row is data row 8
    TripEvent refund = rows.get(7).event();
    assertThat(refund.tripId()).isEqualTo("mixed.csv:8");
    // the producer does not apply the job's business rules: negative fare, bad zones are sent as
    // they are
    assertThat(refund.fareAmount()).isEqualTo(-7.2);
    assertThat(refund.pickupZone()).isZero();
    assertThat(refund.dropoffZone()).isEqualTo(300);
    assertThat(refund.tripDistance()).isEqualTo(-3.0);
  }

  @Test
  void quotedFieldsWithCommasAndEscapedQuotes() {
    List<String> f = new ArrayList<>();
    assertThat(CsvTripSource.split("a,\"b,c\",\"d\"\"e\",,\"\"", f)).isTrue();
    assertThat(f).containsExactly("a", "b,c", "d\"e", "", "");
    assertThat(CsvTripSource.split("x\r", f)).isTrue();
    assertThat(f).containsExactly("x");
    assertThat(CsvTripSource.split("\"open", f)).isFalse();
    assertThat(CsvTripSource.split("ab\"c", f)).isFalse();
    assertThat(CsvTripSource.split("\"ab\"c", f)).isFalse();
    assertThat(CsvTripSource.split(" \"ab\"", f)).isFalse();
    assertThat(CsvTripSource.split("\"a\rb\",c", f)).isTrue();
    assertThat(f).containsExactly("a\rb", "c");
  }

  @Test
  void oneRecordPerLineWhateverTheLineBeforeWasCrlfQuotedOrMalformed() throws IOException {
    String good =
        "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0";
    String quoted = good.replace(",N,", ",\"N\",");
    Path p =
        csv(
            "crlf.csv",
            HEADER_2025 + "\r",
            good + "\r",
            quoted + "\r",
            good.replace(",N,", ",\"N,"),
            good + "\r",
            good.replace(",N,", ",\"N\"x,"),
            quoted,
            good.replace(",N,", ",N\"x,"),
            good);
    List<SourceRecord> rows = SourceReads.readAll(new CsvTripSource(p, "replay"));
    assertThat(rows)
        .extracting(r -> r.isRejected() ? r.rejectReason() : r.event().storeAndFwdFlag())
        .containsExactly(
            "N", "N", "malformed_row", "N", "malformed_row", "N", "malformed_row", "N");
    assertThat(rows.get(7).event().tripId()).isEqualTo("crlf.csv:8");
  }

  @Test
  void aFileWithoutARequiredColumnFailsClearly() throws IOException {
    Path p =
        csv(
            "nofare.csv",
            "tpep_pickup_datetime,tpep_dropoff_datetime,trip_distance,PULocationID,"
                + "DOLocationID,tip_amount,total_amount",
            "2025-01-01 00:00:00,2025-01-01 00:10:00,1,1,1,0,5");
    assertThatThrownBy(() -> new CsvTripSource(p, "replay"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nofare.csv")
        .hasMessageContaining("fare_amount");
    Path empty = csv("empty.csv");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> new CsvTripSource(empty, "replay"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void byteOrderMarkAndCrlf() throws IOException {
    Path p = dir.resolve("bom.csv");
    Files.writeString(
        p,
        "\uFEFFtpep_pickup_datetime,tpep_dropoff_datetime,trip_distance,PULocationID,"
            + "DOLocationID,fare_amount,tip_amount,total_amount\r\n2025-01-01 00:00:00,2025-01-01 00:10:00,1,4,5,6,0,7\r\n");
    TripEvent e = SourceReads.readAll(new CsvTripSource(p, "replay")).get(0).event();
    assertThat(e.totalAmount()).isEqualTo(7.0);
    assertThat(e.pickupZone()).isEqualTo(4);
  }
}
