package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.streaming.SinkProgress;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.junit.jupiter.api.Test;

/**
 * Offsets behind the head and the caught-up flag, from progress reports shaped like the Kafka
 * source's.
 */
class JobMetricsTest {

  /**
   * A progress report of {@code query}, batch {@code batchId}, one Kafka source per {end, latest}
   * pair.
   */
  static StreamingQueryProgress kafkaProgress(String query, long batchId, long[]... endAndLatest) {
    SourceProgress[] sources = new SourceProgress[endAndLatest.length];
    for (int p = 0; p < endAndLatest.length; p++) {
      String end = "{\"taxi.trips\":{\"" + p + "\":" + endAndLatest[p][0] + "}}";
      String latest = "{\"taxi.trips\":{\"" + p + "\":" + endAndLatest[p][1] + "}}";
      sources[p] =
          new SourceProgress(
              "KafkaV2[Assign[taxi.trips-" + p + "]]", "{}", end, latest, 0, 0, 0, Map.of());
    }
    return new StreamingQueryProgress(
        UUID.randomUUID(),
        UUID.randomUUID(),
        query,
        "2026-12-01T10:00:00.000Z",
        batchId,
        100,
        Map.of("triggerExecution", 100L),
        Map.of(),
        new StateOperatorProgress[0],
        sources,
        new SinkProgress("foreachBatch"),
        Map.of());
  }

  private static String scrape(JobMetrics m) throws Exception {
    return AggregationsTest.scrape(m);
  }

  @Test
  void caughtUpOnlyWhenEveryAggregationQueryIsWithinOneBatchOnEveryPartition() throws Exception {
    JobMetrics m = new JobMetrics(false);
    m.trackCaughtUp(Set.of("zone_windows", "borough_windows"), 100);
    assertThat(scrape(m)).as("0 before any batch").contains("taxi_stream_caught_up 0.0");

    m.onProgress(kafkaProgress("zone_windows", 1, new long[] {100, 5000}, new long[] {100, 150}));
    assertThat(scrape(m))
        .contains("taxi_stream_offsets_behind_latest{query=\"zone_windows\"} 4950.0")
        .contains("taxi_stream_caught_up 0.0");

    m.onProgress(kafkaProgress("zone_windows", 2, new long[] {4950, 5000}, new long[] {150, 150}));
    m.onProgress(kafkaProgress("dead_letters", 2, new long[] {0, 90000}));
    assertThat(scrape(m))
        .as("borough_windows has not reported yet; dead_letters does not count")
        .contains("taxi_stream_caught_up 0.0");

    m.onProgress(
        kafkaProgress("borough_windows", 7, new long[] {4999, 5000}, new long[] {50, 150}));
    assertThat(scrape(m))
        .as("borough partition 1 is 100 behind: still one batch")
        .contains("taxi_stream_offsets_behind_latest{query=\"borough_windows\"} 101.0")
        .contains("taxi_stream_caught_up 1.0");

    m.onProgress(
        kafkaProgress("borough_windows", 8, new long[] {5000, 5000}, new long[] {150, 251}));
    assertThat(scrape(m))
        .as("101 behind on one partition is more than one batch")
        .contains("taxi_stream_caught_up 0.0");
  }

  /**
   * The last progress time is when the batch ended (its trigger start + triggerExecution), not when
   * it started: the benchmark's events/s divide rows by the time between these, and a query is
   * stalled only when no batch has ended for a while. An idle report without the duration reads its
   * timestamp.
   */
  @Test
  void theLastProgressTimeIsTheEndOfTheBatch() throws Exception {
    JobMetrics m = new JobMetrics(false);
    m.onProgress(kafkaProgress("window_aggregates", 1, new long[] {5, 7}));
    // 2026-12-01T10:00:00.000Z + triggerExecution 100 ms
    assertThat(lastProgress(m)).isEqualTo(1_796_119_200.1, within(1e-3));
    m.onProgress(
        new StreamingQueryProgress(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "window_aggregates",
            "2026-12-01T10:00:07.000Z",
            2,
            0,
            Map.of(),
            Map.of(),
            new StateOperatorProgress[0],
            new SourceProgress[0],
            new SinkProgress("foreachBatch"),
            Map.of()));
    assertThat(lastProgress(m)).isEqualTo(1_796_119_207.0, within(1e-3));
  }

  private static double lastProgress(JobMetrics m) throws Exception {
    java.util.regex.Matcher v =
        java.util.regex.Pattern.compile(
                "(?m)^taxi_stream_last_progress_timestamp_seconds\\{query=\"window_aggregates\"\\} (\\S+)$")
            .matcher(scrape(m));
    assertThat(v.find()).as("the gauge is exposed").isTrue();
    return Double.parseDouble(v.group(1));
  }

