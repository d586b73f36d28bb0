package io.taxiplatform.producer.source;

import de.siegmar.fastcsv.reader.CsvCallbackHandler;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import de.siegmar.fastcsv.reader.RecordType;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a TLC CSV file (RFC 4180: comma-separated, optional double quotes, {@code ""} inside
 * quotes; one record per line), each line split by FastCSV. The header names the columns, in any
 * order and case; columns other than {@link TlcColumns} are ignored. Blank lines are skipped and
 * not counted.
 *
 * <p>Bad files fail with {@link IllegalArgumentException} naming the file and the cause: an empty
 * file, a header without the TLC columns (a file of random bytes), text that is not UTF-8 (at open
 * when it is in the header or the first data line, else when reading reaches that line; a line too
 * long to read is rejected without being decoded), a header longer than {@link #MAX_LINE_BYTES}. A
 * data line longer than {@link #MAX_LINE_BYTES} is not held in memory: it is skipped and rejected
 * as {@code malformed_row}.
 */
public final class CsvTripSource implements TripSource {

  /** Longest line read (a TLC row has about 200 bytes); longer lines are rejected unread. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  private final Path file;
  private final String fileName;
  private final LineReader reader;
  private final int[] columnIndex; // header position -> TlcColumns index or -1
  private final TlcRowMapper mapper;
  private final String source;
  private final Object parseLock = new Object(); // the first pass maps odd rows on two threads
  private final Object[] values = new Object[TlcColumns.NAMES.size()];
  private final List<String> fields = new ArrayList<>(24);
  private final LineSplitter splitter = new LineSplitter();
  private final int[] bounds; // start and end of each field of a plain line
  private final Field[] views; // one reusable view per header position
  private final int dropoffPosition; // header position of the dropoff column
  private String nextLine;
  private boolean nextTooLong;
  private long nextLength;
  private long nextOffset;
  private long row;
  private MappedByteBuffer[] segments; // the file, mapped for readRow
  long segmentBytes = SEGMENT_BYTES; // tests: lines across two segments
  private byte[] rowBytes = new byte[512];
  private final CharsetDecoder rowDecoder = LineReader.strictUtf8();

  public CsvTripSource(Path file, String source) {
    this.file = file;
    this.fileName = file.getFileName().toString();
    this.mapper = new TlcRowMapper(source);
    this.source = source;
    try {
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(file + ": is a directory, not a CSV file");
      }
      this.reader = new LineReader(Files.newInputStream(file), MAX_LINE_BYTES);
      String header = readLine();
      if (header == null) {
        reader.close();
        throw new IllegalArgumentException(file + ": empty file, no CSV header");
      }
      if (reader.tooLong) {
        reader.close();
        throw new IllegalArgumentException(
            file
                + ": the first line (the CSV header) is longer than "
                + MAX_LINE_BYTES
                + " bytes: not a TLC CSV file");
      }
      if (header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      List<String> names = new ArrayList<>();
      if (!splitter.split(header, names)) {
        reader.close();
        throw new IllegalArgumentException(file + ": unbalanced quotes in the CSV header");
      }
      columnIndex = new int[names.size()];
      boolean[] present = new boolean[TlcColumns.NAMES.size()];
      for (int i = 0; i < names.size(); i++) {
        int idx = TlcColumns.indexOf(names.get(i));
        if (idx >= 0 && present[idx]) {
          reader.close();
          throw new IllegalArgumentException(file + ": column " + names.get(i) + " appears twice");
        }
        columnIndex[i] = idx;
        if (idx >= 0) {
          present[idx] = true;
        }
      }
      int dropoffAt = -1;
      for (int i = 0; i < columnIndex.length; i++) {
        if (columnIndex[i] == TlcColumns.DROPOFF) {
          dropoffAt = i;
        }
      }
      dropoffPosition = dropoffAt;
      try {
        TlcColumns.requireAll(present, file.toString());
      } catch (IllegalArgumentException e) {
        reader.close();
        throw e;
      }
      bounds = new int[2 * columnIndex.length];
      views = new Field[columnIndex.length];
      for (int i = 0; i < views.length; i++) {
        views[i] = new Field();
      }
      advance();
    } catch (IOException e) {
      closeQuietly();
      throw new IllegalArgumentException(file + ": cannot read: " + e, e);
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  private void closeQuietly() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException | RuntimeException ignored) {
        // already failing
      }
    }
  }

  private void advance() throws IOException {
    String line;
    do {
      line = readLine();
    } while (line != null && !reader.tooLong && line.isBlank());
    nextLine = line;
    nextTooLong = reader.tooLong;
    nextLength = reader.length;
    nextOffset = reader.offset;
  }

  private IllegalArgumentException notUtf8(long line, CharacterCodingException e) {
    return new IllegalArgumentException(
        file + ": not UTF-8 text near line " + line + " (a TLC CSV file is UTF-8): " + e, e);
  }

  /** The next line; {@link IllegalArgumentException} when the bytes are not UTF-8. */
  private String readLine() throws IOException {
    try {
      return reader.readLine();
    } catch (CharacterCodingException e) {
      throw notUtf8(reader.lines + 1, e);
    }
  }

  @Override
  public boolean hasNext() {
    return nextLine != null;
  }

  @Override
  public SourceRecord next() {
    if (nextLine == null) {
      throw new java.util.NoSuchElementException();
    }
    String line = nextLine;
    boolean tooLong = nextTooLong;
    long length = nextLength;
    row++;
    try {
      advance();
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    return parse(line, tooLong, length, row);
  }

  /** Row {@code row}: its line (or, too long, its length alone) split and mapped. */
  private SourceRecord parse(String line, boolean tooLong, long length, long row) {
    if (tooLong) {
      return SourceRecord.rejected(
          RowRejects.MALFORMED_ROW,
          fileName
              + ":"
              + row
              + " is a line of "
              + length
              + " bytes, longer than "
              + MAX_LINE_BYTES
              + " (skipped unread)");
    }
    int plain = plainBounds(line, bounds);
    if (plain >= 0) {
      // the fields of splitPlain, as views of the line instead of substrings
      if (plain != columnIndex.length) {
        return wrongColumnCount(plain, row);
      }
      java.util.Arrays.fill(values, null);
      for (int i = 0; i < columnIndex.length; i++) {
        if (columnIndex[i] >= 0) {
          values[columnIndex[i]] = views[i].set(line, bounds[2 * i], bounds[2 * i + 1]);
        }
      }
      return mapper.map(fileName + ":" + row, values);
    }
    if (!splitter.split(line, fields)) {
      return SourceRecord.rejected(
          RowRejects.MALFORMED_ROW, fileName + ":" + row + " unbalanced quotes");
    }
    if (fields.size() != columnIndex.length) {
      return wrongColumnCount(fields.size(), row);
    }
    java.util.Arrays.fill(values, null);
    for (int i = 0; i < columnIndex.length; i++) {
      if (columnIndex[i] >= 0) {
        values[columnIndex[i]] = fields.get(i);
      }
    }
    return mapper.map(fileName + ":" + row, values);
  }

  private SourceRecord wrongColumnCount(int count, long row) {
    return SourceRecord.rejected(
        RowRejects.WRONG_COLUMN_COUNT,
        fileName + ":" + row + " has " + count + " fields, header has " + columnIndex.length);
  }

  /** {@link RowKey#dropoffSecond} of a row that has no dropoff to sort by: it is rejected. */
  public static final long NO_DROPOFF = Long.MIN_VALUE;

  /**
   * Where a row is in the file and when its trip ended: what an index of the file's rows in dropoff
   * order keeps of it ({@link #indexRows}), to read it again with {@link #readRow}.
   */
  public static final class RowKey {
    /** Byte offset of the row's line in the file. */
    public long offset;

    /** Bytes of the line, without its {@code \n}. */
    public long length;

    /** Longer than {@link #MAX_LINE_BYTES}: rejected unread. */
    public boolean tooLong;

    /**
     * Epoch second of the dropoff of a row that can be sent; {@link #NO_DROPOFF} or any value for a
     * row that is rejected ({@link #indexRows} reads the dropoff field alone).
     */
    public long dropoffSecond;

    /** Nanoseconds of the dropoff (0 for the TLC form). */
    public int dropoffNano;
  }

  /**
   * Sets {@code out}'s dropoff for row {@code row} of text {@code line} (its place is set) by
   * mapping the row, under a lock: the first pass may run on two threads. For the lines the first
   * pass cannot read as bytes (the row read ahead at open, a line that is not ASCII, a dropoff not
   * in the TLC form or after a quote): rare.
   */
  private void key(String line, long row, RowKey out) {
    out.dropoffSecond = NO_DROPOFF;
    out.dropoffNano = 0;
    if (out.tooLong) {
      return;
    }
    SourceRecord r;
    synchronized (parseLock) {
      r = parse(line, false, out.length, row);
    }
    if (!r.isRejected()) {
      out.dropoffSecond = r.event().dropoffTime().getEpochSecond();
      out.dropoffNano = r.event().dropoffTime().getNano();
    }
  }

  /** Files from this size up are indexed by two threads, one per half. */
  static final long PARALLEL_BYTES = 4L << 20;

  long parallelBytes = PARALLEL_BYTES; // tests: two halves of a small file

  /**
   * The first pass of a replay in dropoff order: the keys ({@link RowKey}) of every row not read
   * yet, added to {@code into} in row order, numbered as {@link #next} numbers them. Each line is
   * read as bytes: an ASCII line is not decoded, its dropoff is read from the bytes before the end
   * of the dropoff field (what follows it cannot change that field: a line it makes unreadable is
   * rejected, its key unused); a line that is not ASCII (decoded: it must be UTF-8), a line with a
   * double quote or a carriage return before that field's end, or a dropoff not in the TLC form is
   * mapped in full. A file of {@link #PARALLEL_BYTES} or more is read by two threads, this one and
   * another, each from one half (the second from the first line that starts in it); a failure is
   * that of the first bad line in the file, as when read by one thread.
   *
   * @return {@code false} when {@code into} became full or {@code stopped} said so: the rows are
   *     then not all read
   * @throws IllegalArgumentException when the file is not UTF-8 text (naming the line)
   */
  public boolean indexRows(RowKeys into, java.util.function.BooleanSupplier stopped) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    long start = nextLine == null ? size : nextOffset;
    SecondHalf second = null;
    long split = Long.MAX_VALUE;
    if (size - start >= parallelBytes) {
      split = start + (size - start) / 2;
      second = new SecondHalf(split, size - split, into.room() + 1, stopped);
    }
    Scan scan = new Scan(stopped);
    int sizeBefore = into.size;
    // END when nothing is left for this thread: a file without rows, or all in the second half
    int status = END;
    try {
      if (nextLine != null && nextOffset < split) {
        // the row read ahead (as text) when the file was opened
        String line = nextLine;
        nextLine = null;
        scan.key.offset = nextOffset;
        scan.key.length = nextLength;
        scan.key.tooLong = nextTooLong;
        key(line, row + 1, scan.key);
        status = into.add(scan.key) ? scan.rows(reader, split, into) : FULL;
      }
    } catch (CharacterCodingException e) {
      if (second != null) {
        second.cancel();
      }
      throw notUtf8(reader.lines + 1, e);
    } catch (IOException e) {
      if (second != null) {
        second.cancel();
      }
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      if (second != null) {
        second.cancel();
      }
      throw e;
    }
    row += into.size - sizeBefore;
    nextLine = null; // every row is read, by one half or the other
    if (second == null) {
      return status == END;
    }
    if (status != AT_SPLIT && status != END) {
      second.cancel();
      return false;
    }
    second.join();
    row += second.keys.size;
    return second.complete && into.addAll(second.keys);
  }

  private static final int END = 0;
  private static final int AT_SPLIT = 1;
  private static final int FULL = 2;
  private static final int STOPPED = 3;

  /** One thread's reading of rows for {@link #indexRows}. */
  private final class Scan {
    final TlcRowMapper fast = new TlcRowMapper(source); // its offset cache is not thread-safe
    final RowKey key = new RowKey();
    final Latin1 view = new Latin1();
    final java.util.function.BooleanSupplier stopped;
    long n;

    Scan(java.util.function.BooleanSupplier stopped) {
      this.stopped = stopped;
    }

    /**
     * Adds the keys of the rows {@code r} reads, until its end ({@link #END}) or a row that starts
     * at or after {@code until} ({@link #AT_SPLIT}, that row not added), {@code into} is full
     * ({@link #FULL}) or {@code stopped} ({@link #STOPPED}). Blank lines are skipped as {@link
     * #advance} skips them.
     *
     * @throws CharacterCodingException a line that is not UTF-8 ({@code r.offset} is its start,
     *     {@code r.lines} counts the lines before it)
     */
    int rows(LineReader r, long until, RowKeys into) throws IOException {
      while (r.readRaw()) {
        if (r.offset >= until) {
          return AT_SPLIT;
        }
        byte[] b = r.rawBytes;
        int from = r.rawFrom;
        int len = r.rawLength;
        int end = from + len;
        boolean ascii = r.rawAscii();
        String text = ascii ? null : LineReader.text(b, from, len, r.utf8);
        r.lines++;
        if (!r.tooLong && (ascii ? blank(b, from, end) : text.isBlank())) {
          continue;
        }
        if ((n++ & 1023) == 0 && stopped.getAsBoolean()) {
          return STOPPED;
        }
        key.offset = r.offset;
        key.length = r.length;
        key.tooLong = r.tooLong;
        if (ascii && !r.tooLong) {
          bytesKey(b, from, end);
        } else {
          key(r.tooLong ? "" : text, n, key);
        }
        if (!into.add(key)) {
          return FULL;
        }
      }
      return END;
    }

    /** {@link String#isBlank} of ASCII bytes. */
    private boolean blank(byte[] b, int from, int end) {
      for (int i = from; i < end; i++) {
        byte c = b[i];
        if (c != ' ' && (c < 9 || c > 13) && (c < 28 || c > 31)) {
          return false;
        }
      }
      return true;
    }

    /** {@link #key} of an ASCII line, from its bytes up to the end of the dropoff field. */
    private void bytesKey(byte[] b, int from, int end) {
      key.dropoffSecond = NO_DROPOFF;
      key.dropoffNano = 0;
      int last = end > from && b[end - 1] == '\r' ? end - 1 : end; // CRLF
      int field = 0;
      int start = from;
      for (int i = from; i <= last; i++) {
        byte c = i < last ? b[i] : (byte) ',';
        if (c == ',') {
          if (field == dropoffPosition) {
            java.time.Instant t = fast.instantOfTlcText(view.set(b, start, i - start));
            if (t == null) {
              break; // not the TLC form: mapped in full below
            }
            key.dropoffSecond = t.getEpochSecond();
            return;
          }
          field++;
          start = i + 1;
        } else if (c == '"' || c == '\r') {
          break; // quoted or cut before the dropoff's end: mapped in full below
        }
      }
      // (also a line with fewer fields than the dropoff's position: mapped, and rejected)
      key(new String(b, from, end - from, StandardCharsets.ISO_8859_1), n, key);
    }
  }

  /** ASCII bytes as text, not copied. */
  private static final class Latin1 implements CharSequence {
    private byte[] b;
    private int from;
    private int length;

    Latin1 set(byte[] bytes, int start, int n) {
      b = bytes;
      from = start;
      length = n;
      return this;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return (char) (b[from + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(b, from + start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return new String(b, from, length, StandardCharsets.ISO_8859_1);
    }
  }

  /** The second half of {@link #indexRows}, on a thread of its own. */
  private final class SecondHalf implements Runnable {
    private final long split;
    private final Scan scan;
    final RowKeys keys;
    private final Thread thread;
    private volatile boolean cancelled;
    boolean complete;
    private Throwable failure;
    private CharacterCodingException notUtf8;
    private long notUtf8Offset;

    /** The rows from byte {@code split} on, {@code bytes} of them; at most {@code max} rows. */
    SecondHalf(long split, long bytes, int max, java.util.function.BooleanSupplier stopped) {
      this.split = split;
      this.scan = new Scan(() -> cancelled || stopped.getAsBoolean());
      this.keys = RowKeys.forBytes(bytes, max);
      this.thread = new Thread(this, "replay-index");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      LineReader r = null;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ch.position(split - 1);
        r =
            new LineReader(
                java.nio.channels.Channels.newInputStream(ch), MAX_LINE_BYTES, split - 1);
        r.skipLine(); // the line the first half reads: the rows that start from the split are ours
        complete = scan.rows(r, Long.MAX_VALUE, keys) == END;
      } catch (CharacterCodingException e) {
        notUtf8 = e;
        notUtf8Offset = r.offset;
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
      }
    }

    void cancel() {
      cancelled = true;
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits for the thread; its failure is thrown here, as reading in one thread throws it. */
    void join() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(file + ": interrupted while indexing", e);
      }
      if (notUtf8 != null) {
        throw notUtf8(lineAt(notUtf8Offset), notUtf8);
      }
      if (failure instanceof IOException io) {
        throw new UncheckedIOException(file + ": " + io.getMessage(), io);
      }
      if (failure instanceof RuntimeException re) {
        throw re;
      }
      if (failure instanceof Error err) {
        throw err;
      }
    }
  }

  /**
   * The line number (from 1, every line counted) of the line that starts at byte {@code offset}.
   */
  private long lineAt(long offset) {
    long lines = 1;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = new byte[1 << 16];
      long left = offset;
      while (left > 0) {
        int n = in.read(b, 0, (int) Math.min(b.length, left));
        if (n <= 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          if (b[i] == '\n') {
            lines++;
          }
        }
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    return lines;
  }

  /**
   * The keys of rows in row order ({@link #indexRows}): dropoff second (or {@link #NO_DROPOFF}),
   * line offset and length, {@link DropoffIndex}'s 20 bytes a row ({@code
   * io.taxiplatform.producer.replay}).
   */
  public static final class RowKeys {
    /** Dropoff seconds, or {@link #NO_DROPOFF}, of rows {@code 0..size-1}. */
    public long[] seconds;

    /** Line offsets. */
    public long[] offsets;

    /** Line lengths, -1 for a line too long to read (its length in {@link #tooLongLengths}). */
    public int[] lengths;

    /** Lengths of the lines too long to read, by row index. */
    public final java.util.Map<Integer, Long> tooLongLengths = new java.util.HashMap<>();

    /** Rows held. */
    public int size;

    /** Whether a dropoff with a fraction of a second was met. */
    public boolean fraction;

    private final int max;

    /**
     * @param capacity rows the arrays hold at first (they grow by half when full)
     * @param max most rows held: {@link #add} refuses more
     */
    public RowKeys(int capacity, int max) {
      int c = Math.max(16, Math.min(capacity, max));
      this.seconds = new long[c];
      this.offsets = new long[c];
      this.lengths = new int[c];
      this.max = max;
    }

    /** Bytes of the shortest TLC rows (2019-2020 files): arrays sized for them rarely grow. */
    static final int SHORTEST_ROW_BYTES = 90;

    /** Keys sized for {@code bytes} of CSV rows, at most {@code max} rows. */
    public static RowKeys forBytes(long bytes, int max) {
      return new RowKeys((int) Math.min(max, bytes / SHORTEST_ROW_BYTES + 16), max);
    }

    int room() {
      return max - size;
    }

    /** Adds a row; {@code false} (not added) when {@code max} rows are held. */
    boolean add(RowKey k) {
      if (size >= max) {
        return false;
      }
      ensure(size + 1);
      seconds[size] = k.dropoffSecond;
      if (k.dropoffNano != 0) {
        fraction = true;
      }
      offsets[size] = k.offset;
      if (k.tooLong || k.length > Integer.MAX_VALUE) {
        lengths[size] = -1;
        tooLongLengths.put(size, k.length);
      } else {
        lengths[size] = (int) k.length;
      }
      size++;
      return true;
    }

    /** Adds {@code other}'s rows after these; {@code false} when they do not all fit. */
    boolean addAll(RowKeys other) {
      if (other.size > room()) {
        return false;
      }
      ensure(size + other.size);
      System.arraycopy(other.seconds, 0, seconds, size, other.size);
      System.arraycopy(other.offsets, 0, offsets, size, other.size);
      System.arraycopy(other.lengths, 0, lengths, size, other.size);
      other.tooLongLengths.forEach((i, len) -> tooLongLengths.put(size + i, len));
      fraction |= other.fraction;
      size += other.size;
      return true;
    }

    private void ensure(int n) {
      if (n > seconds.length) {
        int grown = (int) Math.min(max, Math.max(n, seconds.length + (seconds.length >> 1) + 16L));
        seconds = java.util.Arrays.copyOf(seconds, grown);
        offsets = java.util.Arrays.copyOf(offsets, grown);
        lengths = java.util.Arrays.copyOf(lengths, grown);
      }
    }
  }

  /**
   * Row {@code row} again, from its place {@code key} ({@link #indexRows}), mapped as {@link #next}
   * maps it: the second pass of a replay in dropoff order. The file is mapped into memory at the
   * first call; it must not change between the passes. Not thread-safe.
   */
  public SourceRecord readRow(RowKey key, long row) {
    if (key.tooLong) {
      return parse("", true, key.length, row);
    }
    int n = (int) key.length;
    if (rowBytes.length < n) {
      rowBytes = new byte[Math.max(n, 2 * rowBytes.length)];
    }
    copyRow(key.offset, n, rowBytes, 0, row);
    return parseRow(rowBytes, 0, n, row);
  }

  /**
   * Copies the {@code n} bytes of row {@code row} at byte {@code offset} of the file (a place
   * {@link #indexRows} gave, not a line too long) into {@code into} at {@code at}: the reading part
   * of {@link #readRow}, for a caller that reads many rows in the order of their places.
   *
   * @throws UncheckedIOException when the file cannot be mapped or has become shorter
   */
  public void copyRow(long offset, int n, byte[] into, int at, long row) {
    try {
      if (segments == null) {
        segments = map(file, segmentBytes);
      }
      long from = offset;
      int done = 0;
      while (done < n) {
        MappedByteBuffer seg = segments[(int) (from / segmentBytes)];
        int in = (int) (from % segmentBytes);
        int k = Math.min(n - done, seg.capacity() - in);
        if (k <= 0) {
          throw new java.io.EOFException("the file ends at byte " + from); // shorter now
        }
        seg.get(in, into, at + done, k);
        done += k;
        from += k;
      }
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new UncheckedIOException(
          file + ": cannot read row " + row + " again (did the file change during the replay?)",
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Row {@code row} from its {@code n} bytes at {@code from} of {@code b} ({@link #copyRow}),
   * mapped as {@link #readRow} maps it.
   *
   * @throws IllegalArgumentException when the bytes are not UTF-8 text
   */
  public SourceRecord parseRow(byte[] b, int from, int n, long row) {
    String text;
    try {
      text = LineReader.text(b, from, n, rowDecoder);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          file + ": not UTF-8 text in row " + row + " (a TLC CSV file is UTF-8): " + e, e);
    }
    return parse(text, false, n, row);
  }

  /** Size of the pieces a file is mapped in (a mapping holds at most 2 GiB). */
  static final long SEGMENT_BYTES = 1L << 30;

  private static MappedByteBuffer[] map(Path file, long segmentBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      MappedByteBuffer[] out =
          new MappedByteBuffer[(int) ((size + segmentBytes - 1) / segmentBytes)];
      for (int i = 0; i < out.length; i++) {
        long from = i * segmentBytes;
        out[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, Math.min(segmentBytes, size - from));
      }
      return out;
    }
  }

  /**
   * The fields of a plain line ({@link #splitPlain}) without copying them: the start and end of
   * field {@code i} go to {@code bounds[2i]} and {@code bounds[2i + 1]} (as many as fit).
   *
   * @return the number of fields (also those that did not fit), or -1 when the line is not plain
   */
  static int plainBounds(String line, int[] bounds) {
    int length = line.length();
    int end = length > 0 && line.charAt(length - 1) == '\r' ? length - 1 : length;
    int cap = bounds.length / 2;
    int n = 0;
    int start = 0;
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      if (c == ',') {
        if (n < cap) {
          bounds[2 * n] = start;
          bounds[2 * n + 1] = i;
        }
        n++;
        start = i + 1;
      } else if (c == '"' || c == '\r') {
        return -1;
      }
    }
    if (n < cap) {
      bounds[2 * n] = start;
      bounds[2 * n + 1] = end;
    }
    return n + 1;
  }

  /**
   * A field of the current line, not copied: valid while the row is mapped ({@link TlcRowMapper}
   * reads it during {@code map} only); {@link #toString} is its text.
   */
  static final class Field implements CharSequence {
    private String line = "";
    private int start;
    private int end;

    Field set(String line, int start, int end) {
      this.line = line;
      this.start = start;
      this.end = end;
      return this;
    }

    @Override
    public int length() {
      return end - start;
    }

    @Override
    public char charAt(int index) {
      return line.charAt(start + index);
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return line.substring(start + from, start + to);
    }

    @Override
    public String toString() {
      return line.substring(start, end);
    }
  }

  /**
   * Splits one CSV line into {@code out} with FastCSV (RFC 4180, strict); {@code false} on
   * unbalanced quotes: an unclosed quoted field, text after a closing quote, a quote inside an
   * unquoted field (which FastCSV itself reads as text), or a carriage return inside the line
   * outside quotes (which FastCSV reads as a record end). A trailing {@code \r} (CRLF) is dropped.
   */
  static boolean split(String line, List<String> out) {
    return new LineSplitter().split(line, out);
  }

  /**
   * {@link #split} through FastCSV alone, without the plain-line fast path (the tests' reference).
   */
  static boolean splitWithFastCsv(String line, List<String> out) {
    return new LineSplitter().splitWithFastCsv(line, out);
  }

  /**
   * A line without a double quote and without a carriage return before its last character: its
   * fields are the text between commas, the trailing {@code \r} dropped, which is what FastCSV
   * makes of it (RFC 4180 gives no other reading of such a line). Anything else is FastCSV's.
   *
   * @return {@code false} when the line is not plain (nothing added to {@code out})
   */
  static boolean splitPlain(String line, List<String> out) {
    int length = line.length();
    int end = length > 0 && line.charAt(length - 1) == '\r' ? length - 1 : length;
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      if (c == '"' || c == '\r') {
        return false;
      }
    }
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (line.charAt(i) == ',') {
        out.add(line.substring(start, i));
        start = i + 1;
      }
    }
    out.add(line.substring(start, end));
    return true;
  }

  /**
   * FastCSV on one line at a time: the file's line structure (one record per line, the line length
   * limit, the line numbers of encoding errors) stays {@link LineReader}'s. One FastCSV reader
   * parses line after line from a {@link Feed} that hands it exactly the current line and its
   * {@code \n}; a record that needs more (a quote still open at the end of the line) meets the end
   * of input and fails, and the next line gets a new reader.
   */
  private static final class LineSplitter extends CsvCallbackHandler<List<String>> {

    private static final CsvReader.CsvReaderBuilder CSV =
        CsvReader.builder()
            .allowExtraCharsAfterClosingQuote(false)
            .allowUnclosedQuote(false)
            .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
            .missingFieldStrategy(FieldMismatchStrategy.IGNORE);

    private final List<String> fields = new ArrayList<>(24);
    private final Feed feed = new Feed();
    private Iterator<List<String>> records; // null: a new reader for the next line
    private boolean checkQuotes;
    private boolean quoteInUnquotedField;
    private boolean empty;

    boolean split(String line, List<String> out) {
      out.clear();
      int length = line.length();
      if (length == 0 || (length == 1 && line.charAt(0) == '\r')) {
        out.add(""); // an empty line is one empty field
        return true;
      }
      if (splitPlain(line, out)) {
        return true;
      }
      return splitWithFastCsv(line, out);
    }

    boolean splitWithFastCsv(String line, List<String> out) {
      out.clear();
      int length = line.length();
      if (length == 0 || (length == 1 && line.charAt(0) == '\r')) {
        out.add(""); // an empty line is one empty field
        return true;
      }
      checkQuotes = line.indexOf('"') >= 0;
      int cr = line.indexOf('\r');
      boolean innerCr = cr >= 0 && cr < length - 1;
      try {
        if (innerCr) {
          // FastCSV ends a record at a carriage return outside quotes: this line alone
          records = null;
          Iterator<List<String>> alone = CSV.build(this, line).iterator();
          alone.next();
          if (alone.hasNext()) {
            return false;
          }
        } else {
          if (records == null) {
            records = CSV.build(this, feed).iterator();
          }
          feed.set(line);
          records.next();
        }
      } catch (CsvParseException | NoSuchElementException e) {
        records = null; // the reader stopped at an unknown position
        return false;
      }
      if (quoteInUnquotedField) {
        return false;
      }
      out.addAll(fields);
      return true;
    }

    @Override
    protected RecordType getRecordType() {
      return empty ? RecordType.EMPTY : RecordType.DATA;
    }

    @Override
    protected int getFieldCount() {
      return fields.size();
    }

    @Override
    protected void beginRecord(long startingLineNumber) {
      fields.clear();
      quoteInUnquotedField = false;
      empty = false;
    }

    @Override
    protected void addField(char[] buf, int offset, int len, boolean quoted) {
      if (checkQuotes && !quoted) {
        for (int i = offset, end = offset + len; i < end; i++) {
          if (buf[i] == '"') {
            quoteInUnquotedField = true;
          }
        }
      }
      fields.add(new String(buf, offset, len));
    }

    @Override
    protected void setComment(char[] buf, int offset, int len) {
      throw new IllegalStateException("comments are off");
    }

    @Override
    protected void setEmpty() {
      empty = true;
    }

    @Override
    protected List<String> buildRecord() {
      return fields;
    }

    /** The current line and then its {@code \n}, then end of input until the next line is set. */
    private static final class Feed extends Reader {
      private String line;
      private int pos;

      void set(String next) {
        line = next;
        pos = 0;
      }

      @Override
      public int read(char[] cbuf, int off, int len) {
        if (line == null) {
          return -1;
        }
        int n = Math.min(len, line.length() - pos);
        line.getChars(pos, pos + n, cbuf, off);
        pos += n;
        if (pos == line.length() && n < len) {
          cbuf[off + n] = '\n';
          n++;
          line = null;
        }
        return n;
      }

      @Override
      public void close() {}
    }
  }

  @Override
  public String name() {
    return fileName;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lines split on the byte {@code \n} (a trailing {@code \r} is kept; {@link #split} drops it),
   * each at most {@code max} bytes: a longer line is consumed without being buffered and returned
   * as {@code ""} with {@link #tooLong} set. A line of ASCII bytes becomes its text directly (the
   * bytes are its Latin-1 string, no decoder); any other line is decoded as UTF-8, strictly (a
   * {@link CharacterCodingException} names no position: the caller names the line). Splitting the
   * bytes at {@code \n} before decoding reads valid UTF-8 as decoding the whole file would: no byte
   * of a multi-byte sequence is below 0x80.
   */
  static final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final int max;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int len;
    private byte[] line = new byte[512]; // a line that spans two reads of buf
    private int lineLength;
    final CharsetDecoder utf8 = strictUtf8();

    /** Whether the last line returned was longer than {@code max}. */
    boolean tooLong;

    /** The length of the last line returned, in bytes. */
    long length;

    /** Lines returned so far. */
    long lines;

    /** The byte offset in the input of the last line returned. */
    long offset;

    private long base; // input offset of buf[0]

    static CharsetDecoder strictUtf8() {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    LineReader(InputStream in, int max) {
      this(in, max, 0);
    }

    /** Lines of {@code in}, which starts at byte {@code base} of the file. */
    LineReader(InputStream in, int max, long base) {
      this.in = in;
      this.max = max;
      this.base = base;
    }

    /** Reads the next bytes of the input into {@code buf}; {@code false} at its end. */
    private boolean fill() throws IOException {
      base += len;
      len = in.read(buf, 0, buf.length);
      pos = 0;
      if (len <= 0) {
        len = 0;
        return false;
      }
      return true;
    }

    /** Consumes the rest of the current line and its {@code \n}, not decoded. */
    void skipLine() throws IOException {
      while (true) {
        if (pos >= len && !fill()) {
          return;
        }
        while (pos < len && buf[pos] != '\n') {
          pos++;
        }
        if (pos < len) {
          pos++;
          return;
        }
      }
    }

    /** The next line without its {@code \n}, or {@code null} at the end. */
    String readLine() throws IOException {
      if (!readRaw()) {
        return null;
      }
      String text =
          tooLong
              ? ""
              : rawAscii()
                  ? new String(rawBytes, rawFrom, rawLength, StandardCharsets.ISO_8859_1)
                  : text(rawBytes, rawFrom, rawLength);
      lines++; // after the decoding: a line that is not UTF-8 is line lines + 1
      return text;
    }

    /**
     * The bytes of the line {@link #readRaw} read last: {@code rawBytes[rawFrom, rawFrom +
     * rawLength)} (none when {@link #tooLong}), valid until the next read.
     */
    byte[] rawBytes;

    int rawFrom;
    int rawLength;

    /** Whether the line {@link #readRaw} read last is ASCII (no byte above 0x7F). */
    boolean rawAscii() {
      return lineSigns >= 0;
    }

    private int lineSigns; // negative when a byte of the line read is not ASCII

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    /**
     * Reads the next line as {@link #readLine} does, without decoding it or counting it in {@link
     * #lines}: its bytes are {@link #rawBytes}.
     *
     * @return {@code false} at the end
     */
    boolean readRaw() throws IOException {
      lineSigns = 0;
      lineLength = 0;
      tooLong = false;
      length = 0;
      offset = -1;
      while (true) {
        if (pos >= len && !fill()) {
          if (length == 0) {
            return false;
          }
          raw(line, 0, tooLong ? 0 : lineLength);
          return true;
        }
        int start = pos;
        if (offset < 0) {
          offset = base + start;
        }
        byte[] b = buf;
        int end = len;
        int p = start;
        long signs = 0;
        // eight bytes at a time: the first '\n' among them, and their high bits (ASCII or not)
        for (int last = end - Long.BYTES; p <= last; p += Long.BYTES) {
          long w = (long) LONGS.get(b, p);
          long x = w ^ NEWLINES;
          long nl = (x - ONES) & ~x & HIGH_BITS; // the lowest bit set marks the first '\n'
          if (nl != 0) {
            int k = Long.numberOfTrailingZeros(nl) >>> 3;
            signs |= w & ((1L << (k << 3)) - 1);
            p += k; // at the '\n': the loop below stops at once
            break;
          }
          signs |= w;
        }
        byte c;
        while (p < end && (c = b[p]) != '\n') { // the last bytes, fewer than eight
          signs |= c;
          p++;
        }
        if ((signs & HIGH_BITS) != 0) {
          lineSigns = -1;
        }
        pos = p;
        int n = p - start;
        if (!tooLong && length + n > max) {
          tooLong = true;
          line = new byte[512];
          lineLength = 0;
        }
        length += n;
        if (p < end) {
          pos++;
          if (tooLong) {
            raw(line, 0, 0);
          } else if (lineLength == 0) {
            raw(b, start, n); // the whole line was in this read
          } else {
            append(b, start, n);
            raw(line, 0, lineLength);
          }
          return true;
        }
        if (!tooLong) {
          append(b, start, n);
        }
      }
    }

    private void raw(byte[] b, int from, int n) {
      rawBytes = b;
      rawFrom = from;
      rawLength = n;
    }

    private void append(byte[] b, int from, int n) {
      if (lineLength + n > line.length) {
        line = java.util.Arrays.copyOf(line, Math.max(lineLength + n, 2 * line.length));
      }
      System.arraycopy(b, from, line, lineLength, n);
      lineLength += n;
    }

    private String text(byte[] b, int from, int n) throws CharacterCodingException {
      return text(b, from, n, utf8);
    }

    /** The text of {@code n} bytes: ASCII as is, anything else strictly decoded as UTF-8. */
    static String text(byte[] b, int from, int n, CharsetDecoder utf8)
        throws CharacterCodingException {
      for (int i = from, end = from + n; i < end; i++) {
        if (b[i] < 0) {
          return utf8.decode(ByteBuffer.wrap(b, from, n)).toString();
        }
      }
      return new String(b, from, n, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
