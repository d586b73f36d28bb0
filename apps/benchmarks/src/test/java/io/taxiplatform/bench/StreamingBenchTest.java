package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the steady warm-up ({@code --latency-steady}) takes the job's state as no longer growing.
 */
class StreamingBenchTest {

  private static boolean steady(Double... samples) {
    return StreamingBench.steady(List.of(samples), 15, 60, 0.03);
  }

  @Test
  void aStateStillGrowingIsNotSteady() {
    // 5,000 trips/s filling a 10-minute watermark: ~10 % more per minute near its end
    assertThat(steady(100.0, 110.0, 120.0, 130.0, 140.0, 150.0, 160.0, 170.0, 180.0)).isFalse();
    assertThat(steady(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)).as("no state yet").isFalse();
  }

  @Test
  void needsTwoFullSpansOfSamples() {
    assertThat(steady(200.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0))
        .as("105 s of samples")
        .isFalse();
    assertThat(steady(200.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0)).as("120 s").isTrue();
  }

  @Test
  void aStateWithinTheToleranceOfTheMinuteBeforeIsSteadyAlsoWhenShrinking() {
    assertThat(steady(150.0, 199.0, 201.0, 198.0, 202.0, 199.0, 203.0, 200.0)).isTrue();
    // after a higher rate, the state shrinks to the new rate's size, then holds
    assertThat(steady(400.0, 350.0, 300.0, 250.0, 200.0, 200.0, 199.0, 201.0, 200.0)).isFalse();
    assertThat(
            steady(
                400.0, 350.0, 300.0, 250.0, 200.0, 200.0, 199.0, 201.0, 200.0, 200.0, 200.0, 199.0,
                200.0))
        .isTrue();
  }

  @Test
  void aSawtoothOfFlushesAndCompactionsIsSteadyOnceItsPeaksHold() {
    // RocksDB's SST files at 5,000 trips/s once the state is full (MB, every 15 s, like the
    // thirty-first round's): a sample and the one a minute before differ by up to 9 %, by the phase
    assertThat(steady(26.9, 29.3, 25.7, 28.1, 29.0, 26.9, 28.2, 25.7)).isTrue();
    assertThat(steady(26.9, 29.3, 25.7, 28.1, 29.0, 26.9)).as("105 s").isFalse();
    // still filling: its peaks rise
    assertThat(steady(20.1, 22.3, 19.8, 23.0, 24.6, 26.9, 24.2, 27.5)).isFalse();
  }
}
