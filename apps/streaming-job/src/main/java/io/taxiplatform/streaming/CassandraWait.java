package io.taxiplatform.streaming;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's first Cassandra session, opened while Cassandra may still be starting: a connection
 * that is refused (nothing listens on the contact point yet) is retried for up to {@link
 * #CONNECT_WAIT}, like the trips topic's wait ({@link TripsTopic#TOPIC_WAIT_SECONDS}). Any other
 * failure (a wrong password, TLS, an unknown host, a node that answers with an error) fails at once
 * as before. Local mode starts the job beside Cassandra and relies on this.
 */
final class CassandraWait {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraWait.class);

  /** How long a refused connection is retried at start. */
  static final Duration CONNECT_WAIT = Duration.ofSeconds(60);

  private static final long POLL_MILLIS = 500;

  private CassandraWait() {}

  /**
   * {@code open.get()}, retried every {@code pollMillis} while it fails only because the contact
   * points refuse connections, for up to {@code wait}; then (or on any other failure) its exception
   * is thrown.
   */
  static <T> T open(Supplier<T> open, Duration wait, long pollMillis, String contactPoints) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean logged = false;
    while (true) {
      try {
        T session = open.get();
        if (logged) {
          LOG.info("Cassandra at {} accepts connections", contactPoints);
        }
        return session;
      } catch (Exception e) { // the connector throws an undeclared IOException
        if (!refused(e) || System.nanoTime() - deadline > 0) {
          throw CassandraWait.<RuntimeException>rethrow(e);
        }
        if (!logged) {
          LOG.info(
              "Cassandra at {} refuses connections (not started yet?); retrying for up to {} s",
              contactPoints,
              wait.toSeconds());
          logged = true;
        }
        try {
          Thread.sleep(pollMillis);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw CassandraWait.<RuntimeException>rethrow(e);
        }
      }
    }
  }

  /** Throws {@code e} as it is (checked or not), so the caller sees the connector's own failure. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /** {@link #open(Supplier, Duration, long, String)} with {@link #CONNECT_WAIT}, every 0.5 s. */
  static <T> T open(Supplier<T> open, String contactPoints) {
    return open(open, CONNECT_WAIT, POLL_MILLIS, contactPoints);
  }

  /**
   * Whether {@code failure} means only "connection refused": the driver's {@link
   * AllNodesFailedException} (possibly wrapped, as the Spark Cassandra connector does) whose every
   * node error is a {@link ConnectException}, or a bare {@link ConnectException}.
   */
  static boolean refused(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AllNodesFailedException all) {
        List<Throwable> errors =
            all.getAllErrors().values().stream().flatMap(List::stream).toList();
        return !errors.isEmpty() && errors.stream().allMatch(CassandraWait::isConnectException);
      }
    }
    return isConnectException(failure);
  }

  /**
   * Whether {@code failure}, its causes or what they suppressed hold a {@link ConnectException}
   * (the driver reports a refused connection as a suppressed exception of its {@code
   * ConnectionInitException}).
   */
  private static boolean isConnectException(Throwable failure) {
    return isConnectException(
        failure, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
  }

  private static boolean isConnectException(Throwable t, java.util.Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return false;
    }
    if (t instanceof ConnectException) {
      return true;
    }
    for (Throwable s : t.getSuppressed()) {
      if (isConnectException(s, seen)) {
        return true;
      }
    }
    return isConnectException(t.getCause(), seen);
  }
}
