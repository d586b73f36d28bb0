package io.taxiplatform.producer.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * External merge sort of a replay into dropoff order ({@link ReplayEvent#DROPOFF_ORDER}) with
 * bounded memory: the input is read in chunks of at most {@code chunkRows} events and at most an
 * eighth of the heap of encoded events ({@link #chunkByteBound}, whichever comes first); each full
 * chunk is sorted and spilled to a temporary file ({@link TripEventCodec}); the last chunk stays in
 * memory; then the spill files and the last chunk are merged with a priority queue. Input that fits
 * in one chunk is sorted in memory, no file written. More than {@link #MAX_FAN_IN} spill files are
 * first merged in groups into larger ones, so that open files and read buffers stay bounded too.
 *
 * <p>Heap: one chunk of events, held encoded ({@link Chunk}: about {@link #BYTES_PER_ROW_ESTIMATE}
 * bytes per TLC event plus 28 bytes of sort key and offset, twice that while an array grows) plus a
 * 64 KiB buffer per open spill file. Disk: about {@link #BYTES_PER_ROW_ESTIMATE} bytes per event,
 * in a directory {@code taxi-replay-<pid>-*} of {@code spillDir} created at the first spill. Spill
 * files and that directory are deleted as the merge exhausts them, on {@link SortedStream#close()},
 * and when sorting fails. What a killed process left behind (its pid is gone, or is this process's
 * pid: a restarted container is pid 1 again) is deleted when the next sort starts in the same
 * {@code spillDir}.
 */
public final class DropoffSort {

  /** Most spill files merged at once. */
  public static final int MAX_FAN_IN = 64;

  /** Typical spill size of one TLC row (file name of ~30 characters in the trip id). */
  public static final int BYTES_PER_ROW_ESTIMATE = 200;

  private static final Logger LOG = LoggerFactory.getLogger(DropoffSort.class);
  private static final int BUFFER = 1 << 16;

  private DropoffSort() {}

  /**
   * Reads {@code input} to its end (closing it), and returns its events in dropoff order.
   *
   * @param input events in any order; closed by this method
   * @param chunkRows most events held in memory at once (&gt;= 1)
   * @param spillDir where spill files go (must exist)
   * @param stopped polled after each event read: {@code true} abandons the sort, returns an empty
   *     stream
   * @throws UncheckedIOException when a spill file cannot be written (spill files already written
   *     are deleted)
   */
  public static SortedStream sort(
      EventStream input, int chunkRows, Path spillDir, BooleanSupplier stopped) {
    return sort(
        input, chunkRows, chunkByteBound(Runtime.getRuntime().maxMemory()), spillDir, stopped);
  }

  /**
   * The most encoded bytes a chunk holds in a JVM of {@code maxHeap} bytes: an eighth of the heap
   * (at most {@link Chunk#MAX_BYTES}, at least 1 MiB). While the chunk's array doubles, the old and
   * the new array coexist: up to three times this, plus the sort keys, stay under half the heap. So
   * a {@code chunkRows} too large for the heap spills earlier instead of failing with {@code
   * OutOfMemoryError} after reading for a while.
   */
  static int chunkByteBound(long maxHeap) {
    return (int) Math.max(1L << 20, Math.min(Chunk.MAX_BYTES, maxHeap / 8));
  }

  /** {@link #sort(EventStream, int, Path, BooleanSupplier)} with a chunk byte bound. */
  static SortedStream sort(
      EventStream input, int chunkRows, int maxChunkBytes, Path spillDir, BooleanSupplier stopped) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunkRows must be >= 1: " + chunkRows);
    }
    if (maxChunkBytes < 1) {
      throw new IllegalArgumentException("maxChunkBytes must be >= 1: " + maxChunkBytes);
    }
    boolean boundLogged = false;
    cleanStale(spillDir);
    RunDir runDir = new RunDir(spillDir);
    List<Path> spills = new ArrayList<>();
    int spilledChunks = 0;
    long spilledRows = 0;
    long spilledBytes = 0;
    long start = System.nanoTime();
    try (input) {
      Chunk chunk = new Chunk(Math.min(chunkRows, 1 << 16));
      long n = 0;
      while (input.hasNext()) {
        ReplayEvent e = input.next();
        n++;
        if (stopped.getAsBoolean()) {
          deleteAll(spills);
          runDir.delete();
          return new SortedStream(List.of(), null, 0, 0, 0, null);
        }
        if (chunk.size() >= chunkRows || chunk.bytes() >= maxChunkBytes) {
          // spilled only when more input follows: the last chunk, full or not, is merged from
          // memory
          if (chunk.size() < chunkRows && !boundLogged) {
            boundLogged = true;
            LOG.info(
                "dropoff sort: chunks spill at {} events, before the {} of the sort chunk rows:"
                    + " their {} MiB of encoded events reached the bound of an eighth of the heap",
                chunk.size(),
                chunkRows,
                String.format("%.1f", chunk.bytes() / 1048576.0));
          }
          Path file = spill(chunk, runDir.get(), spills);
          spilledChunks++;
          spilledRows += chunk.size();
          spilledBytes += Files.size(file);
          chunk.clear();
        }
        chunk.add(e);
      }
      chunk.sort();
      while (spills.size() > MAX_FAN_IN) {
        List<Path> group = new ArrayList<>(spills.subList(0, MAX_FAN_IN));
        mergeToFile(group, runDir.get(), spills); // appends the merged file to spills
        spills.removeAll(group);
        deleteAll(group);
      }
      if (!spills.isEmpty()) {
        LOG.info(
            "sorted {} events by dropoff: {} spill files ({} MiB) in {} + {} in memory, {} ms",
            n,
            spills.size(),
            String.format("%.1f", spilledBytes / 1048576.0),
            runDir.dir,
            chunk.size(),
            (System.nanoTime() - start) / 1_000_000);
      } else {
        LOG.info(
            "sorted {} events by dropoff in memory, {} ms",
            n,
            (System.nanoTime() - start) / 1_000_000);
      }
      return new SortedStream(spills, chunk, spilledChunks, spilledRows, spilledBytes, runDir);
    } catch (IOException e) {
      deleteAll(spills);
      runDir.delete();
      throw new UncheckedIOException("dropoff sort: spill to " + spillDir + " failed: " + e, e);
    } catch (RuntimeException | Error e) {
      deleteAll(spills);
      runDir.delete();
      throw e;
    }
  }

  /** This sort's spill directory, created at the first spill. */
  private static final class RunDir {
    private final Path parent;
    private Path dir;

    RunDir(Path parent) {
      this.parent = parent;
    }

    Path get() throws IOException {
      if (dir == null) {
        dir =
            Files.createTempDirectory(parent, RUN_DIR_PREFIX + ProcessHandle.current().pid() + "-");
      }
      return dir;
    }

    void delete() {
      if (dir != null) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          LOG.warn("cannot delete spill directory {}: {}", dir, e.toString());
        }
      }
    }
  }

  private static final String RUN_DIR_PREFIX = "taxi-replay-";
  private static final Pattern RUN_DIR = Pattern.compile("taxi-replay-(\\d+)-.*");

  /**
   * Deletes the spill directories of sorts whose process is gone (kill -9, OOM): a pid that is not
   * alive, or this process's own pid (a restarted container's JVM is pid 1 again; this process has
   * not sorted yet).
   */
  static void cleanStale(Path spillDir) {
    long self = ProcessHandle.current().pid();
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> entries = Files.list(spillDir)) {
      entries
          .filter(Files::isDirectory)
          .forEach(
              d -> {
                Matcher m = RUN_DIR.matcher(d.getFileName().toString());
                if (m.matches()) {
                  long pid = Long.parseLong(m.group(1));
                  if (pid == self
                      || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    stale.add(d);
                  }
                }
              });
    } catch (IOException | NumberFormatException e) {
      LOG.warn("cannot look for stale spill files in {}: {}", spillDir, e.toString());
      return;
    }
    for (Path d : stale) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> in = Files.list(d)) {
        in.forEach(files::add);
      } catch (IOException e) {
        LOG.warn("cannot list stale spill directory {}: {}", d, e.toString());
        continue;
      }
      deleteAll(files);
      try {
        Files.deleteIfExists(d);
        LOG.warn("deleted {} spill file(s) a killed replay left in {}", files.size(), d);
      } catch (IOException e) {
        LOG.warn("cannot delete stale spill directory {}: {}", d, e.toString());
      }
    }
  }

  /** Sorts the chunk and writes its events in that order. */
  private static Path spill(Chunk chunk, Path dir, List<Path> spills) throws IOException {
    Path file = Files.createTempFile(dir, "taxi-replay-", ".spill");
    spills.add(file); // registered before writing: deleted on failure
    chunk.sort();
    try (SpillStreams.Output out = new SpillStreams.Output(Files.newOutputStream(file), BUFFER)) {
      chunk.writeSorted(out);
    }
    return file;
  }

  /**
   * A chunk of events held encoded ({@link TripEventCodec}, the spill files' bytes) in one growing
   * byte array, with each event's sort key in primitive arrays: no object per event survives
   * reading (which made every young collection copy the whole chunk), the sort compares numbers,
   * and a spill writes each event's bytes as they are. Order: {@link ReplayEvent#DROPOFF_ORDER}
   * (dropoff second, nano, file index, row), then the order read (as the stable sort of a list).
   */
  static final class Chunk {
    /** The largest chunk bound: a Java array's limit ({@link #chunkByteBound} is usually lower). */
    static final int MAX_BYTES = 1 << 30;

    private final SpillStreams.Output arena = SpillStreams.Output.inMemory(1 << 16);
    private long[] seconds;
    private int[] nanos;
    private int[] files;
    private long[] rows;
    private int[] starts; // event i: [starts[i], starts[i + 1])
    private int[] order; // after sort(): indexes in dropoff order
    private int n;

    Chunk(int capacity) {
      int c = Math.max(capacity, 16);
      seconds = new long[c];
      nanos = new int[c];
      files = new int[c];
      rows = new long[c];
      starts = new int[c + 1];
    }

    int size() {
      return n;
    }

    int bytes() {
      return arena.size();
    }

    void add(ReplayEvent e) throws IOException {
      if (n == seconds.length) {
        int c = seconds.length * 2;
        seconds = java.util.Arrays.copyOf(seconds, c);
        nanos = java.util.Arrays.copyOf(nanos, c);
        files = java.util.Arrays.copyOf(files, c);
        rows = java.util.Arrays.copyOf(rows, c);
        starts = java.util.Arrays.copyOf(starts, c + 1);
      }
      java.time.Instant dropoff = e.event().dropoffTime();
      seconds[n] = dropoff.getEpochSecond();
      nanos[n] = dropoff.getNano();
      files[n] = e.fileIndex();
      rows[n] = e.row();
      starts[n] = arena.size();
      TripEventCodec.write(arena, e);
      n++;
      starts[n] = arena.size();
      order = null;
    }

    void clear() {
      n = 0;
      arena.reset();
      order = null;
    }

    private int compare(int a, int b) {
      int c = Long.compare(seconds[a], seconds[b]);
      if (c == 0) {
        c = Integer.compare(nanos[a], nanos[b]);
      }
      if (c == 0) {
        c = Integer.compare(files[a], files[b]);
      }
      if (c == 0) {
        c = Long.compare(rows[a], rows[b]);
      }
      return c != 0 ? c : Integer.compare(a, b);
    }

    /** Orders the events (a merge sort of indexes; the read order breaks the last ties). */
    void sort() {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = i;
      }
      mergeSort(a, new int[n], 0, n);
      order = a;
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
      if (to - from <= 24) {
        for (int i = from + 1; i < to; i++) {
          int x = a[i];
          int j = i - 1;
          while (j >= from && compare(a[j], x) > 0) {
            a[j + 1] = a[j];
            j--;
          }
          a[j + 1] = x;
        }
        return;
      }
      int mid = (from + to) >>> 1;
      mergeSort(a, tmp, from, mid);
      mergeSort(a, tmp, mid, to);
      if (compare(a[mid - 1], a[mid]) <= 0) {
        return; // already in order (input read nearly sorted)
      }
      System.arraycopy(a, from, tmp, from, to - from);
      int i = from;
      int j = mid;
      for (int k = from; k < to; k++) {
        if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
          a[k] = tmp[i++];
        } else {
          a[k] = tmp[j++];
        }
      }
    }

    /** Writes the events' bytes in sorted order. */
    void writeSorted(SpillStreams.Output out) throws IOException {
      byte[] data = arena.array();
      for (int i : order) {
        out.write(data, starts[i], starts[i + 1] - starts[i]);
      }
    }
  }

  private static Path mergeToFile(List<Path> group, Path dir, List<Path> spills)
      throws IOException {
    Path file = Files.createTempFile(dir, "taxi-replay-", ".spill");
    spills.add(file);
    try (SortedStream merged = new SortedStream(group, null, 0, 0, 0, null);
        SpillStreams.Output out = new SpillStreams.Output(Files.newOutputStream(file), BUFFER)) {
      while (merged.hasNext()) {
        TripEventCodec.write(out, merged.next());
      }
    }
    return file;
  }

  private static void deleteAll(List<Path> files) {
    for (Path p : files) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        LOG.warn("cannot delete spill file {}: {}", p, e.toString());
      }
    }
  }

  /** One sorted run being merged: a spill file or the in-memory last chunk. */
  private abstract static class Run {
    ReplayEvent head;

    abstract void advance() throws IOException;

    void close() {}
  }

  private static final class FileRun extends Run {
    private final Path file;
    private final SpillStreams.Input in;
    private final boolean delete;

    FileRun(Path file, boolean delete) throws IOException {
      this.file = file;
      this.delete = delete;
      this.in = new SpillStreams.Input(Files.newInputStream(file), BUFFER);
      advance();
    }

    @Override
    void advance() throws IOException {
      head = TripEventCodec.read(in);
    }

    @Override
    void close() {
      try {
        in.close();
      } catch (IOException e) {
        LOG.warn("cannot close spill file {}: {}", file, e.toString());
      }
      if (delete) {
        deleteAll(List.of(file));
      }
    }
  }

  /** The sorted last chunk, decoded from memory event by event. */
  private static final class ChunkRun extends Run {
    private final Chunk chunk;
    private final SpillStreams.Input in;
    private int i;

    ChunkRun(Chunk chunk) throws IOException {
      this.chunk = chunk;
      this.in = SpillStreams.Input.over(chunk.arena.array());
      advance();
    }

    @Override
    void advance() throws IOException {
      if (i < chunk.n) {
        int e = chunk.order[i++];
        in.window(chunk.starts[e], chunk.starts[e + 1]);
        head = TripEventCodec.read(in);
      } else {
        head = null;
      }
    }
  }

  /**
   * The sorted events: a k-way merge of the spill files and the in-memory chunk. Closing it (at any
   * time) closes and deletes every spill file.
   */
  public static final class SortedStream implements EventStream {
    private final List<Path> files;
    private final List<Run> open = new ArrayList<>();
    private final PriorityQueue<Run> queue =
        new PriorityQueue<>((a, b) -> ReplayEvent.DROPOFF_ORDER.compare(a.head, b.head));
    private final int spilledChunks;
    private final long spilledRows;
    private final long spilledBytes;
    private final boolean deleteFiles;
    private final RunDir runDir;

    /**
     * {@code runDir} null: the files are not this stream's (an intermediate merge), kept on close.
     */
    SortedStream(
        List<Path> files,
        Chunk memory,
        int spilledChunks,
        long spilledRows,
        long spilledBytes,
        RunDir runDir) {
      this.files = List.copyOf(files);
      this.spilledChunks = spilledChunks;
      this.spilledRows = spilledRows;
      this.spilledBytes = spilledBytes;
      this.runDir = runDir;
      this.deleteFiles = runDir != null;
      try {
        for (Path f : files) {
          add(new FileRun(f, deleteFiles));
        }
        if (memory != null) {
          add(new ChunkRun(memory));
        }
      } catch (IOException e) {
        close();
        throw new UncheckedIOException("dropoff sort: cannot read a spill file: " + e, e);
      }
    }

    private void add(Run r) {
      open.add(r);
      if (r.head != null) {
        queue.add(r);
      } else {
        r.close();
      }
    }

    /** Chunks spilled to files in the first pass (0 when the input fit in one chunk). */
    public int spilledChunks() {
      return spilledChunks;
    }

    /**
     * Spill files merged by this stream (after the intermediate merges, at most {@link
     * #MAX_FAN_IN}).
     */
    public int mergedFiles() {
      return files.size();
    }

    /** Events written to spill files in the first pass. */
    public long spilledRows() {
      return spilledRows;
    }

    /** Bytes written to spill files in the first pass. */
    public long spilledBytes() {
      return spilledBytes;
    }

    @Override
    public boolean hasNext() {
      return !queue.isEmpty();
    }

    @Override
    public ReplayEvent next() {
      Run r = queue.poll();
      if (r == null) {
        throw new NoSuchElementException();
      }
      ReplayEvent e = r.head;
      try {
        r.advance();
      } catch (IOException ex) {
        close();
        throw new UncheckedIOException("dropoff sort: cannot read a spill file: " + ex, ex);
      }
      if (r.head != null) {
        queue.add(r);
      } else {
        r.close();
      }
      return e;
    }

    @Override
    public void close() {
      queue.clear();
      for (Run r : open) {
        r.close();
      }
      open.clear();
      if (deleteFiles) {
        deleteAll(files);
        runDir.delete();
      }
    }
  }
}
