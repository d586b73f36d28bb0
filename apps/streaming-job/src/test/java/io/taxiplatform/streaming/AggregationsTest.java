package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import io.taxiplatform.model.fixtures.TestTrips;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology functions on Spark in local mode, on static data (and one file stream for the
 * watermark), checked against aggregates computed independently in plain Java from the generated
 * trips.
 */
class AggregationsTest {

  static final StructType KAFKA =
      new StructType()
          .add("key", DataTypes.BinaryType)
          .add("value", DataTypes.BinaryType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("timestamp", DataTypes.TimestampType);

  static SparkSession spark;
  static ZoneLookup zones;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("aggregations-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    // 229 and 7 are deliberately missing: their trips count under Unknown.
    zones = testZones();
  }

  /** A four-zone lookup (1, 4, 132, 138); other zones count as Unknown. */
  static ZoneLookup testZones() {
    return ZoneLookup.parse(
        List.of(
            "\"LocationID\",\"Borough\",\"Zone\",\"service_zone\"",
            "1,\"EWR\",\"Newark Airport\",\"EWR\"",
            "4,\"Manhattan\",\"Alphabet City\",\"Yellow Zone\"",
            "132,\"Queens\",\"JFK Airport\",\"Airports\"",
            "138,\"Queens\",\"LaGuardia Airport\",\"Airports\""),
        "test");
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  /**
   * Random trips over two hours of 2025-01-01 in zones 1, 4, 7, 132, 138, 229, amounts with 3
   * decimals.
   */
  static List<TripEvent> trips(long seed, int n) {
    Random rnd = new Random(seed);
    int[] zoneIds = {1, 4, 7, 132, 138, 229};
    Instant start = Instant.parse("2025-01-01T05:00:00Z");
    List<TripEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant dropoff =
          start.plusMillis((long) (rnd.nextDouble() * Duration.ofHours(2).toMillis()));
      Instant pickup = dropoff.minusMillis(60_000 + (long) (rnd.nextDouble() * 3_000_000));
      double fare = i % 17 == 0 ? 0.0 : Math.round(rnd.nextDouble() * 80_000) / 1000.0;
      out.add(
          TripEvent.builder()
              .tripId("syn-" + seed + "-" + i)
              .pickupTime(pickup)
              .dropoffTime(dropoff)
              .tripDistance(Math.round(rnd.nextDouble() * 30_000) / 1000.0)
              .pickupZone(zoneIds[rnd.nextInt(zoneIds.length)])
              .dropoffZone(1 + rnd.nextInt(265))
              .fareAmount(fare)
              .tipAmount(Math.round(rnd.nextDouble() * 15_000) / 1000.0)
              .totalAmount(fare + Math.round(rnd.nextDouble() * 20_000) / 1000.0)
              .build());
    }
    return out;
  }

  static Row kafkaRow(byte[] value, long offset, Instant ingest) {
    return RowFactory.create(
        "k".getBytes(StandardCharsets.UTF_8),
        value,
        "taxi.trips",
        0,
        offset,
        Timestamp.from(ingest));
  }

  static Instant ingestOf(int i) {
    return Instant.parse("2026-11-22T03:00:00Z").plusMillis(i * 37L);
  }

  static BigDecimal cents(double v) {
    return new BigDecimal(Double.toString(v)).setScale(2, RoundingMode.HALF_UP);
  }

  static String borough(int zone) {
    return switch (zone) {
      case 1 -> "EWR";
      case 4 -> "Manhattan";
      case 132, 138 -> "Queens";
      default -> "Unknown";
    };
  }

  /** Independent aggregate of one window: exact sums and the inputs of the averages. */
  static final class Expected {
    long count;
    BigDecimal fare = BigDecimal.ZERO;
    BigDecimal revenue = BigDecimal.ZERO;
    BigDecimal distance = BigDecimal.ZERO;
    long duration;
    double tipSum;
    int tipN;
    Instant maxIngest = Instant.EPOCH;

    void add(TripEvent t, Instant ingest) {
      count++;
      fare = fare.add(cents(t.fareAmount()));
      revenue = revenue.add(cents(t.totalAmount()));
      distance = distance.add(cents(t.tripDistance()));
      duration += t.dropoffTime().getEpochSecond() - t.pickupTime().getEpochSecond();
      if (t.fareAmount() > 0) {
        tipSum += 100.0 * t.tipAmount() / t.fareAmount();
        tipN++;
      }
      if (ingest.isAfter(maxIngest)) {
        maxIngest = ingest;
      }
    }
  }

  static void assertRowMatches(Row row, Expected e) {
    assertThat(row.<Long>getAs("trip_count")).isEqualTo(e.count);
    assertThat(row.<BigDecimal>getAs("fare_total")).isEqualByComparingTo(e.fare);
    assertThat(row.<BigDecimal>getAs("revenue_total")).isEqualByComparingTo(e.revenue);
    assertThat(row.<BigDecimal>getAs("distance_total")).isEqualByComparingTo(e.distance);
    assertThat(row.<Long>getAs("duration_total_s")).isEqualTo(e.duration);
    assertThat(row.<Double>getAs("avg_fare"))
        .isCloseTo(e.fare.doubleValue() / e.count, within(1e-9));
    assertThat(row.<Double>getAs("avg_distance"))
        .isCloseTo(e.distance.doubleValue() / e.count, within(1e-9));
    assertThat(row.<Double>getAs("avg_duration_s"))
        .isCloseTo((double) e.duration / e.count, within(1e-9));
    if (e.tipN == 0) {
      assertThat(row.isNullAt(row.fieldIndex("avg_tip_pct"))).isTrue();
    } else {
      assertThat(row.<Double>getAs("avg_tip_pct")).isCloseTo(e.tipSum / e.tipN, within(1e-6));
    }
    assertThat(row.<Timestamp>getAs("max_ingest_time").toInstant()).isEqualTo(e.maxIngest);
  }

  private static Dataset<Row> kafka(List<Row> rows) {
    return spark.createDataFrame(rows, KAFKA);
  }

  /**
   * The job's default windows: 5-minute zone windows, 15-minute borough windows sliding every 5
   * minutes.
   */
  static final Aggregations.WindowSpec WINDOWS =
      new Aggregations.WindowSpec(
          Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(5));

  /** The zone table rows of the one aggregation. */
  static Dataset<Row> zoneWindows(Dataset<Row> trips, Aggregations.WindowSpec windows) {
    return Aggregations.zoneRows(Aggregations.windowAggregates(trips, zones, windows));
  }

  /** The borough table rows of the one aggregation. */
  static Dataset<Row> boroughWindows(Dataset<Row> trips, Aggregations.WindowSpec windows) {
    return Aggregations.boroughRows(Aggregations.windowAggregates(trips, zones, windows));
  }

  @Test
  void splitsValidTripsFromDeadLettersWithoutLosingAny() {
    List<TripEvent> good = trips(7, 50);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < good.size(); i++) {
      rows.add(kafkaRow(TestTrips.jsonBytes(good.get(i)), i, ingestOf(i)));
    }
    Map<Long, String> badReasons = new TreeMap<>();
    long offset = 1000;
    String base = TripEventJson.toJson(good.get(0));
    Map<String, String> bad = new HashMap<>();
    bad.put("malformed_json", "{oops");
    bad.put(
        "unsupported_schema_version", base.replace("\"schema_version\":1", "\"schema_version\":9"));
    bad.put(
        "fare_out_of_range", base.replaceFirst("\"fare_amount\":[^,]+", "\"fare_amount\":-7.2"));
    bad.put("zone_out_of_range", base.replaceFirst("\"pickup_zone\":\\d+", "\"pickup_zone\":0"));
    bad.put(
        "event_time_in_future",
        base.replaceFirst(
            "\"dropoff_time\":\"[^\"]+\"",
            "\"dropoff_time\":\"" + Instant.now().plus(Duration.ofDays(3)) + "\""));
    for (var e : bad.entrySet()) {
      badReasons.put(offset, e.getKey());
      rows.add(kafkaRow(e.getValue().getBytes(StandardCharsets.UTF_8), offset++, ingestOf(0)));
    }
    Dataset<Row> parsed = Aggregations.parse(kafka(rows), Duration.ofHours(1)).cache();
    List<Row> valid = Aggregations.validTrips(parsed).collectAsList();
    List<Row> dead = Aggregations.deadLetters(parsed).collectAsList();
    assertThat(valid)
        .extracting(r -> r.<String>getAs("trip_id"))
        .containsExactlyInAnyOrderElementsOf(good.stream().map(TripEvent::tripId).toList());
    Map<Long, String> deadReasons = new TreeMap<>();
    for (Row r : dead) {
      String json = r.getAs("dead_letter");
      long off = Long.parseLong(json.replaceAll(".*\"source_offset\":(\\d+).*", "$1"));
      deadReasons.put(off, r.getAs("reason"));
    }
    assertThat(deadReasons).isEqualTo(badReasons);
  }

