package io.taxiplatform.producer.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TLC CSV file (RFC 4180: comma-separated, optional double quotes, {@code ""} inside quotes; one
 * record per line). The header names the columns, in any order and case; columns other than
 * {@link TlcColumns} are ignored. Blank lines are skipped and not counted.
 */
public final class CsvTripSource implements TripSource {

  private final Path file;
  private final String fileName;
  private final BufferedReader reader;
  private final int[] columnIndex; // header position -> TlcColumns index or -1
  private final TlcRowMapper mapper;
  private final Object[] values = new Object[TlcColumns.NAMES.size()];
  private final List<String> fields = new ArrayList<>(24);
  private String nextLine;
  private long row;

  public CsvTripSource(Path file, String source) {
    this.file = file;
    this.fileName = file.getFileName().toString();
    this.mapper = new TlcRowMapper(source);
    try {
      this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      String header = reader.readLine();
      if (header == null) {
        reader.close();
        throw new IllegalArgumentException(file + ": empty file, no CSV header");
      }
      if (header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      List<String> names = new ArrayList<>();
      if (!split(header, names)) {
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
      advance();
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private void advance() throws IOException {
    String line;
    do {
      line = reader.readLine();
    } while (line != null && line.isBlank());
    nextLine = line;
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
    row++;
    try {
      advance();
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    if (!split(line, fields)) {
      return SourceRecord.rejected(RowRejects.MALFORMED_ROW, fileName + ":" + row + " unbalanced quotes");
    }
    if (fields.size() != columnIndex.length) {
      return SourceRecord.rejected(RowRejects.WRONG_COLUMN_COUNT,
          fileName + ":" + row + " has " + fields.size() + " fields, header has " + columnIndex.length);
    }
    java.util.Arrays.fill(values, null);
    for (int i = 0; i < columnIndex.length; i++) {
      if (columnIndex[i] >= 0) {
        values[columnIndex[i]] = fields.get(i);
      }
    }
    return mapper.map(fileName + ":" + row, values);
  }

  /** Splits one CSV line into {@code out}; {@code false} on unbalanced quotes. */
  static boolean split(String line, List<String> out) {
    out.clear();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        if (cur.length() > 0 || wasQuoted) {
          return false; // quote in the middle of an unquoted field
        }
        quoted = true;
        wasQuoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
        wasQuoted = false;
      } else if (c == '\r' && i == line.length() - 1) {
        // CRLF line end
      } else {
        if (wasQuoted) {
          return false; // text after a closing quote
        }
        cur.append(c);
      }
    }
    if (quoted) {
      return false;
    }
    out.add(cur.toString());
    return true;
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
}
