package io.taxiplatform.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When local mode starts its JVMs with the light JIT (C1 only), and when with the full one. */
class LocalPipelineJitTest {

  @TempDir Path dir;

  private static boolean light(String... args) {
    return LocalPipeline.lightJit(LocalPipelineConfig.parse(args, Map.of()));
  }

  @Test
  void theReadmeCommandsBoundedRateStartsLight() {
    assertThat(light()).as("the default, 1,000 events/s").isTrue();
    assertThat(light("--rate", "5000")).isTrue();
    assertThat(light("--rate", "1", "--max-events", "10")).isTrue();
  }

  @Test
  void unboundedOrHighRatesTheReplaysOwnPaceAndServicesAloneKeepTheFullJit() throws Exception {
    Path csv = Files.writeString(dir.resolve("trips.csv"), "VendorID\n");
    assertThat(light("--rate", "0")).as("as fast as possible").isFalse();
    assertThat(light("--rate", "5001")).isFalse();
    assertThat(light("--replay", csv.toString(), "--speed", "60")).isFalse();
    assertThat(light("--services-only")).isFalse();
  }

  @Test
  void theJobsOptionsCarryTheJitSetting() {
    assertThat(LocalPipeline.jobOptions(java.util.List.of(LocalPipeline.LIGHT_JIT)).jvmOptions())
        .containsExactly(LocalPipeline.LIGHT_JIT);
    assertThat(LocalPipeline.jobOptions().jvmOptions()).isEmpty();
  }
}
