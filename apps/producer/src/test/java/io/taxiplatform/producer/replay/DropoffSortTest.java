package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.producer.source.TripSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external merge sort: global dropoff order across files, bounded chunks, spill files cleaned
 * up.
 */
class DropoffSortTest {

  @TempDir Path dir;
  Path spill;
  List<Path> inputs;

  @BeforeEach
  void threeFilesInRandomOrder() throws IOException {
    spill = Files.createDirectory(dir.resolve("spill"));
    // minute granularity over one day of rows: many equal dropoffs, within and across files
    inputs =
        List.of(
            SyntheticTlcCsv.write(
                dir.resolve("a_2025-01.csv"), 150, YearMonth.of(2025, 1), 3600 * 6, 1),
            SyntheticTlcCsv.write(
                dir.resolve("b_2025-01.csv"), 90, YearMonth.of(2025, 1), 3600 * 6, 2),
            SyntheticTlcCsv.write(
                dir.resolve("c_2025-01.csv"), 121, YearMonth.of(2025, 1), 3600 * 6, 3));
  }

  private ReplayReader reader() {
    return new ReplayReader(
        inputs, TripSources::open, null, TripPeriod.DEFAULT_TOLERANCE, RowListener.NONE);
  }

  private static List<ReplayEvent> drain(EventStream s) {
    List<ReplayEvent> out = new ArrayList<>();
    while (s.hasNext()) {
      out.add(s.next());
    }
    return out;
  }

