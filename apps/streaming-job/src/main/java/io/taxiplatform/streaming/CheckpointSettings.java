package io.taxiplatform.streaming;

import io.taxiplatform.model.TripRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a pipeline version's checkpoint depends on, recorded in {@code
 * <CHECKPOINT_LOCATION>/<PIPELINE_VERSION>/_settings} by the first start of the version and
 * compared at every later start ({@link TripsTopic#checkCheckpointLayout}).
 *
 * <p>Spark resumes a query from its checkpoint only when the query is the same: the same sources
 * (one per partition of the trips topic), the same state (keyed by the windows, partitioned into
 * the shuffle partitions) and the same row schema. Some differences make Spark fail with a stack
 * trace; others it accepts silently and then computes wrong windows (a changed window length
 * resumes the old state under the new definition) or ignores the new value ({@code
 * SHUFFLE_PARTITIONS} is taken from the checkpoint). The job refuses all of them at start instead,
 * naming each setting with its recorded and its new value.
 *
 * <p>The file is {@code key=value} lines ({@code #} comments allowed). Keys are the job's variable
 * names where there is one; {@code layout} and {@code topology} are constants of the code: bump
 * {@link #TOPOLOGY} when a change of the queries, their state or the row schema makes existing
 * checkpoints unusable.
 *
 * @param values the recorded settings, in {@link #KEYS} order
 */
record CheckpointSettings(Map<String, String> values) {

  /** The record's file under {@code <CHECKPOINT_LOCATION>/<PIPELINE_VERSION>}. */
  static final String FILE = "_settings";

  /**
   * Version of the queries' shape: their operators and state (watermark per partition,
   * de-duplication by trip_id, windowed aggregates) and the parsed row schema ({@link
   * TripParser#SCHEMA}). Bump it when a code change makes a checkpoint of the previous shape
   * unusable; the job then asks for a new PIPELINE_VERSION. 1: three queries (zone_windows,
   * borough_windows, dead_letters); 2: the zone and borough windows in one query and aggregation
   * ({@code window_aggregates}) beside {@code dead_letters}; 3: {@code window_aggregates} alone,
   * its parse step writes the dead letters (a version of topology 2 cannot move to 3 in place: its
   * {@code dead_letters} query may have been behind the window query, and the records in between
   * would never be dead-lettered); 4: the de-duplication keyed by {@code (trip_id, dropoff_time)}
   * and kept until the watermark passes the dropoff ({@link Aggregations#aggregationInput}; 3 kept
   * {@code trip_id} keys, with another state schema); 5: the de-duplication's key begins with
   * {@code eviction_order}, so that RocksDB keeps it in dropoff order and its eviction stops at the
   * first live key ({@link OrderedEvictionStateStoreProvider}; 4's key had no such column).
   */
  static final String TOPOLOGY = "5";

  static final String LAYOUT_KEY = "layout";
  static final String TOPOLOGY_KEY = "topology";
  static final String TRIP_SCHEMA_KEY = "trip_schema_version";
  static final String TOPIC_KEY = "TRIPS_TOPIC";
  static final String PARTITIONS_KEY = "TRIPS_TOPIC partitions";
  static final String SHUFFLE_KEY = "SHUFFLE_PARTITIONS";
  static final String ZONE_WINDOW_KEY = "ZONE_WINDOW";
  static final String BOROUGH_WINDOW_KEY = "BOROUGH_WINDOW";
  static final String BOROUGH_SLIDE_KEY = "BOROUGH_SLIDE";

  /** Every recorded key, in the order of the file and of messages. */
  static final List<String> KEYS =
      List.of(
          LAYOUT_KEY,
          TOPOLOGY_KEY,
          TRIP_SCHEMA_KEY,
          TOPIC_KEY,
          PARTITIONS_KEY,
          SHUFFLE_KEY,
          ZONE_WINDOW_KEY,
          BOROUGH_WINDOW_KEY,
          BOROUGH_SLIDE_KEY);

  CheckpointSettings {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * What this job, with {@code config}, needs of a checkpoint when the trips topic has {@code
   * partitions} and the state store {@code shufflePartitions} (the configured number, or the one
   * {@code SHUFFLE_PARTITIONS=auto} settled on).
   */
  static CheckpointSettings of(JobConfig config, int partitions, int shufflePartitions) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put(LAYOUT_KEY, TripsTopic.LAYOUT);
    v.put(TOPOLOGY_KEY, TOPOLOGY);
    v.put(TRIP_SCHEMA_KEY, Integer.toString(TripRules.SCHEMA_VERSION));
    v.put(TOPIC_KEY, config.tripsTopic());
    v.put(PARTITIONS_KEY, Integer.toString(partitions));
    v.put(SHUFFLE_KEY, Integer.toString(shufflePartitions));
    v.put(ZONE_WINDOW_KEY, config.zoneWindow().text());
    v.put(BOROUGH_WINDOW_KEY, config.boroughWindow().text());
    v.put(BOROUGH_SLIDE_KEY, config.boroughSlide().text());
    return new CheckpointSettings(v);
  }

  /** The file's text. */
  String format() {
    StringBuilder s =
        new StringBuilder(
            "# The settings this checkpoint was written with (docs/streaming-job.md, "
                + "Checkpoint layout).\n# A start with other values exits 2: start a new PIPELINE_VERSION instead.\n");
    values.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
    return s.toString();
  }

  /**
   * Reads a {@link #FILE} text.
   *
   * @throws IllegalArgumentException when a line is not {@code key=value}
   */
  static CheckpointSettings parse(String text) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not a key=value line: '" + l + "'");
      }
      v.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
    }
    return new CheckpointSettings(v);
  }

  /**
   * The settings on which this record and {@code current} differ, as {@code key: recorded ->
   * current} (in the record's order, then keys only {@code current} has): a key either side lacks
   * counts as a difference.
   */
  List<String> differences(CheckpointSettings current) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String now = current.values.get(e.getKey());
      if (!e.getValue().equals(now)) {
        out.add(e.getKey() + ": " + e.getValue() + " -> " + (now == null ? "(not set)" : now));
      }
    }
    current.values.forEach(
        (k, now) -> {
          if (!values.containsKey(k)) {
            out.add(k + ": (not recorded) -> " + now);
          }
        });
    return out;
  }
}