  @Test
  void zoneWindowsEqualAnIndependentComputation() {
    List<TripEvent> trips = trips(42, 600);
    List<Row> rows = new ArrayList<>();
    Map<String, Expected> expected = new TreeMap<>();
    for (int i = 0; i < trips.size(); i++) {
      TripEvent t = trips.get(i);
      rows.add(kafkaRow(TestTrips.jsonBytes(t), i, ingestOf(i)));
      long start = Math.floorDiv(t.dropoffTime().getEpochSecond(), 300) * 300;
      expected
          .computeIfAbsent(t.pickupZone() + "@" + start, k -> new Expected())
          .add(t, ingestOf(i));
    }
    Dataset<Row> valid =
        Aggregations.validTrips(Aggregations.parse(kafka(rows), Duration.ofHours(1)));
    List<Row> out = zoneWindows(valid, WINDOWS).collectAsList();

    assertThat(out).hasSize(expected.size());
    for (Row r : out) {
      int zone = r.getAs("pickup_zone");
      Instant start = r.<Timestamp>getAs("window_start").toInstant();
      assertThat(r.<Timestamp>getAs("window_end").toInstant()).isEqualTo(start.plusSeconds(300));
      assertThat(r.<String>getAs("borough")).isEqualTo(borough(zone));
      assertThat(r.<String>getAs("zone_name"))
          .isEqualTo(
              switch (zone) {
                case 1 -> "Newark Airport";
                case 4 -> "Alphabet City";
                case 132 -> "JFK Airport";
                case 138 -> "LaGuardia Airport";
                default -> "Unknown";
              });
      Expected e = expected.get(zone + "@" + start.getEpochSecond());
      assertThat(e).as("window %s of zone %s", start, zone).isNotNull();
      assertRowMatches(r, e);
    }
  }

