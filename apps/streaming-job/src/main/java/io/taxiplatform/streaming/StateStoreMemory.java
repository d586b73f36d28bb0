package io.taxiplatform.streaming;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.RuntimeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes RocksDB's memtables so that every state store instance one executor may hold fits in its
 * memory bound ({@code STATE_STORE_MEMORY_MB}).
 *
 * <p>Spark 3.5.7 bounds RocksDB's memory with one LRU cache per executor built with RocksDB's
 * strict capacity limit, and charges the memtables to it through a write buffer manager of {@code
 * writeBufferCacheRatio} of the bound ({@code RocksDBMemoryManager}). That manager only asks a
 * store to flush; it does not stop its memtables from growing past its share, and each store's
 * memtables are RocksDB's default (64 MiB, two of them) unless {@code writeBufferSizeMB} and {@code
 * maxWriteBufferNumber} say otherwise. Once the memtables fill the cache, a flush cannot pin its
 * new file's index and filter blocks in it and fails with {@code RocksDBException: Insert failed
 * due to LRU cache being full}, which fails the micro-batch: a 3 M-trip month replayed into one
 * {@code local[2]} job failed so every time at 64 and 128 MiB and once in nine runs at 256
 * (docs/benchmarks.md, "Twenty-ninth round").
 *
 * <p>So the job gives each store at most {@link #MEMTABLES} memtables of a size that keeps all of
 * them inside the write buffers' share even when one executor holds every store of the query:
 * {@link #STATEFUL_OPERATORS} per shuffle partition. A store that fills them waits for its flush
 * (RocksDB stalls the write) instead of failing.
 */
final class StateStoreMemory {

  private static final Logger LOG = LoggerFactory.getLogger(StateStoreMemory.class);

  /**
   * The stateful operators of the {@code window_aggregates} query, each with one state store per
   * shuffle partition: the de-duplication and the window aggregation ({@code AggregationsTest}
   * checks the count against a running query's progress).
   */
  static final int STATEFUL_OPERATORS = 2;

  /** Memtables per store: the one being written and one being flushed. */
  static final int MEMTABLES = 2;

  /** The share of the bound the write buffers get (Spark's default, set explicitly). */
  static final String WRITE_BUFFER_CACHE_RATIO = "0.5";

  static final String WRITE_BUFFER_SIZE_MB = StreamingJob.ROCKSDB + "writeBufferSizeMB";
  static final String MAX_WRITE_BUFFER_NUMBER = StreamingJob.ROCKSDB + "maxWriteBufferNumber";
  static final String WRITE_BUFFER_RATIO = StreamingJob.ROCKSDB + "writeBufferCacheRatio";

  private StateStoreMemory() {}

  /**
   * The size of each memtable in MiB for a bound and a number of shuffle partitions, or empty when
   * the bound's write buffer share cannot give every store {@link #MEMTABLES} memtables of 1 MiB.
   */
  static Optional<Integer> memtableMb(int boundMb, int shufflePartitions, double ratio) {
    long stores = (long) STATEFUL_OPERATORS * shufflePartitions;
    long mb = (long) Math.floor(boundMb * ratio / (stores * MEMTABLES));
    return mb >= 1 ? Optional.of((int) Math.min(mb, 64)) : Optional.empty();
  }

  /** The least bound that gives every store its memtables of 1 MiB. */
  static int minimumBoundMb(int shufflePartitions, double ratio) {
    return (int) Math.ceil(STATEFUL_OPERATORS * shufflePartitions * MEMTABLES / ratio);
  }

  /**
   * Sets the memtables' size and number in the session before the query starts, unless the job's
   * Spark conf names them (a {@code --conf} or the chart's {@code sparkConf} wins).
   *
   * @param rocksDb whether the query's state is in RocksDB (the checkpoint's store, else {@code
   *     STATE_STORE})
   * @throws TripsTopic.StartupException when the state is in RocksDB and the bound is too small for
   *     the shuffle partitions
   */
  static void apply(RuntimeConfig conf, int boundMb, int shufflePartitions, boolean rocksDb) {
    if (conf.contains(WRITE_BUFFER_SIZE_MB) || conf.contains(MAX_WRITE_BUFFER_NUMBER)) {
      LOG.info(
          "RocksDB memtables as the Spark conf sets them: {}={}, {}={}",
          WRITE_BUFFER_SIZE_MB,
          conf.get(WRITE_BUFFER_SIZE_MB, "RocksDB's default"),
          MAX_WRITE_BUFFER_NUMBER,
          conf.get(MAX_WRITE_BUFFER_NUMBER, "RocksDB's default"));
      return;
    }
    String share = conf.get(WRITE_BUFFER_RATIO, WRITE_BUFFER_CACHE_RATIO);
    double ratio = Double.parseDouble(share);
    Optional<Integer> mb = memtableMb(boundMb, shufflePartitions, ratio);
    if (mb.isEmpty() && rocksDb) {
      throw new TripsTopic.StartupException(
          String.format(
              Locale.ROOT,
              "STATE_STORE_MEMORY_MB=%d cannot hold the RocksDB memtables of %d state stores"
                  + " (%d stateful operators x SHUFFLE_PARTITIONS=%d, %d memtables of at least 1"
                  + " MiB each, in %s of the bound): raise STATE_STORE_MEMORY_MB to at least %d"
                  + " (docs/operations.md, Scaling)",
              boundMb,
              STATEFUL_OPERATORS * shufflePartitions,
              STATEFUL_OPERATORS,
              shufflePartitions,
              MEMTABLES,
              share,
              minimumBoundMb(shufflePartitions, ratio)));
    }
    int size = mb.orElse(1);
    conf.set(WRITE_BUFFER_SIZE_MB, size);
    conf.set(MAX_WRITE_BUFFER_NUMBER, MEMTABLES);
    if (rocksDb) {
      LOG.info(
          "RocksDB memtables: {} of {} MiB per state store, {} stores ({} operators x {} shuffle"
              + " partitions), inside the write buffers' share ({}) of the {} MiB bound",
          MEMTABLES,
          size,
          STATEFUL_OPERATORS * shufflePartitions,
          STATEFUL_OPERATORS,
          shufflePartitions,
          share,
          boundMb);
    }
  }
}
