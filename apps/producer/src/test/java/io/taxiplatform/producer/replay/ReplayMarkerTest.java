package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayMarkerTest {

  @TempDir Path dir;

  @Test
  void headerRoundTrips() {
    ReplayMarker m = new ReplayMarker("0123456789abcdef", 42, -7L);
    assertThat(new String(m.encode(), StandardCharsets.US_ASCII))
        .isEqualTo("id=0123456789abcdef;seq=42;shift=-7");
    assertThat(ReplayMarker.decode(m.encode())).contains(m);
    ReplayMarker noShift = new ReplayMarker("x", 0, null);
    assertThat(ReplayMarker.decode(noShift.encode())).contains(noShift);
    assertThat(ReplayMarker.decode(null)).isEmpty();
    assertThat(ReplayMarker.decode("garbage".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    assertThat(ReplayMarker.decode("id=a;seq=x".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    assertThat(ReplayMarker.decode("id=a".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    assertThat(ReplayMarker.decode("id=a;seq=3;future=1".getBytes(StandardCharsets.US_ASCII)))
        .contains(new ReplayMarker("a", 3, null));
  }

  @Test
  void theEncoderWritesTheTextOfTheMarker() {
    // the reference: the text the header has always had, built as a String
    ReplayMarker.Encoder encoder = new ReplayMarker.Encoder("0123456789abcdef");
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    long[] edges = {0, 1, 9, 10, 99, 100, -1, -9, -10, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53};
    for (int i = 0; i < 100_000; i++) {
      long seq = i < edges.length ? Math.max(0, edges[i]) : r.nextLong(1L << (1 + r.nextInt(62)));
      Long shift =
          r.nextInt(3) == 0 ? null : i < edges.length ? edges[i] : r.nextLong() >> r.nextInt(64);
      String expected = "id=0123456789abcdef;seq=" + seq + (shift == null ? "" : ";shift=" + shift);
      assertThat(new String(encoder.encode(seq, shift), StandardCharsets.US_ASCII))
          .isEqualTo(expected);
      assertThat(ReplayMarker.decode(encoder.encode(seq, shift)))
          .contains(new ReplayMarker("0123456789abcdef", seq, shift));
    }
    for (long v : edges) {
      assertThat(ReplayMarker.Encoder.decimalLength(v))
          .as("%d", v)
          .isEqualTo(Long.toString(v).length());
    }
  }

  @Test
  void replayIdDependsOnWhatDecidesTheRecordsAndNotOnTheDirectory() throws Exception {
    Path a = Files.writeString(Files.createDirectory(dir.resolve("one")).resolve("a.csv"), "abc");
    Path aElsewhere =
        Files.writeString(Files.createDirectory(dir.resolve("two")).resolve("a.csv"), "xyz");
    Path b = Files.writeString(dir.resolve("b.csv"), "abc");
    Duration d = Duration.ofDays(1);
    String id = ReplayMarker.replayId(List.of(a, b), "dropoff", "original", null, d);
    assertThat(id).hasSize(16).matches("[0-9a-f]+");
    assertThat(ReplayMarker.replayId(List.of(aElsewhere, b), "dropoff", "original", null, d))
        .isEqualTo(id);
    assertThat(ReplayMarker.replayId(List.of(b, a), "dropoff", "original", null, d))
        .isNotEqualTo(id);
    assertThat(ReplayMarker.replayId(List.of(a, b), "file", "original", null, d)).isNotEqualTo(id);
    assertThat(ReplayMarker.replayId(List.of(a, b), "dropoff", "now", null, d)).isNotEqualTo(id);
    assertThat(
            ReplayMarker.replayId(List.of(a, b), "dropoff", "original", YearMonth.of(2025, 1), d))
        .isNotEqualTo(id);
    assertThat(ReplayMarker.replayId(List.of(a, b), "dropoff", "original", null, Duration.ZERO))
        .isNotEqualTo(id);
    Files.writeString(b, "abcd");
    assertThat(ReplayMarker.replayId(List.of(a, b), "dropoff", "original", null, d))
        .isNotEqualTo(id);
  }

  @Test
  void partitionIsTheDefaultPartitionersForTheKey() {
    for (int zone = 1; zone <= 265; zone++) {
      String key = Integer.toString(zone);
      for (int n : new int[] {1, 3, 6, 12}) {
        assertThat(KeyPartitioner.partition(key, n))
            .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), n));
      }
    }
  }
}
