package io.taxiplatform.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test data. The TLC trip samples come from an optional test-data directory beside the repository
 * ({@code ../shared/data}, resolved from the repository root): they are never committed, and tests
 * that need them skip with a reason when they are absent. The zone lookup is the one the streaming
 * job ships ({@value #SHIPPED_ZONE_LOOKUP}), so it is always there in a checkout.
 */
public final class SharedData {

  /** The TLC yellow-trip sample (a slice of the January 2025 file, CSV). */
  public static final String TRIP_SAMPLE = "yellow_tripdata_2025-01_sample.csv";

  /**
   * 10,000 real trips of the TLC yellow file of February 2019 in random order over the month (CSV):
   * the hard case for event-time processing.
   */
  public static final String UNSORTED_MONTH_SAMPLE = "yellow_tripdata_2019-02_sample.csv";

  /** The TLC taxi zone lookup (265 zones plus the two "unknown" rows). */
  public static final String ZONE_LOOKUP = "taxi_zone_lookup.csv";

  /**
   * The zone lookup shipped with the streaming job (its classpath resource), from the repository
   * root.
   */
  public static final String SHIPPED_ZONE_LOOKUP =
      "apps/streaming-job/src/main/resources/" + ZONE_LOOKUP;

  private SharedData() {}

  /** {@code <repo root>/../shared/data}, if that directory exists. */
  public static Optional<Path> dataDir() {
    return LocalPaths.findRepoRoot()
        .map(root -> root.resolve("../shared/data").normalize())
        .filter(Files::isDirectory);
  }

  /** The trip sample CSV, if present. */
  public static Optional<Path> tripSample() {
    return file(TRIP_SAMPLE);
  }

  /** The unsorted February 2019 sample, if present. */
  public static Optional<Path> unsortedMonthSample() {
    return file(UNSORTED_MONTH_SAMPLE);
  }

  /**
   * The zone lookup CSV: the one the streaming job ships, read from the repository (else a
   * test-data copy; empty only outside a checkout).
   */
  public static Optional<Path> zoneLookup() {
    return LocalPaths.findRepoRoot()
        .map(root -> root.resolve(SHIPPED_ZONE_LOOKUP))
        .filter(Files::isRegularFile)
        .or(() -> file(ZONE_LOOKUP));
  }

  private static Optional<Path> file(String name) {
    return dataDir().map(dir -> dir.resolve(name)).filter(Files::isRegularFile);
  }
}
