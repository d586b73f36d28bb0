package io.taxiplatform.local.it.reliability;

import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.local.harness.Waits;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the streaming job when it exits, as the spark-operator's restart policy does ({@code
 * streaming.restartPolicy.onFailureRetryInterval}: 10 s in the chart), and waits for conditions
 * while doing so. Kills made by the test itself ({@link #killHard()}) are not restarted here: the
 * test restarts the job.
 */
final class JobSupervisor {

  private static final Logger LOG = LoggerFactory.getLogger(JobSupervisor.class);

  /** The chart's {@code streaming.restartPolicy.onFailureRetryInterval}. */
  static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

  private final PipelineFixture fixture;
  private StreamingJobProcess job;
  private Instant exitedAt;
  private Instant startedAt;

  /** Exit codes of the job's own exits (not the test's kills), in order. */
  final List<Integer> exits = new ArrayList<>();

  JobSupervisor(PipelineFixture fixture) {
    this.fixture = fixture;
  }

  /** Starts a new job process (the first, or after a kill). */
  StreamingJobProcess start() {
    job = fixture.startJob();
    startedAt = Instant.now();
    exitedAt = null;
    return job;
  }

  /** When the current process started. */
  Instant startedAt() {
    return startedAt;
  }

  StreamingJobProcess job() {
    return job;
  }

  /** SIGKILL to the current job (the test restarts it with {@link #start()}). */
  void killHard() {
    job.killHard();
    job = null;
  }

  /** Restarts the job when it has been gone for {@link #RETRY_INTERVAL}. */
  void supervise() {
    if (job == null || job.isAlive()) {
      return;
    }
    if (exitedAt == null) {
      exitedAt = Instant.now();
      int code = job.exitCode().orElse(-1);
      exits.add(code);
      LOG.warn(
          "the streaming job exited with {}; restarting it in {} s (restart policy). Log tail:\n{}",
          code,
          RETRY_INTERVAL.toSeconds(),
          job.logTail(15));
    } else if (Instant.now().isAfter(exitedAt.plus(RETRY_INTERVAL))) {
      start();
    }
  }

  /**
   * Polls {@code done} every {@code pollMillis}, supervising the job; fails after {@code timeout}.
   */
  void awaitUntil(String what, Duration timeout, long pollMillis, BooleanSupplier done) {
    Waits.until(
        what,
        timeout,
        Duration.ofMillis(pollMillis),
        () -> {
          supervise();
          return done.getAsBoolean();
        },
        () ->
            "timed out after "
                + timeout
                + " waiting for "
                + what
                + (job == null ? "" : "\njob log tail:\n" + job.logTail(60)));
  }

  /** Sleeps {@code duration}, supervising the job meanwhile. */
  void sleepSupervising(Duration duration) {
    Instant end = Instant.now().plus(duration);
    while (Instant.now().isBefore(end)) {
      supervise();
      sleep(Math.min(250, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
