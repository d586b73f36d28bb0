package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.CsvTripSource;
import io.taxiplatform.producer.source.ParquetTripSource;
import io.taxiplatform.producer.source.TlcRowMapper;
import io.taxiplatform.producer.source.TripSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dropoff order ({@link ReplayEvent#DROPOFF_ORDER}) of inputs that are nearly in that order
 * already, as TLC files are (rows roughly by time), without sorting their events: a first pass
 * reads every row's dropoff (of parquet files the dropoff column alone, {@link
 * ParquetTripSource#readDropoffs}, the other columns are not read: {@link #build}; of CSV files the
 * dropoff index's first pass, {@link DropoffIndex#readKeys}: {@link #ofCsv}) and ranks every row by
 * its dropoff, as the external sort would order it ({@link #ranks}); the second pass ({@link
 * #stream}) reads the files in file order ({@link ReplayReader}: the mapping, the period rule and
 * the reports as in file order) and holds each event until every event of a lower rank has been
 * sent. The events, their order, the rows read and the rows rejected are those of {@link
 * ReplayReader} followed by {@link DropoffSort}. {@link DropoffOrders} chooses between this, the
 * CSV index and the external sort.
 *
 * <p>Why: the external sort reads, maps, encodes and spills every row before the first send. Here
 * the first pass reads one column (one field), and the rows are mapped once, while the events are
 * sent.
 *
 * <p>The first pass also counts the most events the second pass will hold at once (exactly: it
 * replays the arrivals in file order against the ranks). {@link #build} and {@link #ofCsv} return
 * {@code null}, and the caller uses the index or {@link DropoffSort}, when that is more than {@code
 * maxWaiting} (rows far from dropoff order, e.g. a file in random order), or for inputs that are
 * not all {@code .parquet} files ({@link #build}), that hold more rows than {@code maxRows}, that
 * have a dropoff with a fraction of a second, or whose dropoffs span more than the packed key
 * holds.
 *
 * <p>Memory: {@link #BYTES_PER_ROW} bytes per row at most (the first pass's key, rank and counts
 * per second; then the rank and a slot per rank; for CSV inputs whose places the index may still
 * need, those too), plus the events held, at most {@code maxWaiting} ({@link #maxWaiting}: the sort
 * chunk's rows, at most an eighth of the heap at {@link #WAITING_EVENT_BYTES} bytes an event). The
 * files must not change during the replay: a row the second pass reads where the first pass read
 * another number of rows fails the replay, naming the file.
 */
public final class RankedDropoffOrder {

  /**
   * Heap per row at most: the first pass's key (8), rank (4) and counts per second (up to 8); the
   * second pass's rank (4) and slot (4 to 8).
   */
  public static final int BYTES_PER_ROW = 20;

  /**
   * Seconds of dropoffs a row at most for ranking by counting (an {@code int} per second: at most 8
   * bytes a row, beside the key and the rank).
   */
  static final int COUNTING_SPAN_PER_ROW = 2;

  /** Heap of one event held by the second pass (a TLC trip's objects, generously). */
  public static final int WAITING_EVENT_BYTES = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(RankedDropoffOrder.class);

  /** Marks a rank whose row the second pass did not send (rejected, or outside the period). */
  private static final ReplayEvent HOLE = new ReplayEvent(null, -1, -1);

  private final List<Path> inputs;
  private final Function<Path, TripSource> opener;
  private final YearMonth periodOverride;
  private final Duration tolerance;
  private final long[] firstRow; // index of each file's first row; firstRow[files] = rows
  private final int[] rank; // by row index: the row's place in dropoff order, -1 without a key
  private final int ranked; // rows with a rank
  private final int heldAtMost; // the most events the second pass holds (counted by the first)
  private boolean streamed;

  private RankedDropoffOrder(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      long[] firstRow,
      int[] rank,
      int ranked,
      int heldAtMost) {
    this.inputs = inputs;
    this.opener = opener;
    this.periodOverride = periodOverride;
    this.tolerance = tolerance;
    this.firstRow = firstRow;
    this.rank = rank;
    this.ranked = ranked;
    this.heldAtMost = heldAtMost;
  }

  /** Whether the order can be tried on {@code inputs}: every one a {@code .parquet} file. */
  public static boolean applies(List<Path> inputs) {
    return !inputs.isEmpty()
        && inputs.stream()
            .allMatch(
                p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet"));
  }

  /**
   * The most events the second pass may hold: {@code chunkRows} (the external sort's chunk, which
   * it would hold instead), at most an eighth of {@code maxHeap} at {@link #WAITING_EVENT_BYTES}
   * bytes an event.
   */
  public static int maxWaiting(int chunkRows, long maxHeap) {
    return (int) Math.max(1, Math.min(chunkRows, maxHeap / 8 / WAITING_EVENT_BYTES));
  }

  /**
   * The most rows ranked in a JVM of {@code maxHeap} bytes: a quarter of the heap (as {@link
   * DropoffIndex#maxRows}).
   */
  public static int maxRows(long maxHeap) {
    return (int) Math.min(Integer.MAX_VALUE - 8, maxHeap / 4 / BYTES_PER_ROW);
  }

  /**
   * The first pass: reads every input's dropoff column, ranks the rows, and counts the events the
   * second pass would hold.
   *
   * @param inputs the files, in {@code --input} order
   * @param opener opens one file for the second pass ({@code TripSources::open})
   * @param periodOverride {@code --period}, or {@code null}
   * @param tolerance the period tolerance
   * @param maxRows most rows ranked ({@link #maxRows})
   * @param maxWaiting most events the second pass may hold ({@link #maxWaiting})
   * @param stopped polled while reading: {@code true} abandons the pass, an order with nothing to
   *     send is returned
   * @return the order, or {@code null} when it cannot be used (logged why): sort with {@link
   *     DropoffSort} instead
   * @throws IllegalArgumentException when an input cannot be read (as {@link ReplayReader})
   */
  public static RankedDropoffOrder build(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      int maxRows,
      int maxWaiting,
      BooleanSupplier stopped) {
    if (!applies(inputs)) {
      return null;
    }
    long start = System.nanoTime();
    long[] firstRow = new long[inputs.size() + 1];
    long total = 0;
    for (int f = 0; f < inputs.size(); f++) {
      firstRow[f] = total;
      total += ParquetTripSource.rowCount(inputs.get(f));
    }
    firstRow[inputs.size()] = total;
    if (total > maxRows) {
      LOG.info(
          "dropoff order: {} rows, more than the {} the first pass holds (a quarter of the heap at {}"
              + " bytes a row): sorting with the external sort",
          total,
          maxRows,
          BYTES_PER_ROW);
      return null;
    }
    int n = (int) total;
    long[] keys = new long[n];
    int[] at = {0};
    boolean[] fraction = {false};
    for (int f = 0; f < inputs.size(); f++) {
      Path file = inputs.get(f);
      TripPeriod.Bounds bounds =
          TripPeriod.forFile(file.getFileName().toString(), periodOverride, tolerance)
              .map(TripPeriod::bounds)
              .orElse(null);
      TlcRowMapper mapper = new TlcRowMapper("replay");
      long end = firstRow[f + 1];
      boolean complete =
          ParquetTripSource.readDropoffs(
              file,
              value -> {
                if (at[0] >= end || ((at[0] & 0xFFFF) == 0 && stopped.getAsBoolean())) {
                  return false;
                }
                // the key of a row the second pass sends: a dropoff map() reads and the period
                // rule keeps; any other row is rejected there, and has no rank
                Instant d = mapper.dropoffOf(value);
                long key = CsvTripSource.NO_DROPOFF;
                if (d != null && (bounds == null || bounds.contains(d))) {
                  key = d.getEpochSecond();
                  fraction[0] |= d.getNano() != 0;
                }
                keys[at[0]++] = key;
                return true;
              });
      if (stopped.getAsBoolean()) {
        return new RankedDropoffOrder(
            List.of(), opener, periodOverride, tolerance, new long[1], new int[0], 0, 0);
      }
      if (!complete || at[0] != end) {
        throw new IllegalStateException(
            file.getFileName()
                + ": its footer counts "
                + (end - firstRow[f])
                + " rows, but "
                + (complete ? at[0] - firstRow[f] : "more")
                + " were read");
      }
      if (fraction[0]) {
        LOG.info(
            "dropoff order: {} has a dropoff with a fraction of a second: sorting with the"
                + " external sort",
            file.getFileName());
        return null;
      }
    }
    return ranked(
        inputs,
        opener,
        periodOverride,
        tolerance,
        firstRow,
        ranks(keys, n),
        maxWaiting,
        start,
        "sorting with the external sort");
  }

  /**
   * The order of CSV inputs from the dropoff index's first pass ({@link DropoffIndex#readKeys}):
   * the same keys, ranked instead of sorted, when the rows are nearly in dropoff order. The period
   * rule is applied to the keys first, as the parquet first pass applies it: a row it rejects has
   * no key, so no rank (an index built from the keys afterwards rejects such a row among the rows
   * without a dropoff, as it would have in its second pass). When {@code keepPlaces} is {@code
   * false}, the rows' places (which only the index reads) are released first.
   *
   * @return the order, or {@code null} when it cannot be used (logged why): more events would wait
   *     than {@code maxWaiting}, or, while the places are kept, dropoffs spread over more than two
   *     seconds a row (the index, which can then be used, sorts them anyway)
   */
  static RankedDropoffOrder ofCsv(
      DropoffIndex.Keys keys,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      int maxWaiting,
      boolean keepPlaces) {
    if (keys.stopped()) {
      return new RankedDropoffOrder(
          List.of(), opener, periodOverride, tolerance, new long[1], new int[0], 0, 0);
    }
    if (!keepPlaces) {
      keys.keys().offsets = null;
      keys.keys().lengths = null;
    }
    int n = keys.rows();
    long[] firstRow = keys.firstRow();
    long[] seconds = keys.keys().seconds;
    for (int f = 0; f < keys.bounds().size(); f++) {
      TripPeriod.Bounds bounds = keys.bounds().get(f);
      for (int i = (int) firstRow[f]; bounds != null && i < firstRow[f + 1]; i++) {
        if (seconds[i] != CsvTripSource.NO_DROPOFF
            && !bounds.contains(Instant.ofEpochSecond(seconds[i]))) {
          seconds[i] = CsvTripSource.NO_DROPOFF;
        }
      }
    }
    int[] rank = keepPlaces ? countingRanks(seconds, n) : ranks(seconds, n);
    if (rank == null && keepPlaces) {
      LOG.info(
          "dropoff order: the dropoffs span more than two seconds a row: indexing them instead of"
              + " ranking");
      return null;
    }
    return ranked(
        keys.inputs(),
        opener,
        periodOverride,
        tolerance,
        firstRow,
        rank,
        maxWaiting,
        keys.startNanos(),
        keepPlaces ? "indexing the rows instead" : "sorting with the external sort");
  }

  /**
   * The order of {@code rank}, or {@code null} when more than {@code maxWaiting} would wait (logged
   * with {@code otherwise}, what the caller does then).
   */
  private static RankedDropoffOrder ranked(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      long[] firstRow,
      int[] rank,
      int maxWaiting,
      long start,
      String otherwise) {
    if (rank == null) {
      return null;
    }
    int n = rank.length;
    int unranked = 0;
    for (int r : rank) {
      if (r < 0) {
        unranked++;
      }
    }
    int ranked = n - unranked;
    int waiting = mostWaiting(rank, ranked);
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (waiting > maxWaiting) {
      LOG.info(
          "dropoff order: the rows are far from dropoff order (read in file order, up to {} events"
              + " would wait for an earlier dropoff, more than the {} allowed; first pass {} ms): {}",
          waiting,
          maxWaiting,
          ms,
          otherwise);
      return null;
    }
    LOG.info(
        "ranked {} rows by dropoff in {} ms ({} file(s)); in file order at most {} events wait for"
            + " an earlier dropoff",
        n,
        ms,
        inputs.size(),
        waiting);
    return new RankedDropoffOrder(
        List.copyOf(inputs), opener, periodOverride, tolerance, firstRow, rank, ranked, waiting);
  }

  /**
   * Each row's place in dropoff order (by its dropoff second {@code keys[row]}, then by its index),
   * or a negative rank for a row without a key ({@link CsvTripSource#NO_DROPOFF}); {@code null}
   * (logged) when the dropoffs span more than the packed key holds. When the dropoffs span at most
   * {@link #COUNTING_SPAN_PER_ROW} seconds a row (a month's file, or any file of a period), by
   * counting the rows of each second: no comparison sort, and the index order breaks the ties by
   * itself; otherwise by {@link DropoffIndex#sortRows}.
   */
  static int[] ranks(long[] keys, int n) {
    int[] rank = countingRanks(keys, n);
    if (rank != null) {
      return rank;
    }
    int unranked = 0;
    for (int i = 0; i < n; i++) {
      if (keys[i] == CsvTripSource.NO_DROPOFF) {
        unranked++;
      }
    }
    if (!DropoffIndex.sortRows(keys, n, CsvTripSource.NO_DROPOFF)) {
      return null;
    }
    rank = new int[n];
    for (int k = 0; k < n; k++) {
      // the rows without a key come first in the order: negative ranks
      rank[(int) keys[k]] = k - unranked;
    }
    return rank;
  }

  /**
   * {@link #ranks} by counting the rows of each dropoff second; {@code null} when the dropoffs span
   * more than {@link #COUNTING_SPAN_PER_ROW} seconds a row (and more than 65,536). {@code keys} is
   * not changed.
   */
  static int[] countingRanks(long[] keys, int n) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long k = keys[i];
      if (k != CsvTripSource.NO_DROPOFF) {
        min = Math.min(min, k);
        max = Math.max(max, k);
      }
    }
    if (max == Long.MIN_VALUE) {
      int[] rank = new int[n];
      java.util.Arrays.fill(rank, -1);
      return rank;
    }
    long span = max - min + 1;
    if (span <= 0
        || span >= Integer.MAX_VALUE
        || span > Math.max(1L << 16, (long) COUNTING_SPAN_PER_ROW * n)) {
      return null;
    }
    int[] next = new int[(int) span + 1]; // then: the next rank of each second
    for (int i = 0; i < n; i++) {
      if (keys[i] != CsvTripSource.NO_DROPOFF) {
        next[(int) (keys[i] - min) + 1]++;
      }
    }
    for (int s = 1; s <= span; s++) {
      next[s] += next[s - 1];
    }
    int[] rank = new int[n];
    for (int i = 0; i < n; i++) {
      rank[i] = keys[i] == CsvTripSource.NO_DROPOFF ? -1 : next[(int) (keys[i] - min)]++;
    }
    return rank;
  }

  /**
   * The most events held at once when rows arrive in file order and each is sent once every lower
   * rank has arrived (a rank whose row is then rejected frees its place at once: this bounds it).
   */
  static int mostWaiting(int[] rank, int ranked) {
    boolean[] arrived = new boolean[ranked];
    int next = 0;
    int waiting = 0;
    int most = 0;
    for (int r : rank) {
      if (r < 0) {
        continue;
      }
      arrived[r] = true;
      waiting++;
      while (next < ranked && arrived[next]) {
        next++;
        waiting--;
      }
      most = Math.max(most, waiting);
    }
    return most;
  }

  /** Rows of the inputs (ranked or not). */
  public long rows() {
    return firstRow[firstRow.length - 1];
  }

  /** The most events the second pass holds at once, as the first pass counted them. */
  public int heldAtMost() {
    return heldAtMost;
  }

  /**
   * The second pass: the events in dropoff order; every row read and every row rejected is reported
   * to {@code listener}, in file order. Once per order.
   */
  public EventStream stream(RowListener listener) {
    if (streamed) {
      throw new IllegalStateException("the order was streamed already");
    }
    streamed = true;
    return new Stream(listener);
  }

  private final class Stream extends FetchingStream {
    private final ReplayEvent[] slots = new ReplayEvent[ranked]; // by rank
    private final ReplayReader reader;
    private long rowsRead; // rows the reader reported, in file order
    private long seen; // rows before this one are placed or marked
    private int next; // the next rank to send
    private boolean ended; // the reader is at its end
    private ReplayEvent last;

    Stream(RowListener listener) {
      RowListener counting =
          new RowListener() {
            @Override
            public void onRowRead() {
              rowsRead++;
              listener.onRowRead();
            }

            @Override
            public void onRejected(String reason, String detail) {
              listener.onRejected(reason, detail);
            }
          };
      this.reader = new ReplayReader(inputs, opener, periodOverride, tolerance, counting);
    }

    @Override
    protected ReplayEvent fetch() {
      while (true) {
        while (next < ranked && slots[next] != null) {
          ReplayEvent e = slots[next];
          slots[next++] = null;
          if (e != HOLE) {
            if (last != null && ReplayEvent.DROPOFF_ORDER.compare(last, e) > 0) {
              throw changed(e, "its dropoff is not where the first pass ranked it");
            }
            last = e;
            return e;
          }
        }
        if (!reader.hasNext()) {
          if (!ended) {
            if (rowsRead != rows()) {
              throw new IllegalStateException(
                  rowsRead
                      + " rows read, the first pass read "
                      + rows()
                      + " (did a file change during the replay?)");
            }
            ended = true;
            mark(rows()); // then send what is left
            continue;
          }
          if (next < ranked) {
            throw new IllegalStateException(
                "rank " + next + " of " + ranked + " never came (did a file change?)");
          }
          return null;
        }
        ReplayEvent e = reader.next();
        long row = firstRow[e.fileIndex()] + e.row() - 1;
        if (row + 1 != rowsRead || row >= firstRow[e.fileIndex() + 1]) {
          throw changed(e, "the first pass read another number of rows before it");
        }
        mark(row);
        int r = rank[(int) row];
        if (r < 0) {
          throw changed(e, "the first pass found no dropoff to send it by");
        }
        slots[r] = e;
        seen = row + 1;
      }
    }

    /** Rows from {@code seen} to {@code until} were not sent: their ranks are passed over. */
    private void mark(long until) {
      for (long row = seen; row < until; row++) {
        int r = rank[(int) row];
        if (r >= 0) {
          slots[r] = HOLE;
        }
      }
      seen = until;
    }

    private IllegalStateException changed(ReplayEvent e, String what) {
      return new IllegalStateException(
          inputs.get(e.fileIndex()).getFileName()
              + ": row "
              + e.row()
              + ": "
              + what
              + " (did the file change during the replay?)");
    }

    @Override
    public void close() {
      super.close();
      reader.close();
    }
  }
}
