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
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private final Object[] values = new Object[TlcColumns.NAMES.size()];
  private final List<String> fields = new ArrayList<>(24);
  private final LineSplitter splitter = new LineSplitter();
  private final int[] bounds; // start and end of each field of a plain line
  private final Field[] views; // one reusable view per header position
  private String nextLine;
  private boolean nextTooLong;
  private long nextLength;
  private long row;

  public CsvTripSource(Path file, String source) {
    this.file = file;
    this.fileName = file.getFileName().toString();
    this.mapper = new TlcRowMapper(source);
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
  }

  /** The next line; {@link IllegalArgumentException} when the bytes are not UTF-8. */
  private String readLine() throws IOException {
    try {
      return reader.readLine();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          file
              + ": not UTF-8 text near line "
              + (reader.lines + 1)
              + " (a TLC CSV file is UTF-8): "
              + e,
          e);
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
        return wrongColumnCount(plain);
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
      return wrongColumnCount(fields.size());
    }
    java.util.Arrays.fill(values, null);
    for (int i = 0; i < columnIndex.length; i++) {
      if (columnIndex[i] >= 0) {
        values[columnIndex[i]] = fields.get(i);
      }
    }
    return mapper.map(fileName + ":" + row, values);
  }

  private SourceRecord wrongColumnCount(int count) {
    return SourceRecord.rejected(
        RowRejects.WRONG_COLUMN_COUNT,
        fileName + ":" + row + " has " + count + " fields, header has " + columnIndex.length);
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
    private final CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Whether the last line returned was longer than {@code max}. */
    boolean tooLong;

    /** The length of the last line returned, in bytes. */
    long length;

    /** Lines returned so far. */
    long lines;

    LineReader(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    /** The next line without its {@code \n}, or {@code null} at the end. */
    String readLine() throws IOException {
      lineLength = 0;
      tooLong = false;
      length = 0;
      while (true) {
        if (pos >= len) {
          len = in.read(buf, 0, buf.length);
          pos = 0;
          if (len <= 0) {
            len = 0;
            if (length == 0) {
              return null;
            }
            String last = tooLong ? "" : text(line, 0, lineLength);
            lines++;
            return last;
          }
        }
        int start = pos;
        byte[] b = buf;
        int end = len;
        int p = start;
        while (p < end && b[p] != '\n') {
          p++;
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
          String text;
          if (tooLong) {
            text = "";
          } else if (lineLength == 0) {
            text = text(b, start, n); // the whole line was in this read
          } else {
            append(b, start, n);
            text = text(line, 0, lineLength);
          }
          lines++; // after the decoding: a line that is not UTF-8 is line lines + 1
          return text;
        }
        if (!tooLong) {
          append(b, start, n);
        }
      }
    }

    private void append(byte[] b, int from, int n) {
      if (lineLength + n > line.length) {
        line = java.util.Arrays.copyOf(line, Math.max(lineLength + n, 2 * line.length));
      }
      System.arraycopy(b, from, line, lineLength, n);
      lineLength += n;
    }

    private String text(byte[] b, int from, int n) throws CharacterCodingException {
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
