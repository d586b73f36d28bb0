package io.taxiplatform.streaming;

import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.execution.streaming.state.ByteArrayPair;
import org.apache.spark.sql.execution.streaming.state.ReadStateStore;
import org.apache.spark.sql.execution.streaming.state.RocksDB;
import org.apache.spark.sql.execution.streaming.state.RocksDBConf;
import org.apache.spark.sql.execution.streaming.state.RocksDBStateEncoder;
import org.apache.spark.sql.execution.streaming.state.RocksDBStateEncoder$;
import org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider;
import org.apache.spark.sql.execution.streaming.state.StateStore;
import org.apache.spark.sql.execution.streaming.state.StateStoreConf;
import org.apache.spark.sql.execution.streaming.state.StateStoreCustomMetric;
import org.apache.spark.sql.execution.streaming.state.StateStoreId;
import org.apache.spark.sql.execution.streaming.state.StateStoreMetrics;
import org.apache.spark.sql.execution.streaming.state.StateStoreProvider;
import org.apache.spark.sql.execution.streaming.state.UnsafeRowPair;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.IndexType;
import org.rocksdb.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.collection.Seq;

/**
 * Spark's RocksDB state store, with an eviction scan that stops at the first key the watermark has
 * not reached, for a store whose keys RocksDB keeps in event-time order.
 *
 * <p>Spark 3.5 evicts a stateful operator's expired keys by iterating every key of its store each
 * micro-batch ({@code WatermarkSupport.removeKeysOlderThanWatermark}: {@code
 * store.iterator().foreach(k -> if (expired(k)) store.remove(k))}), so a de-duplication that holds
 * 10 minutes of trips reads all of them every second to drop one second's worth
 * (docs/benchmarks.md, "Eighteenth round"). The de-duplication's key begins with {@value
 * #ORDER_COLUMN} ({@link Aggregations#aggregationInput}), a long whose bytes, as the key's {@code
 * UnsafeRow} stores them, sort RocksDB's keys by dropoff time ({@link Aggregations#evictionOrder}).
 * For a store with such a key, {@link StateStore#iterator()} here returns the keys from the oldest
 * and ends after the first key that the caller did not remove before asking for the next: that key
 * is not expired, and no later key (a later or equal dropoff time) can be. The next eviction of the
 * version so committed starts after the last key removed ({@link StopAtFirstLiveKey#iterator}),
 * past the removed keys' tombstones. An eviction then reads the expired keys and one more, not the
 * whole state.
 *
 * <p>Stopping early can only leave expired keys in the store, never drop a live one, and an expired
 * key can never match again: the operator drops a row the watermark has passed before it looks its
 * key up. Every other store (the window aggregation's, any key without the column, or one whose key
 * can hold nulls before it) evicts as Spark's store does. The stores' files, checkpoints and
 * settings are Spark's ({@code spark.sql.streaming.stateStore.rocksdb.*}), but for one table
 * option: every store's SST files index and filter their keys in partitions ({@link
 * #partitionIndexAndFilters}); and an ordered store's levels are in small files ({@link
 * #levelsInSmallFiles}). A read store's abort (the window aggregation's, at the end of every task)
 * keeps the version RocksDB has loaded instead of dropping it ({@link #getReadStore}). And a store
 * that is not ordered (the window aggregation's) snapshots every {@code minDeltasForSnapshot}-th
 * version however many changes a version holds ({@link #snapshotEveryNth}).
 */
public final class OrderedEvictionStateStoreProvider implements StateStoreProvider {

  private static final Logger LOG =
      LoggerFactory.getLogger(OrderedEvictionStateStoreProvider.class);

  /** The first key column of a store whose eviction stops early (a {@code long}, never null). */
  public static final String ORDER_COLUMN = "eviction_order";

  /** A partition of an SST file's index or filter: RocksDB's default, 4 KiB. */
  static final long METADATA_BLOCK_BYTES = 4096;

  private final RocksDBStateStoreProvider rocksDb = new RocksDBStateStoreProvider();
  // the partitioned filters' policy, held as long as the store's options are
  private BloomFilter bloomFilter;
  private boolean ordered;
  private RocksDBStateEncoder encoder;
  // the last key the evictions up to evictedVersion removed (null: none known)
  private byte[] evictedUpTo;
  private long evictedVersion = -1;

