package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerMainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return ProducerMain.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void unknownFlagPrintsUsageOnStderrAndExits2() {
    assertThat(run(Map.of(), "--bogus")).isEqualTo(2);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(e).contains("Unknown option: '--bogus'").contains("Usage: ProducerMain");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void invalidEnvironmentValueExits2() {
    assertThat(run(Map.of("PRODUCER_RATE", "fast"))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("PRODUCER_RATE").contains("Usage:");
  }

  @Test
  void badOrderExits2WithTheUsageThatSaysWhatFileOrderCosts() {
    assertThat(run(Map.of("PRODUCER_ORDER", "sorted"))).isEqualTo(2);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(e)
        .contains("PRODUCER_ORDER must be one of [dropoff, file]: sorted")
        .contains("Usage:")
        .contains("--order dropoff|file")
        .contains("drops rows as late");
  }

  @Test
  void helpPrintsUsageOnStdoutAndExits0() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Usage: ProducerMain")
        .contains("--time-mode");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
