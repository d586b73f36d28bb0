package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.producer.replay.ReplayRuns.Run;
import io.taxiplatform.producer.source.TripSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dropoff index gives what the external sort gives: the same events (every field, the trip id
 * with its row number), in the same order, the same rows read and the same rejections with their
 * details, on files in random dropoff order with every kind of row the CSV reader treats apart.
 */
class DropoffIndexTest {

  @TempDir Path dir;

  private static final Duration TOLERANCE = Duration.ofHours(1);

  private Run externalSort(List<Path> inputs, YearMonth period) {
    // the index reports rejected rows in key order, the sort in read order
    return ReplayRuns.externalSort(inputs, period, TOLERANCE, dir).sortedRejections();
  }

  private Run index(List<Path> inputs, YearMonth period) {
    return index(inputs, period, DropoffIndex.WINDOW_ROWS, DropoffIndex.WINDOW_BYTES);
  }

  /**
   * With the second pass reading windows of at most {@code windowRows} rows, {@code windowBytes}.
   */
  private Run index(List<Path> inputs, YearMonth period, int windowRows, int windowBytes) {
    DropoffIndex index =
        DropoffIndex.build(
            inputs, TripSources::open, period, TOLERANCE, Integer.MAX_VALUE - 8, () -> false);
    assertThat(index).as("the index applies to these inputs").isNotNull();
    index.windowRows = windowRows;
    index.windowBytes = windowBytes;
    return ReplayRuns.drain(index::stream).sortedRejections();
  }

  private static void assertSame(Run index, Run sort) {
    assertThat(index.events()).hasSameSizeAs(sort.events());
    assertThat(index.events()).containsExactlyElementsOf(sort.events());
    assertThat(index.rowsRead()).isEqualTo(sort.rowsRead());
    assertThat(index.rejected()).containsExactlyElementsOf(sort.rejected());
  }