  /** Spill files under the spill directory, at any depth. */
  private long spillFilesNow() throws IOException {
    try (Stream<Path> files = Files.walk(spill)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  /** Entries directly in the spill directory (files or the run's directory). */
  private long entriesInSpillDir() throws IOException {
    try (Stream<Path> files = Files.list(spill)) {
      return files.count();
    }
  }

  @Test
  void chunksOfSevenSpillAndMergeIntoOneGlobalDropoffOrder() throws IOException {
    List<ReplayEvent> fileOrder;
    try (ReplayReader r = reader()) {
      fileOrder = drain(r);
    }
    assertThat(fileOrder).hasSize(361);
    List<ReplayEvent> copy = new ArrayList<>(fileOrder);
    copy.sort(ReplayEvent.DROPOFF_ORDER);
    assertThat(copy).as("the input is not already sorted").isNotEqualTo(fileOrder);

    List<ReplayEvent> sorted;
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 7, spill, () -> false)) {
      assertThat(s.spilledChunks()).isEqualTo(361 / 7);
      assertThat(s.spilledRows()).isEqualTo(361 / 7 * 7L);
      assertThat(spillFilesNow()).isEqualTo(361 / 7);
      sorted = drain(s);
      assertThat(s.hasNext()).isFalse();
      assertThatThrownBy(s::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(entriesInSpillDir()).as("spill files and their directory deleted").isZero();

    assertThat(sorted).isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER);
    assertThat(sorted).containsExactlyInAnyOrderElementsOf(fileOrder);
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i).event().dropoffTime())
          .isAfterOrEqualTo(sorted.get(i - 1).event().dropoffTime());
    }
    // ties exist across files, and are broken by file index then row
    boolean crossFileTie = false;
    for (int i = 1; i < sorted.size(); i++) {
      ReplayEvent a = sorted.get(i - 1);
      ReplayEvent b = sorted.get(i);
      if (a.event().dropoffTime().equals(b.event().dropoffTime())) {
        assertThat(
                a.fileIndex() < b.fileIndex()
                    || a.fileIndex() == b.fileIndex() && a.row() < b.row())
            .isTrue();
        crossFileTie |= a.fileIndex() != b.fileIndex();
      }
    }
    assertThat(crossFileTie).isTrue();
    // trip ids still say where each event came from
    assertThat(sorted)
        .allSatisfy(
            e ->
                assertThat(e.event().tripId())
                    .isEqualTo(inputs.get(e.fileIndex()).getFileName() + ":" + e.row()));
  }

  @Test
  void twoRunsEmitTheSameOrder() {
    List<ReplayEvent> first;
    List<ReplayEvent> second;
    try (EventStream s = DropoffSort.sort(reader(), 7, spill, () -> false)) {
      first = drain(s);
    }
    try (EventStream s = DropoffSort.sort(reader(), 50, spill, () -> false)) {
      second = drain(s);
    }
    assertThat(second).containsExactlyElementsOf(first);
  }

  @Test
  void inputThatFitsInOneChunkWritesNoSpillFile() throws IOException {
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 1000, spill, () -> false)) {
      assertThat(s.spilledChunks()).isZero();
      assertThat(entriesInSpillDir()).isZero();
      assertThat(drain(s)).hasSize(361).isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER);
    }
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 361, spill, () -> false)) {
      assertThat(s.spilledChunks()).as("exactly one full chunk stays in memory").isZero();
      assertThat(drain(s)).hasSize(361);
    }
  }

  @Test
  void aChunkSpillsAtTheHeapBoundBeforeItsRowCount() throws IOException {
    List<ReplayEvent> expected;
    try (EventStream s = DropoffSort.sort(reader(), 1000, spill, () -> false)) {
      expected = drain(s);
    }
    // rows of ~150 encoded bytes: a 2,000-byte bound holds about a dozen, whatever chunkRows says
    try (DropoffSort.SortedStream s =
        DropoffSort.sort(reader(), 1_000_000, 2_000, spill, () -> false)) {
      assertThat(s.spilledChunks()).isBetween(361 / 30, 361 / 5);
      assertThat(s.spilledRows()).isLessThan(361).isGreaterThan(300);
      assertThat(drain(s)).containsExactlyElementsOf(expected);
    }
    assertThat(entriesInSpillDir()).isZero();
  }

  @Test
  void theChunkByteBoundIsAnEighthOfTheHeap() {
    assertThat(DropoffSort.chunkByteBound(288L << 20)).isEqualTo(36 << 20);
    assertThat(DropoffSort.chunkByteBound(512L << 20)).isEqualTo(64 << 20);
    assertThat(DropoffSort.chunkByteBound(64L << 30)).isEqualTo(1 << 30);
    assertThat(DropoffSort.chunkByteBound(4L << 20)).isEqualTo(1 << 20);
    assertThatThrownBy(() -> DropoffSort.sort(reader(), 10, 0, spill, () -> false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxChunkBytes");
  }

  @Test
  void moreSpillFilesThanTheFanInAreMergedInRounds() throws IOException {
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 2, spill, () -> false)) {
      assertThat(s.spilledChunks()).isEqualTo(180).isGreaterThan(DropoffSort.MAX_FAN_IN);
      assertThat(s.mergedFiles()).isLessThanOrEqualTo(DropoffSort.MAX_FAN_IN);
      assertThat(spillFilesNow()).isEqualTo(s.mergedFiles());
      assertThat(drain(s)).hasSize(361).isSortedAccordingTo(ReplayEvent.DROPOFF_ORDER);
    }
    assertThat(entriesInSpillDir()).isZero();
  }

  @Test
  void closingBeforeTheEndDeletesTheSpillFiles() throws IOException {
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 7, spill, () -> false)) {
      s.next();
      s.next();
      assertThat(spillFilesNow()).isPositive();
    }
    assertThat(entriesInSpillDir()).isZero();
  }

  @Test
  void aFailureWhileReadingDeletesTheSpillFilesWrittenSoFar() throws IOException {
    ReplayReader real = reader();
    EventStream failing =
        new EventStream() {
          int n;

          @Override
          public boolean hasNext() {
            if (n == 100) {
              throw new IllegalStateException("disk gone");
            }
            return real.hasNext();
          }

          @Override
          public ReplayEvent next() {
            n++;
            return real.next();
          }

          @Override
          public void close() {
            real.close();
          }
        };
    assertThatThrownBy(() -> DropoffSort.sort(failing, 7, spill, () -> false))
        .hasMessageContaining("disk gone");
    assertThat(entriesInSpillDir()).isZero();
  }

  @Test
  void stoppingWhileReadingAbandonsTheSortAndItsFiles() throws IOException {
    int[] reads = {0};
    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 7, spill, () -> ++reads[0] > 30)) {
      assertThat(s.hasNext()).isFalse();
    }
    assertThat(entriesInSpillDir()).isZero();
  }

  @Test
  void spillFilesAKilledProcessLeftAreDeletedByTheNextSortButNotThoseOfALiveOne()
      throws IOException {
    long dead = ProcessHandle.current().pid() + 1_000_000_000L; // no such process
    Path stale = Files.createDirectory(spill.resolve("taxi-replay-" + dead + "-123"));
    Files.writeString(stale.resolve("taxi-replay-1.spill"), "x");
    Path restarted =
        Files.createDirectory(spill.resolve("taxi-replay-" + ProcessHandle.current().pid() + "-9"));
    Files.writeString(
        restarted.resolve("taxi-replay-2.spill"), "x"); // a restarted container is the same pid
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    Path live = Files.createDirectory(spill.resolve("taxi-replay-" + parent + "-456"));
    Files.writeString(live.resolve("taxi-replay-3.spill"), "x");
    Path unrelated = Files.writeString(spill.resolve("notes.txt"), "x");

    try (DropoffSort.SortedStream s = DropoffSort.sort(reader(), 1000, spill, () -> false)) {
      assertThat(drain(s)).hasSize(361);
    }
    assertThat(stale).doesNotExist();
    assertThat(restarted).doesNotExist();
    assertThat(live.resolve("taxi-replay-3.spill")).exists();
    assertThat(unrelated).exists();
  }
}