  @Override
  public void init(
      StateStoreId stateStoreId,
      StructType keySchema,
      StructType valueSchema,
      int numColsPrefixKey,
      StateStoreConf storeConfs,
      Configuration hadoopConf) {
    rocksDb.init(stateStoreId, keySchema, valueSchema, numColsPrefixKey, storeConfs, hadoopConf);
    bloomFilter = new BloomFilter();
    partitionIndexAndFilters(rocksDb.rocksDB(), bloomFilter);
    ordered = isOrdered(keySchema, numColsPrefixKey);
    if (ordered) {
      levelsInSmallFiles(rocksDb.rocksDB());
    }
    // the rows of the early-stopping scan, decoded as Spark's store decodes its own
    encoder = RocksDBStateEncoder$.MODULE$.getEncoder(keySchema, valueSchema, numColsPrefixKey);
    if (ordered && stateStoreId.partitionId() == 0) {
      LOG.info(
          "state store of operator {}: keys in dropoff order ({}), its eviction reads the expired"
              + " keys and stops at the first live one",
          stateStoreId.operatorId(),
          ORDER_COLUMN);
    }
  }

  /**
   * Sets Spark's table options of {@code db} (before it opens its files: {@code init} builds the
   * instance, the first {@code getStore} opens it) again, with each SST file's index and filter in
   * partitions of {@value #METADATA_BLOCK_BYTES} bytes under a small top-level index.
   *
   * <p>Spark 3.5.7 builds one index block and one filter block (a Bloom filter, ~10 bits per key)
   * per file, and with {@code boundedMemoryUsage} reads them through its LRU cache, which is strict
   * and split in 64 shards (RocksDB's default from 32 MiB up: 4 MiB each at the default 256 MiB). A
   * settled store's bottom level is one file below RocksDB's 64 MiB file size: at 10,000 trips/s
   * the de-duplication's 3 M keys a store made a filter of ~3.7 MiB and an index of ~1 MiB, blocks
   * that nearly fill a shard alone, so a lookup next to them (the memtables' reservations are
   * pinned there too) failed with {@code Insert failed due to LRU cache being full}
   * (docs/benchmarks.md, "Thirty-second round"). Partitions keep every block a lookup reads near 4
   * KiB whatever the state's size. Everything else is Spark's setting (block size, cache, format
   * version, index and filter blocks in the cache with high priority, pinned at level 0); files
   * written before keep their whole-file blocks, which RocksDB still reads.
   */
  static void partitionIndexAndFilters(RocksDB db, BloomFilter bloomFilter) {
    RocksDBConf conf = db.conf();
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockSize(conf.blockSizeKB() * 1024)
            .setBlockCache(db.getWriteBufferManagerAndCache()._2())
            .setFilterPolicy(bloomFilter)
            .setFormatVersion(conf.formatVersion())
            .setIndexType(IndexType.kTwoLevelIndexSearch)
            .setPartitionFilters(true)
            .setMetadataBlockSize(METADATA_BLOCK_BYTES)
            .setPinTopLevelIndexAndFilter(true);
    if (conf.boundedMemoryUsage()) {
      table
          .setCacheIndexAndFilterBlocks(true)
          .setCacheIndexAndFilterBlocksWithHighPriority(true)
          .setPinL0FilterAndIndexBlocksInCache(true);
    }
    // Spark's RocksDB keeps its open options in this field (Scala names its accessor so)
    Options options = db.org$apache$spark$sql$execution$streaming$state$RocksDB$$dbOptions();
    options.setTableFormatConfig(table);
  }

  /** The size an ordered store's compactions cut their files at (RocksDB's default: 64 MiB). */
  static final long TARGET_FILE_BYTES = 2L << 20;

  /** The size of an ordered store's level 1, beyond which files go down (RocksDB's: 256 MiB). */
  static final long LEVEL1_BYTES = 8L << 20;

