package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.RowRejects;
import io.taxiplatform.producer.source.SourceRecord;
import io.taxiplatform.producer.source.TripSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sendable events of the input files in file order (file after file, rows as stored): the
 * {@code --order file} stream and the input of the dropoff sort. Every row read and every rejected
 * row (unreadable, or outside the file's {@link TripPeriod}) is reported to the {@link RowListener}
 * as it is read. Files are opened one at a time.
 */
public final class ReplayReader extends FetchingStream {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayReader.class);

  private final List<Path> inputs;
  private final Function<Path, TripSource> opener;
  private final YearMonth periodOverride;
  private final Duration tolerance;
  private final RowListener listener;
  private int fileIndex = -1;
  private TripSource current;
  private TripPeriod.Bounds bounds;
  private long row;

  /**
   * @param inputs the files, in {@code --input} order
   * @param opener opens one file ({@code TripSources::open})
   * @param periodOverride {@code --period} for every file, or {@code null} (the month in each file
   *     name)
   * @param tolerance the period tolerance
   * @param listener told about every row read and every rejected row
   */
  public ReplayReader(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      RowListener listener) {
    this.inputs = List.copyOf(inputs);
    this.opener = opener;
    this.periodOverride = periodOverride;
    this.tolerance = tolerance;
    this.listener = listener;
  }

  @Override
  protected ReplayEvent fetch() {
    while (true) {
      if (current == null) {
        if (fileIndex + 1 >= inputs.size()) {
          return null;
        }
        openNext();
      }
      if (!current.hasNext()) {
        current.close();
        current = null;
        continue;
      }
      SourceRecord r = current.next();
      row++;
      ReplayEvent e = accept(r, current.name(), fileIndex, row, bounds, listener);
      if (e != null) {
        return e;
      }
    }
  }

  /**
   * Reports a row read to {@code listener} and returns it as an event to send, or {@code null} when
   * it is rejected (unreadable, or its dropoff outside {@code bounds}), which is reported too.
   *
   * @param bounds the file's period, or {@code null} (no period rule)
   */
  static ReplayEvent accept(
      SourceRecord r,
      String fileName,
      int fileIndex,
      long row,
      TripPeriod.Bounds bounds,
      RowListener listener) {
    listener.onRowRead();
    if (r.isRejected()) {
      listener.onRejected(r.rejectReason(), r.detail());
      return null;
    }
    if (bounds != null && !bounds.contains(r.event().dropoffTime())) {
      listener.onRejected(
          RowRejects.OUTSIDE_PERIOD,
          fileName
              + ":"
              + row
              + " dropoff "
              + r.event().dropoffTime()
              + " outside ["
              + bounds.from()
              + ", "
              + bounds.until()
              + ")");
      return null;
    }
    return new ReplayEvent(r.event(), fileIndex, row);
  }

  /**
   * The period rule of {@code file} ({@code --period} or the month in its name), logged; {@code
   * null} when there is none.
   */
  static TripPeriod.Bounds bounds(
      Path file, String name, YearMonth periodOverride, Duration tolerance) {
    Optional<TripPeriod> period =
        TripPeriod.forFile(file.getFileName().toString(), periodOverride, tolerance);
    TripPeriod.Bounds b = period.map(TripPeriod::bounds).orElse(null);
    if (period.isPresent()) {
      LOG.info(
          "reading {} (period {}, dropoffs in [{}, {}))",
          name,
          period.get().month(),
          b.from(),
          b.until());
    } else {
      LOG.info("reading {} (no month in the name, no --period: no period rule)", name);
    }
    return b;
  }

  private void openNext() {
    fileIndex++;
    row = 0;
    Path file = inputs.get(fileIndex);
    current = opener.apply(file);
    bounds = bounds(file, current.name(), periodOverride, tolerance);
  }

  @Override
  public void close() {
    super.close();
    if (current != null) {
      TripSource c = current;
      current = null;
      c.close();
    }
  }
}
