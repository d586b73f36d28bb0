package io.taxiplatform.producer.source;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Reads a TLC monthly parquet file without Hadoop (parquet-floor over parquet-java,
 * docs/producer.md).
 *
 * <p>Column names are matched case-insensitively; the physical type of each column may differ
 * between years (VendorID INT32 or INT64, passenger_count DOUBLE or INT64, ...) and is converted by
 * value. Timestamps: INT64 with a {@code TIMESTAMP(MILLIS|MICROS|NANOS)} annotation, whatever its
 * {@code isAdjustedToUTC} flag: the TLC files hold New York wall-clock values (written as naive
 * {@code timestamp[us]} by pyarrow; copies re-written with a UTC flag keep the same digits), so the
 * stored value is read as a local date-time and converted from {@code America/New_York}. String
 * timestamps are parsed as in CSV. A file with a required column missing, or a timestamp column of
 * another type (INT96, INT64 without annotation), fails with {@link IllegalArgumentException}.
 */
public final class ParquetTripSource implements TripSource {

  private enum Kind {
    VALUE,
    TIMESTAMP,
    DECIMAL
  }

  private record Column(int index, Kind kind, long unitsPerSecond, int scale) {}

  private final String fileName;
  private final ParquetReader<Object[], SourceRecord, Column> reader;
  private final TlcRowMapper mapper;
  private SourceRecord buffered;
  private boolean finished;
  private long row;

