package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.config.UsageException;
import io.taxiplatform.local.LocalPipeline;
import io.taxiplatform.local.LocalPipelineConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPipelineConfigTest {

  @TempDir Path dir;

  @Test
  void defaultsAreSyntheticAtOneThousandPerSecondUntilStopped() {
    LocalPipelineConfig config = LocalPipelineConfig.parse(new String[0], Map.of());

    assertThat(config.mode()).isEqualTo("synthetic");
    assertThat(config.rate()).isEqualTo(1000.0);
    assertThat(config.timeMode()).isEqualTo("original");
    assertThat(config.maxEvents()).isZero();
    assertThat(config.duration()).isEmpty();
    assertThat(config.producerIsFinite()).isFalse();
    assertThat(config.servicesOnly()).isFalse();
  }

  @Test
  void replayFlagsInBothSpellingsAreRead() throws Exception {
    Path csv = Files.writeString(dir.resolve("trips.csv"), "VendorID\n");
    Path zones =
        Files.writeString(dir.resolve("zones.csv"), "LocationID,Borough,Zone,service_zone\n");

    LocalPipelineConfig config =
        LocalPipelineConfig.parse(
            new String[] {
              "--replay",
              csv.toString(),
              "--speed=60",
              "--time-mode",
              "now",
              "--zones=" + zones,
              "--duration",
              "90",
              "--partitions",
              "2",
              "--pipeline-version",
              "v2"
            },
            Map.of());

    assertThat(config.mode()).isEqualTo("replay");
    assertThat(config.replayFiles()).containsExactly(csv.toAbsolutePath());
    assertThat(config.speed()).contains(60.0);
    assertThat(config.rate()).isZero();
    assertThat(config.timeMode()).isEqualTo("now");
    assertThat(config.zoneLookup()).contains(zones.toAbsolutePath());
    assertThat(config.duration()).contains(Duration.ofSeconds(90));
    assertThat(config.partitions()).isEqualTo(2);
    assertThat(config.pipelineVersion()).isEqualTo("v2");
    assertThat(config.producerIsFinite()).isTrue();
  }

  @Test
  void withoutZonesOrZoneLookupPathTheJobUsesTheLookupItShips() {
    // Empty: local mode sets no ZONE_LOOKUP_PATH, so the job reads its classpath resource.
    assertThat(parse().zoneLookup()).isEmpty();
    assertThat(
            LocalPipelineConfig.parse(new String[0], Map.of("ZONE_LOOKUP_PATH", " ")).zoneLookup())
        .isEmpty();
    assertThat(LocalPipelineConfig.USAGE)
        .contains("--zones FILE")
        .contains("shipped")
        .doesNotContain("../shared");
  }

  @Test
  void zoneLookupComesFromTheEnvironmentWhenNoFlagIsGiven() throws Exception {
    Path zones = Files.writeString(dir.resolve("z.csv"), "x\n");

    assertThat(
            LocalPipelineConfig.parse(new String[0], Map.of("ZONE_LOOKUP_PATH", zones.toString()))
                .zoneLookup())
        .contains(zones.toAbsolutePath());
    assertThatThrownBy(
            () ->
                LocalPipelineConfig.parse(
                    new String[0],
                    Map.of("ZONE_LOOKUP_PATH", dir.resolve("missing.csv").toString())))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("ZONE_LOOKUP_PATH");
  }

  @Test
  void badFlagsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> parse("--bogus", "1"))
        .hasMessageContaining("Unknown option")
        .hasMessageContaining("'--bogus'");
    assertThatThrownBy(() -> parse("--rate", "fast")).hasMessageContaining("--rate needs a number");
    assertThatThrownBy(() -> parse("--rate", "-1")).hasMessageContaining("--rate must be >= 0");
    assertThatThrownBy(() -> parse("--rate"))
        .hasMessageContaining("Missing required parameter for option '--rate'");
    assertThatThrownBy(() -> parse("--replay", dir.resolve("nope.csv").toString()))
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> parse("--speed", "2")).hasMessageContaining("--speed needs --replay");
    assertThatThrownBy(() -> parse("--time-mode", "later"))
        .hasMessageContaining("'now' or 'original'");
    assertThatThrownBy(() -> parse("--pipeline-version", "V-1")).hasMessageContaining("[a-z0-9_]+");
    assertThatThrownBy(() -> parse("stray"))
        .hasMessageContaining("Unmatched argument at index 0: 'stray'");
    assertThatThrownBy(() -> parse("--reprocess", "v1"))
        .hasMessageContaining("must differ from --pipeline-version");
    assertThatThrownBy(() -> parse("--reprocess", "V2")).hasMessageContaining("[a-z0-9_]+");
    assertThatThrownBy(() -> parse("--reprocess-zone-window", "10 minutes"))
        .hasMessageContaining("needs --reprocess");
    assertThatThrownBy(() -> parse("--reprocess", "v2", "--reprocess-zone-window", "ten"))
        .hasMessageContaining("'<n> <unit>'");
  }

  @Test
  void aSecondPipelineVersionCanReprocessBesideTheFirst() {
    LocalPipelineConfig config =
        parse("--reprocess", "v2", "--reprocess-zone-window", "10 minutes");
    assertThat(config.pipelineVersion()).isEqualTo("v1");
    assertThat(config.reprocessVersion()).contains("v2");
    assertThat(config.reprocessZoneWindow()).contains("10 minutes");
    assertThat(parse().reprocessVersion()).isEmpty();
  }

  @Test
  void theMainPrintsUsageAndReturnsTwoForABadFlagBeforeStartingAnything() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        LocalPipeline.run(
            new String[] {"--nope"},
            Map.of(),
            new PrintStream(out, true),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Unknown option: '--nope'")
        .contains("Usage:")
        .doesNotContain("../shared");
    assertThat(out.size()).isZero();
    assertThat(ProcessHandle.current().children().toList()).isEmpty();
  }

  @Test
  void helpGoesToStandardOutputWithExitZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        LocalPipeline.run(
            new String[] {"--help"},
            Map.of(),
            new PrintStream(out, true),
            new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(code).isZero();
    assertThat(out.toString()).contains("--replay FILE").contains("--services-only");
  }

  private LocalPipelineConfig parse(String... args) {
    return LocalPipelineConfig.parse(args, Map.of());
  }
}
