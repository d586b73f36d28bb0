package io.taxiplatform.producer.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Finds how far an earlier run of the same replay got: reads the last {@code tailRecords} records
 * of every partition of the topic (assign + seek, no consumer group, nothing committed) and keeps,
 * per partition, the highest {@code seq} of the records whose {@link ReplayMarker} carries this
 * replay's id.
 *
 * <p>Exact because the idempotent producer keeps the order of each partition: if record {@code seq}
 * of a partition is in the topic, every earlier record of the replay for that partition is too.
 * Limit: the replay's last record of a partition must be among that partition's last {@code
 * tailRecords} records; when other producers wrote more than that to the topic after the
 * interrupted run, the earlier records are not found and are sent again.
 */
public final class ResumeScanner {

  /** Records read at the end of each partition. */
  public static final int TAIL_RECORDS = 1000;

  private ResumeScanner() {}

  /**
   * What the topic already holds of a replay.
   *
   * @param highestSeq per partition, the highest seq found (absent: none)
   * @param shiftSeconds the time-mode-now shift of the earlier run, or {@code null}
   * @param recordsScanned records read
   */
  public record Position(Map<Integer, Long> highestSeq, Long shiftSeconds, long recordsScanned) {

    public Position {
      highestSeq = Map.copyOf(highestSeq);
    }

    /** Nothing of the replay in the topic. */
    public static Position none() {
      return new Position(Map.of(), null, 0);
    }

    /** Highest seq in {@code partition}, -1 when none. */
    public long highest(int partition) {
      return highestSeq.getOrDefault(partition, -1L);
    }

    /** {@code true} when some record of the replay was found. */
    public boolean found() {
      return !highestSeq.isEmpty();
    }
  }

  /**
   * Scans the tail of every partition of {@code topic}.
   *
   * @param consumer a consumer of raw bytes; used (assigned, polled) but not closed
   * @param partitions the topic's partition count
   * @param replayId {@link ReplayMarker#replayId}
   * @param tailRecords records read at the end of each partition
   * @param timeout for the whole scan
   * @throws org.apache.kafka.common.errors.TimeoutException when the scan does not reach the end of
   *     every partition in time (nothing can be said then: the caller must not guess)
   */
  public static Position scan(
      Consumer<byte[], byte[]> consumer,
      String topic,
      int partitions,
      String replayId,
      int tailRecords,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    consumer.assign(tps);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, timeout);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
    Set<TopicPartition> pending = new HashSet<>();
    for (TopicPartition tp : tps) {
      long b = begin.getOrDefault(tp, 0L);
      long e = end.getOrDefault(tp, 0L);
      long start = Math.max(b, e - tailRecords);
      if (start < e) {
        consumer.seek(tp, start);
        pending.add(tp);
      }
    }
    consumer.pause(difference(tps, pending));
    Map<Integer, Long> highest = new HashMap<>();
    Long shift = null;
    long scanned = 0;
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "resume scan of "
                + topic
                + " did not reach the end of partitions "
                + pending
                + " within "
                + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() >= end.getOrDefault(tp, Long.MAX_VALUE)) {
          continue; // written after the scan started (another producer)
        }
        scanned++;
        Header h = r.headers().lastHeader(ReplayMarker.HEADER);
        Optional<ReplayMarker> m = ReplayMarker.decode(h == null ? null : h.value());
        if (m.isPresent() && m.get().replayId().equals(replayId)) {
          highest.merge(r.partition(), m.get().seq(), Math::max);
          if (m.get().shiftSeconds() != null) {
            shift = m.get().shiftSeconds();
          }
        }
      }
      List<TopicPartition> done = new ArrayList<>();
      for (TopicPartition tp : pending) {
        if (consumer.position(tp) >= end.get(tp)) {
          done.add(tp);
        }
      }
      done.forEach(pending::remove);
      consumer.pause(done);
    }
    return new Position(highest, shift, scanned);
  }

  private static List<TopicPartition> difference(
      List<TopicPartition> all, Set<TopicPartition> minus) {
    List<TopicPartition> out = new ArrayList<>(all);
    out.removeAll(minus);
    return out;
  }
}
