package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ResumeScannerTest {

  private static final String TOPIC = "trips";

  /**
   * A consumer over a topic of 3 partitions holding {@code records} (partition, header value or
   * null).
   */
  private static MockConsumer<byte[], byte[]> topic(
      List<Map.Entry<Integer, ReplayMarker>> records) {
    MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
    Map<TopicPartition, Long> begin = new HashMap<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    for (int p = 0; p < 3; p++) {
      begin.put(new TopicPartition(TOPIC, p), 0L);
      end.put(new TopicPartition(TOPIC, p), 0L);
    }
    List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
    for (Map.Entry<Integer, ReplayMarker> r : records) {
      TopicPartition tp = new TopicPartition(TOPIC, r.getKey());
      long offset = end.merge(tp, 1L, Long::sum) - 1;
      RecordHeaders h = new RecordHeaders();
      if (r.getValue() != null) {
        h.add(ReplayMarker.HEADER, r.getValue().encode());
      }
      recs.add(
          new ConsumerRecord<>(
              TOPIC,
              r.getKey(),
              offset,
              0L,
              TimestampType.CREATE_TIME,
              0,
              0,
              new byte[0],
              new byte[0],
              h,
              Optional.empty()));
    }
    c.updateBeginningOffsets(begin);
    c.updateEndOffsets(end);
    c.schedulePollTask(() -> recs.forEach(c::addRecord));
    return c;
  }

  private static List<Map.Entry<Integer, ReplayMarker>> layout() {
    return List.of(
        Map.entry(0, new ReplayMarker("X", 0, 5L)),
        Map.entry(2, new ReplayMarker("X", 1, 5L)),
        Map.entry(0, new ReplayMarker("X", 2, 5L)),
        Map.entry(2, new ReplayMarker("X", 3, 5L)),
        Map.entry(0, new ReplayMarker("X", 4, 5L)),
        Map.entry(0, new ReplayMarker("Y", 99, null)),
        new java.util.AbstractMap.SimpleEntry<>(0, null));
  }

  @Test
  void highestSeqOfTheReplayPerPartitionAndItsShift() {
    ResumeScanner.Position p =
        ResumeScanner.scan(topic(layout()), TOPIC, 3, "X", 1000, Duration.ofSeconds(10));
    assertThat(p.highestSeq()).isEqualTo(Map.of(0, 4L, 2, 3L));
    assertThat(p.highest(1)).isEqualTo(-1);
    assertThat(p.shiftSeconds()).isEqualTo(5L);
    assertThat(p.recordsScanned()).isEqualTo(7);
    assertThat(p.found()).isTrue();
  }

  @Test
  void onlyTheTailIsRead() {
    // the last 2 records of partition 0 are not replay X's: its earlier records are not seen
    ResumeScanner.Position p =
        ResumeScanner.scan(topic(layout()), TOPIC, 3, "X", 2, Duration.ofSeconds(10));
    assertThat(p.highestSeq()).isEqualTo(Map.of(2, 3L));
    assertThat(p.recordsScanned()).isEqualTo(4);
  }

  @Test
  void anotherReplayOrAnEmptyTopicIsNotFound() {
    assertThat(
            ResumeScanner.scan(topic(layout()), TOPIC, 3, "Z", 1000, Duration.ofSeconds(10))
                .found())
        .isFalse();
    ResumeScanner.Position empty =
        ResumeScanner.scan(topic(List.of()), TOPIC, 3, "X", 1000, Duration.ofSeconds(1));
    assertThat(empty.found()).isFalse();
    assertThat(empty.shiftSeconds()).isNull();
  }

  @Test
  void aScanThatCannotReachTheEndFails() {
    MockConsumer<byte[], byte[]> c = topic(List.of());
    Map<TopicPartition, Long> end = new HashMap<>();
    end.put(new TopicPartition(TOPIC, 1), 5L); // records the consumer never gets
    c.updateEndOffsets(end);
    assertThatThrownBy(() -> ResumeScanner.scan(c, TOPIC, 3, "X", 1000, Duration.ofMillis(300)))
        .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
        .hasMessageContaining("trips-1");
  }
}
