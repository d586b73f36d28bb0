package io.taxiplatform.streaming;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TLC taxi zone lookup ({@code "LocationID","Borough","Zone","service_zone"}), read on the
 * driver with plain Java; the aggregations compile it into the query as two literal arrays indexed
 * by zone id ({@code Aggregations.withZoneNames}): executors never read the file.
 *
 * <p>The job ships the TLC's lookup (265 zones, public reference data) as the classpath resource
 * {@value #SHIPPED_RESOURCE}; {@code ZONE_LOOKUP_PATH} defaults to it ({@value #SHIPPED}) and may
 * name a file instead.
 */
public final class ZoneLookup {

  /** Borough (and zone name) of zones missing from the lookup. */
  public static final String UNKNOWN = "Unknown";

  /** The classpath resource holding the TLC lookup shipped with the job. */
  public static final String SHIPPED_RESOURCE = "taxi_zone_lookup.csv";

  /** Prefix of a {@code ZONE_LOOKUP_PATH} that names a classpath resource instead of a file. */
  public static final String CLASSPATH_PREFIX = "classpath:";

  /** {@code ZONE_LOOKUP_PATH}'s default: the lookup shipped with the job. */
  public static final String SHIPPED = CLASSPATH_PREFIX + SHIPPED_RESOURCE;

  /** One zone of the lookup. */
  public record Zone(int id, String borough, String name) {}

  private final Map<Integer, Zone> zones;

  private ZoneLookup(Map<Integer, Zone> zones) {
    this.zones = zones;
  }

  /** The zones by id. */
  public Map<Integer, Zone> zones() {
    return zones;
  }

  /**
   * Reads {@code ZONE_LOOKUP_PATH}: a CSV file, or {@code classpath:<resource>} (the default,
   * {@value #SHIPPED}); fails with the file name and line number on anything it cannot use.
   */
  public static ZoneLookup read(Path file) {
    String name = file.toString();
    if (name.startsWith(CLASSPATH_PREFIX)) {
      return readResource(name.substring(CLASSPATH_PREFIX.length()));
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("ZONE_LOOKUP_PATH " + file + " is not a readable file");
    }
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read zone lookup " + file, e);
    }
  }

  private static ZoneLookup readResource(String resource) {
    String source = CLASSPATH_PREFIX + resource;
    ClassLoader loader = ZoneLookup.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "ZONE_LOOKUP_PATH " + source + ": no such resource on the classpath");
      }
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        return parse(reader.lines().toList(), source);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read zone lookup " + source, e);
    }
  }

  /** Parses the lines of the CSV (header first). */
  public static ZoneLookup parse(List<String> lines, String source) {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(source + ": empty zone lookup");
    }
    List<String> header = splitCsv(stripBom(lines.get(0)), source, 1);
    int idCol = indexOf(header, "locationid", source);
    int boroughCol = indexOf(header, "borough", source);
    int zoneCol = indexOf(header, "zone", source);
    Map<Integer, Zone> zones = new TreeMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int lineNo = i + 1;
      List<String> cells = splitCsv(line, source, lineNo);
      if (cells.size() <= Math.max(idCol, Math.max(boroughCol, zoneCol))) {
        throw new IllegalArgumentException(
            source
                + ":"
                + lineNo
                + ": expected "
                + header.size()
                + " columns, got "
                + cells.size());
      }
      int id;
      try {
        id = Integer.parseInt(cells.get(idCol).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            source + ":" + lineNo + ": LocationID '" + cells.get(idCol) + "' is not an integer");
      }
      String borough = cells.get(boroughCol).trim();
      String name = cells.get(zoneCol).trim();
      Zone previous =
          zones.put(
              id,
              new Zone(id, borough.isEmpty() ? UNKNOWN : borough, name.isEmpty() ? UNKNOWN : name));
      if (previous != null) {
        throw new IllegalArgumentException(
            source + ":" + lineNo + ": LocationID " + id + " appears twice");
      }
    }
    if (zones.isEmpty()) {
      throw new IllegalArgumentException(source + ": no zones");
    }
    return new ZoneLookup(java.util.Collections.unmodifiableMap(zones));
  }

  private static int indexOf(List<String> header, String name, String source) {
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(source + ": header has no '" + name + "' column: " + header);
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  /**
   * One CSV line's fields (RFC 4180 quoting: {@code "a, b"} and doubled quotes {@code ""}), read by
   * FastCSV; a line it cannot read fails naming {@code source} and the line number.
   */
  private static List<String> splitCsv(String line, String source, int lineNo) {
    if (line.isEmpty()) {
      return List.of("");
    }
    try {
      return CsvReader.builder().allowUnclosedQuote(false).ofSingleCsvRecord(line).getFields();
    } catch (CsvParseException e) {
      throw new IllegalArgumentException(
          source
              + ":"
              + lineNo
              + ": not a CSV line ("
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
              + ")",
          e);
    }
  }
}
