package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-partition source options and the checkpoint's source layout check (on the local file system). */
class TripsTopicTest {

  private static JobConfig config(Path checkpoints, String version) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("ZONE_LOOKUP_PATH", "/nonexistent/zones.csv");
    env.put("CHECKPOINT_LOCATION", checkpoints.toString());
    env.put("PIPELINE_VERSION", version);
    return JobConfig.from(env, new String[0]);
  }

  @Test
  void sourceOptionsNameOnePartition() {
    assertThat(TripsTopic.assignJson("taxi.trips", 3)).isEqualTo("{\"taxi.trips\":[3]}");
    assertThat(TripsTopic.startingOffsetsFor("earliest", "taxi.trips", 3)).isEqualTo("earliest");
    assertThat(TripsTopic.startingOffsetsFor("latest", "taxi.trips", 0)).isEqualTo("latest");
    String map = "{\"taxi.trips\":{\"0\":42,\"1\":-1}}";
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 0)).isEqualTo("{\"taxi.trips\":{\"0\":42}}");
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 1)).isEqualTo("{\"taxi.trips\":{\"1\":-1}}");
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 2)).as("a partition the map does not name: earliest")
        .isEqualTo("{\"taxi.trips\":{\"2\":-2}}");
    assertThat(StreamingJob.maxOffsetsPerPartition(200_000, 6)).isEqualTo(33_333);
    assertThat(StreamingJob.maxOffsetsPerPartition(5, 12)).isEqualTo(1);
  }

  @Test
  void aNewCheckpointRecordsItsLayoutAndTheSameLayoutResumes(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    TripsTopic.checkCheckpointLayout(new Configuration(), c, 4);
    Path layout = dir.resolve("v1").resolve(TripsTopic.LAYOUT_FILE);
    assertThat(Files.readString(layout).strip()).isEqualTo(TripsTopic.layout("taxi.trips", 4));
    TripsTopic.checkCheckpointLayout(new Configuration(), c, 4);
  }

  @Test
  void anotherPartitionCountNamesTheCauseAndTheFix(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    TripsTopic.checkCheckpointLayout(new Configuration(), c, 4);
    assertThatThrownBy(() -> TripsTopic.checkCheckpointLayout(new Configuration(), c, 6))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("partitions=4").hasMessageContaining("partitions=6")
        .hasMessageContaining("new PIPELINE_VERSION");
    TripsTopic.checkCheckpointLayout(new Configuration(), config(dir, "v2"), 6);
  }

  @Test
  void aCheckpointOfTheEarlierSingleSourceJobIsRefused(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    Files.createDirectories(dir.resolve("v1").resolve(StreamingJob.ZONE_QUERY).resolve("offsets"));
    assertThatThrownBy(() -> TripsTopic.checkCheckpointLayout(new Configuration(), c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("one Kafka source per query").hasMessageContaining("new PIPELINE_VERSION");
  }

  @Test
  void anUnwritableCheckpointLocationIsAStartupError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    JobConfig c = config(file, "v1");
    assertThatThrownBy(() -> TripsTopic.checkCheckpointLayout(new Configuration(), c, 2))
        .isInstanceOf(TripsTopic.StartupException.class).hasMessageContaining("CHECKPOINT_LOCATION");
  }

  @Test
  void offsetsBehindLatestSumsThePartitions() {
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":10,\"1\":5}}", "{\"t\":{\"0\":25,\"1\":5}}")).isEqualTo(15);
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":10}}", "{\"t\":{\"0\":10,\"1\":7}}"))
        .as("a partition the batch has not read yet counts from 0").isEqualTo(7);
    assertThat(JobMetrics.offsetsBehind(null, "{\"t\":{\"0\":1}}")).isNull();
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":1}}", "not json")).isNull();
  }
}
