package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchConfigTest {

  @Test
  void defaultsAreTheFullRunOfDocsBenchmarks() {
    BenchConfig c = BenchConfig.parse(new String[0]);
    assertThat(c.out()).isEqualTo(Path.of("target/bench-results"));
    assertThat(c.scenarios()).containsExactly("producer", "replay", "throughput", "latency");
    assertThat(c.reps()).isEqualTo(3);
    assertThat(c.producerRecords()).isEqualTo(1_000_000);
    assertThat(c.streamEvents()).isEqualTo(2_000_000);
    assertThat(c.maxOffsets()).isEqualTo(250_000);
    assertThat(c.streamPreload()).isEqualTo("synthetic");
    assertThat(c.latencyRates()).containsExactly(1000, 2500, 5000, 10000, 20000);
    assertThat(c.producerClasspath()).isEmpty();
    assertThat(c.seed()).isEqualTo(42L);
    assertThat(c.latencySteady()).isFalse();
    assertThat(c.lightJit()).isFalse();
    assertThat(c.forkedJvmOptions()).isEmpty();
    assertThat(ProducerBench.producerJvmArgs(c)).containsExactly("-Xmx512m");
    assertThat(StreamingBench.latencyJobOptions(c).jvmOptions()).isEmpty();
  }

  @Test
  void lightJitGoesToEveryForkedJvmAfterItsOwnOptions() {
    BenchConfig c = BenchConfig.parse(new String[] {"--light-jit"});
    assertThat(c.lightJit()).isTrue();
    assertThat(c.asMap()).containsEntry("light_jit", true);
    assertThat(c.forkedJvmOptions()).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(c.forkedJvmOptions(List.of("-Xmx1g")))
        .containsExactly("-Xmx1g", "-XX:TieredStopAtLevel=1");
    assertThat(ProducerBench.producerJvmArgs(c))
        .containsExactly("-Xmx512m", "-XX:TieredStopAtLevel=1");
    assertThat(StreamingBench.latencyJobOptions(c).jvmOptions())
        .containsExactly("-XX:TieredStopAtLevel=1");
  }

  @Test
  void flagsOverrideTheDefaults() {
    BenchConfig c =
        BenchConfig.parse(
            new String[] {
              "--scenarios",
              "throughput,latency",
              "--latency-rates",
              "200, 400",
              "--seed",
              "7",
              "--stream-preload",
              "replay",
              "--latency-steady"
            });
    assertThat(c.scenarios()).containsExactly("throughput", "latency");
    assertThat(c.streamPreload()).isEqualTo("replay");
    assertThat(c.latencyRates()).isEqualTo(List.of(200, 400));
    assertThat(c.seed()).isEqualTo(7L);
    assertThat(c.latencySteady()).isTrue();
    assertThat(c.asMap()).containsEntry("latency_steady", true);
  }

  @Test
  void badFlagsFailNamingTheFlagFollowedByTheUsage() {
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--bogus", "1"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("'--bogus'")
        .hasMessageContaining("Usage: BenchMain")
        .hasMessageContaining("--stream-events");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--reps", "0"}))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("--reps: expected a positive integer, got '0'");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--scenarios", "producer,nope"}))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("--scenarios: unknown scenario nope");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--stream-preload", "year"}))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith(
            "--stream-preload: expected synthetic, replay or month, got 'year'");
    assertThat(BenchConfig.parse(new String[] {"--stream-preload", " month"}).streamPreload())
        .isEqualTo("month");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--reps"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--reps");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--help"}))
        .isInstanceOf(HelpRequested.class);
  }

  @Test
  void theUsageShowsEveryOptionWithItsDefault() {
    String usage = BenchConfig.usage();
    assertThat(usage)
        .contains("--latency-rates=LIST")
        .contains("Default: 1000,2500,5000,10000,20000")
        .contains("--max-offsets=N")
        .contains("Default: 250000");
  }

  @Test
  void aMonthPreloadSpreadsItsTripsOverJanuaryInNewYork() throws Exception {
    java.nio.file.Path csv = java.nio.file.Files.createTempFile("month", ".csv");
    try {
      int n = 3_000;
      TlcBenchFiles.writeCsv(csv, 7, n, () -> TlcBenchFiles.SteppingClock.januaryOf(n));
      java.util.List<String> lines = java.nio.file.Files.readAllLines(csv);
      assertThat(lines).hasSize(n + 1);
      // the dropoff column (New York wall clock): from Jan 1 to Jan 31, in order
      String first = lines.get(1).split(",")[2];
      String last = lines.get(n).split(",")[2];
      assertThat(first).startsWith("2025-01-01 0");
      assertThat(last).startsWith("2025-01-31 ");
      assertThat(last.compareTo(first)).isPositive();
    } finally {
      java.nio.file.Files.deleteIfExists(csv);
    }
  }
}
