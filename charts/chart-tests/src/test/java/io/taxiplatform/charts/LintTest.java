package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@code helm lint --strict} of every scenario (chart copy without the unvendored subcharts). */
class LintTest {

  @TestFactory
  Stream<DynamicTest> lintStrict() {
    return Scenarios.all().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.label(),
                    () -> {
                      LintResult result = ChartRenderer.lint(s.profile(), s.valuesFile(), s.sets());
                      assertThat(result.isFailed())
                          .as("lint --strict of %s: %s", s.label(), result.getMessages())
                          .isFalse();
                      assertThat(result.getMessages())
                          .as("lint messages")
                          .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
                    }));
  }

  /** Negative control: the same lint fails on values the schema rejects. */
  @org.junit.jupiter.api.Test
  void lintFailsOnBadValues() {
    LintResult result = ChartRenderer.lint("dev", java.util.Map.of("producer.mode", "batch"));
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("mode");
  }
}
