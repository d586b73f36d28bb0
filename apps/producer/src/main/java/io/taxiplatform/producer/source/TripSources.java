package io.taxiplatform.producer.source;

import java.nio.file.Path;
import java.util.Locale;

/** Opens a replay file by its extension. */
public final class TripSources {

  /** The {@code source} field of replayed events. */
  public static final String REPLAY = "replay";

  private TripSources() {}

  /** A reader for a {@code .csv} or {@code .parquet} TLC file. */
  public static TripSource open(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return new CsvTripSource(file, REPLAY);
    }
    if (name.endsWith(".parquet")) {
      return new ParquetTripSource(file, REPLAY);
    }
    throw new IllegalArgumentException(file + ": not a .csv or .parquet file");
  }
}
