package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.model.TripEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sort's encoded chunk orders events as a stable {@code List.sort(DROPOFF_ORDER)} of the
 * objects did, and writes the bytes {@link TripEventCodec} wrote for each event of that order.
 */
class DropoffChunkTest {

  private static List<ReplayEvent> randomEvents(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ReplayEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // few distinct dropoffs (ties), nanos, negative seconds, duplicate (file, row) pairs
      Instant dropoff =
          Instant.ofEpochSecond(r.nextLong(-3, 40) * 60, r.nextBoolean() ? 0 : r.nextInt(3) * 7);
      TripEvent e =
          TripEvent.builder()
              .tripId("file.csv:" + i)
              .source("replay")
              .vendorId(r.nextBoolean() ? null : r.nextInt(3))
              .pickupTime(dropoff.minusSeconds(60))
              .dropoffTime(dropoff)
              .tripDistance(r.nextDouble() * 10)
              .storeAndFwdFlag(r.nextBoolean() ? null : "N")
              .pickupZone(r.nextInt(1, 266))
              .dropoffZone(r.nextInt(1, 266))
              .fareAmount(r.nextInt(-500, 5000) / 100.0)
              .extra(r.nextBoolean() ? null : 2.5)
              .tipAmount(1.0)
              .totalAmount(12.5)
              .build();
      out.add(new ReplayEvent(e, r.nextInt(3), r.nextInt(1, 30)));
    }
    return out;
  }

  @Test
  void ordersAndWritesAsTheStableListSortOfTheObjects() throws IOException {
    for (int n : new int[] {0, 1, 2, 23, 24, 25, 100, 2_000}) {
      List<ReplayEvent> events = randomEvents(n, n);
      DropoffSort.Chunk chunk = new DropoffSort.Chunk(4); // grows
      for (ReplayEvent e : events) {
        chunk.add(e);
      }
      assertThat(chunk.size()).isEqualTo(n);
      chunk.sort();
      ByteArrayOutputStream actual = new ByteArrayOutputStream();
      try (SpillStreams.Output out = new SpillStreams.Output(actual, 64)) {
        chunk.writeSorted(out);
      }
      List<ReplayEvent> sorted = new ArrayList<>(events);
      sorted.sort(ReplayEvent.DROPOFF_ORDER); // stable: the reference
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      try (SpillStreams.Output out = new SpillStreams.Output(expected, 64)) {
        for (ReplayEvent e : sorted) {
          TripEventCodec.write(out, e);
        }
      }
      assertThat(actual.toByteArray()).as("n=%d", n).isEqualTo(expected.toByteArray());
      assertThat(chunk.bytes()).isEqualTo(expected.size());
      chunk.clear();
      assertThat(chunk.size()).isZero();
      assertThat(chunk.bytes()).isZero();
    }
  }
}