  /**
   * Sets an ordered store's levels (before RocksDB opens its files, as {@link
   * #partitionIndexAndFilters} does) to files of {@value #TARGET_FILE_BYTES} bytes under a level 1
   * of {@value #LEVEL1_BYTES}, so that its compactions rewrite the state's two ends, not all of it.
   *
   * <p>Each micro-batch puts the new trips after the newest key and removes the oldest, and a
   * commit that takes a snapshot flushes them to a level-0 file (every commit, in a job writing
   * more than 10,000 keys a store per micro-batch: Spark 3.5.7's rule). Every such file spans the
   * whole state, from the removed head to the new tail. With RocksDB's levels a settled store is
   * one or two files in level 1 (a settled 20,000 events/s job's stores held 45 and 77 MB), so
   * every fourth flush compacted level 0 with all of it: the de-duplication's compactions took 0.61
   * cores, more than the Spark tasks (docs/benchmarks.md, "Thirty-fifth round"). In small files
   * over a level 2 they rewrite level 1, which is small, and move on to level 2 only the files of
   * the head (whose removals drop keys there) and of the tail.
   */
  static void levelsInSmallFiles(RocksDB db) {
    Options options = db.org$apache$spark$sql$execution$streaming$state$RocksDB$$dbOptions();
    options.setTargetFileSizeBase(TARGET_FILE_BYTES).setMaxBytesForLevelBase(LEVEL1_BYTES);
  }

  /**
   * Whether the keys of {@code keySchema} sort by {@value #ORDER_COLUMN}: it is the first column, a
   * {@code long} that is never null, and no prefix encoding comes before it. (A null in a later key
   * column changes the row's null bits, which come first in its bytes: such a key sorts after every
   * key without one, and is evicted only by a full scan; the de-duplication's key columns are never
   * null.)
   */
  static boolean isOrdered(StructType keySchema, int numColsPrefixKey) {
    if (numColsPrefixKey > 0 || keySchema.fields().length == 0) {
      return false;
    }
    StructField first = keySchema.fields()[0];
    return first.name().equals(ORDER_COLUMN)
        && first.dataType().equals(DataTypes.LongType)
        && !first.nullable();
  }

  /** Whether this provider's stores stop their eviction scan early. */
  boolean ordered() {
    return ordered;
  }

  @Override
  public StateStoreId stateStoreId() {
    return rocksDb.stateStoreId();
  }

  @Override
  public void close() {
    rocksDb.close();
    if (bloomFilter != null) {
      bloomFilter.close();
    }
  }

  @Override
  public StateStore getStore(long version) {
    RocksDBStateStoreProvider.RocksDBStateStore store =
        (RocksDBStateStoreProvider.RocksDBStateStore) rocksDb.getStore(version);
    return ordered
        ? new StopAtFirstLiveKey(
            store, encoder, version == evictedVersion ? evictedUpTo : null, this::evicted)
        : new SnapshotEveryNth(store);
  }

  private static final java.lang.reflect.Field CHANGELOG_WRITER = rocksDbField("changelogWriter");

