package io.taxiplatform.producer.replay;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition Kafka's default partitioner gives a record with a key: {@code
 * toPositive(murmur2(key bytes)) mod partitions} ({@code BuiltInPartitioner.partitionForKey}). The
 * replay sets it explicitly so that it knows where each record goes (resume), and the keyed layout
 * of the topic is the one a keyed producer without explicit partitions would give.
 */
public final class KeyPartitioner {

  private KeyPartitioner() {}

  /** The partition of a {@code StringSerializer}-serialized key. */
  public static int partition(String key, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
