package io.taxiplatform.producer;

import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of a run.
 *
 * @param rowsRead input rows read (synthetic: events generated)
 * @param sent events acknowledged by Kafka
 * @param sendErrors events Kafka did not acknowledge
 * @param rejected rows that could not become events, by reason
 * @param elapsed wall time of the run
 * @param eventsPerSecond {@code sent / elapsed}
 * @param stoppedEarly {@code true} when {@link TripProducerApp#stop()} ended the run
 * @param failure why the run aborted (a Kafka error that is not per record), or {@code null}
 * @param skippedAlreadyPresent replayed events not sent because an earlier run of the same replay
 *     already put them on the topic (resume)
 */
public record RunSummary(
    long rowsRead,
    long sent,
    long sendErrors,
    SortedMap<String, Long> rejected,
    Duration elapsed,
    double eventsPerSecond,
    boolean stoppedEarly,
    String failure,
    long skippedAlreadyPresent) {

  public RunSummary {
    rejected = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(rejected));
  }

  /** {@code true} when every event was acknowledged and nothing aborted the run. */
  public boolean ok() {
    return sendErrors == 0 && failure == null;
  }

  /** All rejected rows. */
  public long rejectedTotal() {
    return rejected.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Human-readable multi-line summary. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append("producer summary").append(stoppedEarly ? " (stopped)" : "").append('\n');
    sb.append(String.format("  read:        %d%n", rowsRead));
    sb.append(String.format("  sent:        %d%n", sent));
    sb.append(String.format("  send errors: %d%n", sendErrors));
    sb.append(String.format("  rejected:    %d%n", rejectedTotal()));
    for (Map.Entry<String, Long> e : rejected.entrySet()) {
      sb.append(String.format("    %-22s %d%n", e.getKey(), e.getValue()));
    }
    if (skippedAlreadyPresent > 0) {
      sb.append(
          String.format("  resumed:     skipped %d already in the topic%n", skippedAlreadyPresent));
    }
    sb.append(String.format("  elapsed:     %.3f s%n", elapsed.toNanos() / 1e9));
    sb.append(String.format("  rate:        %.1f events/s%n", eventsPerSecond));
    if (failure != null) {
      sb.append("  FAILED:      ").append(failure).append('\n');
    }
    return sb.toString();
  }
}
