package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer's schedule, checked on a fake clock (no real sleeping, no timing assertions). */
class PacerTest {

  private long now = 1_000_000_000L;
  private final List<Long> sleeps = new ArrayList<>();

  private void sleep(long nanos) {
    sleeps.add(nanos);
    now += nanos; // the fake clock advances by exactly the requested sleep
  }

  @Test
  void fixedRateSpacesEventsEvenly() throws InterruptedException {
    Pacer p = Pacer.fixedRate(4, () -> now, this::sleep);
    Instant t = Instant.EPOCH;
    for (int i = 0; i < 5; i++) {
      p.await(i, t);
    }
    assertThat(sleeps).containsExactly(250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L);
  }

  @Test
  void fixedRateDoesNotSleepWhenBehind() throws InterruptedException {
    Pacer p = Pacer.fixedRate(10, () -> now, this::sleep);
    p.await(0, Instant.EPOCH);
    now += 1_000_000_000L; // the sender was slow for a second: 10 events are already due
    for (int i = 1; i <= 10; i++) {
      p.await(i, Instant.EPOCH);
    }
    assertThat(sleeps).isEmpty();
    p.await(11, Instant.EPOCH);
    assertThat(sleeps).containsExactly(100_000_000L);
  }

  @Test
  void speedFollowsTheOriginalTimelineScaled() throws InterruptedException {
    Pacer p = Pacer.speed(60, () -> now, this::sleep);
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    p.await(0, t0);
    p.await(1, t0.plusSeconds(60)); // one minute later at 60x: due 1 s after start
    p.await(2, t0.plusSeconds(30)); // out of order: not earlier than the previous slot
    p.await(3, t0.plusSeconds(180)); // 3 minutes: due at 3 s
    assertThat(sleeps).containsExactly(1_000_000_000L, 2_000_000_000L);
  }

  @Test
  void unlimitedNeverWaits() throws InterruptedException {
    Pacer p = Pacer.unlimited(() -> now, this::sleep);
    for (int i = 0; i < 1000; i++) {
      p.await(i, Instant.EPOCH);
    }
    assertThat(sleeps).isEmpty();
  }
}
