package io.taxiplatform.producer.replay;

import java.util.NoSuchElementException;

/**
 * An {@link EventStream} that finds its next event when asked ({@link #fetch}), one event ahead of
 * its consumer. Not thread-safe.
 */
abstract class FetchingStream implements EventStream {

  private ReplayEvent next;
  private boolean closed;

  /**
   * The next event to emit (rows that are not sent are skipped and reported), or {@code null} at
   * the end. Not called once the stream is closed.
   */
  protected abstract ReplayEvent fetch();

  @Override
  public final boolean hasNext() {
    if (next == null && !closed) {
      next = fetch();
    }
    return next != null;
  }

  @Override
  public final ReplayEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ReplayEvent e = next;
    next = null;
    return e;
  }

  /** Ends the stream: {@link #hasNext} is {@code false} from now on. */
  @Override
  public void close() {
    closed = true;
    next = null;
  }
}
