package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CassandraStartupTest {

  @Test
  void awaitBlocksUntilTheWorkIsDoneOnItsOwnThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean ran = new AtomicBoolean();
    String[] thread = new String[1];
    CassandraStartup startup =
        CassandraStartup.begin(
            "cassandra-schema-test",
            () -> {
              thread[0] = Thread.currentThread().getName();
              release.await();
              ran.set(true);
              return null;
            });
    Thread waiter = new Thread(startup::await);
    waiter.start();
    waiter.join(300);
    assertThat(waiter.isAlive()).as("await returns before the work is done").isTrue();
    release.countDown();
    waiter.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(waiter.isAlive()).isFalse();
    assertThat(ran).isTrue();
    assertThat(thread[0]).isEqualTo("cassandra-schema-test");
  }

  @Test
  void aFailureIsThrownAsItWasOnEveryAwait() {
    TripsTopic.StartupException failure =
        new TripsTopic.StartupException("the keyspace does not exist");
    CassandraStartup startup =
        CassandraStartup.begin(
            "t",
            () -> {
              throw failure;
            });
    assertThatThrownBy(startup::await).isSameAs(failure);
    assertThatThrownBy(startup::await).as("the second caller (the sink)").isSameAs(failure);
  }

  @Test
  void aCheckedFailureIsNotWrapped() {
    IOException refused = new IOException("Failed to open native connection to Cassandra");
    CassandraStartup startup =
        CassandraStartup.begin(
            "t",
            () -> {
              throw refused;
            });
    assertThatThrownBy(startup::await).isSameAs(refused);
  }
}