  public ParquetTripSource(Path file, String source) {
    this.fileName = file.getFileName().toString();
    this.mapper = new TlcRowMapper(source);
    Map<String, Column> columns = columns(file);
    try {
      this.reader =
          ParquetReader.spliterator(
              file.toFile(),
              new RowHydrator(),
              path -> path.length == 1 ? columns.get(path[0]) : null);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The rows of {@code file} as its footer counts them (every row group's rows).
   *
   * @throws IllegalArgumentException when the file is not a readable parquet file
   */
  public static long rowCount(Path file) {
    try {
      return ParquetReader.readMetadata(file.toFile()).getBlocks().stream()
          .mapToLong(b -> b.getRowCount())
          .sum();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + ": not a readable parquet file: " + e.getMessage(), e);
    }
  }

  /**
   * The first pass of a replay in dropoff order: each row's dropoff value, in file order, without
   * reading the other columns. {@code each} gets what this reader puts in the row for {@link
   * TlcRowMapper#dropoffOf} ({@code null} for a null). The file is checked as when it is opened
   * (its codecs, the TLC columns).
   *
   * @param each told each row's value; returns {@code false} to stop reading
   * @return {@code true} when every row was read
   * @throws IllegalArgumentException when the file cannot be read (as the constructor)
   * @throws IllegalStateException when a row cannot be read (as {@link #hasNext})
   */
  public static boolean readDropoffs(Path file, java.util.function.Predicate<Object> each) {
    Map.Entry<String, Column> column =
        columns(file).entrySet().stream()
            .filter(e -> e.getValue().index() == TlcColumns.DROPOFF)
            .findFirst()
            .orElseThrow(); // columns() requires it
    Column dropoff = column.getValue();
    long row = 0;
    // parquet-java's own column reader on that column alone (parquet-floor's reader converts each
    // value through its generic row assembly, and reads every column's chunk)
    try (ParquetFileReader reader =
        ParquetFileReader.open(ParquetReader.makeInputFile(file.toFile()))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      MessageType projection = new MessageType(schema.getName(), schema.getType(column.getKey()));
      reader.setRequestedSchema(projection);
      ColumnDescriptor cd = projection.getColumns().get(0);
      int defined = cd.getMaxDefinitionLevel();
      boolean timestamp = dropoff.kind() == Kind.TIMESTAMP;
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        ColumnReader values =
            new ColumnReadStoreImpl(
                    pages,
                    new DummyRecordConverter(projection).getRootConverter(),
                    projection,
                    createdBy)
                .getColumnReader(cd);
        for (long i = 0, n = pages.getRowCount(); i < n; i++) {
          Object value;
          try {
            if (values.getCurrentDefinitionLevel() < defined) {
              value = null;
            } else if (timestamp) {
              value = wallClockValue(values.getLong(), dropoff.unitsPerSecond());
            } else {
              // a string column, as parquet-floor hands it to the row
              value = cd.getPrimitiveType().stringifier().stringify(values.getBinary());
            }
            values.consume();
          } catch (RuntimeException e) {
            throw new IllegalStateException(
                file.getFileName() + ": cannot read row " + (row + 1) + ": " + e, e);
          }
          row++;
          if (!each.test(value)) {
            return false;
          }
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Maps each TLC column of the file's schema to its index and conversion. */
  private static Map<String, Column> columns(Path file) {
    ParquetMetadata meta;
    try {
      meta = ParquetReader.readMetadata(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + ": not a readable parquet file: " + e.getMessage(), e);
    }
    Set<CompressionCodecName> codecs = new TreeSet<>();
    meta.getBlocks().forEach(b -> b.getColumns().forEach(c -> codecs.add(c.getCodec())));
    checkCodecs(codecs, file.toString());
    MessageType schema = meta.getFileMetaData().getSchema();
    Map<String, Column> out = new HashMap<>();
    boolean[] present = new boolean[TlcColumns.NAMES.size()];
    for (ColumnDescriptor cd : schema.getColumns()) {
      if (cd.getPath().length != 1) {
        continue;
      }
      String name = cd.getPath()[0];
      int idx = TlcColumns.indexOf(name);
      if (idx < 0) {
        continue;
      }
      if (present[idx]) {
        throw new IllegalArgumentException(file + ": column " + name + " appears twice");
      }
      present[idx] = true;
      PrimitiveType type = cd.getPrimitiveType();
      LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
      PrimitiveType.PrimitiveTypeName physical = type.getPrimitiveTypeName();
      if (idx == TlcColumns.PICKUP || idx == TlcColumns.DROPOFF) {
        if (physical == PrimitiveType.PrimitiveTypeName.INT64
            && logical instanceof TimestampLogicalTypeAnnotation ts) {
          long per =
              switch (ts.getUnit()) {
                case MILLIS -> 1_000L;
                case MICROS -> 1_000_000L;
                case NANOS -> 1_000_000_000L;
              };
          out.put(name, new Column(idx, Kind.TIMESTAMP, per, 0));
        } else if (physical == PrimitiveType.PrimitiveTypeName.BINARY) {
          out.put(name, new Column(idx, Kind.VALUE, 0, 0));
        } else {
          throw new IllegalArgumentException(
              file
                  + ": column "
                  + name
                  + " has type "
                  + type
                  + "; expected INT64 TIMESTAMP(MILLIS|MICROS|NANOS) or a string");
        }
      } else if (logical instanceof DecimalLogicalTypeAnnotation dec
          && (physical == PrimitiveType.PrimitiveTypeName.INT32
              || physical == PrimitiveType.PrimitiveTypeName.INT64)) {
        out.put(name, new Column(idx, Kind.DECIMAL, 0, dec.getScale()));
      } else {
        // numbers come as Integer/Long/Float/Double, strings (and FIXED decimals) as text
        out.put(name, new Column(idx, Kind.VALUE, 0, 0));
      }
    }
    TlcColumns.requireAll(present, file.toString());
    return out;
  }

  /** Codecs this reader decompresses without Hadoop (parquet-java's own or through snappy-java). */
  static final Set<CompressionCodecName> SUPPORTED_CODECS =
      EnumSet.of(
          CompressionCodecName.UNCOMPRESSED,
          CompressionCodecName.SNAPPY,
          CompressionCodecName.ZSTD,
          CompressionCodecName.LZ4_RAW);

  /**
   * Fails up front for a codec that would need Hadoop's codec classes (GZIP, LZO, BROTLI, LZ4
   * Hadoop).
   */
  static void checkCodecs(Set<CompressionCodecName> codecs, String file) {
    for (CompressionCodecName c : codecs) {
      if (!SUPPORTED_CODECS.contains(c)) {
        throw new IllegalArgumentException(
            file
                + ": compression "
                + c
                + " is not supported without Hadoop; "
                + "supported: "
                + SUPPORTED_CODECS
                + " (re-encode the file, e.g. with zstd or snappy)");
      }
    }
  }

  private final class RowHydrator implements Hydrator<Object[], SourceRecord, Column> {
    private final Object[] values = new Object[TlcColumns.NAMES.size()];

    @Override
    public Object[] start() {
      Arrays.fill(values, null);
      return values;
    }

    @Override
    public Object[] add(Object[] target, Column c, Object value) {
      if (value != null) {
        target[c.index()] =
            switch (c.kind()) {
              case VALUE -> value;
              case DECIMAL -> BigDecimal.valueOf(((Number) value).longValue(), c.scale());
              case TIMESTAMP -> wallClockValue((Long) value, c.unitsPerSecond());
            };
      }
      return target;
    }

    @Override
    public SourceRecord finish(Object[] target) {
      row++;
      return mapper.map(fileName + ":" + row, target);
    }
  }

  /** {@link #wallClock} as a {@link TlcRowMapper.WallClock} (no LocalDateTime made per value). */
  static Object wallClockValue(long value, long unitsPerSecond) {
    long seconds = Math.floorDiv(value, unitsPerSecond);
    long fraction = Math.floorMod(value, unitsPerSecond);
    int nanos = (int) (fraction * (1_000_000_000L / unitsPerSecond));
    return TlcRowMapper.wallClock(seconds, nanos);
  }

  /** The stored value as a wall-clock date-time (digits of the value read at UTC). */
  static LocalDateTime wallClock(long value, long unitsPerSecond) {
    long seconds = Math.floorDiv(value, unitsPerSecond);
    long fraction = Math.floorMod(value, unitsPerSecond);
    int nanos = (int) (fraction * (1_000_000_000L / unitsPerSecond));
    return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
  }

  @Override
  public boolean hasNext() {
    if (buffered == null && !finished) {
      try {
        if (!reader.tryAdvance(r -> buffered = r)) {
          finished = true;
        }
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new IllegalStateException(
            fileName + ": cannot read row " + (row + 1) + ": " + cause, cause);
      }
    }
    return buffered != null;
  }

  @Override
  public SourceRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    SourceRecord r = buffered;
    buffered = null;
    return r;
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