  @Test
  void randomOrderFilesWithTiesAndADaylightSavingChangeComeOutAsTheExternalSortGivesThem() {
    // November 2024: New York's clocks went back on the 3rd (01:00-02:00 twice); a 30-minute step
    // makes many equal dropoffs, across the three files too; the first file (~5 MiB) is indexed by
    // two threads
    List<Path> inputs =
        List.of(
            SyntheticTlcCsv.write(
                dir.resolve("a_2024-11.csv"), 40_000, YearMonth.of(2024, 11), 1800, 1),
            SyntheticTlcCsv.write(
                dir.resolve("b_2024-11.csv"), 3000, YearMonth.of(2024, 11), 1800, 2),
            SyntheticTlcCsv.write(dir.resolve("c_2024-11.csv"), 1, YearMonth.of(2024, 11), 1800, 3),
            SyntheticTlcCsv.write(
                dir.resolve("d_2024-11.csv"), 0, YearMonth.of(2024, 11), 1800, 4)); // no rows
    Run sort = externalSort(inputs, null);
    Run index = index(inputs, null);
    assertSame(index, sort);
    // windows of a few rows: many windows, rows of two files in one
    assertSame(index(inputs, null, 7, 600), sort);
    assertThat(index.events()).hasSize(43_001);
    assertThat(index.events())
        .isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER)
        .extracting(e -> e.event().tripId())
        .doesNotHaveDuplicates();
  }

  @Test
  void rowsTheReaderTreatsApartAreReadRejectedAndOrderedAsByTheExternalSort() throws IOException {
    Random r = new Random(7);
    StringBuilder csv = new StringBuilder(SyntheticTlcCsv.HEADER).append('\n');
    String plain = SyntheticTlcCsv.plainRow(r);
    List<String> odd = SyntheticTlcCsv.oddRows(r, plain);
    for (int i = 0; i < 500; i++) {
      csv.append(
          SyntheticTlcCsv.row(
              r, LocalDateTime.of(2025, 1, 1, 0, 0).plusMinutes(r.nextInt(40_000))));
      csv.append('\n');
      if (i % 30 == 0 && !odd.isEmpty()) {
        csv.append(odd.remove(0)).append('\n');
      }
    }
    assertThat(odd).isEmpty();
    Path file = dir.resolve("odd_2025-01.csv");
    Files.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    Path second =
        SyntheticTlcCsv.write(dir.resolve("more_2025-01.csv"), 700, YearMonth.of(2025, 1), 60, 11);

    // columns in another order: a quoted text column with a comma before the dropoff
    StringBuilder moved =
        new StringBuilder("store_and_fwd_flag,")
            .append(SyntheticTlcCsv.HEADER.replace(",store_and_fwd_flag", ""))
            .append('\n');
    for (int i = 0; i < 300; i++) {
      List<String> f2 =
          new ArrayList<>(
              List.of(
                  SyntheticTlcCsv.row(
                          r, LocalDateTime.of(2025, 1, 1, 0, 0).plusMinutes(r.nextInt(40_000)))
                      .split(",", -1)));
      f2.remove(6);
      f2.add(0, i % 2 == 0 ? "\"N,Y\"" : "N");
      moved.append(String.join(",", f2)).append('\n');
    }
    Path third = dir.resolve("moved_2025-01.csv");
    Files.writeString(third, moved);

    Run sort = externalSort(List.of(file, second, third), null);
    Run index = index(List.of(file, second, third), null);
    assertSame(index, sort);
    // windows of 200 bytes: one or two rows each, a longer row alone
    assertSame(index(List.of(file, second, third), null, 3, 200), sort);
    assertThat(index.events())
        .filteredOn(e -> e.fileIndex() == 2)
        .hasSize(300)
        .anyMatch(e -> "N,Y".equals(e.event().storeAndFwdFlag()));
    assertThat(index.rejected())
        .as("every kind of rejection above is among them")
        .anyMatch(s -> s.startsWith("unparseable_timestamp"))
        .anyMatch(s -> s.startsWith("missing_field"))
        .anyMatch(s -> s.startsWith("wrong_column_count"))
        .anyMatch(s -> s.startsWith("outside_period"))
        .anyMatch(s -> s.contains("longer than"));
    // --period for every file: its rule applies as in the external sort
    assertSame(
        index(List.of(file, second), YearMonth.of(2025, 1)),
        externalSort(List.of(file, second), YearMonth.of(2025, 1)));
  }

  @Test
  void theRealUnsortedTlcSamplesComeOutAsTheExternalSortGivesThem() {
    List<Path> samples = ReplayRuns.tlcSamples();
    Path feb = samples.get(0);
    Path jan = samples.get(1);
    List<Path> inputs = List.of(feb, jan);
    Run sort = externalSort(inputs, null);
    Run index = index(inputs, null);
    assertSame(index, sort);
    assertSame(index(inputs, null, 100, 8192), sort);
    assertThat(index.events()).hasSizeGreaterThan(10_000);
  }

  @Test
  void inputsTheIndexCannotHoldFallBackToTheExternalSort() throws IOException {
    Path csv =
        SyntheticTlcCsv.write(dir.resolve("t_2025-01.csv"), 300, YearMonth.of(2025, 1), 1, 5);
    assertThat(
            DropoffIndex.build(List.of(csv), TripSources::open, null, TOLERANCE, 299, () -> false))
        .as("more rows than the bound")
        .isNull();
    assertThat(
            DropoffIndex.build(List.of(csv), TripSources::open, null, TOLERANCE, 300, () -> false))
        .isNotNull();
    assertThat(DropoffIndex.applies(List.of(csv, dir.resolve("t_2025-01.parquet")))).isFalse();

    String[] f =
        SyntheticTlcCsv.row(new Random(1), LocalDateTime.of(2025, 1, 4, 0, 0)).split(",", -1);
    f[2] = "2025-01-04 00:00:00.5";
    Path fraction = dir.resolve("f_2025-01.csv");
    // after a first row: the row read ahead at open is mapped in full, the others are read as bytes
    Files.writeString(
        fraction,
        SyntheticTlcCsv.HEADER
            + "\n"
            + SyntheticTlcCsv.row(new Random(2), LocalDateTime.of(2025, 1, 3, 0, 0))
            + "\n"
            + String.join(",", f)
            + "\n");
    assertThat(
            DropoffIndex.build(
                List.of(csv, fraction), TripSources::open, null, TOLERANCE, 1000, () -> false))
        .as("a dropoff with a fraction of a second")
        .isNull();
  }

  @Test
  void theIndexIsUsedOnlyWhenTheFilesFitInTheMemoryBesideTheHeap() {
    long mib = 1L << 20;
    // the chart's producer: a 384 MiB container, a 288 MiB heap; a TLC month of ~450 MiB
    assertThat(DropoffIndex.fitsInMemory(450 * mib, 384 * mib, 288 * mib)).isFalse();
    assertThat(DropoffIndex.fitsInMemory(1, 384 * mib, 288 * mib)).isFalse();
    // a laptop or a larger container
    assertThat(DropoffIndex.fitsInMemory(450 * mib, 2048 * mib, 512 * mib)).isTrue();
    assertThat(DropoffIndex.fitsInMemory(450 * mib, 1023 * mib, 317 * mib)).isTrue();
    assertThat(DropoffIndex.fitsInMemory(450 * mib + 1, 1023 * mib, 317 * mib)).isFalse();
    assertThat(DropoffIndex.totalMemory()).isPositive();
  }

  @Test
  void aStoppedRunEndsTheFirstPassWithNothingToSend() {
    Path csv =
        SyntheticTlcCsv.write(dir.resolve("s_2025-01.csv"), 5000, YearMonth.of(2025, 1), 1, 5);
    DropoffIndex index =
        DropoffIndex.build(List.of(csv), TripSources::open, null, TOLERANCE, 10_000, () -> true);
    assertThat(index.rows()).isZero();
    assertThat(ReplayRuns.drain(index::stream).events()).isEmpty();
    assertThatThrownBy(() -> index.stream(RowListener.NONE))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFileCutBetweenThePassesFailsAtTheFirstLostRowAsWithoutWindows() throws IOException {
    Path csv =
        SyntheticTlcCsv.write(dir.resolve("cut_2025-01.csv"), 200, YearMonth.of(2025, 1), 1, 9);
    byte[] all = Files.readAllBytes(csv);
    int cut = 0;
    for (int lines = 0; lines < 191; cut++) { // the header and 190 rows stay, whole
      if (all[cut] == '\n') {
        lines++;
      }
    }
    // what a replay sends before the first lost row: the rows before it in dropoff order
    List<ReplayEvent> ordered = new ArrayList<>(externalSort(List.of(csv), null).events());
    int before = 0;
    while (ordered.get(before).row() <= 190) {
      before++;
    }
    List<Integer> sent = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int window : new int[] {1, DropoffIndex.WINDOW_ROWS}) {
      Files.write(csv, all);
      DropoffIndex index =
          DropoffIndex.build(List.of(csv), TripSources::open, null, TOLERANCE, 1000, () -> false);
      Files.write(csv, java.util.Arrays.copyOf(all, cut));
      index.windowRows = window;
      List<ReplayEvent> out = new ArrayList<>();
      try (EventStream s = index.stream(RowListener.NONE)) {
        assertThatThrownBy(
                () -> {
                  while (s.hasNext()) {
                    out.add(s.next());
                  }
                })
            .isInstanceOf(java.io.UncheckedIOException.class)
            .hasMessageContaining("cut_2025-01.csv")
            .hasMessageContaining("did the file change during the replay?")
            .satisfies(e -> failures.add(e.getMessage()));
      }
      sent.add(out.size());
    }
    // rows in dropoff order are sent up to the first row past the cut, whatever the window
    assertThat(before).isPositive();
    assertThat(sent).containsExactly(before, before);
    assertThat(failures.get(0)).isEqualTo(failures.get(1));
  }

  @Test
  void aBadFileFailsTheFirstPassNamingIt() throws IOException {
    Path bad = dir.resolve("bad_2025-01.csv");
    byte[] head = (SyntheticTlcCsv.HEADER + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] row =
        (SyntheticTlcCsv.row(new Random(2), LocalDateTime.of(2025, 1, 2, 0, 0)) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + row.length + 2];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(row, 0, all, head.length, row.length);
    all[all.length - 2] = (byte) 0xC3; // a truncated two-byte sequence
    all[all.length - 1] = '\n';
    Files.write(bad, all);
    assertThatThrownBy(
            () ->
                DropoffIndex.build(
                    List.of(bad), TripSources::open, null, TOLERANCE, 1000, () -> false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad_2025-01.csv")
        .hasMessageContaining("not UTF-8");
  }

  /** ../shared/data next to the repository, or {@code null}. */
  static Path sharedData() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    return p == null || p.getParent() == null ? null : p.getParent().resolve("shared/data");
  }
}
