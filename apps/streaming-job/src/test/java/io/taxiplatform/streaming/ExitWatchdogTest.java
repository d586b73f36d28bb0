package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The watchdog that ends a failed job whose queries do not stop (StreamingJob.exitWatchdog). */
class ExitWatchdogTest {

  @Test
  void firesAfterTheGraceOnADaemonThread() throws InterruptedException {
    CountDownLatch fired = new CountDownLatch(1);
    long t0 = System.nanoTime();
    Thread t = StreamingJob.exitWatchdog(Duration.ofMillis(200), fired::countDown);
    assertThat(t.isDaemon()).as("does not keep the JVM alive").isTrue();
    assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }

  @Test
  void anInterruptCancelsIt() throws InterruptedException {
    AtomicBoolean fired = new AtomicBoolean();
    Thread t = StreamingJob.exitWatchdog(Duration.ofSeconds(1), () -> fired.set(true));
    t.interrupt();
    t.join(5000);
    assertThat(t.isAlive()).isFalse();
    assertThat(fired).isFalse();
  }

  @Test
  void theGraceIsBounded() {
    assertThat(StreamingJob.FAILURE_EXIT_GRACE)
        .isPositive()
        .isLessThanOrEqualTo(Duration.ofMinutes(2));
  }
}
