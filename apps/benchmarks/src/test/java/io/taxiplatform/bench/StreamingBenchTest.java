package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.UsageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the steady warm-up ({@code --latency-steady}) takes the job's state as no longer growing,
 * and which trigger the latency job runs with.
 */
class StreamingBenchTest {

  private static boolean steady(Double... samples) {
    return StreamingBench.steady(List.of(samples), 15, 60, 0.03);
  }

  @Test
  void theLatencyJobsTriggerIsTheOneItsEnvironmentGivesAndTheResultsNameIt() {
    String before = System.getProperty("bench.latencyJobEnv");
    try {
      System.clearProperty("bench.latencyJobEnv");
      assertThat(StreamingBench.latencyTrigger()).isEqualTo(Duration.ofSeconds(1));
      assertThat(StreamingBench.triggerLabel(StreamingBench.latencyTrigger())).isEqualTo("1 s");
      System.setProperty("bench.latencyJobEnv", "STATE_STORE=hdfs;TRIGGER_INTERVAL=500ms");
      assertThat(StreamingBench.latencyTrigger()).isEqualTo(Duration.ofMillis(500));
      assertThat(StreamingBench.triggerLabel(StreamingBench.latencyTrigger())).isEqualTo("500 ms");
      System.setProperty("bench.latencyJobEnv", "TRIGGER_INTERVAL=2 seconds");
      assertThat(StreamingBench.triggerLabel(StreamingBench.latencyTrigger())).isEqualTo("2 s");
      System.setProperty("bench.latencyJobEnv", "TRIGGER_INTERVAL=half a second");
      assertThatThrownBy(StreamingBench::latencyTrigger)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("TRIGGER_INTERVAL")
          .hasMessageContaining("half a second");
      System.setProperty("bench.latencyJobEnv", "TRIGGER_INTERVAL=0ms");
      assertThatThrownBy(StreamingBench::latencyTrigger)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("TRIGGER_INTERVAL must be positive");
    } finally {
      if (before == null) {
        System.clearProperty("bench.latencyJobEnv");
      } else {
        System.setProperty("bench.latencyJobEnv", before);
      }
    }
  }

  private static boolean keptUp(long[] topicRecords, long[] rowsRead) {
    return StreamingBench.keptUp(
        java.util.Arrays.stream(topicRecords).boxed().toList(),
        java.util.Arrays.stream(rowsRead).boxed().toList(),
        15,
        60,
        StreamingBench.KEEP_UP_TOLERANCE,
        StreamingBench.KEEP_UP_BACKLOG_S);
  }

  /** The topic's records every 15 s over a minute at 35,000 events/s: 525,000 more each time. */
  private static final long[] SENT_AT_35000 = {0, 525_000, 1_050_000, 1_575_000, 2_100_000};

  @Test
  void aJobKeepsUpWhenItReadsWhatTheTopicTookOverTheLastMinute() {
    // the job a micro-batch or two behind
    assertThat(keptUp(SENT_AT_35000, new long[] {0, 460_000, 990_000, 1_500_000, 2_030_000}))
        .as("read 2,030,000 of 2,100,000 appended")
        .isTrue();
    assertThat(keptUp(SENT_AT_35000, new long[] {0, 500_000, 1_000_000, 1_500_000, 2_000_000}))
        .as("within 5 %: 2,000,000")
        .isTrue();
  }

  @Test
  void aJobDrainingABacklogOrFallingBehindDoesNotKeepUp() {
    // the thirty-eighth round's second pass: 38,590 events/s read while 35,000 were sent
    assertThat(keptUp(SENT_AT_35000, new long[] {0, 578_850, 1_157_700, 1_736_550, 2_315_400}))
        .as("draining a backlog")
        .isFalse();
    assertThat(keptUp(SENT_AT_35000, new long[] {0, 480_000, 960_000, 1_440_000, 1_920_000}))
        .as("falling behind: 32,000 events/s")
        .isFalse();
    // the last minute counts, not the run: a drained backlog no longer weighs
    long[] longer = {0, 525_000, 1_050_000, 1_575_000, 2_100_000, 2_625_000, 3_150_000};
    long[] drained = {0, 300_000, 1_040_000, 1_560_000, 2_090_000, 2_610_000, 3_130_000};
    assertThat(keptUp(longer, drained)).isTrue();
    assertThat(keptUp(java.util.Arrays.copyOf(longer, 6), java.util.Arrays.copyOf(drained, 6)))
        .as("a minute ago it was 225,000 behind")
        .isFalse();
  }

  @Test
  void aJobReadingAsFastAsTheFeedBehindAStandingBacklogDoesNotKeepUp() {
    // 30,000 events/s: the topic takes 450,000 records every 15 s, and the job reads as many
    long[] sent = {2_000_000, 2_450_000, 2_900_000, 3_350_000, 3_800_000};
    // the fortieth round's first pass at 30,000 events/s on a slow machine: 804,020 behind
    assertThat(keptUp(sent, behind(sent, 804_020))).as("27 s of the feed behind").isFalse();
    assertThat(keptUp(sent, behind(sent, 75_000))).as("2.5 s of the feed behind").isTrue();
    assertThat(keptUp(sent, behind(sent, 150_000))).as("5 s of the feed behind").isTrue();
    assertThat(keptUp(sent, behind(sent, 151_000))).as("just over 5 s behind").isFalse();
  }

  /** The rows a job read that is {@code records} behind each sample of {@code sent}. */
  private static long[] behind(long[] sent, long records) {
    return java.util.Arrays.stream(sent).map(r -> r - records).toArray();
  }

  @Test
  void keepingUpNeedsAFullMinuteOfSamplesAndRecordsSent() {
    assertThat(keptUp(new long[] {0, 525_000, 1_050_000, 1_575_000}, new long[] {0, 1, 2, 3}))
        .as("45 s of samples")
        .isFalse();
    assertThat(keptUp(new long[] {7, 7, 7, 7, 7}, new long[] {7, 7, 7, 7, 7}))
        .as("nothing sent")
        .isFalse();
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

  @Test
  void aJobRunsWallTimeIsReadFromItsExtrasAndACeilingRunHasNone() {
    StreamingBench.ThroughputRun job =
        new StreamingBench.ThroughputRun(
            "job", 0, 10, 5.0, List.of(), Map.of(StreamingBench.START_TO_DONE, 12.5));
    assertThat(job.startToDoneSeconds()).isEqualTo(12.5);
    StreamingBench.ThroughputRun ceiling =
        new StreamingBench.ThroughputRun("ceiling", 0, 10, 5.0, List.of(), Map.of());
    assertThat(ceiling.startToDoneSeconds()).isNaN();
  }
}
