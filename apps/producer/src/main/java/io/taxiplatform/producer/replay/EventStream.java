package io.taxiplatform.producer.replay;

/**
 * The events of a replay in the order they are emitted. Not thread-safe. {@link #close()} releases
 * every resource (input files, spill files) and may be called at any time.
 */
public interface EventStream extends AutoCloseable {

  /** {@code true} while there is another event. */
  boolean hasNext();

  /** The next event. */
  ReplayEvent next();

  @Override
  void close();
}
