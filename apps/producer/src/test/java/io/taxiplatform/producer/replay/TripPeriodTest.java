package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.producer.source.RowRejects;
import io.taxiplatform.producer.source.TripSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The period rule: the month in the file name (or --period), New York month bounds, a tolerance.
 */
class TripPeriodTest {

  @TempDir Path dir;

  @Test
  void theMonthComesFromTheFileName() {
    assertThat(TripPeriod.monthInName("yellow_tripdata_2019-02_sample.csv"))
        .contains(YearMonth.of(2019, 2));
    assertThat(TripPeriod.monthInName("yellow_tripdata_2025-01.parquet"))
        .contains(YearMonth.of(2025, 1));
    assertThat(TripPeriod.monthInName("green_tripdata_2024-12-part1.csv"))
        .contains(YearMonth.of(2024, 12));
    assertThat(TripPeriod.monthInName("trips.csv")).isEmpty();
    assertThat(TripPeriod.monthInName("yellow_tripdata_2025-13.csv")).isEmpty();
    assertThat(TripPeriod.monthInName("yellow_tripdata_2025.csv")).isEmpty();
    assertThat(TripPeriod.monthInName("yellow_tripdata_tlc_2023.parquet")).isEmpty();
  }

  @Test
  void boundsAreNewYorkMonthBoundsWidenedByTheTolerance() {
    TripPeriod feb = new TripPeriod(YearMonth.of(2019, 2), Duration.ofDays(1));
    // 2019-02-01 00:00 New York = 05:00Z (EST); 2019-03-01 00:00 New York = 05:00Z
    assertThat(feb.from()).isEqualTo(Instant.parse("2019-01-31T05:00:00Z"));
    assertThat(feb.until()).isEqualTo(Instant.parse("2019-03-02T05:00:00Z"));
    assertThat(feb.contains(Instant.parse("2019-01-31T05:00:00Z"))).isTrue();
    assertThat(feb.contains(Instant.parse("2019-01-31T04:59:59Z"))).isFalse();
    assertThat(feb.contains(Instant.parse("2019-03-02T04:59:59Z"))).isTrue();
    assertThat(feb.contains(Instant.parse("2019-03-02T05:00:00Z"))).isFalse();
    // summer time: 2024-07-01 00:00 New York = 04:00Z
    TripPeriod july = new TripPeriod(YearMonth.of(2024, 7), Duration.ZERO);
    assertThat(july.from()).isEqualTo(Instant.parse("2024-07-01T04:00:00Z"));
    assertThat(july.contains(Instant.parse("2024-07-01T03:59:59Z"))).isFalse();
  }

  private static final String HEADER = SyntheticTlcCsv.HEADER;

  private static String row(String dropoffLocal) {
    return "1,2019-01-01 00:00:00," + dropoffLocal + ",1,1.0,1,N,10,20,1,-5,0,0.5,0,0,0.3,-4.2,,";
  }

  private Path file(String name) throws Exception {
    return Files.writeString(
        dir.resolve(name),
        String.join(
                "\n",
                HEADER,
                row("2019-02-10 12:00:00"), // inside
                row("2019-01-31 00:00:00"), // one day before the month: inside the tolerance
                row("2019-01-30 23:59:59"), // just outside
                row("2019-03-01 23:59:59"), // inside the tolerance after
                row("2019-03-02 00:00:00"), // just outside
                row("2003-01-01 00:06:00"), // another year
                row("2088-02-05 10:00:00"))
            + "\n");
  }

  private record Outcome(List<Long> rows, Map<String, Long> rejected, long read) {}

  private static Outcome read(Path f, YearMonth override, Duration tolerance) {
    Map<String, Long> rejected = new TreeMap<>();
    long[] read = {0};
    RowListener l =
        new RowListener() {
          @Override
          public void onRowRead() {
            read[0]++;
          }

          @Override
          public void onRejected(String reason, String detail) {
            rejected.merge(reason, 1L, Long::sum);
          }
        };
    List<Long> rows = new ArrayList<>();
    try (ReplayReader r = new ReplayReader(List.of(f), TripSources::open, override, tolerance, l)) {
      while (r.hasNext()) {
        rows.add(r.next().row());
      }
    }
    return new Outcome(rows, rejected, read[0]);
  }

  @Test
  void rowsOutsideTheFilesMonthAreRejectedAsOutsidePeriod() throws Exception {
    Outcome o =
        read(file("yellow_tripdata_2019-02_sample.csv"), null, TripPeriod.DEFAULT_TOLERANCE);
    assertThat(o.rows()).containsExactly(1L, 2L, 4L);
    assertThat(o.rejected()).containsExactlyEntriesOf(Map.of(RowRejects.OUTSIDE_PERIOD, 4L));
    assertThat(o.read()).isEqualTo(7);
  }

  @Test
  void aFileWithoutAMonthInItsNameHasNoRule() throws Exception {
    Outcome o = read(file("trips.csv"), null, TripPeriod.DEFAULT_TOLERANCE);
    assertThat(o.rows()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(o.rejected()).isEmpty();
  }

  @Test
  void periodOptionAppliesToEveryFileAndWinsOverTheName() throws Exception {
    assertThat(read(file("trips.csv"), YearMonth.of(2019, 2), Duration.ofDays(1)).rows())
        .containsExactly(1L, 2L, 4L);
    // the option wins over the name: March 2019 keeps only the 2019-03-01 row (and 2019-03-02
    // 00:00)
    Outcome march =
        read(file("yellow_tripdata_2019-02.csv"), YearMonth.of(2019, 3), Duration.ofDays(1));
    assertThat(march.rows()).containsExactly(4L, 5L);
    assertThat(march.rejected()).containsEntry(RowRejects.OUTSIDE_PERIOD, 5L);
  }

  @Test
  void toleranceWidensOrNarrowsTheWindow() throws Exception {
    assertThat(read(file("x_2019-02.csv"), null, Duration.ZERO).rows()).containsExactly(1L);
    assertThat(read(file("x_2019-02.csv"), null, Duration.ofDays(2)).rows())
        .containsExactly(1L, 2L, 3L, 4L, 5L);
  }
}
