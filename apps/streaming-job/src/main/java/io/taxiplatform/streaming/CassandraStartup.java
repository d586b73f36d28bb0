package io.taxiplatform.streaming;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Cassandra side of the job's start (wait for Cassandra, apply the schema), run on its own
 * thread while the main thread does the Kafka side (the trips topic's partitions, the checkpoint
 * checks) and builds and starts the query. Nothing is written to Cassandra before it is done: the
 * window sink calls {@link #await} before its first micro-batch writes, and the main thread calls
 * it right after starting the query, so a failure (a wrong password, a keyspace the role may not
 * create) ends the job as it did when the schema was applied first, with the same exception.
 *
 * <p>Before, the query was built and started only once the schema was applied: in local mode, where
 * Cassandra starts beside the job, the first micro-batch then began about 4 s after Cassandra
 * answered (building the plan and starting the query). Now those seconds overlap Cassandra's start,
 * and so do the first micro-batch's offset planning and query planning, which run before its sink.
 */
final class CassandraStartup {

  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private CassandraStartup() {}

  /** Runs {@code work} on a new daemon thread named {@code name}. */
  static CassandraStartup begin(String name, Callable<?> work) {
    CassandraStartup startup = new CassandraStartup();
    Thread t =
        new Thread(
            () -> {
              try {
                work.call();
                startup.done.complete(null);
              } catch (Throwable e) {
                startup.done.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return startup;
  }

  /**
   * Waits until the work is done; when it failed, throws its exception as it was thrown (checked or
   * not, not wrapped), on every call.
   */
  void await() {
    try {
      done.join();
    } catch (CompletionException e) {
      throw CassandraStartup.<RuntimeException>rethrow(e.getCause());
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E rethrow(Throwable e) throws E {
    throw (E) e;
  }
}
