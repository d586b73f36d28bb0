package io.taxiplatform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CliTest {

  @Command(name = "Demo", description = "a demo")
  static final class Demo {
    @Option(
        names = "--rate",
        paramLabel = "N",
        defaultValue = "${env:DEMO_RATE:-7}",
        description = "events/s")
    String rate;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "${env:DEMO_SEED:-}",
        description = "seed")
    String seed;

    @Option(names = "--help", usageHelp = true)
    boolean help;
  }

  @Test
  void aFlagWinsOverTheVariableWhichWinsOverTheDefault() {
    assertThat(Cli.parse(new Demo(), Map.of(), new String[0]).rate).isEqualTo("7");
    assertThat(Cli.parse(new Demo(), Map.of("DEMO_RATE", "9"), new String[0]).rate).isEqualTo("9");
    assertThat(Cli.parse(new Demo(), Map.of("DEMO_RATE", " "), new String[0]).rate).isEqualTo("7");
    assertThat(Cli.parse(new Demo(), Map.of("DEMO_RATE", "9"), new String[] {"--rate=3"}).rate)
        .isEqualTo("3");
    assertThat(Cli.parse(new Demo(), Map.of("DEMO_RATE", "9"), new String[] {"--rate", "4"}).rate)
        .isEqualTo("4");
    assertThat(Cli.parse(new Demo(), Map.of(), new String[0]).seed).isEmpty();
  }

  @Test
  void theRealEnvironmentIsNotRead() {
    // PATH is set in every process environment; the map is the only environment
    @Command(name = "P")
    final class PathOption {
      @Option(names = "--path", defaultValue = "${env:PATH:-none}")
      String path;
    }
    assertThat(Cli.parse(new PathOption(), Map.of(), new String[0]).path).isEqualTo("none");
  }

  @Test
  void unknownOrIncompleteFlagsAreUsageErrorsAndHelpIsNot() {
    assertThatThrownBy(() -> Cli.parse(new Demo(), Map.of(), new String[] {"--nope"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--nope");
    assertThatThrownBy(() -> Cli.parse(new Demo(), Map.of(), new String[] {"--rate"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--rate");
    assertThatThrownBy(() -> Cli.parse(new Demo(), Map.of(), new String[] {"--help"}))
        .isInstanceOf(HelpRequested.class);
  }

  @Test
  void theUsageIsGeneratedFromTheDeclarationsAndNamesTheSecrets() {
    String usage = Cli.usage(new Demo(), java.util.List.of(Secrets.CASSANDRA_PASSWORD));
    assertThat(usage)
        .startsWith("Usage: Demo [options]\n  a demo\n")
        .contains("  --rate N\n      DEMO_RATE (default: 7): events/s\n")
        .contains("  --seed N\n      DEMO_SEED: seed\n")
        .contains("CASSANDRA_PASSWORD: password of CASSANDRA_USERNAME");
    assertThat(Cli.declared(new Demo()))
        .containsExactly(
            new Cli.Declared("--rate", "N", "DEMO_RATE", "7", "events/s"),
            new Cli.Declared("--seed", "N", "DEMO_SEED", "", "seed"));
  }

  @Test
  void secretsAreMaskedAndTrimmed() {
    assertThat(Secrets.mask(null)).isEqualTo("<unset>");
    assertThat(Secrets.mask("x")).isEqualTo("****");
    assertThat(Secrets.read(Map.of("CASSANDRA_PASSWORD", " pw\n"), Secrets.CASSANDRA_PASSWORD))
        .isEqualTo("pw");
    assertThat(Secrets.read(Map.of("CASSANDRA_PASSWORD", " "), Secrets.CASSANDRA_PASSWORD))
        .isNull();
  }
}
