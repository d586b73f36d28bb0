package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.apache.spark.sql.RuntimeConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The memtable sizing of {@link StateStoreMemory}, each test on fresh settings. */
class StateStoreMemoryTest {

  /** A session's settings without a session: what {@code SparkSession.conf()} wraps. */
  private RuntimeConfig conf;

  @BeforeEach
  void freshSettings() {
    conf = new RuntimeConfig(new org.apache.spark.sql.internal.SQLConf());
  }

  @Test
  void memtablesOfEveryStoreFitInTheWriteBuffersShareOfTheBound() {
    // 256 MiB, half for write buffers, 2 operators x 2 partitions, 2 memtables each: 16 MiB.
    assertThat(StateStoreMemory.memtableMb(256, 2, 0.5)).contains(16);
    // The chart's kind values: 128 MiB and 4 partitions.
    assertThat(StateStoreMemory.memtableMb(128, 4, 0.5)).contains(4);
    assertThat(StateStoreMemory.memtableMb(512, 12, 0.5)).contains(5);
    for (int bound : new int[] {16, 64, 100, 256, 777, 4096}) {
      for (int partitions = 1; partitions <= 40; partitions++) {
        Optional<Integer> mb = StateStoreMemory.memtableMb(bound, partitions, 0.5);
        int stores = StateStoreMemory.STATEFUL_OPERATORS * partitions;
        if (mb.isPresent()) {
          assertThat((long) mb.get() * StateStoreMemory.MEMTABLES * stores)
              .as("bound %d, %d partitions", bound, partitions)
              .isLessThanOrEqualTo(bound / 2);
          assertThat(bound)
              .isGreaterThanOrEqualTo(StateStoreMemory.minimumBoundMb(partitions, 0.5));
        } else {
          assertThat(bound).isLessThan(StateStoreMemory.minimumBoundMb(partitions, 0.5));
        }
      }
    }
  }

  @Test
  void aLargeBoundKeepsRocksDbsDefaultMemtableSize() {
    assertThat(StateStoreMemory.memtableMb(65536, 1, 0.5)).contains(64);
  }

  @Test
  void tooSmallABoundForTheShufflePartitionsIsRefusedNamingBothSettings() {
    assertThat(StateStoreMemory.memtableMb(16, 3, 0.5)).isEmpty();
    assertThat(StateStoreMemory.minimumBoundMb(3, 0.5)).isEqualTo(24);
    assertThatThrownBy(() -> StateStoreMemory.apply(conf, 16, 3, true))
        .isInstanceOf(TripsTopic.StartupException.class)
        .hasMessageContaining("STATE_STORE_MEMORY_MB=16")
        .hasMessageContaining("SHUFFLE_PARTITIONS=3")
        .hasMessageContaining("at least 24");
    assertThat(conf.contains(StateStoreMemory.WRITE_BUFFER_SIZE_MB)).isFalse();
  }

  @Test
  void setsSizeAndNumberBeforeTheQueryStarts() {
    StateStoreMemory.apply(conf, 256, 2, true);
    assertThat(conf.get(StateStoreMemory.WRITE_BUFFER_SIZE_MB)).isEqualTo("16");
    assertThat(conf.get(StateStoreMemory.MAX_WRITE_BUFFER_NUMBER)).isEqualTo("2");
  }

  @Test
  void theStoreIsNotRocksDbSoASmallBoundIsNoError() {
    StateStoreMemory.apply(conf, 16, 3, false);
    assertThat(conf.get(StateStoreMemory.WRITE_BUFFER_SIZE_MB)).isEqualTo("1");
  }

  @Test
  void theWriteBuffersShareIsReadFromTheConf() {
    conf.set(StateStoreMemory.WRITE_BUFFER_RATIO, "0.25");
    StateStoreMemory.apply(conf, 256, 2, true);
    assertThat(conf.get(StateStoreMemory.WRITE_BUFFER_SIZE_MB)).isEqualTo("8");
  }

  @Test
  void memtablesTheSparkConfNamesAreKept() {
    conf.set(StateStoreMemory.MAX_WRITE_BUFFER_NUMBER, "3");
    StateStoreMemory.apply(conf, 16, 3, true);
    assertThat(conf.get(StateStoreMemory.MAX_WRITE_BUFFER_NUMBER)).isEqualTo("3");
    assertThat(conf.contains(StateStoreMemory.WRITE_BUFFER_SIZE_MB)).isFalse();
  }
}
