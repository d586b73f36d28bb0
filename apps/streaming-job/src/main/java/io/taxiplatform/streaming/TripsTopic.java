package io.taxiplatform.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trips topic as the aggregation queries read it: one Kafka source per partition (so that each
 * partition has its own watermark, {@link Aggregations#aggregationInput}). The partitions are read
 * from the broker at start, and the checkpoint of a pipeline version remembers how many there were,
 * with the other settings it depends on ({@link CheckpointSettings}): a checkpoint written with
 * other settings (or by a job without per-partition sources) cannot be resumed, and the job says so
 * and exits 2 instead of failing inside Spark.
 */
final class TripsTopic {

  private static final Logger LOG = LoggerFactory.getLogger(TripsTopic.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The layout this job writes: one source per partition of the trips topic. */
  static final String LAYOUT = "per-partition-1";

  /**
   * How long the job waits for the trips topic to exist at start (the topic operator may still
   * create it).
   */
  static final long TOPIC_WAIT_SECONDS = 60;

  private TripsTopic() {}

  /** A checkpoint or topic this version cannot run on; the job exits 2 with the message. */
  static final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupException(String message) {
      super(message);
    }
  }

  /**
   * The partition ids of the trips topic, sorted; waits up to {@link #TOPIC_WAIT_SECONDS} for the
   * topic.
   */
  static List<Integer> partitions(JobConfig config) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.putAll(config.kafkaSecurity().clientProperties());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_WAIT_SECONDS);
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          TopicDescription d =
              admin
                  .describeTopics(List.of(config.tripsTopic()))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get(config.tripsTopic());
          List<Integer> ids = new ArrayList<>();
          for (TopicPartitionInfo info : d.partitions()) {
            ids.add(info.partition());
          }
          ids.sort(Comparator.naturalOrder());
          LOG.info("trips topic {}: {} partition(s)", config.tripsTopic(), ids.size());
          return ids;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "cannot describe the trips topic "
                    + config.tripsTopic()
                    + " at "
                    + config.bootstrapServers()
                    + ": "
                    + e.getCause(),
                e.getCause());
          }
          LOG.info("trips topic {} does not exist yet; waiting", config.tripsTopic());
          Thread.sleep(2000);
        } catch (TimeoutException e) {
          throw new IllegalStateException(
              "cannot describe the trips topic "
                  + config.tripsTopic()
                  + " at "
                  + config.bootstrapServers()
                  + " within 30 s",
              e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing the trips topic", e);
    }
  }

  /** Spark's {@code assign} option for one partition: {@code {"taxi.trips":[3]}}. */
  static String assignJson(String topic, int partition) {
    ObjectNode root = JSON.createObjectNode();
    root.putArray(topic).add(partition);
    return root.toString();
  }

  /**
   * STARTING_OFFSETS for one partition's source: {@code earliest} and {@code latest} as they are; a
   * JSON map ({@code {"taxi.trips":{"0":42,"1":-2}}}) narrowed to that partition, which defaults to
   * earliest (-2) when the map does not name it.
   */
  static String startingOffsetsFor(String startingOffsets, String topic, int partition) {
    if (!startingOffsets.trim().startsWith("{")) {
      return startingOffsets;
    }
    long offset = -2;
    try {
      JsonNode at = JSON.readTree(startingOffsets).path(topic).path(Integer.toString(partition));
      if (at.canConvertToLong()) {
        offset = at.asLong();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "STARTING_OFFSETS is not a JSON offsets map: " + startingOffsets, e);
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject(topic).put(Integer.toString(partition), offset);
    return root.toString();
  }

  /**
   * Checks that the version's checkpoint was written with the settings this start has ({@link
   * CheckpointSettings}: the per-partition source layout of {@code partitions}, the shuffle
   * partitions, the windows and the queries' topology), records them in a new checkpoint, and
   * checks that the location can be written.
   *
   * <p>{@code SHUFFLE_PARTITIONS=auto} takes the checkpoint's recorded value, so a version resumes
   * with what it began with whatever the default is; a new checkpoint gets {@code cores} (the cores
   * Spark has: two tasks per core of work would only queue, one task a core keeps them all busy).
   *
   * @param cores the shuffle partitions of a new checkpoint when {@code SHUFFLE_PARTITIONS} is auto
   * @return the shuffle partitions this start runs with (never auto)
   * @throws StartupException when the checkpoint holds progress of other settings (each named with
   *     its recorded and its new value), of the earlier single-source layout, or the location
   *     cannot be used
   */
  static int checkCheckpointLayout(
      Configuration hadoop, JobConfig config, int partitions, int cores) {
    Path versionDir = new Path(config.checkpointFor(StreamingJob.WINDOW_QUERY)).getParent();
    Path settingsFile = new Path(versionDir, CheckpointSettings.FILE);
    String where =
        "the checkpoint of pipeline version " + config.pipelineVersion() + " (" + versionDir + ")";
    // What a new checkpoint gets; under auto an existing one's record wins (below).
    int shufflePartitions =
        config.autoShufflePartitions() ? Math.max(1, cores) : config.shufflePartitions();
    try {
      FileSystem fs = versionDir.getFileSystem(hadoop);
      if (fs instanceof org.apache.hadoop.fs.ChecksumFileSystem checksummed) {
        // No .crc beside the record: an operator may read or edit it (a stale .crc would make it
        // unreadable).
        fs = checksummed.getRawFileSystem();
      }
      if (fs.exists(versionDir) && !fs.getFileStatus(versionDir).isDirectory()) {
        throw new IOException(versionDir + " is not a directory");
      }
      if (fs.exists(settingsFile)) {
        CheckpointSettings recorded = parse(fs, settingsFile, where);
        if (config.autoShufflePartitions()) {
          shufflePartitions = recordedShufflePartitions(recorded, shufflePartitions);
        }
        CheckpointSettings current = CheckpointSettings.of(config, partitions, shufflePartitions);
        List<String> differences = recorded.differences(current);
        if (!differences.isEmpty()) {
          throw new StartupException(
              where
                  + " was written with other settings than this start has: "
                  + String.join("; ", differences)
                  + " (recorded -> now). A checkpoint cannot follow a change of "
                  + (differences.size() == 1 ? "this setting" : "these settings")
                  + ": restore the recorded "
                  + "value"
                  + (differences.size() == 1 ? "" : "s")
                  + " where that is possible, or start a new "
                  + "PIPELINE_VERSION with the new ones (it replays the topic from STARTING_OFFSETS into new tables, "
                  + "docs/operations.md, Reprocessing)");
        }
        probeWritable(fs, versionDir);
        return shufflePartitions;
      }
      // The query directories of that earlier job (it wrote no settings record).
      for (String query : List.of("zone_windows", "borough_windows")) {
        if (fs.exists(new Path(config.checkpointFor(query), "offsets"))) {
          throw new StartupException(
              where
                  + " was written by an earlier job with one Kafka source per query; "
                  + "this job reads each partition with its own watermark and cannot resume it. Start a new "
                  + "PIPELINE_VERSION (docs/operations.md, Reprocessing)");
        }
      }
      if (!fs.mkdirs(versionDir)) {
        throw new IOException("cannot create " + versionDir);
      }
      write(fs, settingsFile, CheckpointSettings.of(config, partitions, shufflePartitions));
      probeWritable(fs, versionDir);
      LOG.info("{}: new, recorded its settings in {}", where, settingsFile);
      return shufflePartitions;
    } catch (IOException | RuntimeException e) {
      if (e instanceof StartupException s) {
        throw s;
      }
      throw new StartupException(
          "cannot use the checkpoint location "
              + versionDir
              + " (CHECKPOINT_LOCATION="
              + config.checkpointLocation()
              + "): "
              + e
              + ". It must be a directory (or a URI of a file system this job "
              + "has, e.g. s3a://) that the driver and executors can create and write (docs/streaming-job.md, "
              + "Checkpoint layout)");
    }
  }

  /**
   * The state store provider class Spark recorded in the window query's latest offset log entry
   * ({@code <query>/offsets/<batch>}: a version line, then the batch metadata whose {@code conf}
   * Spark restores at every restart), or empty for a checkpoint without progress.
   *
   * @throws IOException when the log cannot be read
   */
  static java.util.Optional<String> recordedStateStore(Configuration hadoop, JobConfig config)
      throws IOException {
    Path offsets = new Path(config.checkpointFor(StreamingJob.WINDOW_QUERY), "offsets");
    FileSystem fs = offsets.getFileSystem(hadoop);
    if (!fs.exists(offsets)) {
      return java.util.Optional.empty();
    }
    long latest = -1;
    for (var status : fs.listStatus(offsets)) {
      String name = status.getPath().getName();
      if (status.isFile() && name.matches("[0-9]{1,18}")) {
        latest = Math.max(latest, Long.parseLong(name));
      }
    }
    if (latest < 0) {
      return java.util.Optional.empty();
    }
    String text;
    try (var in = fs.open(new Path(offsets, Long.toString(latest)))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[] lines = text.split("\n", 3);
    if (lines.length < 2) {
      return java.util.Optional.empty();
    }
    JsonNode provider =
        JSON.readTree(lines[1]).path("conf").path(StreamingJob.STATE_STORE_PROVIDER);
    return provider.isTextual()
        ? java.util.Optional.of(provider.asText())
        : java.util.Optional.empty();
  }

  /**
   * The shuffle partitions a record holds, or {@code otherwise} when it holds none that is a
   * positive integer (the comparison then names the difference).
   */
  private static int recordedShufflePartitions(CheckpointSettings recorded, int otherwise) {
    String text = recorded.values().get(CheckpointSettings.SHUFFLE_KEY);
    try {
      int n = text == null ? 0 : Integer.parseInt(text.trim());
      return n > 0 ? n : otherwise;
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static CheckpointSettings parse(FileSystem fs, Path file, String where)
      throws IOException {
    String text;
    try (var in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      return CheckpointSettings.parse(text);
    } catch (IllegalArgumentException e) {
      throw new StartupException(
          where
              + " has an unreadable settings record "
              + file
              + " ("
              + e.getMessage()
              + "). Restore it, or start a new PIPELINE_VERSION (docs/operations.md, Reprocessing)");
    }
  }

  private static void write(FileSystem fs, Path file, CheckpointSettings settings)
      throws IOException {
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(settings.format().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Spark writes the offsets, commits and state under the version directory: fail now, not in a
   * query.
   */
  private static void probeWritable(FileSystem fs, Path versionDir) throws IOException {
    Path probe = new Path(versionDir, "_write-probe-" + java.util.UUID.randomUUID());
    try (FSDataOutputStream out = fs.create(probe, false)) {
      out.write(1);
    }
    fs.delete(probe, false);
  }
}