  /**
   * Lets the next commit of {@code db} take a snapshot only when {@code minDeltasForSnapshot}
   * versions have passed since the last one: it forgets how many changes the version's changelog
   * holds.
   *
   * <p>Spark 3.5.7 also snapshots every version whose changelog holds more than 10,000 changes
   * ({@code RocksDB.shouldCreateSnapshot}, a constant). A replay's window aggregation updates more
   * windows than that in every micro-batch, so every commit flushed its memtables, made a
   * checkpoint, and gave the maintenance thread its files to copy: a month's replay uploaded half
   * the aggregation's snapshot files without it (docs/benchmarks.md, "Fortieth round"). The
   * changelog is the version's record either way (a version is the last snapshot and the changelogs
   * since it), so a restart replays at most {@code minDeltasForSnapshot} changelogs, as for any
   * store that changes less. The de-duplication's store keeps Spark's rule: without it a settled
   * 30,000 events/s job ran slower ("Thirty-ninth round").
   */
  static void snapshotEveryNth(RocksDB db) {
    try {
      scala.Option<?> writer = (scala.Option<?>) CHANGELOG_WRITER.get(db);
      if (writer.isDefined()) {
        ((org.apache.spark.sql.execution.streaming.state.StateStoreChangelogWriter) writer.get())
            .size_$eq(0);
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Spark's read store of {@code version}, whose {@code abort} keeps the version RocksDB has
   * loaded.
   *
   * <p>A streaming aggregation opens its partition's store twice in one task: read-only to restore
   * the windows' state ({@code StateStoreRestoreExec}), then to write it ({@code
   * StateStoreSaveExec}), which commits; when the task ends Spark aborts the read store. In Spark
   * 3.5.7 a RocksDB store's abort is a rollback that drops the loaded version ({@code
   * RocksDB.rollback}: {@code loadedVersion = -1}), even after the write store of the same instance
   * committed, so every micro-batch began by closing the aggregation's RocksDB, reopening it from
   * its last snapshot and replaying the changelogs since, and, while the maintenance thread had not
   * yet uploaded that snapshot, took a new one at every commit instead of every {@code
   * minDeltasForSnapshot}-th (docs/benchmarks.md, "Thirty-third round"; Spark 4.1 gives the read
   * store a {@code release} for this, SPARK-51955). Nothing is written through a read store, so its
   * abort has nothing to undo: a write store that did not commit still rolls back by its own abort
   * (Spark calls it first), and RocksDB's instance lock is released when the task ends by the
   * listener its {@code load} registered.
   */
  @Override
  public ReadStateStore getReadStore(long version) {
    return new KeepLoadedOnAbort(rocksDb.getReadStore(version));
  }

  /** Spark's RocksDB instance under this provider's stores. */
  RocksDB db() {
    return rocksDb.rocksDB();
  }

  /**
   * Records that every key up to {@code upTo} (a key's bytes in RocksDB, null for none) is gone
   * from {@code version}, committed.
   */
  private void evicted(long version, byte[] upTo) {
    evictedVersion = version;
    evictedUpTo = upTo;
  }

  /** Where a version's committed evictions ended: the store's version and the last key removed. */
  @FunctionalInterface
  interface Evicted {
    void upTo(long version, byte[] key);
  }

  private static final java.lang.reflect.Field NATIVE_DB = rocksDbField("db");

  /** A private field of Spark's RocksDB instance, made readable. */
  private static java.lang.reflect.Field rocksDbField(String name) {
    try {
      java.lang.reflect.Field f = RocksDB.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "Spark's RocksDB has no field " + name + ": not Spark 3.5", e);
    }
  }

  /**
   * The native database under Spark's instance (Spark's own field, private; it changes at a
   * reload).
   */
  static org.rocksdb.RocksDB nativeDb(RocksDB db) {
    try {
      return (org.rocksdb.RocksDB) NATIVE_DB.get(db);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void doMaintenance() {
    rocksDb.doMaintenance();
  }

  @Override
  public Seq<StateStoreCustomMetric> supportedCustomMetrics() {
    return rocksDb.supportedCustomMetrics();
  }

  /** A read store that forwards every call to Spark's store (the stores below change some). */
  abstract static class ForwardingReadStore implements ReadStateStore {
    private final ReadStateStore store;

    ForwardingReadStore(ReadStateStore store) {
      this.store = store;
    }

    @Override
    public StateStoreId id() {
      return store.id();
    }

    @Override
    public long version() {
      return store.version();
    }

    @Override
    public UnsafeRow get(UnsafeRow key) {
      return store.get(key);
    }

    @Override
    public Iterator<UnsafeRowPair> prefixScan(UnsafeRow prefixKey) {
      return store.prefixScan(prefixKey);
    }

    @Override
    public Iterator<UnsafeRowPair> iterator() {
      return store.iterator();
    }

    @Override
    public void abort() {
      store.abort();
    }

    @Override
    public String toString() {
      return store.toString();
    }
  }

  /** A read store whose {@link #abort()} leaves RocksDB's loaded version as it is. */
  static final class KeepLoadedOnAbort extends ForwardingReadStore {
    KeepLoadedOnAbort(ReadStateStore store) {
      super(store);
    }

    /** Nothing to undo: no write goes through a read store (see {@link #getReadStore}). */
    @Override
    public void abort() {}
  }

  /**
   * A write store that forwards every call to Spark's RocksDB store (the two below override what
   * they change).
   */
  abstract static class ForwardingStore extends ForwardingReadStore implements StateStore {
    final RocksDBStateStoreProvider.RocksDBStateStore store;

    ForwardingStore(RocksDBStateStoreProvider.RocksDBStateStore store) {
      super(store);
      this.store = store;
    }

    /** Spark's RocksDB instance under this store. */
    RocksDB db() {
      return store.dbInstance();
    }

    @Override
    public void remove(UnsafeRow key) {
      store.remove(key);
    }

    @Override
    public void put(UnsafeRow key, UnsafeRow value) {
      store.put(key, value);
    }

    @Override
    public long commit() {
      return store.commit();
    }

    @Override
    public StateStoreMetrics metrics() {
      return store.metrics();
    }

    @Override
    public boolean hasCommitted() {
      return store.hasCommitted();
    }
  }

  /**
   * Spark's write store, whose {@link #commit()} snapshots as {@code minDeltasForSnapshot} says
   * ({@link #snapshotEveryNth}).
   */
  static final class SnapshotEveryNth extends ForwardingStore {
    SnapshotEveryNth(RocksDBStateStoreProvider.RocksDBStateStore store) {
      super(store);
    }

    @Override
    public long commit() {
      snapshotEveryNth(db());
      return super.commit();
    }
  }

  /**
   * A store whose {@link #iterator()} begins after the last key the evictions before it removed,
   * ends after the first key not removed before the next is asked for, and closes its RocksDB
   * iterator there (every other call goes to Spark's store).
   */
  static final class StopAtFirstLiveKey extends ForwardingStore {
    private final RocksDBStateEncoder encoder;
    private final byte[] start;
    private final Evicted evicted;
    private long removes;
    private byte[] lastRemoved;

    StopAtFirstLiveKey(
        RocksDBStateStoreProvider.RocksDBStateStore store,
        RocksDBStateEncoder encoder,
        byte[] start,
        Evicted evicted) {
      super(store);
      this.encoder = encoder;
      this.start = start;
      this.evicted = evicted;
    }

    /**
     * The keys from the oldest still in the store, decoded as Spark's store decodes them.
     *
     * <p>The scan starts at {@code start}, the last key the evictions of the version loaded
     * removed, when this provider committed that version, or else at the first key. A removed key
     * stays in RocksDB as a tombstone until a compaction into the bottom level drops it, and a scan
     * from the first key steps over every one of them (a settled 20,000 events/s job's evictions
     * took 0.27 s a micro-batch so, docs/benchmarks.md, "Thirty-sixth round"); a seek lands past
     * them. No live key can sort before {@code start}: the evictions removed every key up to it,
     * and every key put since is later than the watermark they used (the operator drops a row at or
     * before the watermark before it looks its key up), so its dropoff time, the first column, is
     * later than the removed key's.
     *
     * <p>The iterator is RocksDB's own, as Spark's {@link RocksDB#iterator()} makes it, and is
     * closed where the scan stops or ends, or else when the task ends. An iterator left open over
     * the commit keeps the memtables the commit flushes, and the blocks it stands on, in the memory
     * bound's cache (which is strict).
     */
    @Override
    public scala.collection.Iterator<UnsafeRowPair> iterator() {
      org.rocksdb.RocksIterator keys = nativeDb(db()).newIterator();
      if (start == null) {
        keys.seekToFirst();
      } else {
        keys.seek(start);
      }
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener(new CloseOnCompletion(keys));
      }
      return new scala.collection.AbstractIterator<>() {
        private final ByteArrayPair pair = new ByteArrayPair(null, null);
        private byte[] lastKey;
        private long removesAtLastKey = -1;
        private boolean ended;

        @Override
        public boolean hasNext() {
          if (ended) {
            return false;
          }
          if (lastKey != null) {
            if (removes == removesAtLastKey) {
              // the last key was kept: it is live, and so is every key after it
              ended = true;
              keys.close();
              return false;
            }
            lastRemoved = lastKey;
          }
          if (!keys.isValid()) {
            ended = true;
            keys.close();
            return false;
          }
          return true;
        }

        @Override
        public UnsafeRowPair next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          lastKey = keys.key();
          pair.set(lastKey, keys.value());
          keys.next();
          removesAtLastKey = removes;
          return encoder.decode(pair);
        }
      };
    }

    /** Closes a RocksDB iterator when the task that opened it ends (again, if it was). */
    private record CloseOnCompletion(org.rocksdb.RocksIterator keys)
        implements org.apache.spark.util.TaskCompletionListener {
      @Override
      public void onTaskCompletion(TaskContext context) {
        keys.close();
      }
    }

    @Override
    public void remove(UnsafeRow key) {
      removes++;
      super.remove(key);
    }

    @Override
    public long commit() {
      long version = super.commit();
      evicted.upTo(version, lastRemoved != null ? lastRemoved : start);
      return version;
    }
  }
}