  @Test
  void idleReportsWithoutOffsetsKeepTheLastLag() throws Exception {
    JobMetrics m = new JobMetrics(false);
    m.trackCaughtUp(Set.of("zone_windows"), 10);
    m.onProgress(kafkaProgress("zone_windows", 1, new long[] {5, 7}));
    StreamingQueryProgress idle =
        new StreamingQueryProgress(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "zone_windows",
            "2026-12-01T10:00:01.000Z",
            1,
            0,
            Map.of(),
            Map.of(),
            new StateOperatorProgress[0],
            new SourceProgress[] {
              new SourceProgress("KafkaV2", "{}", null, null, 0, 0, 0, Map.of())
            },
            new SinkProgress("foreachBatch"),
            Map.of());
    m.onProgress(idle);
    assertThat(scrape(m))
        .contains("taxi_stream_offsets_behind_latest{query=\"zone_windows\"} 2.0")
        .contains("taxi_stream_caught_up 1.0");
  }

  /** A state operator's progress as Spark 3.5 reports it (times in ms, custom metrics). */
  private static StateOperatorProgress operator(
      String name, long updatesMs, long removalsMs, long commitMs, Map<String, Long> custom) {
    return new StateOperatorProgress(
        name, 0, 10, updatesMs, 5, removalsMs, commitMs, 1 << 20, 0, 2, 2, custom);
  }

  private static StreamingQueryProgress withOperators(
      String query, long batchId, StateOperatorProgress... ops) {
    StreamingQueryProgress p = kafkaProgress(query, batchId, new long[] {10, 10});
    return new StreamingQueryProgress(
        p.id(),
        p.runId(),
        p.name(),
        p.timestamp(),
        p.batchId(),
        p.batchDuration(),
        p.durationMs(),
        p.eventTime(),
        ops,
        p.sources(),
        p.sink(),
        p.observedMetrics());
  }

  @Test
  void stateSizeAndOperatorTimesComeFromTheStoresMetrics() throws Exception {
    JobMetrics m = new JobMetrics(false);
    m.onProgress(
        withOperators(
            "window_aggregates",
            4,
            operator(
                "dedupe",
                120,
                1_150,
                80,
                // the SST files' size, not what the eviction read
                Map.of(
                    JobMetrics.ROCKSDB_ITERATOR_BYTES,
                    7L,
                    JobMetrics.ROCKSDB_SST_BYTES,
                    199_000_000L)),
            operator(
                "stateStoreSave", 40, 15, 30, Map.of(JobMetrics.ROCKSDB_SST_BYTES, 3_000_000L))));
    assertThat(scrape(m))
        .contains(
            "taxi_stream_state_bytes{operator=\"dedupe\",query=\"window_aggregates\"} 1.99E8",
            "taxi_stream_state_bytes{operator=\"stateStoreSave\",query=\"window_aggregates\"} 3000000.0",
            "taxi_stream_state_operator_seconds{operator=\"dedupe\",phase=\"removals\",query=\"window_aggregates\"} 1.15",
            "taxi_stream_state_operator_seconds{operator=\"dedupe\",phase=\"updates\",query=\"window_aggregates\"} 0.12",
            "taxi_stream_state_operator_seconds{operator=\"dedupe\",phase=\"commit\",query=\"window_aggregates\"} 0.08",
            "taxi_stream_state_operator_seconds{operator=\"stateStoreSave\",phase=\"removals\",query=\"window_aggregates\"} 0.015");

    // the heap-backed store reports its size under another name; two operators of one name add up
    m.onProgress(
        withOperators(
            "other",
            1,
            operator("dedupe", 1, 2, 3, Map.of(JobMetrics.HDFS_STATE_BYTES, 1_000L)),
            operator("dedupe", 1, 2, 3, Map.of(JobMetrics.HDFS_STATE_BYTES, 500L))));
    assertThat(scrape(m))
        .contains(
            "taxi_stream_state_bytes{operator=\"dedupe\",query=\"other\"} 1500.0",
            "taxi_stream_state_operator_seconds{operator=\"dedupe\",phase=\"commit\",query=\"other\"} 0.006");

    // a store that reports no size leaves no made-up size, but its times are still there
    m.onProgress(withOperators("third", 1, operator("dedupe", 1, 2, 3, Map.of())));
    assertThat(scrape(m))
        .doesNotContain("taxi_stream_state_bytes{operator=\"dedupe\",query=\"third\"}")
        .contains(
            "taxi_stream_state_operator_seconds{operator=\"dedupe\",phase=\"removals\",query=\"third\"} 0.002");
  }
}
