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
  void keysAndRowsReadAgainByTheirPlaceMatchAReadInFileOrder() throws IOException {
    String row =
        "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0.75";
    Path p =
        csv(
            "keys.csv",
            HEADER_2025,
            row,
            "",
            row.replace(",N,", ",\"é\",") + "\r",
            "2,2025-01-02 00:18:38.000000,2025-01-02 00:26:59.000000,1,1.6,1,\"N\",229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0.75",
            row.replace("2025-01-01 00:26:59", "2025-01-01 00:26:61"),
            row + ",1",
            "  ",
            row.replace("2025-01-01 00:26:59", "2025-11-02 01:30:00")); // the clocks went back
    List<SourceRecord> expected = SourceReads.readAll(new CsvTripSource(p, "replay"));
    CsvTripSource keys = new CsvTripSource(p, "replay");
    keys.segmentBytes = 7; // every line spans segments
    CsvTripSource.RowKeys index = new CsvTripSource.RowKeys(4, 100);
    assertThat(keys.indexRows(index, () -> false)).isTrue();
    keys.close();
    assertThat(index.size).isEqualTo(expected.size()).isEqualTo(6);
    for (int i = index.size - 1; i >= 0; i--) { // any order: by place, not by stream
      CsvTripSource.RowKey k = new CsvTripSource.RowKey();
      k.offset = index.offsets[i];
      k.tooLong = index.lengths[i] < 0;
      k.length = index.lengths[i];
      SourceRecord again = keys.readRow(k, i + 1);
      assertThat(again).as("row %d", i + 1).isEqualTo(expected.get(i));
      // the key is read from the dropoff field alone: row 5, rejected for its extra field, has one
      if (!again.isRejected()) {
        assertThat(index.seconds[i])
            .as("row %d's key", i + 1)
            .isEqualTo(again.event().dropoffTime().getEpochSecond());
      }
    }
    assertThat(expected.stream().filter(SourceRecord::isRejected)).hasSize(2);
  }

  @Test
  void twoHalvesIndexTheRowsOneThreadIndexesAndFailAtTheSameLine() throws IOException {
    String row =
        "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0,0.75";
    List<String> lines = new ArrayList<>(List.of(HEADER_2025));
    for (int i = 0; i < 400; i++) {
      String r = row.replace("00:26:59", String.format("00:%02d:%02d", i % 60, (i * 7) % 60));
      lines.add(i % 9 == 0 ? r.replace(",N,", ",\"N\",") : r); // mapped in full, on both threads
      if (i % 50 == 0) {
        lines.add(""); // blank lines at any place, also where a half starts
        lines.add(" ");
      }
      if (i == 300) {
        lines.add(
            "x".repeat(CsvTripSource.MAX_LINE_BYTES + 5)); // a row too long, in the second half
      }
    }
    Path p = csv("halves.csv", lines.toArray(String[]::new));
    for (long split : new long[] {1, 5000, 20_000}) {
      CsvTripSource one = new CsvTripSource(p, "replay");
      one.parallelBytes = Long.MAX_VALUE;
      CsvTripSource.RowKeys expected = new CsvTripSource.RowKeys(16, 10_000);
      assertThat(one.indexRows(expected, () -> false)).isTrue();
      one.close();
      CsvTripSource two = new CsvTripSource(p, "replay");
      two.parallelBytes = split;
      CsvTripSource.RowKeys halves = new CsvTripSource.RowKeys(16, 10_000);
      assertThat(two.indexRows(halves, () -> false)).isTrue();
      two.close();
      assertThat(halves.size).isEqualTo(expected.size).isEqualTo(401);
      assertThat(java.util.Arrays.copyOf(halves.seconds, halves.size))
          .containsExactly(java.util.Arrays.copyOf(expected.seconds, expected.size));
      assertThat(java.util.Arrays.copyOf(halves.offsets, halves.size))
          .containsExactly(java.util.Arrays.copyOf(expected.offsets, expected.size));
      assertThat(java.util.Arrays.copyOf(halves.lengths, halves.size))
          .containsExactly(java.util.Arrays.copyOf(expected.lengths, expected.size));
      assertThat(halves.tooLongLengths).isEqualTo(expected.tooLongLengths).hasSize(1);
      // a row of the second half that is not UTF-8: the same error as one thread's
      CsvTripSource.RowKeys full = new CsvTripSource.RowKeys(16, 100);
      CsvTripSource small = new CsvTripSource(p, "replay");
      small.parallelBytes = split;
      assertThat(small.indexRows(full, () -> false)).as("more rows than the keys hold").isFalse();
      small.close();
    }
    byte[] bytes = Files.readAllBytes(p);
    int at = bytes.length - 30;
    bytes[at] = (byte) 0xC3;
    bytes[at + 1] = ',';
    Path bad = dir.resolve("bad.csv");
    Files.write(bad, bytes);
    String oneMessage = null;
    for (long split : new long[] {Long.MAX_VALUE, 1}) {
      CsvTripSource s = new CsvTripSource(bad, "replay");
      s.parallelBytes = split;
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> s.indexRows(new CsvTripSource.RowKeys(16, 10_000), () -> false));
      s.close();
      assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not UTF-8");
      if (oneMessage == null) {
        oneMessage = t.getMessage();
        assertThat(oneMessage).contains("near line " + lines.size());
      } else {
        assertThat(t.getMessage()).isEqualTo(oneMessage);
      }
    }
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

  /**
   * The lines of {@code bytes} as LineReader reads them, each {@code text} or {@code "!" + length}.
   */
  private static List<String> readLines(byte[] bytes, int max) throws IOException {
    List<String> out = new ArrayList<>();
    try (CsvTripSource.LineReader r =
        new CsvTripSource.LineReader(new java.io.ByteArrayInputStream(bytes), max)) {
      String line;
      while ((line = r.readLine()) != null) {
        assertThat(r.lines).isEqualTo(out.size() + 1);
        out.add(r.tooLong ? "!" + r.length : line);
        if (!r.tooLong) {
          assertThat((long) line.getBytes(StandardCharsets.UTF_8).length).isEqualTo(r.length);
          // the line's own bytes decide, not those after its \n read with them
          assertThat(r.rawAscii()).as(line).isEqualTo(line.chars().allMatch(c -> c < 0x80));
        }
      }
    }
    return out;
  }

  @Test
  void linesAreReadFromTheBytesAsTheDecodedTextSplitsThem() throws IOException {
    // ASCII, two- three- and four-byte characters, CR, quotes, lines across the 64 KiB reads and
    // longer than the limit: each line is the decoded text between \n, or its length in bytes when
    // too long
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    String[] pieces = {
      "a", "2025-01-01 00:18:38", ",", "\"", "\r", "é", "€", "\uD834\uDD1E", "\uFEFF", " "
    };
    for (int file = 0; file < 40; file++) {
      int max = 1 + r.nextInt(300_000);
      StringBuilder text = new StringBuilder();
      int lines = 1 + r.nextInt(30);
      for (int l = 0; l < lines; l++) {
        int n = r.nextInt(5) == 0 ? r.nextInt(200_000) : r.nextInt(300);
        for (int k = 0; k < n; k++) {
          text.append(pieces[r.nextInt(10) < 6 ? r.nextInt(3) : r.nextInt(pieces.length)]);
        }
        if (l < lines - 1 || r.nextBoolean()) {
          text.append('\n');
        }
      }
      String all = text.toString();
      List<String> expected = new ArrayList<>();
      String[] split = all.split("\n", -1);
      for (int k = 0; k < split.length; k++) {
        if (k == split.length - 1 && split[k].isEmpty()) {
          break; // the text ended with \n
        }
        int bytes = split[k].getBytes(StandardCharsets.UTF_8).length;
        expected.add(bytes > max ? "!" + bytes : split[k]);
      }
      assertThat(readLines(all.getBytes(StandardCharsets.UTF_8), max))
          .as("file %d", file)
          .isEqualTo(expected);
    }
    assertThat(readLines(new byte[0], 10)).isEmpty();
    assertThat(readLines("\n\nx".getBytes(StandardCharsets.UTF_8), 10))
        .containsExactly("", "", "x");
  }

  @Test
  void aLineThatIsNotUtf8FailsNamingItsNumber() throws IOException {
    for (byte[] bad :
        new byte[][] {
          {(byte) 0xc3, 0x28},
          {(byte) 0xff},
          {(byte) 0xe2, (byte) 0x82},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80}
        }) {
      java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
      o.write("a,b\né,c\n".getBytes(StandardCharsets.UTF_8));
      o.write('x');
      o.write(bad);
      o.write("\nlast\n".getBytes(StandardCharsets.UTF_8));
      try (CsvTripSource.LineReader r =
          new CsvTripSource.LineReader(new java.io.ByteArrayInputStream(o.toByteArray()), 1000)) {
        assertThat(r.readLine()).isEqualTo("a,b");
        assertThat(r.readLine()).isEqualTo("é,c");
        assertThatThrownBy(r::readLine)
            .isInstanceOf(java.nio.charset.CharacterCodingException.class);
        assertThat(r.lines).isEqualTo(2); // the caller names line lines + 1
      }
    }
    Path p = dir.resolve("bad.csv");
    Files.write(
        p,
        ("tpep_pickup_datetime,tpep_dropoff_datetime,trip_distance,PULocationID,DOLocationID,"
                + "fare_amount,tip_amount,total_amount\n2025-01-01 00:00:00,2025-01-01 00:10:00,1,4,5,6,0,7\n"
                + "2025-01-01 00:00:00,2025-01-01 00:10:00,1,4,5,6,0,7\n\u00ff\n")
            .replace("\u00ff", "\uFFFF")
            .getBytes(StandardCharsets.UTF_8));
    byte[] b = Files.readAllBytes(p);
    b[b.length - 4] = (byte) 0xff; // the last line's first byte: not UTF-8
    Files.write(p, b);
    try (CsvTripSource source = new CsvTripSource(p, "replay")) {
      assertThat(source.next().isRejected()).isFalse();
      assertThatThrownBy(source::next)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad.csv: not UTF-8 text near line 4");
    }
  }
}
