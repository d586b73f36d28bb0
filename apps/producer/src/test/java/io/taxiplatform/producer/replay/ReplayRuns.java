package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.TripSources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a replay in dropoff order emits and reports, to compare a way of ordering (the CSV index,
 * the parquet ranks) with the external sort.
 */
final class ReplayRuns {

  private ReplayRuns() {}

  /** The events emitted, the rows read and the rejections ({@code reason | detail}). */
  record Run(List<ReplayEvent> events, long rowsRead, List<String> rejected) {

    /** The same run with its rejections sorted (for ways that report them in another order). */
    Run sortedRejections() {
      List<String> sorted = new ArrayList<>(rejected);
      sorted.sort(null);
      return new Run(events, rowsRead, sorted);
    }
  }

  /** Counts rows read and records rejections, in the order reported. */
  static final class Recorder implements RowListener {
    long read;
    final List<String> rejected = new ArrayList<>();

    @Override
    public void onRowRead() {
      read++;
    }

    @Override
    public void onRejected(String reason, String detail) {
      rejected.add(reason + " | " + detail);
    }
  }

  /** Drains the stream {@code open} gives a new recorder, and closes it. */
  static Run drain(Function<RowListener, EventStream> open) {
    Recorder r = new Recorder();
    List<ReplayEvent> out = new ArrayList<>();
    try (EventStream s = open.apply(r)) {
      while (s.hasNext()) {
        out.add(s.next());
      }
    }
    return new Run(out, r.read, new ArrayList<>(r.rejected));
  }

  /** The reference: {@link ReplayReader} followed by {@link DropoffSort} (chunks of 1,000). */
  static Run externalSort(List<Path> inputs, YearMonth period, Duration tolerance, Path spillDir) {
    return drain(
        l ->
            DropoffSort.sort(
                new ReplayReader(inputs, TripSources::open, period, tolerance, l),
                1000,
                spillDir,
                () -> false));
  }

  /**
   * The real TLC samples of ../shared/data, February 2019 (random order) then January 2025 (file
   * order); the calling test is skipped, saying why, when they are absent.
   */
  static List<Path> tlcSamples() {
    Path data = DropoffIndexTest.sharedData();
    Path feb = data == null ? null : data.resolve("yellow_tripdata_2019-02_sample.csv");
    Path jan = data == null ? null : data.resolve("yellow_tripdata_2025-01_sample.csv");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        feb != null
            && java.nio.file.Files.isRegularFile(feb)
            && java.nio.file.Files.isRegularFile(jan),
        "the TLC samples ../shared/data/yellow_tripdata_2019-02_sample.csv and"
            + " yellow_tripdata_2025-01_sample.csv are absent (our test data, not part of the"
            + " product)");
    return List.of(feb, jan);
  }
}
