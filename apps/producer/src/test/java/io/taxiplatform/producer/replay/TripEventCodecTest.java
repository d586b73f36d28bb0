package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.producer.source.TripSources;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spill encoding keeps every field exactly, nulls and invalid-but-sendable values included. */
class TripEventCodecTest {

  @TempDir Path dir;

  private static byte[] encode(List<ReplayEvent> events) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (ReplayEvent e : events) {
        TripEventCodec.write(out, e);
      }
    }
    return bytes.toByteArray();
  }

  private static List<ReplayEvent> decode(byte[] b) throws IOException {
    List<ReplayEvent> out = new ArrayList<>();
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    for (ReplayEvent e; (e = TripEventCodec.read(in)) != null; ) {
      out.add(e);
    }
    return out;
  }

  private static TripEvent full() {
    return TripEvent.builder()
        .tripId("yellow_tripdata_2025-01.parquet:17")
        .source("replay")
        .vendorId(2)
        .pickupTime(Instant.parse("2025-01-01T05:18:38.123456789Z"))
        .dropoffTime(Instant.parse("2025-01-01T05:26:59Z"))
        .passengerCount(0)
        .tripDistance(-0.0)
        .ratecodeId(99)
        .storeAndFwdFlag("Ÿ,\"quoted\"")
        .pickupZone(-3)
        .dropoffZone(999)
        .paymentType(0)
        .fareAmount(-7.2)
        .extra(-1.0)
        .mtaTax(-0.5)
        .tipAmount(Double.MIN_VALUE)
        .tollsAmount(6.94)
        .improvementSurcharge(-1.0)
        .totalAmount(-8.7)
        .congestionSurcharge(2.5)
        .airportFee(1.75)
        .cbdCongestionFee(0.75)
        .build();
  }

  @Test
  void everyFieldRoundTripsWhetherSetOrNull() throws IOException {
    TripEvent all = full();
    TripEvent bare =
        TripEvent.builder()
            .tripId("x:1")
            .pickupTime(Instant.EPOCH)
            .dropoffTime(Instant.ofEpochSecond(-86_400, 1))
            .pickupZone(1)
            .dropoffZone(2)
            .fareAmount(1)
            .tipAmount(0)
            .totalAmount(1)
            .build();
    TripEvent other =
        new TripEvent(
            7,
            "",
            "synthetic",
            null,
            Instant.MAX,
            Instant.MIN,
            3,
            1e300,
            null,
            "N",
            0,
            0,
            null,
            3.5,
            null,
            0.5,
            0,
            null,
            1.0,
            5.0,
            null,
            null,
            1.5);
    List<ReplayEvent> in =
        List.of(
            new ReplayEvent(all, 0, 1),
            new ReplayEvent(bare, 2, Long.MAX_VALUE),
            new ReplayEvent(other, Integer.MAX_VALUE, 0));
    List<ReplayEvent> out = decode(encode(in));
    assertThat(out).containsExactlyElementsOf(in);
    assertThat(Double.doubleToRawLongBits(out.get(0).event().tripDistance()))
        .as("-0.0 stays -0.0")
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(out.get(1).event().source()).isNull();
    assertThat(out.get(1).event().cbdCongestionFee()).isNull();
  }

  @Test
  void realRowsOfATlcShapedFileRoundTrip() throws IOException {
    Path f = SyntheticTlcCsv.write(dir.resolve("t_2025-01.csv"), 300, YearMonth.of(2025, 1), 1, 9);
    List<ReplayEvent> read = new ArrayList<>();
    try (ReplayReader r =
        new ReplayReader(
            List.of(f), TripSources::open, null, Duration.ofDays(1), RowListener.NONE)) {
      while (r.hasNext()) {
        read.add(r.next());
      }
    }
    assertThat(read)
        .hasSize(300)
        .anyMatch(e -> e.event().fareAmount() < 0)
        .anyMatch(e -> e.event().vendorId() == null);
    byte[] b = encode(read);
    assertThat(decode(b)).containsExactlyElementsOf(read);
    assertThat(b.length / 300)
        .as("bytes per row")
        .isBetween(150, DropoffSort.BYTES_PER_ROW_ESTIMATE);
  }

  @Test
  void aTruncatedEventIsAnErrorNotAnEnd() throws IOException {
    byte[] b = encode(List.of(new ReplayEvent(full(), 0, 1)));
    assertThatThrownBy(() -> decode(Arrays.copyOf(b, b.length - 3)))
        .isInstanceOf(EOFException.class);
    assertThat(decode(new byte[0])).isEmpty();
  }
}
