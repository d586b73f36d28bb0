package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.producer.replay.ReplayRuns.Run;
import io.taxiplatform.producer.source.TlcParquetFiles;
import io.taxiplatform.producer.source.TripSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dropoff order of parquet and CSV rows nearly in that order gives what the external sort
 * gives: the same events (every field, the trip id with its row number), in the same order, the
 * same rows read and the same rejections with their details; rows too far from dropoff order, and
 * what the first pass cannot rank, fall back to the CSV index or the external sort.
 */
class RankedDropoffOrderTest {

  @TempDir Path dir;

  private static final Duration TOLERANCE = Duration.ofHours(1);
  private static final MessageType SCHEMA =
      TlcParquetFiles.schema(TlcParquetFiles.Variant.Y2025, TimeUnit.MICROS, false);

  private Run externalSort(List<Path> inputs, YearMonth period) {
    return ReplayRuns.externalSort(inputs, period, TOLERANCE, dir);
  }

  private static RankedDropoffOrder build(List<Path> inputs, YearMonth period, int maxWaiting) {
    return RankedDropoffOrder.build(
        inputs,
        TripSources::open,
        period,
        TOLERANCE,
        Integer.MAX_VALUE - 8,
        maxWaiting,
        () -> false);
  }

  private Run ordered(List<Path> inputs, YearMonth period, int maxWaiting) {
    RankedDropoffOrder order = build(inputs, period, maxWaiting);
    assertThat(order).as("the order applies to these inputs").isNotNull();
    return ReplayRuns.drain(order::stream);
  }

  private static void assertSame(Run ordered, Run sort) {
    assertThat(ordered.events()).hasSameSizeAs(sort.events());
    assertThat(ordered.events()).containsExactlyElementsOf(sort.events());
    assertThat(ordered.rowsRead()).isEqualTo(sort.rowsRead());
    // both report in file order: the rejections come in the same order too
    assertThat(ordered.rejected()).containsExactlyElementsOf(sort.rejected());
  }

  /** A plain row of the 2025 layout: a trip from {@code pickup} to {@code dropoff}. */
  private static Map<String, Object> row(Random r, LocalDateTime pickup, LocalDateTime dropoff) {
    Map<String, Object> m = new HashMap<>();
    m.put("VendorID", 1 + r.nextInt(2));
    m.put("tpep_pickup_datetime", pickup);
    m.put("tpep_dropoff_datetime", dropoff);
    m.put("passenger_count", 1 + r.nextInt(4));
    m.put("trip_distance", r.nextInt(2000) / 100.0);
    m.put("RatecodeID", 1);
    m.put("store_and_fwd_flag", r.nextBoolean() ? "N" : "Y");
    m.put("PULocationID", 1 + r.nextInt(265));
    m.put("DOLocationID", 1 + r.nextInt(265));
    m.put("payment_type", 1 + r.nextInt(4));
    m.put("fare_amount", r.nextInt(10_000) / 100.0);
    m.put("extra", 1.0);
    m.put("mta_tax", 0.5);
    m.put("tip_amount", r.nextInt(2000) / 100.0);
    m.put("tolls_amount", 0.0);
    m.put("improvement_surcharge", 1.0);
    m.put("total_amount", r.nextInt(20_000) / 100.0);
    m.put("congestion_surcharge", 2.5);
    m.put("Airport_fee", 0.0);
    m.put("cbd_congestion_fee", 0.75);
    return m;
  }

