package io.taxiplatform.producer.replay;

import io.taxiplatform.producer.source.TripSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which way a replay in dropoff order ({@link ReplayEvent#DROPOFF_ORDER}) takes, decided by a first
 * pass over the inputs (docs/producer.md, "Replay order"):
 *
 * <ul>
 *   <li>rows nearly in dropoff order (TLC files are roughly by time): ranks, and the files read
 *       again in file order, each event held until its turn ({@link RankedDropoffOrder}); for CSV
 *       and parquet inputs alike;
 *   <li>CSV rows far from that order: the index of their places, read again in dropoff order
 *       ({@link DropoffIndex}), when the files fit in the memory beside the heap (it reads them at
 *       random places, fast only from the page cache);
 *   <li>anything else: {@code null}, the caller sorts with the external sort ({@link DropoffSort}).
 * </ul>
 *
 * <p>The events, their order, the rows read and the rows rejected are the external sort's in every
 * case.
 */
public final class DropoffOrders {

  private static final Logger LOG = LoggerFactory.getLogger(DropoffOrders.class);

  private DropoffOrders() {}

  /** What a JVM allows the first pass and the events held (its heap, the machine's memory). */
  public record Limits(int sortChunkRows, long maxHeap, long totalMemory) {

    /** This JVM's heap and the machine's (or container's) memory. */
    public static Limits ofThisJvm(int sortChunkRows) {
      return new Limits(
          sortChunkRows, Runtime.getRuntime().maxMemory(), DropoffIndex.totalMemory());
    }
  }

  /** Whether a first pass is tried on {@code inputs}: all CSV or all parquet files. */
  public static boolean applies(List<Path> inputs) {
    return DropoffIndex.applies(inputs) || RankedDropoffOrder.applies(inputs);
  }

  /**
   * The first pass over {@code inputs} ({@link #applies} must hold).
   *
   * @param opener opens one file ({@code TripSources::open})
   * @param periodOverride {@code --period}, or {@code null}
   * @param tolerance the period tolerance
   * @param stopped polled while reading: {@code true} abandons the pass (a second pass with nothing
   *     to send is returned)
   * @return the second pass, or {@code null} when the external sort is to be used (logged why)
   * @throws IllegalArgumentException when an input cannot be read
   */
  public static Function<RowListener, EventStream> firstPass(
      List<Path> inputs,
      Function<Path, TripSource> opener,
      YearMonth periodOverride,
      Duration tolerance,
      Limits limits,
      BooleanSupplier stopped) {
    int maxWaiting = RankedDropoffOrder.maxWaiting(limits.sortChunkRows(), limits.maxHeap());
    if (RankedDropoffOrder.applies(inputs)) {
      RankedDropoffOrder order =
          RankedDropoffOrder.build(
              inputs,
              opener,
              periodOverride,
              tolerance,
              RankedDropoffOrder.maxRows(limits.maxHeap()),
              maxWaiting,
              stopped);
      return order == null ? null : order::stream; // null: logged why
    }
    if (!DropoffIndex.applies(inputs)) {
      return null;
    }
    long bytes = DropoffIndex.bytes(inputs);
    boolean indexFits = DropoffIndex.fitsInMemory(bytes, limits.totalMemory(), limits.maxHeap());
    DropoffIndex.Keys keys =
        DropoffIndex.readKeys(
            inputs,
            opener,
            periodOverride,
            tolerance,
            DropoffIndex.maxRows(limits.maxHeap()),
            stopped);
    if (keys == null) {
      return null; // logged
    }
    RankedDropoffOrder ranked =
        RankedDropoffOrder.ofCsv(keys, opener, periodOverride, tolerance, maxWaiting, indexFits);
    if (ranked != null) {
      return ranked::stream;
    }
    if (!indexFits) {
      LOG.info(
          "dropoff order: the inputs' {} MiB do not fit in the memory beside the heap ({} MiB of {}"
              + " MiB, {} MiB kept for the JVM): sorting with the external sort (the index reads"
              + " rows at random places, fast only from the page cache)",
          bytes >> 20,
          limits.maxHeap() >> 20,
          limits.totalMemory() >> 20,
          DropoffIndex.NON_HEAP_BYTES >> 20);
      return null;
    }
    DropoffIndex index = DropoffIndex.of(keys);
    return index == null ? null : index::stream;
  }
}
