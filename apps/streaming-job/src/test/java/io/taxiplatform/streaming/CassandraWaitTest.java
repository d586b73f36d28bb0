package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.internal.core.metadata.DefaultEndPoint;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CassandraWaitTest {

  private static Node node() {
    return (Node)
        Proxy.newProxyInstance(
            Node.class.getClassLoader(),
            new Class<?>[] {Node.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "toString" -> "node-127.0.0.1:9042";
                  case "hashCode" -> 1;
                  case "equals" -> proxy == args[0];
                  default -> null;
                });
  }

  /** What the Spark Cassandra connector throws when no node can be reached. */
  private static IOException connectorFailure(Throwable nodeError) {
    return new IOException(
        "Failed to open native connection to Cassandra at {127.0.0.1:9042}",
        AllNodesFailedException.fromErrors(Map.of(node(), nodeError)));
  }

  private static RuntimeException sneaky(Exception e) {
    return CassandraWaitTest.<RuntimeException>sneakyThrow(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneakyThrow(Exception e) throws E {
    throw (E) e;
  }

  @Test
  void aRefusedConnectionIsRetriedUntilCassandraAnswers() {
    AtomicInteger calls = new AtomicInteger();
    String session =
        CassandraWait.open(
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw sneaky(connectorFailure(new ConnectException("Connection refused")));
              }
              return "session";
            },
            Duration.ofSeconds(10),
            1,
            "127.0.0.1:9042");
    assertThat(session).isEqualTo("session");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aWrongPasswordFailsAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    IOException failure =
        connectorFailure(
            new AuthenticationException(
                new DefaultEndPoint(new InetSocketAddress("127.0.0.1", 9042)),
                "Provided username is incorrect"));
    assertThatThrownBy(
            () ->
                CassandraWait.open(
                    () -> {
                      calls.incrementAndGet();
                      throw sneaky(failure);
                    },
                    Duration.ofSeconds(10),
                    1,
                    "127.0.0.1:9042"))
        .isSameAs(failure);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aRefusedConnectionFailsOnceTheWaitIsOver() {
    AtomicInteger calls = new AtomicInteger();
    IOException failure = connectorFailure(new ConnectException("Connection refused"));
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                CassandraWait.open(
                    () -> {
                      calls.incrementAndGet();
                      throw sneaky(failure);
                    },
                    Duration.ofMillis(300),
                    20,
                    "127.0.0.1:9042"))
        .isSameAs(failure);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(calls.get()).isGreaterThan(1);
  }

  @Test
  void refusedIsOnlyAConnectionRefusedByEveryNode() {
    assertThat(CassandraWait.refused(connectorFailure(new ConnectException("refused")))).isTrue();
    assertThat(CassandraWait.refused(new ConnectException("refused"))).isTrue();
    // how driver 4.x reports it: the refused connect is suppressed by the failed init request
    RuntimeException init = new IllegalStateException("OPTIONS: failed to send request");
    init.addSuppressed(new ConnectException("Connection refused: /127.0.0.1:9042"));
    assertThat(CassandraWait.refused(connectorFailure(init))).isTrue();
    assertThat(
            CassandraWait.refused(
                connectorFailure(
                    new AuthenticationException(
                        new DefaultEndPoint(new InetSocketAddress("127.0.0.1", 9042)), "no"))))
        .isFalse();
    assertThat(CassandraWait.refused(new IllegalStateException("keyspace missing"))).isFalse();
  }
}