  /**
   * The lookup as the aggregation applies it: the first and last valid zones, a zone the lookup
   * lacks, an entry outside the valid zones (999: no valid trip has it, so it is left out), and
   * values no valid trip has (0, 266, null) read Unknown instead of failing; never null, as the
   * aggregation's state key has it.
   */
  @Test
  void zoneNamesComeFromTheLookupAndUnknownOtherwise() {
    ZoneLookup lookup =
        ZoneLookup.parse(
            List.of(
                "LocationID,Borough,Zone",
                "1,EWR,Newark Airport",
                "265,N/A,Outside of NYC",
                "999,Nowhere,Not a zone"),
            "edges");
    StructType schema = new StructType().add("pickup_zone", DataTypes.IntegerType, true);
    List<Row> zonesIn = new ArrayList<>();
    for (Integer z : new Integer[] {1, 265, 7, 999, 0, 266, -1, null}) {
      zonesIn.add(RowFactory.create(z));
    }
    Dataset<Row> named = Aggregations.withZoneNames(spark.createDataFrame(zonesIn, schema), lookup);

    assertThat(named.schema().apply("borough").nullable()).isFalse();
    assertThat(named.schema().apply("zone_name").nullable()).isFalse();
    assertThat(named.collectAsList())
        .extracting(r -> r.get(0) + " " + r.getAs("borough") + " / " + r.getAs("zone_name"))
        .containsExactly(
            "1 EWR / Newark Airport",
            "265 N/A / Outside of NYC",
            "7 Unknown / Unknown",
            "999 Unknown / Unknown",
            "0 Unknown / Unknown",
            "266 Unknown / Unknown",
            "-1 Unknown / Unknown",
            "null Unknown / Unknown");
  }

  @Test
  void boroughSlidingWindowsEqualAnIndependentComputation() {
    List<TripEvent> trips = trips(43, 500);
    List<Row> rows = new ArrayList<>();
    Map<String, Expected> expected = new TreeMap<>();
    for (int i = 0; i < trips.size(); i++) {
      TripEvent t = trips.get(i);
      rows.add(kafkaRow(TestTrips.jsonBytes(t), i, ingestOf(i)));
      long ts = t.dropoffTime().getEpochSecond();
      // Every 15-minute window sliding by 5 minutes that holds ts: starts at the last 5-minute
      // boundary and the two before.
      long last = Math.floorDiv(ts, 300) * 300;
      for (long s = last; s > ts - 900; s -= 300) {
        expected
            .computeIfAbsent(borough(t.pickupZone()) + "@" + s, k -> new Expected())
            .add(t, ingestOf(i));
      }
    }
    Dataset<Row> valid =
        Aggregations.validTrips(Aggregations.parse(kafka(rows), Duration.ofHours(1)));
    List<Row> out = boroughWindows(valid, WINDOWS).collectAsList();

    assertThat(out).hasSize(expected.size());
    for (Row r : out) {
      Instant start = r.<Timestamp>getAs("window_start").toInstant();
      assertThat(r.<Timestamp>getAs("window_end").toInstant()).isEqualTo(start.plusSeconds(900));
      Expected e = expected.get(r.getAs("borough") + "@" + start.getEpochSecond());
      assertThat(e).as("window %s of %s", start, r.getAs("borough")).isNotNull();
      assertRowMatches(r, e);
    }
    assertThat(out)
        .extracting(r -> r.<String>getAs("borough"))
        .contains("Unknown", "Queens", "EWR", "Manhattan");
  }

