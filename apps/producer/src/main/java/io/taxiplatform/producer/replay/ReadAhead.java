package io.taxiplatform.producer.replay;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads an {@link EventStream} on its own thread, ahead of the one that consumes it: the reading (a
 * file's parsing and mapping, or the dropoff merge's decoding) runs on one core while the consumer
 * (Kafka's send path, or the dropoff sort's chunks) runs on another.
 *
 * <p>What the consumer sees is exactly what the source gives, in the same order: the events, and
 * every {@link RowListener} notification of the source, delivered to the consumer's listener on the
 * consumer's thread just before the event that followed it in the source (so the run's {@code read}
 * and {@code rejected} counters, and their log lines, are what they were without read-ahead, also
 * when the consumer stops early). A failure of the source is rethrown to the consumer, as it was
 * thrown, where the source threw it: after every event read before it.
 *
 * <p>Memory: at most {@code depth + 2} batches of {@code batchItems} items (events and
 * notifications). {@link #close()} stops the reading thread and waits for it; the source is closed
 * on that thread when it ends. Not thread-safe: one consumer.
 */
public final class ReadAhead extends FetchingStream {

  /** Items per batch handed over: events and row notifications. */
  public static final int BATCH_ITEMS = 1024;

  /** Batches waiting at most. */
  public static final int DEPTH = 4;

  private static final Object ROW_READ = new Object();
  private static final Object END = new Object();

  private record Rejected(String reason, String detail) {}

  private record Failed(Throwable cause) {}

  private final BlockingQueue<Object[]> queue;
  private final RowListener listener;
  private final Thread thread;
  private volatile boolean closed;
  private Object[] batch;
  private int pos;
  private boolean ended;

  private ReadAhead(
      Function<RowListener, EventStream> open,
      RowListener listener,
      String threadName,
      int batchItems,
      int depth,
      java.util.function.UnaryOperator<Runnable> wrap) {
    if (batchItems < 1 || depth < 1) {
      throw new IllegalArgumentException("batchItems and depth must be >= 1");
    }
    this.queue = new ArrayBlockingQueue<>(depth);
    this.listener = listener;
    Reading reading = new Reading(batchItems);
    EventStream source = open.apply(reading);
    Runnable body =
        () -> {
          try (source) {
            reading.run(source);
          }
        };
    this.thread = new Thread(wrap.apply(body), threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Starts reading.
   *
   * @param open makes the source, given the listener it must report its rows to (called once, on
   *     the caller's thread; the source is then read and closed on the reading thread)
   * @param listener told about the source's rows, on the consumer's thread
   * @param threadName the reading thread's name
   */
  public static ReadAhead start(
      Function<RowListener, EventStream> open, RowListener listener, String threadName) {
    return new ReadAhead(open, listener, threadName, BATCH_ITEMS, DEPTH, r -> r);
  }

  /**
   * {@link #start} with another batch size and depth, the reading thread running {@code wrap} of
   * its work (tests: {@code r -> r}, or a thread that dies).
   */
  static ReadAhead start(
      Function<RowListener, EventStream> open,
      RowListener listener,
      String threadName,
      int batchItems,
      int depth,
      java.util.function.UnaryOperator<Runnable> wrap) {
    return new ReadAhead(open, listener, threadName, batchItems, depth, wrap);
  }

  /** The reading side: fills batches and hands them over. */
  private final class Reading implements RowListener {
    private final int size;
    private Object[] out;
    private int n;

    Reading(int size) {
      this.size = size;
      this.out = new Object[size];
    }

    @Override
    public void onRowRead() {
      add(ROW_READ);
    }

    @Override
    public void onRejected(String reason, String detail) {
      add(new Rejected(reason, detail));
    }

    void run(EventStream source) {
      try {
        while (!closed && source.hasNext()) {
          add(source.next());
        }
        add(END);
      } catch (Throwable t) { // handed to the consumer, thrown there
        add(new Failed(t));
        add(END);
      }
      flush();
    }

    private void add(Object item) {
      out[n++] = item;
      if (n == size) {
        flush();
      }
    }

    private void flush() {
      if (n == 0 || closed) {
        return;
      }
      Object[] full = out;
      out = new Object[size];
      n = 0;
      try {
        while (!queue.offer(full, 100, TimeUnit.MILLISECONDS)) {
          if (closed) {
            return;
          }
        }
      } catch (InterruptedException e) {
        // nothing interrupts this thread; should something, the consumer gets a failure (handed
        // over by run, or take's check of a thread gone), never an input that looks complete
        throw new IllegalStateException("the replay's reading thread was interrupted", e);
      }
    }
  }

  @Override
  protected ReplayEvent fetch() {
    while (!ended) {
      if (batch == null || pos == batch.length || batch[pos] == null) {
        batch = take();
        pos = 0;
        continue;
      }
      Object item = batch[pos++];
      if (item instanceof ReplayEvent e) {
        return e;
      } else if (item == ROW_READ) {
        listener.onRowRead();
      } else if (item instanceof Rejected r) {
        listener.onRejected(r.reason(), r.detail());
      } else if (item instanceof Failed f) {
        ended = true;
        if (f.cause() instanceof RuntimeException re) {
          throw re;
        }
        if (f.cause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(f.cause());
      } else if (item == END) {
        ended = true;
      }
    }
    return null;
  }

  /**
   * The next batch. The reading thread always hands over an end or a failure; should it die without
   * (an error thrown while it reports one), this fails instead of waiting forever.
   */
  private Object[] take() {
    try {
      while (true) {
        Object[] b = queue.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
        if (!thread.isAlive()) {
          b = queue.poll();
          if (b != null) {
            return b;
          }
          ended = true;
          throw new IllegalStateException(
              "the replay's reading thread ("
                  + thread.getName()
                  + ") ended without handing over the rest of its input");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for the replay's input");
    }
  }

  /** Stops the reading thread and waits for it to close the source. Idempotent. */
  @Override
  public void close() {
    super.close();
    closed = true;
    ended = true;
    queue.clear();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join(100);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      queue.clear();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
