package io.taxiplatform.producer;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of a run, safe to read from any thread (local mode shows them while it runs). */
public final class ProducerStats {

  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong attempted = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();

  void onRowRead() {
    rowsRead.incrementAndGet();
  }

  void onAttempted() {
    attempted.incrementAndGet();
  }

  void onSent() {
    sent.incrementAndGet();
  }

  void onSendError() {
    sendErrors.incrementAndGet();
  }

  void onSkipped() {
    skipped.incrementAndGet();
  }

  void onRejected(String reason) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long rowsRead() {
    return rowsRead.get();
  }

  /** Events handed to the Kafka producer so far. */
  public long attempted() {
    return attempted.get();
  }

  /** Events acknowledged so far. */
  public long sent() {
    return sent.get();
  }

  public long sendErrors() {
    return sendErrors.get();
  }

  /**
   * Replayed events not sent because an earlier run of the same replay already put them on the
   * topic.
   */
  public long skippedAlreadyPresent() {
    return skipped.get();
  }

  /** Rejected rows by reason so far. */
  public SortedMap<String, Long> rejected() {
    SortedMap<String, Long> out = new TreeMap<>();
    rejected.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
