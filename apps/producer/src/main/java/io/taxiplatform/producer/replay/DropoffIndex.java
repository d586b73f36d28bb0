package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.CsvTripSource;
import io.taxiplatform.producer.source.SourceRecord;
import io.taxiplatform.producer.source.TripSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dropoff order ({@link ReplayEvent#DROPOFF_ORDER}) of CSV inputs without holding their events: a
 * first pass reads each row's place in its file and its dropoff ({@link CsvTripSource#indexRows}: a
 * plain row's dropoff field alone, not the whole row) and sorts those keys; the second pass ({@link
 * #stream}) reads each row again, in that order, from the files mapped into memory (in windows of
 * rows copied in the order of their places, {@link CsvTripSource#copyRow}), maps it and applies the
 * period rule as {@link ReplayReader} does, while the events are sent. The events, their order, the
 * rows read and the rows rejected (each with its reason and detail) are those of {@link
 * ReplayReader} followed by {@link DropoffSort}; only the moment a rejected row is reported differs
 * (in the second pass, in key order).
 *
 * <p>Why: the dropoff sort maps every row and copies every event (encoded, spilled, merged) before
 * the first send; the index reads one field per row before the first send and maps each row once,
 * on the reading thread, while the rows are sent.
 *
 * <p>Memory: {@link #BYTES_PER_ROW} bytes per row (sort key, offset, length), at most {@link
 * #maxRows} rows: a quarter of the heap (the arrays are sized from the files' bytes at first; the
 * sort is in place), plus the second pass's window ({@link #WINDOW_BYTES} of rows and {@link
 * #WINDOW_ROWS} slots). {@link #build} returns {@code null} (the caller then uses {@link
 * DropoffSort}) for inputs that are not all {@code .csv} files, that hold more rows, that have a
 * dropoff with a fraction of a second, or whose dropoffs span more than the packed key holds. The
 * files must not change during the replay (a file that became shorter fails it at the first row
 * lost, naming it).
 */
public final class DropoffIndex {

  /** Heap per row: the sort key, then the row's index (8), the line's offset (8) and length (4). */
  public static final int BYTES_PER_ROW = 20;

  private static final Logger LOG = LoggerFactory.getLogger(DropoffIndex.class);

  private final List<CsvTripSource> sources;
  private final List<TripPeriod.Bounds> bounds;
  private final long[] firstRow; // index of each file's first row; firstRow[files] = rows
  private final long[] order; // row indexes (file after file, row after row) in dropoff order
  private final long[] offsets; // the lines' offsets, by row index
  private final int[] lengths; // the lines' lengths, by row index; -1: too long (in tooLong)
  private final Map<Integer, Long> tooLong;
  private final int rows;
  private boolean streamed;

  private DropoffIndex(
      List<CsvTripSource> sources,
      List<TripPeriod.Bounds> bounds,
      long[] firstRow,
      long[] order,
      long[] offsets,
      int[] lengths,
      Map<Integer, Long> tooLong,
      int rows) {
    this.sources = sources;
    this.bounds = bounds;
    this.firstRow = firstRow;
    this.order = order;
    this.offsets = offsets;
    this.lengths = lengths;
    this.tooLong = tooLong;
    this.rows = rows;
  }

  /**
   * The most rows indexed in a JVM of {@code maxHeap} bytes: a quarter of the heap (a TLC month of
   * 2025, ~3.5 M rows, in the chart's 288 MiB heap).
   */
  public static int maxRows(long maxHeap) {
    return (int) Math.min(Integer.MAX_VALUE - 8, maxHeap / 4 / BYTES_PER_ROW);
  }

  /** Memory a JVM needs beside its heap (metaspace, code, threads, buffers), and some to spare. */
  public static final long NON_HEAP_BYTES = 256L << 20;

  /**
   * Whether {@code inputBytes} of files fit in the memory beside the heap: the second pass reads
   * the rows at random places of the files, which is fast only while they stay in the page cache. A
   * container's memory limit counts the page cache: in the chart's producer (384Mi, the heap 75 %
   * of it) a TLC month does not fit, and the external sort, which reads in sequence, is used.
   *
   * @param totalMemory the machine's or the container's memory ({@link #totalMemory})
   * @param maxHeap the JVM's maximum heap
   */
  public static boolean fitsInMemory(long inputBytes, long totalMemory, long maxHeap) {
    return inputBytes <= totalMemory - maxHeap - NON_HEAP_BYTES;
  }

  /** The memory of the machine, or of the container (its limit) when there is one. */
  public static long totalMemory() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /** The bytes of {@code inputs} (of those that can be read). */
  public static long bytes(List<Path> inputs) {
    long total = 0;
    for (Path p : inputs) {
      try {
        total += java.nio.file.Files.size(p);
      } catch (java.io.IOException | RuntimeException e) {
        // the file fails to open later, with its reason
      }
    }
    return total;
  }

  /** Whether the index can be tried on {@code inputs}: every one a {@code .csv} file. */
  public static boolean applies(List<Path> inputs) {
    return !inputs.isEmpty()
        && inputs.stream()
            .allMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"));
  }

  /**
   * The first pass: reads every input's keys and sorts them.
   *
   * @param inputs the files, in {@code --input} order
   * @param opener opens one file ({@code TripSources::open})
   * @param periodOverride {@code --period}, or {@code null}
   * @param tolerance the period tolerance
   * @param maxRows most rows indexed ({@link #maxRows})
   * @param stopped polled while reading: {@code true} abandons the pass, an empty index is returned
   * @return the index, or {@code null} when it cannot be used (logged why): sort with {@link
   *     DropoffSort} instead
   * @throws IllegalArgumentException when an input cannot be read (as {@link ReplayReader})
   */
  public static DropoffIndex build(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      int maxRows,
      BooleanSupplier stopped) {
    Keys keys = readKeys(inputs, opener, periodOverride, tolerance, maxRows, stopped);
    return keys == null ? null : of(keys);
  }

  /**
   * What the first pass reads of CSV inputs: each row's dropoff second and place, in file order
   * (rows numbered across the inputs, file after file), and each file's period bounds. The index
   * sorts them ({@link #of}); {@link RankedDropoffOrder#ofCsv} ranks them instead when the rows are
   * nearly in dropoff order.
   */
  record Keys(
      List<Path> inputs,
      List<CsvTripSource> sources,
      List<TripPeriod.Bounds> bounds,
      long[] firstRow, // index of each file's first row; firstRow[files] = rows
      CsvTripSource.RowKeys keys,
      boolean stopped,
      long startNanos) {

    /** Rows read. */
    int rows() {
      return keys == null ? 0 : keys.size;
    }
  }

  /**
   * The first pass alone: every input's keys in file order, not sorted.
   *
   * @return the keys (with nothing read when {@code stopped} said so), or {@code null} when they
   *     cannot be used (logged why): not all CSV, more rows than {@code maxRows}, a dropoff with a
   *     fraction of a second
   */
  static Keys readKeys(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      int maxRows,
      BooleanSupplier stopped) {
    if (!applies(inputs)) {
      return null;
    }
    long start = System.nanoTime();
    List<CsvTripSource> sources = new ArrayList<>();
    List<TripPeriod.Bounds> bounds = new ArrayList<>();
    long[] firstRow = new long[inputs.size() + 1];
    CsvTripSource.RowKeys keys = CsvTripSource.RowKeys.forBytes(bytes(inputs), maxRows);
    for (int f = 0; f < inputs.size(); f++) {
      Path file = inputs.get(f);
      TripSource opened = opener.apply(file);
      if (!(opened instanceof CsvTripSource csv)) {
        opened.close();
        LOG.info("dropoff order: {} is not a CSV file, sorting with the external sort", file);
        return null;
      }
      sources.add(csv);
      bounds.add(ReplayReader.bounds(file, csv.name(), periodOverride, tolerance));
      firstRow[f] = keys.size;
      boolean complete;
      try {
        complete = csv.indexRows(keys, stopped);
      } finally {
        csv.close(); // the second pass reads the file mapped into memory
      }
      if (stopped.getAsBoolean()) {
        return new Keys(List.of(), List.of(), List.of(), new long[1], null, true, start);
      }
      if (!complete) {
        LOG.info(
            "dropoff order: more than {} rows, the index's bound (a quarter of the heap at {}"
                + " bytes a row): sorting with the external sort",
            maxRows,
            BYTES_PER_ROW);
        return null;
      }
      if (keys.fraction) {
        LOG.info(
            "dropoff order: {} has a dropoff with a fraction of a second: sorting with the"
                + " external sort",
            csv.name());
        return null;
      }
    }
    firstRow[inputs.size()] = keys.size;
    return new Keys(
        List.copyOf(inputs),
        List.copyOf(sources),
        java.util.Collections.unmodifiableList(bounds), // null: no period rule
        firstRow,
        keys,
        false,
        start);
  }

  /**
   * The index of {@code k}: its keys sorted in place (they are the index's afterwards), or {@code
   * null} when the dropoffs span more than the packed key holds (logged).
   */
  static DropoffIndex of(Keys k) {
    if (k.stopped()) {
      return new DropoffIndex(List.of(), List.of(), new long[1], new long[0], null, null, null, 0);
    }
    CsvTripSource.RowKeys keys = k.keys();
    int n = keys.size;
    long[] seconds = keys.seconds;
    if (!sortRows(seconds, n, CsvTripSource.NO_DROPOFF)) {
      return null;
    }
    LOG.info(
        "indexed {} rows by dropoff in {} ms ({} file(s), {} MiB of index)",
        n,
        (System.nanoTime() - k.startNanos()) / 1_000_000,
        k.inputs().size(),
        String.format(Locale.ROOT, "%.1f", (double) n * BYTES_PER_ROW / 1048576.0));
    return new DropoffIndex(
        k.sources(),
        k.bounds(),
        k.firstRow(),
        seconds,
        keys.offsets,
        keys.lengths,
        keys.tooLongLengths,
        n);
  }

  /**
   * Sorts rows by their dropoff second, then by their index, in place and without another array:
   * {@code seconds[i]}, row {@code i}'s dropoff second or {@code noKey}, becomes the index of the
   * i-th row in that order, the rows without a key first. Each key is packed with the row's index
   * in one {@code long}; {@code false} (logged, nothing changed) when the dropoffs span more
   * seconds than the bits the row indexes leave.
   */
  static boolean sortRows(long[] seconds, int n, long noKey) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long s = seconds[i];
      if (s != noKey) {
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
    }
    int bits = n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1L);
    // dropoff second - min + 1 (0 for rows without a key) must fit in the 63 - bits high bits
    if (max != Long.MIN_VALUE && ((max - min + 1) >>> (63 - bits)) != 0) {
      LOG.info(
          "dropoff order: dropoffs from {} to {} span more than the index's key holds: sorting with"
              + " the external sort",
          java.time.Instant.ofEpochSecond(min),
          java.time.Instant.ofEpochSecond(max));
      return false;
    }
    for (int i = 0; i < n; i++) {
      long s = seconds[i];
      long high = s == noKey ? 0 : s - min + 1;
      seconds[i] = (high << bits) | i;
    }
    Arrays.sort(seconds, 0, n); // in place: no buffer of another 8 bytes a row
    long mask = bits == 0 ? 0 : (1L << bits) - 1;
    for (int i = 0; i < n; i++) {
      seconds[i] &= mask; // the row's index, now that the order is known
    }
    return true;
  }

  /** Rows indexed (sendable and rejected). */
  public int rows() {
    return rows;
  }

  /**
   * The second pass: the events in dropoff order, each row read again and mapped; every row read
   * and every row rejected is reported to {@code listener}. Once per index.
   */
  public EventStream stream(RowListener listener) {
    if (streamed) {
      throw new IllegalStateException("the index was streamed already");
    }
    streamed = true;
    return new Stream(listener);
  }

  /**
   * Most rows read ahead together, in the order of their places ({@link Stream}); at most 65,536 (a
   * row's slot in the window is packed in 16 bits).
   */
  static final int WINDOW_ROWS = 8192;

  /** Most bytes of rows read ahead together (one longer row is read alone). */
  static final int WINDOW_BYTES = 1 << 20;

  int windowRows = WINDOW_ROWS; // tests: small windows
  int windowBytes = WINDOW_BYTES;

  /**
   * The second pass. The rows are read in windows: the next {@link #WINDOW_ROWS} rows of the order
   * (at most {@link #WINDOW_BYTES}) are copied from the files in the order of their places, then
   * mapped one by one in dropoff order. Reading a file's rows in ascending places is much faster
   * than at random places (the pages of a mapped file, and the index's own arrays); the mapping,
   * the period rule and the reports happen in dropoff order, row by row, as without the window.
   */
  private final class Stream extends FetchingStream {
    private final RowListener listener;
    private final CsvTripSource.RowKey key = new CsvTripSource.RowKey();
    private int position; // in order: the next row not in a window yet
    private final long[] byPlace = new long[windowRows]; // row index << 16 | slot
    private final int[] rowOf = new int[windowRows];
    private final int[] at = new int[windowRows]; // where the slot's row is in bytes; -1: too long
    private final RuntimeException[] failed = new RuntimeException[windowRows];
    private byte[] bytes = new byte[windowBytes];
    private int slot;
    private int slots;

    Stream(RowListener listener) {
      this.listener = listener;
    }

    @Override
    protected ReplayEvent fetch() {
      while (true) {
        if (slot == slots && !fill()) {
          return null;
        }
        int s = slot++;
        int index = rowOf[s];
        int f = fileOf(index);
        long row = index - firstRow[f] + 1;
        CsvTripSource source = sources.get(f);
        SourceRecord r;
        if (failed[s] != null) {
          RuntimeException e = failed[s];
          failed[s] = null;
          throw e;
        } else if (at[s] < 0) {
          key.offset = offsets[index];
          key.tooLong = true;
          key.length = tooLong.get(index);
          r = source.readRow(key, row);
        } else {
          r = source.parseRow(bytes, at[s], lengths[index], row);
        }
        ReplayEvent e = ReplayReader.accept(r, source.name(), f, row, bounds.get(f), listener);
        if (e != null) {
          return e;
        }
      }
    }

    /** Reads the next window; {@code false} when every row was read. */
    private boolean fill() {
      int n = 0;
      long need = 0;
      while (position < rows && n < byPlace.length) {
        int index = (int) order[position];
        int length = Math.max(lengths[index], 0);
        if (n > 0 && need + length > windowBytes) {
          break;
        }
        rowOf[n] = index;
        byPlace[n] = (long) index << 16 | n;
        need += length;
        n++;
        position++;
      }
      if (n == 0) {
        return false;
      }
      if (need > bytes.length) {
        bytes = new byte[(int) need]; // one row longer than the window
      }
      Arrays.sort(byPlace, 0, n);
      int used = 0;
      for (int k = 0; k < n; k++) {
        int index = (int) (byPlace[k] >>> 16);
        int s = (int) (byPlace[k] & 0xFFFF);
        int length = lengths[index];
        if (length < 0) {
          at[s] = -1;
          continue;
        }
        int f = fileOf(index);
        try {
          sources.get(f).copyRow(offsets[index], length, bytes, used, index - firstRow[f] + 1);
        } catch (RuntimeException e) {
          failed[s] = e; // thrown when the row's turn comes, as without the window
        }
        at[s] = used;
        used += length;
      }
      slot = 0;
      slots = n;
      return true;
    }
  }

  /** The file of row {@code index}: the last file whose first row is at or before it. */
  private int fileOf(int index) {
    int lo = 0;
    int hi = sources.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (firstRow[mid] <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
