package io.taxiplatform.producer;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Rate control: before each event, waits until its send time.
 *
 * <ul>
 *   <li>{@link #unlimited()}: as fast as possible;
 *   <li>{@link #fixedRate}: event {@code i} (from 0) at {@code start + i / rate};
 *   <li>{@link #speed}: event at {@code start + (eventTime - firstEventTime) / speed}. A replay in
 *       dropoff order (the default) comes in event-time order, so this is the original timeline
 *       scaled; an event earlier than the previous one (only in {@code --order file}: TLC files are
 *       not sorted by dropoff time) is sent at the previous event's slot, never earlier.
 * </ul>
 *
 * Not thread-safe. Time comes from a nano clock and waiting from a {@link Sleeper}, so tests can
 * check the schedule without sleeping.
 */
public abstract class Pacer {

  /** Sleeps for a number of nanoseconds. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  /** The real sleeper. */
  public static final Sleeper THREAD_SLEEP =
      nanos -> {
        if (nanos > 0) {
          Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
      };

  protected final LongSupplier nanoTime;
  protected final Sleeper sleeper;
  protected long startNanos;
  protected boolean started;

  Pacer(LongSupplier nanoTime, Sleeper sleeper) {
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  /**
   * Waits until event number {@code index} (from 0), whose event time is {@code eventTime}, is due.
   */
  public void await(long index, Instant eventTime) throws InterruptedException {
    if (!started) {
      started = true;
      startNanos = nanoTime.getAsLong();
      first(eventTime);
    }
    long due = dueOffsetNanos(index, eventTime);
    if (due <= 0) {
      return;
    }
    long wait = startNanos + due - nanoTime.getAsLong();
    if (wait > 0) {
      sleeper.sleepNanos(wait);
    }
  }

  void first(Instant eventTime) {}

  abstract long dueOffsetNanos(long index, Instant eventTime);

  public static Pacer unlimited() {
    return unlimited(System::nanoTime, THREAD_SLEEP);
  }

  public static Pacer unlimited(LongSupplier nanoTime, Sleeper sleeper) {
    return new Pacer(nanoTime, sleeper) {
      @Override
      long dueOffsetNanos(long index, Instant eventTime) {
        return 0;
      }
    };
  }

  public static Pacer fixedRate(double eventsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
    if (!(eventsPerSecond > 0)) {
      throw new IllegalArgumentException("rate must be > 0");
    }
    double nanosPerEvent = 1e9 / eventsPerSecond;
    return new Pacer(nanoTime, sleeper) {
      @Override
      long dueOffsetNanos(long index, Instant eventTime) {
        return (long) (index * nanosPerEvent);
      }
    };
  }

  public static Pacer speed(double speed, LongSupplier nanoTime, Sleeper sleeper) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be > 0");
    }
    return new Pacer(nanoTime, sleeper) {
      private Instant firstEvent;
      private long lastDue;

      @Override
      void first(Instant eventTime) {
        firstEvent = eventTime;
      }

      @Override
      long dueOffsetNanos(long index, Instant eventTime) {
        long originalNanos = java.time.Duration.between(firstEvent, eventTime).toNanos();
        long due = (long) (originalNanos / speed);
        lastDue = Math.max(lastDue, due);
        return lastDue;
      }
    };
  }
}
