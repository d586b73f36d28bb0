package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.StreamingJobProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * A reprocessing at a month's density of windows (the throughput scenario's {@code month} preload:
 * TLC rows spread evenly over January, replayed by the producer in dropoff order) writes state
 * faster than RocksDB flushes it. With RocksDB's default memtables that filled Spark's strictly
 * bounded cache and failed a micro-batch with "Insert failed due to LRU cache being full" (400,000
 * trips at 16 MiB failed in their 7th micro-batch; a 3 M-trip month at 64 and 128 MiB every time).
 * The job now sizes its memtables into the bound (StateStoreMemory): the same replay, 8
 * micro-batches through the smallest bound the job accepts for 2 shuffle partitions, runs to exact
 * results. Lives here because the month's generator does ({@link TlcBenchFiles}).
 */
class StateStoreMemoryIT {

  private static final int TRIPS = 400_000;

  @Test
  void aMonthsReplayRunsExactlyThroughASmallStateStoreBound() throws Exception {
    BenchConfig config =
        BenchConfig.parse(
            new String[] {
              "--stream-events", Integer.toString(TRIPS),
              "--stream-partitions", "2",
              "--max-offsets", "50000",
              "--throughput-trigger-ms", "1000",
              "--stream-preload", "month",
              "--scenarios", "throughput"
            });
    Path work = LocalPaths.newWorkDir("statemem");
    try (KafkaNode kafka = KafkaNode.start();
        CassandraNode cassandra = CassandraNode.start()) {
      ProducerBench producers = new ProducerBench(config, kafka, work);
      StreamingBench sb = new StreamingBench(config, kafka, cassandra, producers, work);
      String topic = "statemem." + java.util.UUID.randomUUID().toString().substring(0, 6);
      sb.preload(topic);
      StreamingBench.ThroughputRun run =
          sb.job(
              topic,
              0,
              "statemem",
              "sm",
              new StreamingJobProcess.Options(
                  "local[2]",
                  "1g",
                  // Snapshots uploaded within seconds instead of a minute, to read their options.
                  Map.of("spark.sql.streaming.stateStore.maintenanceInterval", "2s"),
                  config.forkedJvmOptions()),
              Map.of("STATE_STORE_MEMORY_MB", "16", "SHUFFLE_PARTITIONS", "2"));
      String log = Files.readString(work.resolve("job-sm0").resolve("streaming-job.log"));
      assertThat(log)
          .as("the job sized its memtables into the bound")
          .contains("RocksDB memtables: 2 of 1 MiB per state store, 4 stores");
      assertThat(log).doesNotContain("LRU cache being full");
      assertThat(run.extra().get("rows_dropped_late_total")).isEqualTo(0.0);
      assertThat(run.extra().get("valid_trips_total")).isEqualTo((double) TRIPS);
      // 8 micro-batches of 50,000; each takes seconds, so the job's progress polled every 0.5 s
      // sees nearly all of them.
      assertThat(Integer.parseInt(String.valueOf(run.extra().get("batches_seen"))))
          .as("micro-batches seen")
          .isGreaterThanOrEqualTo(5);
      // Trip counts sum to the trips (zoneTable throws otherwise), over a month of windows.
      assertThat(sb.zoneTable("sm0", TRIPS)).hasSizeGreaterThan(100_000);
      // What RocksDB itself was given: the OPTIONS file of every state store snapshot uploaded
      // to the checkpoint (whether a full cache fails a flush depends on timing; these do not).
      Map<String, Map<String, String>> options = snapshotOptions(work.resolve("checkpoints-sm0"));
      assertThat(options).as("state store snapshots in the checkpoint").isNotEmpty();
      // the memtables (StateStoreMemory); every store's index and filter in partitions
      // (OrderedEvictionStateStoreProvider)
      Map<String, String> expected =
          Map.of(
              "write_buffer_size", Integer.toString(1 << 20),
              "max_write_buffer_number", "2",
              "table.index_type", "kTwoLevelIndexSearch",
              "table.partition_filters", "true",
              "table.cache_index_and_filter_blocks", "true");
      options.forEach(
          (file, cf) ->
              expected.forEach((k, v) -> assertThat(cf.get(k)).as(file + " " + k).isEqualTo(v)));
    }
  }

  /**
   * The default column family's options in the OPTIONS file of every RocksDB snapshot ({@code
   * <version>.zip}) under a checkpoint: zip path and entry -> option -> value (its table options
   * prefixed {@code table.}).
   */
  static Map<String, Map<String, String>> snapshotOptions(Path checkpoints) throws IOException {
    Map<String, Map<String, String>> out = new TreeMap<>();
    List<Path> zips;
    try (Stream<Path> s = Files.walk(checkpoints)) {
      zips = s.filter(p -> p.getFileName().toString().matches("[0-9]+\\.zip")).toList();
    }
    for (Path zip : zips) {
      try (ZipFile z = new ZipFile(zip.toFile())) {
        for (ZipEntry e : java.util.Collections.list(z.entries())) {
          if (!e.getName().startsWith("OPTIONS-")) {
            continue;
          }
          Map<String, String> cf = new TreeMap<>();
          String prefix = null;
          String text = new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
          for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("[")) {
              prefix =
                  t.equals("[CFOptions \"default\"]")
                      ? ""
                      : t.equals("[TableOptions/BlockBasedTable \"default\"]") ? "table." : null;
            } else if (prefix != null && t.contains("=")) {
              cf.put(
                  prefix + t.substring(0, t.indexOf('=')).strip(),
                  t.substring(t.indexOf('=') + 1).strip());
            }
          }
          out.put(checkpoints.relativize(zip) + "!" + e.getName(), cf);
        }
      }
    }
    return out;
  }
}
