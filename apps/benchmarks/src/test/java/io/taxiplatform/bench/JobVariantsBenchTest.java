package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.HelpRequested;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobVariantsBenchTest {

  @Test
  void defaultsAndWarmUp() {
    JobVariantsBench.Args a =
        JobVariantsBench.Args.parse(
            new String[] {"--events", "3000000", "--preload", "month", "--variant", "base"});
    assertThat(a.number("events")).isEqualTo(3_000_000);
    assertThat(a.number("reps")).isEqualTo(3);
    assertThat(a.number("warmup-events")).isZero();
    assertThat(a.variants()).extracting(JobVariantsBench.Variant::name).containsExactly("base");
    assertThat(a.config(a.number("events")).streamPreload()).isEqualTo("month");

    JobVariantsBench.Args warm =
        JobVariantsBench.Args.parse(
            new String[] {"--warmup-events", "500000", "--variant", "a", "--variant", "b"});
    assertThat(warm.number("warmup-events")).isEqualTo(500_000);
    assertThat(warm.variants())
        .extracting(JobVariantsBench.Variant::name)
        .containsExactly("a", "b");
    BenchConfig c = warm.config(warm.number("warmup-events"));
    assertThat(c.streamEvents()).isEqualTo(500_000);
    assertThat(c.streamPreload()).isEqualTo("synthetic");
    assertThat(c.streamPartitions()).isEqualTo(2);
    assertThat(c.maxOffsets()).isEqualTo(250_000);
  }

  @Test
  void aVariantKeepsAJvmOptionValueWithSpaces() {
    JobVariantsBench.Variant v =
        JobVariantsBench.Variant.parse(
            "inl:heap=768m,JDK_JAVA_OPTIONS=-XX:FreqInlineSize=150 -XX:InlineSmallCode=1000");
    assertThat(v.heap()).isEqualTo("768m");
    assertThat(v.env())
        .isEqualTo(Map.of("JDK_JAVA_OPTIONS", "-XX:FreqInlineSize=150 -XX:InlineSmallCode=1000"));
  }

  @Test
  void badArgumentsNameTheArgument() {
    // a --variant split by the shell at a space: its second word is left over
    assertBad(new String[] {"--variant", "inl:JDK_JAVA_OPTIONS=-XX:A", "-XX:B"}, "'-XX:B'");
    assertBad(new String[] {"--variant"}, "'--variant'");
    assertBad(new String[] {"--bogus", "1", "--variant", "a"}, "'--bogus'");
    assertBad(new String[] {"--events", "100"}, "Missing required option: '--variant");
    assertBad(
        new String[] {"--reps", "0", "--variant", "a"},
        "--reps: expected a positive integer, got '0'");
    assertBad(
        new String[] {"--warmup-events", "many", "--variant", "a"},
        "--warmup-events: expected a positive integer, got 'many'");
    assertBad(
        new String[] {"--partitions", "two", "--variant", "a"},
        "--partitions: expected a positive integer, got 'two'");
    assertBad(
        new String[] {"--preload", "year", "--variant", "a"},
        "--preload: expected synthetic, replay or month, got 'year'");
    assertBad(new String[] {"--variant", "Base"}, "--variant: name must match [a-z0-9]+");
  }

  @Test
  void usageIsGeneratedFromTheOptions() {
    assertThatThrownBy(() -> JobVariantsBench.Args.parse(new String[] {"--help"}))
        .isInstanceOf(HelpRequested.class);
    assertThat(JobVariantsBench.usage())
        .contains("Usage: JobVariantsBench")
        .contains("--warmup-events=N")
        .contains("Default: 0")
        .contains("--variant=NAME[:SETTING,...]")
        .contains("--preload=KIND");
  }

  private static void assertBad(String[] args, String message) {
    assertThatThrownBy(() -> JobVariantsBench.Args.parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
