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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-partition source options and the checkpoint's source layout check (on the local file
 * system).
 */
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
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 0))
        .isEqualTo("{\"taxi.trips\":{\"0\":42}}");
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 1))
        .isEqualTo("{\"taxi.trips\":{\"1\":-1}}");
    assertThat(TripsTopic.startingOffsetsFor(map, "taxi.trips", 2))
        .as("a partition the map does not name: earliest")
        .isEqualTo("{\"taxi.trips\":{\"2\":-2}}");
    assertThat(StreamingJob.maxOffsetsPerPartition(200_000, 6)).isEqualTo(33_333);
    assertThat(StreamingJob.maxOffsetsPerPartition(5, 12)).isEqualTo(1);
  }

  private static JobConfig config(Path checkpoints, String version, Map<String, String> settings)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("ZONE_LOOKUP_PATH", "/nonexistent/zones.csv");
    env.put("CHECKPOINT_LOCATION", checkpoints.toString());
    env.put("PIPELINE_VERSION", version);
    env.putAll(settings);
    return JobConfig.from(env, new String[0]);
  }

  /** The check on a machine of 4 cores (SHUFFLE_PARTITIONS auto: 4 for a new checkpoint). */
  private static int check(JobConfig c, int partitions) {
    return TripsTopic.checkCheckpointLayout(new Configuration(), c, partitions, 4);
  }

  @Test
  void aNewCheckpointRecordsItsSettingsAndTheSameSettingsResume(@TempDir Path dir)
      throws Exception {
    JobConfig c = config(dir, "v1");
    assertThat(check(c, 4)).isEqualTo(4);
    Path file = dir.resolve("v1").resolve(CheckpointSettings.FILE);
    String text = Files.readString(file);
    assertThat(text)
        .contains(
            "layout=" + TripsTopic.LAYOUT + "\n",
            "topology=" + CheckpointSettings.TOPOLOGY + "\n",
            "trip_schema_version=1\n",
            "TRIPS_TOPIC=taxi.trips\n",
            "TRIPS_TOPIC partitions=4\n",
            "SHUFFLE_PARTITIONS=4\n",
            "ZONE_WINDOW=300 seconds\n",
            "BOROUGH_WINDOW=900 seconds\n",
            "BOROUGH_SLIDE=300 seconds\n");
    assertThat(CheckpointSettings.parse(text)).isEqualTo(CheckpointSettings.of(c, 4, 4));
    check(c, 4);
    // The same durations written another way are the same settings.
    check(config(dir, "v1", Map.of("ZONE_WINDOW", "300 seconds", "BOROUGH_WINDOW", "15 min")), 4);
    try (var files = Files.list(dir.resolve("v1"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no write probe is left behind")
          .containsExactly(CheckpointSettings.FILE);
    }
  }

  @Test
  void theStateStoreIsReadFromTheLatestOffsetLogEntry(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    var hadoop = new org.apache.hadoop.conf.Configuration();
    assertThat(TripsTopic.recordedStateStore(hadoop, c)).as("no checkpoint yet").isEmpty();
    Path offsets = Path.of(c.checkpointFor(StreamingJob.WINDOW_QUERY)).resolve("offsets");
    Files.createDirectories(offsets);
    assertThat(TripsTopic.recordedStateStore(hadoop, c)).as("no batch yet").isEmpty();
    // Spark's offset log entry: a version line, the batch metadata, then one line per source.
    String entry =
        "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":1,\"conf\":{"
            + "\"spark.sql.streaming.stateStore.providerClass\":\"%s\","
            + "\"spark.sql.shuffle.partitions\":\"2\"}}\n{\"taxi.trips\":{\"0\":5}}";
    Files.writeString(offsets.resolve("9"), entry.formatted("a.Old"));
    Files.writeString(offsets.resolve("10"), entry.formatted("b.Latest"));
    Files.writeString(offsets.resolve(".10.tmp"), entry.formatted("c.NotABatch"));
    assertThat(TripsTopic.recordedStateStore(hadoop, c))
        .as("batch 10, not 9 (numeric, not text order), not a temporary file")
        .contains("b.Latest");
  }

  @Test
  void anotherPartitionCountNamesTheCauseAndTheFix(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    check(c, 4);
    assertThatThrownBy(() -> check(c, 6))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("TRIPS_TOPIC partitions: 4 -> 6")
        .hasMessageContaining("new PIPELINE_VERSION");
    check(config(dir, "v2"), 6);
  }

  @Test
  void anotherShufflePartitionCountIsRefused(@TempDir Path dir) throws Exception {
    check(config(dir, "v1", Map.of("SHUFFLE_PARTITIONS", "2")), 2);
    assertThatThrownBy(() -> check(config(dir, "v1", Map.of("SHUFFLE_PARTITIONS", "3")), 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("pipeline version v1")
        .hasMessageContaining("SHUFFLE_PARTITIONS: 2 -> 3 (recorded -> now)")
        .hasMessageContaining("new PIPELINE_VERSION")
        .hasMessageNotContaining("ZONE_WINDOW");
  }

  @Test
  void autoShufflePartitionsTakeTheCheckpointsOrTheCoresOfANewOne(@TempDir Path dir)
      throws Exception {
    // a new version: the cores; explicit values win
    JobConfig auto = config(dir, "v1");
    assertThat(auto.autoShufflePartitions()).isTrue();
    assertThat(TripsTopic.checkCheckpointLayout(new Configuration(), auto, 2, 2)).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("v1").resolve(CheckpointSettings.FILE)))
        .contains("SHUFFLE_PARTITIONS=2\n");
    JobConfig v2 = config(dir, "v2", Map.of("SHUFFLE_PARTITIONS", "6"));
    assertThat(TripsTopic.checkCheckpointLayout(new Configuration(), v2, 2, 2)).isEqualTo(6);

    // an existing version resumes with what it recorded, whatever the cores now
    assertThat(TripsTopic.checkCheckpointLayout(new Configuration(), config(dir, "v2"), 2, 8))
        .isEqualTo(6);
    assertThat(TripsTopic.checkCheckpointLayout(new Configuration(), config(dir, "v1"), 2, 8))
        .isEqualTo(2);
    // an explicit other value is still refused
    assertThatThrownBy(
            () ->
                TripsTopic.checkCheckpointLayout(
                    new Configuration(),
                    config(dir, "v2", Map.of("SHUFFLE_PARTITIONS", "8")),
                    2,
                    8))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("SHUFFLE_PARTITIONS: 6 -> 8 (recorded -> now)");
    // a record without the value (edited by hand): auto takes the cores, and the difference is
    // named
    Path v3 = Files.createDirectories(dir.resolve("v3"));
    Files.writeString(
        v3.resolve(CheckpointSettings.FILE),
        CheckpointSettings.of(v2, 2, 6).format().replace("SHUFFLE_PARTITIONS=6\n", ""));
    assertThatThrownBy(
            () -> TripsTopic.checkCheckpointLayout(new Configuration(), config(dir, "v3"), 2, 8))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("SHUFFLE_PARTITIONS: (not recorded) -> 8");
  }

  @Test
  void anotherZoneWindowIsRefused(@TempDir Path dir) throws Exception {
    check(config(dir, "v1"), 2);
    assertThatThrownBy(() -> check(config(dir, "v1", Map.of("ZONE_WINDOW", "10 minutes")), 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("ZONE_WINDOW: 300 seconds -> 600 seconds")
        .hasMessageContaining("new PIPELINE_VERSION");
  }

  @Test
  void everyChangedSettingIsNamed(@TempDir Path dir) throws Exception {
    check(config(dir, "v1"), 2);
    assertThatThrownBy(
            () ->
                check(
                    config(
                        dir,
                        "v1",
                        Map.of(
                            "BOROUGH_WINDOW",
                            "30 minutes",
                            "BOROUGH_SLIDE",
                            "10 minutes",
                            "SHUFFLE_PARTITIONS",
                            "8",
                            "TRIPS_TOPIC",
                            "other.trips")),
                    3))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining(
            "TRIPS_TOPIC: taxi.trips -> other.trips; TRIPS_TOPIC partitions: 2 -> 3; "
                + "SHUFFLE_PARTITIONS: 4 -> 8; BOROUGH_WINDOW: 900 seconds -> 1800 seconds; "
                + "BOROUGH_SLIDE: 300 seconds -> 600 seconds (recorded -> now)")
        .hasMessageContaining("these settings")
        .hasMessageContaining("new PIPELINE_VERSION");
  }

  @Test
  void aCheckpointOfAnotherTopologyOrTripSchemaIsRefused(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    check(c, 2);
    Path file = dir.resolve("v1").resolve(CheckpointSettings.FILE);
    String original = Files.readString(file);
    Files.writeString(
        file, original.replace("topology=" + CheckpointSettings.TOPOLOGY, "topology=0"));
    assertThatThrownBy(() -> check(c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("topology: 0 -> " + CheckpointSettings.TOPOLOGY)
        .hasMessageContaining("new PIPELINE_VERSION");
    Files.writeString(file, original.replace("trip_schema_version=1", "trip_schema_version=2"));
    assertThatThrownBy(() -> check(c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("trip_schema_version: 2 -> 1");
    Files.writeString(file, "garbage without an equals sign");
    assertThatThrownBy(() -> check(c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("unreadable settings record")
        .hasMessageContaining("new PIPELINE_VERSION");
  }

  /**
   * Checkpoints of the earlier topologies are refused: 1 (three queries: zone_windows,
   * borough_windows, dead_letters), 2 (window_aggregates beside a dead_letters query, which may
   * have been behind it: resuming without it would never dead-letter the records in between), 3
   * (its de-duplication state is keyed by trip_id alone) and 4 (its de-duplication key has no
   * eviction_order column: another state schema).
   */
  @ParameterizedTest
  @ValueSource(strings = {"1", "2", "3", "4"})
  void aCheckpointOfAnEarlierTopologyIsRefused(String earlier, @TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    check(c, 2);
    Path file = dir.resolve("v1").resolve(CheckpointSettings.FILE);
    Files.writeString(
        file,
        Files.readString(file)
            .replace(
                "topology=" + CheckpointSettings.TOPOLOGY + "\n", "topology=" + earlier + "\n"));
    assertThat(CheckpointSettings.TOPOLOGY).isEqualTo("5");
    assertThatThrownBy(() -> check(c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("topology: " + earlier + " -> 5 (recorded -> now)")
        .hasMessageContaining("new PIPELINE_VERSION");
  }

  @Test
  void aCheckpointOfTheEarlierSingleSourceJobIsRefused(@TempDir Path dir) throws Exception {
    JobConfig c = config(dir, "v1");
    Files.createDirectories(dir.resolve("v1").resolve("zone_windows").resolve("offsets"));
    assertThatThrownBy(() -> check(c, 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("one Kafka source per query")
        .hasMessageContaining("new PIPELINE_VERSION");
  }

  @Test
  void anUnwritableCheckpointLocationIsAStartupError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    assertThatThrownBy(() -> check(config(file, "v1"), 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("CHECKPOINT_LOCATION=" + file)
        .hasMessageContaining("cannot use the checkpoint location");
  }

  @Test
  void aVersionDirectoryThatIsAFileIsAStartupError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("v1"), "x");
    assertThatThrownBy(() -> check(config(dir, "v1"), 2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("is not a directory")
        .hasMessageContaining("CHECKPOINT_LOCATION");
  }

  @Test
  void aLocationOnAFileSystemTheJobDoesNotHaveIsAStartupError(@TempDir Path dir) throws Exception {
    assertThatThrownBy(
            () ->
                check(
                    config(
                        Path.of("/unused"),
                        "v1",
                        Map.of("CHECKPOINT_LOCATION", "nosuchfs://bucket/checkpoints")),
                    2))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("CHECKPOINT_LOCATION=nosuchfs://bucket/checkpoints")
        .hasMessageContaining("nosuchfs");
  }

  @Test
  void settingsRecordsRoundTripAndAKeyEitherSideLacksIsADifference() {
    CheckpointSettings partial =
        CheckpointSettings.parse(
            "layout=" + TripsTopic.LAYOUT + "\nTRIPS_TOPIC=t\nTRIPS_TOPIC partitions=3\n");
    CheckpointSettings full =
        CheckpointSettings.parse(
            "# c\nlayout="
                + TripsTopic.LAYOUT
                + "\nTRIPS_TOPIC=t\nTRIPS_TOPIC partitions=3\nSHUFFLE_PARTITIONS=2\n");
    assertThat(partial.differences(full))
        .containsExactly("SHUFFLE_PARTITIONS: (not recorded) -> 2");
    assertThat(full.differences(partial)).containsExactly("SHUFFLE_PARTITIONS: 2 -> (not set)");
    assertThat(full.differences(full)).isEmpty();
    assertThat(CheckpointSettings.parse(full.format())).isEqualTo(full);
  }

  @Test
  void offsetsBehindLatestSumsThePartitions() {
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":10,\"1\":5}}", "{\"t\":{\"0\":25,\"1\":5}}"))
        .isEqualTo(15);
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":10}}", "{\"t\":{\"0\":10,\"1\":7}}"))
        .as("a partition the batch has not read yet counts from 0")
        .isEqualTo(7);
    assertThat(JobMetrics.offsetsBehind(null, "{\"t\":{\"0\":1}}")).isNull();
    assertThat(JobMetrics.offsetsBehind("{\"t\":{\"0\":1}}", "not json")).isNull();
  }
}
