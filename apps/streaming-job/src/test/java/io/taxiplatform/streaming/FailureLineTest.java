package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The one stderr line a failed job prints (StreamingJob.failureLine). */
class FailureLineTest {

  @Test
  void namesTheFailureAndItsInnermostCause() {
    Exception wrapped =
        new IllegalStateException(
            "could not open a session",
            new RuntimeException(
                "all nodes failed",
                new SecurityException("Provided username taxi_job and/or password are incorrect")));
    assertThat(StreamingJob.failureLine(wrapped))
        .startsWith(
            "error: streaming job failed: java.lang.IllegalStateException: could not open a session")
        .endsWith(
            "(cause: java.lang.SecurityException: Provided username taxi_job and/or password are incorrect)")
        .doesNotContain("\n");
  }

  @Test
  void aFailureWithoutCauseIsNamedOnce() {
    assertThat(StreamingJob.failureLine(new IOException("lookup file unreadable")))
        .isEqualTo("error: streaming job failed: java.io.IOException: lookup file unreadable");
  }
}
