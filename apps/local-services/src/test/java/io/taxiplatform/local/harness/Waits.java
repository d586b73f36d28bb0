package io.taxiplatform.local.harness;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Awaitility, set up the way the tests wait for real processes: the condition is evaluated at once
 * and then every {@code pollInterval}, in the calling thread (it talks to Kafka, Cassandra and HTTP
 * endpoints with the test's own clients); an exception or assertion error the condition throws (a
 * process that exited, say) ends the wait at once; uncaught exceptions of other threads (Kafka
 * clients, drivers) are none of the wait's business.
 */
public final class Waits {

  private Waits() {}

  /** A wait named {@code what} of at most {@code atMost}. */
  public static ConditionFactory await(String what, Duration atMost, Duration pollInterval) {
    return Awaitility.await(what)
        .atMost(atMost)
        .pollDelay(Duration.ZERO)
        .pollInterval(pollInterval)
        .pollInSameThread()
        .dontCatchUncaughtExceptions();
  }

  /**
   * Waits until {@code done}; on timeout fails with an {@link AssertionError} whose message is
   * {@code timeoutMessage} (evaluated then: what was last seen, log tails), Awaitility's report as
   * its cause.
   */
  public static void until(
      String what,
      Duration atMost,
      Duration pollInterval,
      Callable<Boolean> done,
      Supplier<String> timeoutMessage) {
    try {
      await(what, atMost, pollInterval).until(done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(timeoutMessage.get(), e);
    }
  }

  /**
   * Waits until {@code value} satisfies {@code done} and returns it; on timeout fails like {@link
   * #until(String, Duration, Duration, Callable, Supplier)}.
   */
  public static <T> T until(
      String what,
      Duration atMost,
      Duration pollInterval,
      Callable<T> value,
      Predicate<? super T> done,
      Supplier<String> timeoutMessage) {
    try {
      return await(what, atMost, pollInterval).until(value, done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(timeoutMessage.get(), e);
    }
  }
}
