package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.model.TripEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

  private static TripEvent trip(int i) {
    Instant t = Instant.parse("2025-01-01T00:00:00Z").plusSeconds(i);
    return TripEvent.builder()
        .tripId("f.csv:" + i)
        .source("replay")
        .pickupTime(t)
        .dropoffTime(t.plusSeconds(60))
        .tripDistance(1.0)
        .pickupZone(1)
        .dropoffZone(2)
        .fareAmount(5.0)
        .tipAmount(0.0)
        .totalAmount(5.0)
        .build();
  }

  /**
   * Rows 1..rows: every row is read (told to the listener); every fifth is rejected, the others are
   * events; throws {@code failure} when asked for row {@code failAt}. Records its reading thread.
   */
  private static final class Rows extends FetchingStream {
    final RowListener listener;
    final int rows;
    final int failAt;
    final RuntimeException failure;
    final AtomicReference<String> readBy = new AtomicReference<>();
    final AtomicInteger closes = new AtomicInteger();
    volatile int read;
    volatile String closedBy;

    Rows(RowListener listener, int rows, int failAt, RuntimeException failure) {
      this.listener = listener;
      this.rows = rows;
      this.failAt = failAt;
      this.failure = failure;
    }

    @Override
    protected ReplayEvent fetch() {
      readBy.compareAndSet(null, Thread.currentThread().getName());
      while (read < rows) {
        int row = ++read;
        if (row == failAt) {
          throw failure;
        }
        listener.onRowRead();
        if (row % 5 == 0) {
          listener.onRejected("bad_number", "row " + row);
        } else {
          return new ReplayEvent(trip(row), 0, row);
        }
      }
      return null;
    }

    @Override
    public void close() {
      super.close();
      closes.incrementAndGet();
      closedBy = Thread.currentThread().getName();
    }
  }

  /** What a listener and a consumer saw, in order. */
  private static final class Log implements RowListener {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final List<String> threads = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onRowRead() {
      lines.add("read");
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public void onRejected(String reason, String detail) {
      lines.add("rejected " + reason + " " + detail);
      threads.add(Thread.currentThread().getName());
    }

    void event(ReplayEvent e) {
      lines.add("event " + e.row() + " " + e.event().tripId());
    }
  }

  private static Log drain(EventStream s, Log log, int max) {
    int n = 0;
    while (n < max && s.hasNext()) {
      log.event(s.next());
      n++;
    }
    return log;
  }

  @Test
  void sameEventsAndNotificationsInTheSameOrderOnTheConsumersThread() {
    Log direct = new Log();
    drain(new Rows(direct, 103, -1, null), direct, Integer.MAX_VALUE);

    Log ahead = new Log();
    AtomicReference<Rows> src = new AtomicReference<>();
    try (ReadAhead r =
        ReadAhead.start(
            l -> {
              src.set(new Rows(l, 103, -1, null));
              return src.get();
            },
            ahead,
            "test-read",
            7, // batches of 7 items, one waiting at most: many hand-overs
            1,
            work -> work)) {
      drain(r, ahead, Integer.MAX_VALUE);
      assertThat(r.hasNext()).isFalse();
      assertThatThrownBy(r::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(ahead.lines).hasSize(103 + 20 + 83).isEqualTo(direct.lines);
    assertThat(src.get().readBy.get()).isEqualTo("test-read");
    assertThat(ahead.threads).containsOnly(Thread.currentThread().getName());
    assertThat(src.get().closes.get()).isEqualTo(1);
    assertThat(src.get().closedBy).isEqualTo("test-read");
  }

  @Test
  void aFailureIsRethrownAsThrownAfterEveryEventBeforeIt() {
    IllegalArgumentException boom = new IllegalArgumentException("f.csv: not UTF-8 near line 42");
    Log direct = new Log();
    Rows plain = new Rows(direct, 100, 42, boom);
    assertThatThrownBy(() -> drain(plain, direct, Integer.MAX_VALUE)).isSameAs(boom);

    Log ahead = new Log();
    AtomicReference<Rows> src = new AtomicReference<>();
    try (ReadAhead r =
        ReadAhead.start(
            l -> {
              src.set(new Rows(l, 100, 42, boom));
              return src.get();
            },
            ahead,
            "test-read",
            4,
            2,
            work -> work)) {
      assertThatThrownBy(() -> drain(r, ahead, Integer.MAX_VALUE)).isSameAs(boom);
      assertThat(r.hasNext()).isFalse();
    }
    assertThat(ahead.lines).isEqualTo(direct.lines);
    assertThat(ahead.lines.get(ahead.lines.size() - 1)).isEqualTo("event 41 f.csv:41");
    assertThat(src.get().closes.get()).isEqualTo(1);
  }

  @Test
  void stoppingEarlyReportsOnlyTheRowsBeforeTheLastEventTakenAndEndsTheReading() {
    Log direct = new Log();
    drain(new Rows(direct, 100_000, -1, null), direct, 10);

    Log ahead = new Log();
    AtomicReference<Rows> src = new AtomicReference<>();
    ReadAhead r =
        ReadAhead.start(
            l -> {
              src.set(new Rows(l, 100_000, -1, null));
              return src.get();
            },
            ahead,
            "test-read",
            16,
            2,
            work -> work);
    drain(r, ahead, 10);
    r.close();
    // the reading thread read ahead (its queue filled), but the listener heard of the rows up to
    // the tenth event only, as without read-ahead
    assertThat(ahead.lines).isEqualTo(direct.lines);
    assertThat(src.get().read).isGreaterThan(12).isLessThan(100_000);
    assertThat(src.get().closes.get()).isEqualTo(1);
    assertThat(r.hasNext()).isFalse();
    r.close(); // idempotent
    assertThat(src.get().closes.get()).isEqualTo(1);
  }

  @Test
  void closingWhileTheReaderWaitsForRoomEndsIt() throws Exception {
    AtomicReference<Rows> src = new AtomicReference<>();
    ReadAhead r =
        ReadAhead.start(
            l -> {
              src.set(new Rows(l, Integer.MAX_VALUE, -1, null));
              return src.get();
            },
            RowListener.NONE,
            "test-read",
            8,
            1,
            work -> work);
    // nothing taken: the reader fills the queue's one batch and the one in hand (two items a row:
    // 8 rows or so), then waits for room
    long deadline = System.nanoTime() + 5_000_000_000L;
    int seen = -1;
    while (seen != src.get().read || seen < 5) {
      seen = src.get().read;
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(seen).isLessThan(20);
    r.close();
    assertThat(src.get().closes.get()).isEqualTo(1);
    int readAtClose = src.get().read;
    Thread.sleep(50);
    assertThat(src.get().read).isEqualTo(readAtClose);
  }

  @Test
  @org.junit.jupiter.api.Timeout(30) // a hang is the failure this test is about
  void aReadingThreadThatDiesWithoutHandingOverItsEndFailsTheConsumerInsteadOfHangingIt() {
    AtomicReference<Rows> src = new AtomicReference<>();
    // the thread runs nothing: no event, no end, no failure handed over
    ReadAhead r =
        ReadAhead.start(
            l -> {
              src.set(new Rows(l, 10, -1, null));
              return src.get();
            },
            RowListener.NONE,
            "test-read",
            ReadAhead.BATCH_ITEMS,
            ReadAhead.DEPTH,
            work -> () -> {});
    long t0 = System.nanoTime();
    assertThatThrownBy(r::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the replay's reading thread (test-read) ended without handing over the rest of its"
                + " input");
    assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
    assertThat(r.hasNext()).isFalse();
    r.close();
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void anInterruptedReadingThreadIsAFailureNeverAnEndOfInput() throws Exception {
    ReadAhead r =
        ReadAhead.start(
            l -> new Rows(l, Integer.MAX_VALUE, -1, null),
            RowListener.NONE,
            "test-read-interrupted",
            8,
            1,
            work -> work);
    Thread reader = null;
    while (reader == null) {
      reader =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("test-read-interrupted"))
              .findFirst()
              .orElse(null);
    }
    Thread.sleep(200); // the queue is full: it waits for room
    reader.interrupt();
    assertThatThrownBy(
            () -> {
              while (r.hasNext()) {
                r.next();
              }
            })
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the replay's reading thread");
    r.close();
  }
}
