package io.taxiplatform.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options of a forked job JVM. */
class StreamingJobProcessTest {

  private static final String DEBOUNCE = "-D" + StreamingJobProcess.SCHEMA_DEBOUNCE_PROPERTY + "=";

  @Test
  void everyJobJvmRefreshesTheDriversSchemaAfterAShortQuiet() {
    List<String> args =
        StreamingJobProcess.jvmArgs(Path.of("/tmp/job"), StreamingJobProcess.Options.defaults());
    assertThat(args).contains(DEBOUNCE + "50 milliseconds", "-Xmx1g", "-Dspark.master=local[2]");
    assertThat(args.stream().filter(a -> a.startsWith(DEBOUNCE))).hasSize(1);
    // local mode's job is one of them
    assertThat(StreamingJobProcess.jvmArgs(Path.of("/tmp/job"), LocalPipeline.jobOptions()))
        .contains(DEBOUNCE + StreamingJobProcess.SCHEMA_DEBOUNCE);
  }

  @Test
  void anOptionOfTheCallersOwnWins() {
    List<String> args =
        StreamingJobProcess.jvmArgs(
            Path.of("/tmp/job"),
            new StreamingJobProcess.Options(
                "local[1]",
                "512m",
                Map.of(StreamingJobProcess.SCHEMA_DEBOUNCE_PROPERTY, "1 second"),
                List.of("-XX:TieredStopAtLevel=1")));
    assertThat(args.stream().filter(a -> a.startsWith(DEBOUNCE)))
        .containsExactly(DEBOUNCE + "1 second");
    assertThat(args).contains("-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dspark.master=local[1]");
  }
}