  /**
   * The windows of the one aggregation are Spark's own {@code window()}s, also for lengths where
   * the slide does not divide the window (7-minute zone windows, 10-minute borough windows sliding
   * by 3 minutes).
   */
  @Test
  void windowsAreSparksWindowsForAnyLengthAndSlide() {
    List<TripEvent> trips = trips(44, 400);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < trips.size(); i++) {
      rows.add(kafkaRow(TestTrips.jsonBytes(trips.get(i)), i, ingestOf(i)));
    }
    Dataset<Row> valid =
        Aggregations.validTrips(Aggregations.parse(kafka(rows), Duration.ofHours(1))).cache();
    Aggregations.WindowSpec odd =
        new Aggregations.WindowSpec(
            Duration.ofMinutes(7), Duration.ofMinutes(10), Duration.ofMinutes(3));
    List<String> zoneExpected =
        keys(
            valid
                .groupBy(
                    org.apache
                        .spark
                        .sql
                        .functions
                        .window(org.apache.spark.sql.functions.col("dropoff_time"), "7 minutes")
                        .as("w"),
                    org.apache.spark.sql.functions.col("pickup_zone").cast("string").as("k"))
                .count());
    List<String> boroughExpected =
        keys(
            valid
                .withColumn(
                    "b",
                    org.apache.spark.sql.functions.expr(
                        "CASE pickup_zone WHEN 1 THEN 'EWR' WHEN 4 THEN 'Manhattan' WHEN 132 THEN 'Queens' WHEN 138 THEN 'Queens' "
                            + "ELSE 'Unknown' END"))
                .groupBy(
                    org.apache
                        .spark
                        .sql
                        .functions
                        .window(
                            org.apache.spark.sql.functions.col("dropoff_time"),
                            "10 minutes",
                            "3 minutes")
                        .as("w"),
                    org.apache.spark.sql.functions.col("b").as("k"))
                .count());
    List<String> zoneActual =
        keys(
            zoneWindows(valid, odd)
                .selectExpr(
                    "named_struct('start', window_start, 'end', " + "window_end) as w",
                    "cast(pickup_zone as string) as k",
                    "trip_count as count"));
    List<String> boroughActual =
        keys(
            boroughWindows(valid, odd)
                .selectExpr(
                    "named_struct('start', window_start, " + "'end', window_end) as w",
                    "borough as k",
                    "trip_count as count"));
    assertThat(zoneActual)
        .hasSizeGreaterThan(100)
        .containsExactlyInAnyOrderElementsOf(zoneExpected);
    assertThat(boroughActual)
        .hasSizeGreaterThan(50)
        .containsExactlyInAnyOrderElementsOf(boroughExpected);
  }

  /** {@code k|start|end|count} of rows {@code w (start, end), k, count}. */
  private static List<String> keys(Dataset<Row> counted) {
    List<String> out = new ArrayList<>();
    for (Row r : counted.collectAsList()) {
      Row w = r.getStruct(r.fieldIndex("w"));
      out.add(
          r.getAs("k")
              + "|"
              + w.getTimestamp(0).toInstant()
              + "|"
              + w.getTimestamp(1).toInstant()
              + "|"
              + r.<Long>getAs("count"));
    }
    return out;
  }

  /**
   * The aggregation's state of a window is dropped once the watermark passes the window's end (the
   * window_end column carries the event-time watermark, as Spark's window column does): after trips
   * at 08:00 and then 10:00 and 10:01 with a 10-minute delay, only the windows ending after 09:50
   * are kept.
   */
  @Test
  void windowStateIsDroppedOnceTheWatermarkPassesItsEnd(@TempDir Path dir) throws Exception {
    Instant t0 = Instant.parse("2019-02-10T08:00:00Z");
    TripEvent base = zone4Trip("x", t0);
    Dataset<Row> trips =
        Aggregations.aggregationInput(
            List.of(fileStream(dir.resolve("p0"))), Duration.ofHours(1), "10 minutes", null);
    StreamingQuery q =
        Aggregations.windowAggregates(trips, zones, WINDOWS)
            .writeStream()
            .queryName("eviction_test")
            .format("memory")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", dir.resolve("ckpt").toString())
            .start();
    long stateRows = -1;
    try {
      int offset =
          writeBatch(dir.resolve("p0"), 0, List.of(TestTrips.withId(base, "a", null)), 0, 0);
      q.processAllAvailable();
      offset =
          writeBatch(
              dir.resolve("p0"),
              1,
              List.of(TestTrips.withId(base, "b", null).shiftedBySeconds(7200)),
              0,
              offset);
      q.processAllAvailable();
      writeBatch(
          dir.resolve("p0"),
          2,
          List.of(TestTrips.withId(base, "c", null).shiftedBySeconds(7260)),
          0,
          offset);
      q.processAllAvailable();
      StreamingQueryProgress last = q.lastProgress();
      // The job sizes RocksDB's memtables by this count of state stores per shuffle partition.
      assertThat(last.stateOperators())
          .as("stateful operators of the window query (StateStoreMemory.STATEFUL_OPERATORS)")
          .hasSize(StateStoreMemory.STATEFUL_OPERATORS);
      for (var op : last.stateOperators()) {
        if (!op.operatorName().toLowerCase(java.util.Locale.ROOT).contains("dedup")) {
          stateRows = op.numRowsTotal();
        }
      }
    } finally {
      q.stop();
    }
    // Kept: zone window 10:00-10:05 and the borough windows starting 09:50, 09:55, 10:00 (08:00's
    // four are gone).
    assertThat(stateRows).isEqualTo(4);
    Map<String, Long> counts = latestCounts("eviction_test");
    assertThat(counts)
        .containsEntry("2019-02-10T08:00:00Z", 1L)
        .containsEntry("2019-02-10T10:00:00Z", 2L);
  }

  /**
   * The de-duplication keeps a trip_id until the watermark passes its dropoff time (not the
   * watermark delay longer), and no copy is counted twice: after trips at 08:00, 08:05 and then
   * 08:20 (watermark 08:10 with a 10-minute delay) the first two are no longer in its state; a copy
   * of the 08:00 trip is then late, a copy of the 08:20 trip a duplicate, and the counts stay
   * exact.
   */
  @Test
  void deduplicationStateKeepsATripUntilTheWatermarkPassesItsDropoff(@TempDir Path dir)
      throws Exception {
    Instant t0 = Instant.parse("2019-02-10T08:00:00Z");
    TripEvent a = zone4Trip("a", t0);
    TripEvent b = TestTrips.withId(a, "b", null).shiftedBySeconds(300);
    TripEvent c = TestTrips.withId(a, "c", null).shiftedBySeconds(1200);
    TripEvent d = TestTrips.withId(a, "d", null).shiftedBySeconds(1260);
    Dataset<Row> trips =
        Aggregations.aggregationInput(
            List.of(fileStream(dir.resolve("p0"))), Duration.ofHours(1), "10 minutes", null);
    StreamingQuery q =
        Aggregations.windowAggregates(trips, zones, WINDOWS)
            .filter(org.apache.spark.sql.functions.col("dimension").equalTo(Aggregations.ZONE))
            .writeStream()
            .queryName("dedup_state_test")
            .format("memory")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", dir.resolve("ckpt").toString())
            .start();
    List<Long> dedupRows = new ArrayList<>();
    long late = 0;
    long duplicates = 0;
    try {
      int offset = writeBatch(dir.resolve("p0"), 0, List.of(a, b), 0, 0);
      q.processAllAvailable();
      offset = writeBatch(dir.resolve("p0"), 1, List.of(c), 0, offset);
      q.processAllAvailable();
      dedupRows.add(lastDedupOperator(q).numRowsTotal());
      writeBatch(dir.resolve("p0"), 2, List.of(a, c, d), 0, offset);
      q.processAllAvailable();
      for (StreamingQueryProgress p : q.recentProgress()) {
        for (var op : p.stateOperators()) {
          if (op.operatorName().startsWith("dedupe")) {
            late += op.numRowsDroppedByWatermark();
            duplicates += op.customMetrics().getOrDefault("numDroppedDuplicateRows", 0L);
          }
        }
      }
      dedupRows.add(lastDedupOperator(q).numRowsTotal());
    } finally {
      q.stop();
    }
    // After the watermark reached 08:10: only c (08:20); at the end c and d. With the column's
    // 10-minute delay b (08:05, kept until 08:15) would still be there: 2, then 3.
    assertThat(dedupRows).containsExactly(1L, 2L);
    assertThat(late).as("the copy of a, late").isEqualTo(1);
    assertThat(duplicates).as("the copy of c").isEqualTo(1);
    assertThat(latestCounts("dedup_state_test"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "2019-02-10T08:00:00Z", 1L,
                "2019-02-10T08:05:00Z", 1L,
                "2019-02-10T08:20:00Z", 2L));
  }

  /**
   * {@link Aggregations#evictionOrder}: {@code Long.reverseBytes(micros ^ Long.MIN_VALUE)}, so that
   * the little-endian bytes an {@code UnsafeRow} stores it in sort as the times do, before 1970
   * too.
   */
  @Test
  void theEvictionOrderIsTheDropoffTimeWithItsBytesInSortOrder() {
    List<Instant> instants =
        List.of(
            Instant.parse("1950-06-01T12:00:00Z"),
            Instant.parse("1969-12-31T23:59:59.999999Z"),
            Instant.EPOCH,
            Instant.parse("2019-02-10T08:00:00.000001Z"),
            Instant.parse("2025-01-31T23:59:59Z"),
            Instant.parse("2038-01-19T03:14:08Z"));
    List<Row> rows = new ArrayList<>();
    for (Instant i : instants) {
      rows.add(RowFactory.create(Timestamp.from(i)));
    }
    rows.add(RowFactory.create((Object) null));
    List<Row> out =
        spark
            .createDataFrame(rows, new StructType().add("dropoff_time", DataTypes.TimestampType))
            .select(Aggregations.evictionOrder("dropoff_time").as("o"))
            .collectAsList();
    List<byte[]> keyBytes = new ArrayList<>();
    for (int i = 0; i < instants.size(); i++) {
      long micros =
          Math.addExact(
              Math.multiplyExact(instants.get(i).getEpochSecond(), 1_000_000L),
              instants.get(i).getNano() / 1000);
      long order = out.get(i).getLong(0);
      assertThat(order).isEqualTo(OrderedEvictionStateStoreProviderTest.order(micros));
      keyBytes.add(
          java.nio.ByteBuffer.allocate(8)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .putLong(order)
              .array());
    }
    for (int i = 1; i < keyBytes.size(); i++) {
      assertThat(java.util.Arrays.compareUnsigned(keyBytes.get(i - 1), keyBytes.get(i)))
          .as("bytes of %s before %s", instants.get(i - 1), instants.get(i))
          .isNegative();
    }
    assertThat(out.get(instants.size()).getLong(0)).as("never null").isZero();
    assertThat(
            spark
                .createDataFrame(
                    rows, new StructType().add("dropoff_time", DataTypes.TimestampType))
                .select(Aggregations.evictionOrder("dropoff_time").as("o"))
                .schema()
                .apply("o")
                .nullable())
        .isFalse();
  }

  /**
   * The job's state store ({@link OrderedEvictionStateStoreProvider}) against Spark's own RocksDB
   * store in the same query: the same de-duplication state after each eviction, the same late and
   * duplicate rows and counts, while the eviction reads a fraction of the keys: 200 trips at
   * 08:00:00-08:03:19; one at 08:11:00, after which the watermark reaches 08:01:00 and Spark's
   * micro-batch without data evicts the 61 trips up to it; then one at 08:11:30 with copies of the
   * 08:02:30 and the 08:11:00 trips (both still in the state: duplicates), the watermark at
   * 08:01:30 evicting 30 more.
   */
  @Test
  void theJobsStoreEvictsTheSameKeysReadingOnlyTheExpiredOnes(@TempDir Path dir) throws Exception {
    Run ordered =
        dedupRun(dir.resolve("ordered"), OrderedEvictionStateStoreProvider.class.getName());
    Run rocksDb =
        dedupRun(
            dir.resolve("spark"),
            org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider.class
                .getName());
    for (Run r : List.of(ordered, rocksDb)) {
      assertThat(r.stateRows())
          .as("state after each micro-batch")
          .containsExactly(200L, 140L, 111L);
      assertThat(r.duplicates()).isEqualTo(2);
      assertThat(r.late()).isZero();
      assertThat(r.counts())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("2019-02-10T08:00:00Z", 200L, "2019-02-10T08:10:00Z", 2L));
    }
    // Spark's store reads all its keys at every eviction (200, 201, 201, 142); the job's the
    // expired ones and one more (1, 1, 62, 31)
    assertThat(ordered.iteratorBytes()).isPositive();
    assertThat(ordered.iteratorBytes() * 5).isLessThan(rocksDb.iteratorBytes());
  }

  private record Run(
      List<Long> stateRows,
      long duplicates,
      long late,
      Map<String, Long> counts,
      long iteratorBytes) {}

  private Run dedupRun(Path dir, String provider) throws Exception {
    String key = "spark.sql.streaming.stateStore.providerClass";
    spark.conf().set(key, provider);
    String name = "dedup_" + dir.getFileName();
    Instant t0 = Instant.parse("2019-02-10T08:00:00Z");
    List<TripEvent> first = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      first.add(zone4Trip("t" + i, t0.plusSeconds(i)));
    }
    TripEvent x = zone4Trip("x", t0.plusSeconds(660));
    TripEvent y = zone4Trip("y", t0.plusSeconds(690));
    StreamingQuery q;
    try {
      Dataset<Row> trips =
          Aggregations.aggregationInput(
              List.of(fileStream(dir.resolve("p0"))), Duration.ofHours(1), "10 minutes", null);
      q =
          Aggregations.windowAggregates(trips, zones, WINDOWS)
              .filter(org.apache.spark.sql.functions.col("dimension").equalTo(Aggregations.ZONE))
              .writeStream()
              .queryName(name)
              .format("memory")
              .outputMode(OutputMode.Update())
              .option("checkpointLocation", dir.resolve("ckpt").toString())
              .start();
    } finally {
      spark.conf().unset(key);
    }
    List<Long> stateRows = new ArrayList<>();
    long late = 0;
    long duplicates = 0;
    long bytes = 0;
    try {
      int offset = writeBatch(dir.resolve("p0"), 0, first, 0, 0);
      q.processAllAvailable();
      stateRows.add(lastDedupOperator(q).numRowsTotal());
      offset = writeBatch(dir.resolve("p0"), 1, List.of(x), 0, offset);
      q.processAllAvailable();
      stateRows.add(lastDedupOperator(q).numRowsTotal());
      writeBatch(dir.resolve("p0"), 2, List.of(y, first.get(150), x), 0, offset);
      q.processAllAvailable();
      stateRows.add(lastDedupOperator(q).numRowsTotal());
      for (StreamingQueryProgress p : q.recentProgress()) {
        for (var op : p.stateOperators()) {
          if (op.operatorName().startsWith("dedupe")) {
            late += op.numRowsDroppedByWatermark();
            duplicates += op.customMetrics().getOrDefault("numDroppedDuplicateRows", 0L);
            bytes += op.customMetrics().getOrDefault(JobMetrics.ROCKSDB_ITERATOR_BYTES, 0L);
          }
        }
      }
    } finally {
      q.stop();
    }
    return new Run(stateRows, duplicates, late, latestCounts(name), bytes);
  }

  /** The de-duplication operator of the query's latest micro-batch that ran its operators. */
  private static org.apache.spark.sql.streaming.StateOperatorProgress lastDedupOperator(
      StreamingQuery q) {
    StreamingQueryProgress[] recent = q.recentProgress();
    for (int i = recent.length - 1; i >= 0; i--) {
      for (var op : recent[i].stateOperators()) {
        if (op.operatorName().startsWith("dedupe")) {
          return op;
        }
      }
    }
    throw new AssertionError("no micro-batch with a de-duplication operator");
  }

  /**
   * A far-future event in the first micro-batch is dead-lettered before the watermark: a valid trip
   * of the second micro-batch, one minute after the first batch's trips, is still aggregated and
   * nothing is late.
   */
  @Test
  void rejectedFutureEventDoesNotMoveTheWatermark(@TempDir Path dir) throws Exception {
    Path input = Files.createDirectories(dir.resolve("in"));
    Instant t0 = Instant.parse("2025-01-01T05:02:00Z");
    TripEvent early = zone4Trip("early", t0);
    TripEvent future =
        TestTrips.withId(early, "future", null)
            .shiftedBySeconds(Duration.ofDays(400 * 3L).toSeconds());
    TripEvent later = TestTrips.withId(early, "later", null).shiftedBySeconds(60);

    StructType fileSchema = KAFKA;
    spark
        .createDataFrame(
            List.of(
                kafkaRow(TestTrips.jsonBytes(early), 0, ingestOf(0)),
                kafkaRow(TestTrips.jsonBytes(future), 1, ingestOf(1))),
            fileSchema)
        .coalesce(1)
        .write()
        .parquet(input.resolve("b1").toString());

    Dataset<Row> stream =
        spark
            .readStream()
            .schema(fileSchema)
            .option("maxFilesPerTrigger", 1)
            .parquet(input.resolve("*").toString());
    Dataset<Row> valid =
        Aggregations.aggregationInput(List.of(stream), Duration.ofHours(1), "120 seconds", null);
    StreamingQuery q =
        zoneWindows(valid, WINDOWS)
            .writeStream()
            .queryName("watermark_test")
            .format("memory")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", dir.resolve("ckpt").toString())
            .start();
    JobMetrics metrics = new JobMetrics(false);
    try {
      q.processAllAvailable();
      spark
          .createDataFrame(
              List.of(kafkaRow(TestTrips.jsonBytes(later), 2, ingestOf(2))), fileSchema)
          .coalesce(1)
          .write()
          .parquet(input.resolve("b2").toString());
      q.processAllAvailable();
      long dropped = 0;
      String lastWatermark = null;
      for (StreamingQueryProgress p : q.recentProgress()) {
        metrics.onProgress(p);
        for (var op : p.stateOperators()) {
          dropped += op.numRowsDroppedByWatermark();
        }
        if (p.eventTime().get("watermark") != null) {
          lastWatermark = p.eventTime().get("watermark");
        }
      }
      assertThat(dropped).isZero();
      // Watermark = max valid event time (05:02) - 120 s, never the future event's time.
      assertThat(lastWatermark).isNotNull();
      assertThat(Instant.parse(lastWatermark))
          .isBeforeOrEqualTo(t0.plusSeconds(60).minusSeconds(120));
    } finally {
      q.stop();
    }
    List<Row> out = spark.sql("select * from watermark_test").collectAsList();
    Row latest =
        out.stream()
            .max((a, b) -> Long.compare(a.<Long>getAs("trip_count"), b.<Long>getAs("trip_count")))
            .orElseThrow();
    assertThat(latest.<Long>getAs("trip_count")).isEqualTo(2);
    assertThat(latest.<Timestamp>getAs("window_start").toInstant())
        .isEqualTo(Instant.parse("2025-01-01T05:00:00Z"));
    metrics.onProgress(JobMetricsTest.kafkaProgress("kafka_test", 1, new long[] {3, 5}));
    metrics.deadLetters("malformed_json", 2);
    metrics.latency("zone_windows_v1", 1.5);
    metrics.queryFailed("watermark_test");
    String exposition = Objects.requireNonNull(scrape(metrics));
    // Every driver metric name of docs/contracts.md is exposed (histograms as _bucket/_count/_sum).
    Path contracts = TestData.repoFile("docs/contracts.md");
    java.util.Set<String> names = new java.util.TreeSet<>();
    var m =
        java.util.regex.Pattern.compile("`(taxi_stream_[a-z_]+)`")
            .matcher(Files.readString(contracts));
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(13);
    for (String name : names) {
      assertThat(exposition)
          .as(name)
          .containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[{ ]");
    }
    assertThat(exposition)
        .contains("taxi_stream_dead_letters_total{reason=\"malformed_json\"} 2.0");
    assertThat(exposition)
        .contains(
            "taxi_stream_end_to_end_latency_seconds_bucket{table=\"zone_windows_v1\",le=\"2.0\"} 1");
    assertThat(exposition)
        .contains("taxi_stream_rows_dropped_late_total{query=\"watermark_test\"} 0.0");
    assertThat(exposition).contains("taxi_stream_input_rows_total{query=\"watermark_test\"} 3.0");
    assertThat(exposition)
        .contains("taxi_stream_watermark_delay_seconds{query=\"watermark_test\"}");
  }

  /**
   * Two Kafka partitions read in micro-batches that are not aligned in event time (what {@code
   * maxOffsetsPerTrigger} does: it splits offsets by count): partition 0 runs two hours ahead of
   * partition 1. With one watermark per partition (the job's topology) partition 1's later trips
   * are not late, and a trip sent twice (a replay restarted from the start) is counted once. The
   * same batches through a single watermark over both partitions (the topology before) drop
   * partition 1's trips as late: the test can tell the two apart.
   */
  @Test
  void perPartitionWatermarksKeepASlowPartitionsTripsAndDuplicatesCountOnce(@TempDir Path dir)
      throws Exception {
    Instant t0 = Instant.parse("2019-02-10T08:00:00Z");
    TripEvent base = zone4Trip("x", t0);
    // batch 1: partition 0 reaches 10:00, partition 1 only 08:00; batch 2: partition 1 goes on at
    // 08:30 and
    // 09:00, partition 0 at 10:05 and repeats its 10:00 trip (same trip_id); batch 3: partition 1's
    // 08:00 trip
    // again, older than every watermark: dropped as late, never counted twice.
    List<List<TripEvent>> p0 =
        List.of(
            List.of(TestTrips.withId(base, "a", null).shiftedBySeconds(7200)),
            List.of(
                TestTrips.withId(base, "b", null).shiftedBySeconds(7500),
                TestTrips.withId(base, "a", null).shiftedBySeconds(7200)),
            List.of());
    List<List<TripEvent>> p1 =
        List.of(
            List.of(TestTrips.withId(base, "c", null)),
            List.of(
                TestTrips.withId(base, "d", null).shiftedBySeconds(1800),
                TestTrips.withId(base, "e", null).shiftedBySeconds(3600)),
            List.of(TestTrips.withId(base, "c", null)));

    Dataset<Row> perPartition =
        Aggregations.aggregationInput(
            List.of(fileStream(dir.resolve("p0")), fileStream(dir.resolve("p1"))),
            Duration.ofHours(1),
            "10 minutes",
            null);
    Dataset<Row> single =
        Aggregations.validTrips(
                Aggregations.parse(
                    fileStream(dir.resolve("p0")).union(fileStream(dir.resolve("p1"))),
                    Duration.ofHours(1)))
            .withWatermark("dropoff_time", "10 minutes");
    StreamingQuery q =
        zoneWindows(perPartition, WINDOWS)
            .writeStream()
            .queryName("per_partition_test")
            .format("memory")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", dir.resolve("ckpt1").toString())
            .start();
    StreamingQuery before =
        zoneWindows(single, WINDOWS)
            .writeStream()
            .queryName("single_watermark_test")
            .format("memory")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", dir.resolve("ckpt2").toString())
            .start();
    JobMetrics metrics = new JobMetrics(false);
    try {
      int offset = 0;
      for (int b = 0; b < 3; b++) {
        offset = writeBatch(dir.resolve("p0"), b, p0.get(b), 0, offset);
        offset = writeBatch(dir.resolve("p1"), b, p1.get(b), 1, offset);
        q.processAllAvailable();
        before.processAllAvailable();
      }
      for (StreamingQueryProgress p : q.recentProgress()) {
        metrics.onProgress(p);
      }
    } finally {
      q.stop();
      before.stop();
    }
    Map<String, Long> counts = latestCounts("per_partition_test");
    assertThat(counts)
        .as("every trip once, in its window")
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "2019-02-10T10:00:00Z",
                1L,
                "2019-02-10T10:05:00Z",
                1L,
                "2019-02-10T08:00:00Z",
                1L,
                "2019-02-10T08:30:00Z",
                1L,
                "2019-02-10T09:00:00Z",
                1L));
    String exposition = scrape(metrics);
    assertThat(exposition)
        .contains("taxi_stream_duplicate_trips_dropped_total{query=\"per_partition_test\"} 1.0");
    assertThat(exposition)
        .contains("taxi_stream_rows_dropped_late_total{query=\"per_partition_test\"} 1.0");
    // the state's size and the operators' times from Spark's real progress (heap-backed store here;
    // RocksDB's name is checked on the real job by ObservabilityIT, which the dashboard's panel
    // needs)
    for (String op : new String[] {"dedupe", "stateStoreSave"}) {
      java.util.regex.Matcher size =
          java.util.regex.Pattern.compile(
                  "taxi_stream_state_bytes\\{operator=\""
                      + op
                      + "\",query=\"per_partition_test\"\\} ([0-9.E]+)")
              .matcher(exposition);
      assertThat(size.find()).as(op + " state size in " + exposition).isTrue();
      assertThat(Double.parseDouble(size.group(1))).as(op).isPositive();
      assertThat(exposition)
          .contains(
              "taxi_stream_state_operator_seconds{operator=\""
                  + op
                  + "\",phase=\"removals\",query=\"per_partition_test\"}");
    }

    Map<String, Long> singleWatermark = latestCounts("single_watermark_test");
    assertThat(singleWatermark)
        .as("one watermark over both partitions loses partition 1's later trips")
        .doesNotContainKeys("2019-02-10T08:30:00Z", "2019-02-10T09:00:00Z");
  }

  /** A 10-minute trip in zone 4 (fare 10, tip 1, total 12) that ends at {@code dropoff}. */
  private static TripEvent zone4Trip(String id, Instant dropoff) {
    return TripEvent.builder()
        .tripId(id)
        .pickupTime(dropoff.minusSeconds(600))
        .dropoffTime(dropoff)
        .tripDistance(1.0)
        .pickupZone(4)
        .dropoffZone(4)
        .fareAmount(10)
        .tipAmount(1)
        .totalAmount(12)
        .build();
  }

  private static Dataset<Row> fileStream(Path dir) throws java.io.IOException {
    Files.createDirectories(dir);
    return spark
        .readStream()
        .schema(KAFKA)
        .option("maxFilesPerTrigger", 1)
        .parquet(dir.resolve("*").toString());
  }

  /**
   * Writes one micro-batch file of a "partition" (an empty batch still gets a file, so batches stay
   * aligned).
   */
  private static int writeBatch(
      Path dir, int batch, List<TripEvent> trips, int partition, int offset) {
    List<Row> rows = new ArrayList<>();
    for (TripEvent t : trips) {
      rows.add(
          RowFactory.create(
              "k".getBytes(StandardCharsets.UTF_8),
              TestTrips.jsonBytes(t),
              "taxi.trips",
              partition,
              (long) offset,
              Timestamp.from(ingestOf(offset))));
      offset++;
    }
    spark
        .createDataFrame(rows, KAFKA)
        .coalesce(1)
        .write()
        .parquet(dir.resolve("b" + batch).toString());
    return offset;
  }

  /** window start -> the last trip_count written for it by a memory sink of update mode. */
  private static Map<String, Long> latestCounts(String table) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : spark.sql("select window_start, trip_count from " + table).collectAsList()) {
      out.merge(
          r.<Timestamp>getAs("window_start").toInstant().toString(),
          r.<Long>getAs("trip_count"),
          Math::max);
    }
    return out;
  }

  static String scrape(JobMetrics metrics) throws java.io.IOException {
    var out = new java.io.ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false)
        .write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