  /**
   * {@code n} rows whose dropoffs step by {@code stepSeconds} from {@code start} (so with a large
   * step many are equal), shuffled within blocks of {@code block} rows: nearly in dropoff order, as
   * a TLC file is roughly by time.
   */
  private static List<Map<String, Object>> nearlySorted(
      Random r, int n, LocalDateTime start, int stepSeconds, int block) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      LocalDateTime dropoff = start.plusSeconds((long) (i / 3) * stepSeconds);
      rows.add(row(r, dropoff.minusMinutes(5 + r.nextInt(40)), dropoff));
    }
    for (int from = 0; from < n; from += block) {
      Collections.shuffle(rows.subList(from, Math.min(n, from + block)), r);
    }
    return rows;
  }

  @Test
  void nearlySortedFilesWithEveryKindOfRowComeOutAsTheExternalSortGivesThem() throws IOException {
    Random r = new Random(11);
    // November 2024: New York's clocks went back on the 3rd (01:00-02:00 twice); three rows per
    // dropoff make ties, across the files too
    LocalDateTime start = LocalDateTime.of(2024, 11, 2, 22, 0);
    List<Map<String, Object>> a = nearlySorted(r, 6000, start, 7, 40);
    List<Map<String, Object>> b = nearlySorted(r, 900, start.plusSeconds(7 * 1000), 7, 15);
    // rows the second pass does not send, scattered: no dropoff, an unreadable row with a
    // dropoff (no pickup zone), dropoffs outside the file's month (early and late), and one row
    // whose early dropoff comes late in the file
    a.get(100).remove("tpep_dropoff_datetime");
    a.get(200).remove("PULocationID");
    a.get(300).put("tpep_dropoff_datetime", LocalDateTime.of(2009, 1, 1, 0, 0));
    a.get(5000).put("tpep_dropoff_datetime", LocalDateTime.of(2024, 12, 5, 0, 0));
    a.get(4000).put("tpep_dropoff_datetime", start.plusMinutes(30));
    a.get(4000).put("tpep_pickup_datetime", start.plusMinutes(10));
    b.get(10).remove("tpep_pickup_datetime");
    Path fa = dir.resolve("a_2024-11.parquet");
    Path fb = dir.resolve("b_2024-11.parquet");
    Path empty = dir.resolve("c_2024-11.parquet");
    TlcParquetFiles.write(fa, SCHEMA, a);
    TlcParquetFiles.write(fb, SCHEMA, b);
    TlcParquetFiles.write(empty, SCHEMA, List.of());
    List<Path> inputs = List.of(fa, empty, fb);

    Run sort = externalSort(inputs, null);
    RankedDropoffOrder order = build(inputs, null, 100_000);
    assertThat(order).isNotNull();
    assertThat(order.rows()).isEqualTo(6900);
    // every row read between the dropoffs after 30 minutes (row ~772 on) and row 4000, whose
    // dropoff is 30 minutes, waits for it; the shuffled blocks alone would hold tens
    assertThat(order.heldAtMost()).isBetween(3000, 3300);
    Run ordered = ReplayRuns.drain(order::stream);
    assertSame(ordered, sort);
    assertThat(ordered.events()).hasSize(6900 - 5);
    assertThat(ordered.rejected())
        .anyMatch(s -> s.startsWith("missing_field"))
        .anyMatch(s -> s.startsWith("outside_period"));
    assertThat(ordered.events())
        .isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER)
        .extracting(e -> e.event().tripId())
        .doesNotHaveDuplicates();
    // --period for every file: its rule applies as in the external sort
    assertSame(
        ordered(List.of(fb, fa), YearMonth.of(2024, 11), 100_000),
        externalSort(List.of(fb, fa), YearMonth.of(2024, 11)));
  }

  @Test
  void rowsFarFromDropoffOrderFallBackToTheExternalSortUnlessAllowedToWait() throws IOException {
    Random r = new Random(3);
    List<Map<String, Object>> rows =
        nearlySorted(r, 3000, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 1);
    Collections.shuffle(rows, r); // random order, as the 2019 sample
    Path f = dir.resolve("random_2025-01.parquet");
    TlcParquetFiles.write(f, SCHEMA, rows);
    RankedDropoffOrder order = build(List.of(f), null, 3000);
    assertThat(order).isNotNull();
    int most = order.heldAtMost();
    assertThat(most).as("in random order most rows wait").isGreaterThan(2000);
    assertThat(build(List.of(f), null, most)).isNotNull();
    assertThat(build(List.of(f), null, most - 1)).as("more would wait than allowed").isNull();
    // allowed to wait, it holds most rows and still gives what the external sort gives
    assertSame(ReplayRuns.drain(order::stream), externalSort(List.of(f), null));
  }

  @Test
  void whatTheFirstPassCannotRankFallsBackToTheExternalSort() throws IOException {
    Random r = new Random(5);
    List<Map<String, Object>> rows =
        nearlySorted(r, 50, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 1);
    rows.get(7).put("tpep_dropoff_datetime", LocalDateTime.of(2025, 1, 10, 8, 30, 1, 500_000));
    Path fraction = dir.resolve("fraction_2025-01.parquet");
    TlcParquetFiles.write(fraction, SCHEMA, rows);
    assertThat(build(List.of(fraction), null, 100)).as("a dropoff with a fraction").isNull();

    Path plain = dir.resolve("plain_2025-01.parquet");
    TlcParquetFiles.write(
        plain, SCHEMA, nearlySorted(r, 50, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 1));
    assertThat(
            RankedDropoffOrder.build(
                List.of(plain), TripSources::open, null, TOLERANCE, 49, 100, () -> false))
        .as("more rows than the bound")
        .isNull();
    Path csv = SyntheticTlcCsv.write(dir.resolve("t_2025-01.csv"), 10, YearMonth.of(2025, 1), 1, 5);
    assertThat(RankedDropoffOrder.applies(List.of(plain, csv))).as("CSV and parquet").isFalse();
    assertThat(build(List.of(plain, csv), null, 100)).isNull();
    assertThat(RankedDropoffOrder.applies(List.of(plain))).isTrue();
  }

  @Test
  void mostWaitingCountsTheEventsHeldWhenRowsArriveInFileOrder() {
    assertThat(RankedDropoffOrder.mostWaiting(new int[] {0, 1, 2}, 3)).isZero();
    assertThat(RankedDropoffOrder.mostWaiting(new int[] {3, 2, 1, 0}, 4)).isEqualTo(3);
    assertThat(RankedDropoffOrder.mostWaiting(new int[] {1, -1, 0, 3, 2}, 4)).isEqualTo(1);
    assertThat(RankedDropoffOrder.mostWaiting(new int[] {2, 3, 0, 1}, 4)).isEqualTo(2);
  }

  /** Ranks as a comparison sort gives them: by key, then by index; rows without a key apart. */
  private static int[] expectedRanks(long[] keys) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != io.taxiplatform.producer.source.CsvTripSource.NO_DROPOFF) {
        rows.add(i);
      }
    }
    rows.sort(
        (a, b) -> a.equals(b) ? 0 : keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : a - b);
    int[] rank = new int[keys.length];
    java.util.Arrays.fill(rank, -1);
    for (int k = 0; k < rows.size(); k++) {
      rank[rows.get(k)] = k;
    }
    return rank;
  }

  @Test
  void ranksByCountingSecondsOrBySortingAreThoseOfAComparisonSort() {
    Random r = new Random(13);
    long none = io.taxiplatform.producer.source.CsvTripSource.NO_DROPOFF;
    // a month's seconds (counting), and keys over 16 years (a comparison sort of packed keys)
    for (long span : new long[] {3_000, 31L * 86_400, 16L * 365 * 86_400}) {
      long[] keys = new long[20_000];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = r.nextInt(50) == 0 ? none : 1_700_000_000L + (long) (r.nextDouble() * span);
      }
      int[] expected = expectedRanks(keys);
      int[] got = RankedDropoffOrder.ranks(keys.clone(), keys.length);
      for (int i = 0; i < keys.length; i++) {
        // rows without a key: any negative rank
        assertThat(got[i] < 0 ? -1 : got[i]).as("span %d, row %d", span, i).isEqualTo(expected[i]);
      }
    }
    assertThat(RankedDropoffOrder.ranks(new long[] {none, none}, 2)).containsExactly(-1, -1);
    assertThat(RankedDropoffOrder.ranks(new long[0], 0)).isEmpty();
  }

  @Test
  void filesWithoutAPeriodSpanningYearsComeOutAsTheExternalSortGivesThem() throws IOException {
    Random r = new Random(17);
    List<Map<String, Object>> rows =
        nearlySorted(r, 2000, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 30);
    rows.get(1500).put("tpep_dropoff_datetime", LocalDateTime.of(2009, 1, 1, 0, 0));
    rows.get(1500).put("tpep_pickup_datetime", LocalDateTime.of(2008, 12, 31, 23, 50));
    Path f = dir.resolve("no_period.parquet"); // no month in the name: no period rule
    TlcParquetFiles.write(f, SCHEMA, rows);
    RankedDropoffOrder order = build(List.of(f), null, 100_000);
    assertThat(order).isNotNull();
    assertThat(order.heldAtMost()).as("every row before the 2009 one waits for it").isEqualTo(1500);
    assertSame(ReplayRuns.drain(order::stream), externalSort(List.of(f), null));
  }

  @Test
  void maxWaitingIsTheSortChunkAtMostAnEighthOfTheHeap() {
    assertThat(RankedDropoffOrder.maxWaiting(100_000, 4L << 30)).isEqualTo(100_000);
    assertThat(RankedDropoffOrder.maxWaiting(100_000, 288L << 20)).isEqualTo(36_864);
    assertThat(RankedDropoffOrder.maxWaiting(5, 1L << 20)).isEqualTo(5);
  }

  @Test
  void aFileChangedBetweenThePassesFailsNamingIt() throws IOException {
    Random r = new Random(9);
    LocalDateTime start = LocalDateTime.of(2025, 1, 10, 8, 0);
    Path f = dir.resolve("changed_2025-01.parquet");
    List<Map<String, Object>> rows = nearlySorted(r, 600, start, 20, 10);
    TlcParquetFiles.write(f, SCHEMA, rows.subList(0, 500));
    RankedDropoffOrder fewer = build(List.of(f), null, 1000);
    RankedDropoffOrder more = build(List.of(f), null, 1000);
    TlcParquetFiles.write(f, SCHEMA, rows.subList(0, 400));
    assertThatThrownBy(() -> ReplayRuns.drain(fewer::stream))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("400 rows read, the first pass read 500")
        .hasMessageContaining("did a file change during the replay?");
    TlcParquetFiles.write(f, SCHEMA, rows);
    assertThatThrownBy(() -> ReplayRuns.drain(more::stream))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("changed_2025-01.parquet: row 501")
        .hasMessageContaining("did the file change during the replay?");
  }

  @Test
  void aStoppedRunEndsTheFirstPassWithNothingToSend() throws IOException {
    Path f = dir.resolve("s_2025-01.parquet");
    TlcParquetFiles.write(
        f, SCHEMA, nearlySorted(new Random(1), 100, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 1));
    RankedDropoffOrder order =
        RankedDropoffOrder.build(
            List.of(f), TripSources::open, null, TOLERANCE, 1000, 1000, () -> true);
    assertThat(order).isNotNull();
    assertThat(ReplayRuns.drain(order::stream).events()).isEmpty();
    assertThatThrownBy(() -> order.stream(RowListener.NONE))
        .isInstanceOf(IllegalStateException.class);
  }

  // CSV inputs: the same ranks, from the dropoff index's first pass

  private static DropoffIndex.Keys csvKeys(List<Path> inputs, YearMonth period) {
    DropoffIndex.Keys keys =
        DropoffIndex.readKeys(
            inputs, TripSources::open, period, TOLERANCE, Integer.MAX_VALUE - 8, () -> false);
    assertThat(keys).as("the first pass applies to these inputs").isNotNull();
    return keys;
  }

  private static RankedDropoffOrder csvOrder(
      List<Path> inputs, YearMonth period, int maxWaiting, boolean keepPlaces) {
    return RankedDropoffOrder.ofCsv(
        csvKeys(inputs, period), TripSources::open, period, TOLERANCE, maxWaiting, keepPlaces);
  }

  /**
   * {@link #nearlySortedCsv(Path, Random, int, LocalDateTime, int, int, List)} without odd lines.
   */
  private static Path nearlySortedCsv(
      Path file, Random r, int n, LocalDateTime start, int stepSeconds, int block)
      throws IOException {
    return nearlySortedCsv(file, r, n, start, stepSeconds, block, new ArrayList<>());
  }

  /**
   * A CSV of {@code n} rows whose dropoffs step by {@code stepSeconds} from {@code start} (three
   * rows a step), shuffled within blocks of {@code block} rows, with the next of {@code odd} after
   * every 40th row until none is left.
   */
  private static Path nearlySortedCsv(
      Path file, Random r, int n, LocalDateTime start, int stepSeconds, int block, List<String> odd)
      throws IOException {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(SyntheticTlcCsv.row(r, start.plusSeconds((long) (i / 3) * stepSeconds)));
    }
    for (int from = 0; from < n; from += block) {
      Collections.shuffle(rows.subList(from, Math.min(n, from + block)), r);
    }
    StringBuilder csv = new StringBuilder(SyntheticTlcCsv.HEADER).append('\n');
    for (int i = 0; i < n; i++) {
      csv.append(rows.get(i)).append('\n');
      if (i % 40 == 0 && !odd.isEmpty()) {
        csv.append(odd.remove(0)).append('\n');
      }
    }
    Files.write(file, csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return file;
  }

  @Test
  void nearlySortedCsvFilesWithEveryKindOfLineComeOutAsTheExternalSortGivesThem()
      throws IOException {
    Random r = new Random(21);
    String plain = SyntheticTlcCsv.plainRow(r);
    List<String> odd = SyntheticTlcCsv.oddRows(r, plain);
    int oddLines = odd.size();
    // January 2025 from the 2nd: the odd lines' dropoffs (2nd to 9th) fall among the others'
    Path a =
        nearlySortedCsv(
            dir.resolve("a_2025-01.csv"), r, 6000, LocalDateTime.of(2025, 1, 2, 0, 0), 97, 40, odd);
    assertThat(odd).isEmpty();
    Path b =
        nearlySortedCsv(
            dir.resolve("b_2025-01.csv"), r, 900, LocalDateTime.of(2025, 1, 3, 0, 0), 97, 15);
    Path empty = dir.resolve("c_2025-01.csv");
    Files.writeString(empty, SyntheticTlcCsv.HEADER + "\n");
    // November 2024: New York's clocks went back on the 3rd (01:00-02:00 twice)
    Path dst =
        nearlySortedCsv(
            dir.resolve("d_2024-11.csv"), r, 3000, LocalDateTime.of(2024, 11, 2, 23, 0), 7, 25);
    List<Path> inputs = List.of(a, empty, b, dst);
    Run sort = externalSort(inputs, null);
    RankedDropoffOrder order = csvOrder(inputs, null, 100_000, false);
    assertThat(order).isNotNull();
    assertThat(order.rows()).as("the blank lines are not rows").isEqualTo(9900 + oddLines - 2);
    assertSame(ReplayRuns.drain(order::stream), sort);
    // two months of dropoffs in ~10,000 rows: too spread to count them by second (more than two
    // seconds a row, and 65,536) while the index can still be built from the keys: the index is
    // used instead (the next test counts the ranks of a file with its places kept)
    assertThat(csvOrder(inputs, null, 100_000, true)).isNull();
    // ... and the index built from the keys the ranks were tried on (the period rule applied to
    // them) gives the external sort's events too, its rejections in another order
    var indexed =
        DropoffOrders.firstPass(
            inputs,
            TripSources::open,
            null,
            TOLERANCE,
            new DropoffOrders.Limits(100_000, 1L << 30, 64L << 30),
            () -> false);
    assertThat(indexed).isNotNull();
    assertSame(ReplayRuns.drain(indexed).sortedRejections(), sort.sortedRejections());
    assertThat(sort.rejected())
        .as("every kind of rejection of the odd lines is among them")
        .anyMatch(s -> s.startsWith("unparseable_timestamp"))
        .anyMatch(s -> s.startsWith("missing_field"))
        .anyMatch(s -> s.startsWith("wrong_column_count"))
        .anyMatch(s -> s.startsWith("outside_period"))
        .anyMatch(s -> s.contains("longer than"));
    assertThat(sort.events())
        .isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER)
        .anyMatch(e -> "\u00e9".equals(e.event().storeAndFwdFlag()));
    // --period for every file: its rule applies as in the external sort
    assertSame(
        ReplayRuns.drain(csvOrder(List.of(b, a), YearMonth.of(2025, 1), 100_000, false)::stream),
        externalSort(List.of(b, a), YearMonth.of(2025, 1)));
  }

  @Test
  void csvRowsAreRankedWhenNearlySortedIndexedWhenTheyFitElseSortedExternally() throws IOException {
    Random r = new Random(23);
    Path near =
        nearlySortedCsv(
            dir.resolve("near_2025-01.csv"), r, 3000, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 30);
    Path random =
        SyntheticTlcCsv.write(dir.resolve("random_2025-01.csv"), 3000, YearMonth.of(2025, 1), 1, 5);
    DropoffOrders.Limits small = new DropoffOrders.Limits(100, 1L << 30, 1L << 20); // no room
    DropoffOrders.Limits roomy = new DropoffOrders.Limits(100, 1L << 30, 64L << 30);
    // nearly sorted: ranked, with or without room for the index (at most 100 events wait)
    for (DropoffOrders.Limits limits : List.of(small, roomy)) {
      var second = firstPass(List.of(near), limits);
      assertThat(second).isNotNull();
      assertSame(ReplayRuns.drain(second), externalSort(List.of(near), null));
    }
    // far from dropoff order: the index where the files fit beside the heap, else the external
    // sort
    assertThat(firstPass(List.of(random), small)).isNull();
    var indexed = firstPass(List.of(random), roomy);
    assertThat(indexed).isNotNull();
    assertSame(
        ReplayRuns.drain(indexed).sortedRejections(),
        externalSort(List.of(random), null).sortedRejections());
    // what the first pass reads but the ranks do not need is released when the index cannot be
    // used
    DropoffIndex.Keys keys = csvKeys(List.of(near), null);
    assertThat(RankedDropoffOrder.ofCsv(keys, TripSources::open, null, TOLERANCE, 100, false))
        .isNotNull();
    assertThat(keys.keys().offsets).isNull();
    assertThat(DropoffOrders.applies(List.of(near, random))).isTrue();
    Path parquet = dir.resolve("p_2025-01.parquet");
    TlcParquetFiles.write(
        parquet, SCHEMA, nearlySorted(r, 50, LocalDateTime.of(2025, 1, 10, 8, 0), 20, 1));
    assertThat(DropoffOrders.applies(List.of(near, parquet))).isFalse();
    assertThat(firstPass(List.of(parquet), small)).isNotNull();
    // a stopped run: nothing to send, whichever way
    for (Path input : List.of(near, random, parquet)) {
      var stopped =
          DropoffOrders.firstPass(
              List.of(input), TripSources::open, null, TOLERANCE, roomy, () -> true);
      assertThat(stopped).as("%s", input).isNotNull();
      assertThat(ReplayRuns.drain(stopped).events()).as("%s", input).isEmpty();
    }
  }

  private static java.util.function.Function<RowListener, EventStream> firstPass(
      List<Path> inputs, DropoffOrders.Limits limits) {
    return DropoffOrders.firstPass(inputs, TripSources::open, null, TOLERANCE, limits, () -> false);
  }

  @Test
  void csvFilesWithoutAPeriodSpanningYearsAreIndexedOrRankedBySorting() throws IOException {
    Random r = new Random(29);
    List<String> late = new ArrayList<>();
    late.add(SyntheticTlcCsv.row(r, LocalDateTime.of(2009, 1, 1, 0, 0)));
    Path f =
        nearlySortedCsv(
            dir.resolve("no_period.csv"),
            r,
            2000,
            LocalDateTime.of(2025, 1, 10, 8, 0),
            20,
            30,
            late);
    assertThat(csvOrder(List.of(f), null, 100_000, true))
        .as("the index can be used: it sorts spread-out dropoffs itself")
        .isNull();
    RankedDropoffOrder order = csvOrder(List.of(f), null, 100_000, false);
    assertThat(order).isNotNull();
    assertThat(order.heldAtMost())
        .as("the 2009 row is the second line: little waits")
        .isLessThan(100);
    assertSame(ReplayRuns.drain(order::stream), externalSort(List.of(f), null));
  }

  @Test
  void aCsvFileChangedBetweenThePassesFailsNamingIt() throws IOException {
    Random r = new Random(31);
    Path f = dir.resolve("changed_2025-01.csv");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      lines.add(SyntheticTlcCsv.row(r, LocalDateTime.of(2025, 1, 10, 8, 0).plusSeconds(i * 20L)));
    }
    Files.writeString(f, SyntheticTlcCsv.HEADER + "\n" + String.join("\n", lines.subList(0, 500)));
    RankedDropoffOrder fewer = csvOrder(List.of(f), null, 1000, false);
    RankedDropoffOrder more = csvOrder(List.of(f), null, 1000, false);
    Files.writeString(f, SyntheticTlcCsv.HEADER + "\n" + String.join("\n", lines.subList(0, 400)));
    assertThatThrownBy(() -> ReplayRuns.drain(fewer::stream))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("400 rows read, the first pass read 500")
        .hasMessageContaining("did a file change during the replay?");
    Files.writeString(f, SyntheticTlcCsv.HEADER + "\n" + String.join("\n", lines));
    assertThatThrownBy(() -> ReplayRuns.drain(more::stream))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("changed_2025-01.csv: row 501")
        .hasMessageContaining("did the file change during the replay?");
  }

  /**
   * The real TLC samples as CSV: January 2025 (file order) is ranked within a small bound; February
   * 2019 (random order) only when allowed to hold nearly all its rows.
   */
  @Test
  void theRealTlcSamplesAsCsvComeOutAsTheExternalSortGivesThem() {
    List<Path> samples = ReplayRuns.tlcSamples();
    Path feb = samples.get(0);
    Path jan = samples.get(1);
    RankedDropoffOrder jan2025 = csvOrder(List.of(jan), null, 1000, false);
    assertThat(jan2025).as("January 2025 in file order").isNotNull();
    assertThat(jan2025.heldAtMost()).isLessThan(1000);
    assertSame(ReplayRuns.drain(jan2025::stream), externalSort(List.of(jan), null));
    RankedDropoffOrder both = csvOrder(List.of(feb, jan), null, 100_000, false);
    assertThat(both).as("within the default bound").isNotNull();
    assertSame(ReplayRuns.drain(both::stream), externalSort(List.of(feb, jan), null));
    assertThat(csvOrder(List.of(feb), null, 1000, true))
        .as("February 2019 in random order")
        .isNull();
  }

  private static final DateTimeFormatter TLC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * The real TLC samples (CSV) as parquet files of the 2025 layout, rows in their order: the 2025
   * one in file order, the 2019 one in random order (rows far from dropoff order, held all at once
   * when allowed).
   */
  @Test
  void theRealTlcSamplesAsParquetComeOutAsTheExternalSortGivesThem() throws IOException {
    List<Path> samples = ReplayRuns.tlcSamples();
    Path feb = samples.get(0);
    Path jan = samples.get(1);
    Path pf = dir.resolve("yellow_tripdata_2019-02.parquet");
    Path pj = dir.resolve("yellow_tripdata_2025-01.parquet");
    TlcParquetFiles.write(pf, SCHEMA, csvRows(feb));
    TlcParquetFiles.write(pj, SCHEMA, csvRows(jan));
    for (List<Path> inputs : List.of(List.of(pj), List.of(pf, pj))) {
      RankedDropoffOrder order = build(inputs, null, 100_000);
      assertThat(order).as("%s: within the default bound", inputs).isNotNull();
      assertSame(ReplayRuns.drain(order::stream), externalSort(inputs, null));
    }
    RankedDropoffOrder jan2025 = build(List.of(pj), null, 100_000);
    assertThat(jan2025.heldAtMost()).as("January 2025 in file order").isLessThan(1000);
    assertThat(build(List.of(pf), null, 1000)).as("February 2019 in random order").isNull();
  }

  /** The rows of a TLC CSV as parquet rows (the columns the 2025 layout has; empty as null). */
  private static List<Map<String, Object>> csvRows(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    String[] header = lines.get(0).split(",", -1);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",", -1);
      Map<String, Object> m = new HashMap<>();
      for (int i = 0; i < header.length && i < v.length; i++) {
        String name = header[i].equalsIgnoreCase("airport_fee") ? "Airport_fee" : header[i];
        if (v[i].isEmpty()
            || SCHEMA.getFields().stream().noneMatch(t -> t.getName().equals(name))) {
          continue;
        }
        var type = SCHEMA.getType(name).asPrimitiveType().getPrimitiveTypeName();
        Object value =
            switch (type) {
              case INT32, INT64 -> {
                if (name.contains("datetime")) {
                  yield LocalDateTime.parse(v[i].substring(0, 19), TLC);
                }
                yield (long) Double.parseDouble(v[i]);
              }
              case DOUBLE -> Double.parseDouble(v[i]);
              default -> v[i];
            };
        m.put(name, value);
      }
      rows.add(m);
    }
    return rows;
  }
}
