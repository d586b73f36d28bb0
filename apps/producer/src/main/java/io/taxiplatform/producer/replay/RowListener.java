package io.taxiplatform.producer.replay;

/**
 * Told about every input row as it is read: the run's {@code read} and {@code rejected} counters.
 */
public interface RowListener {

  /** One input row was read (an event or not). */
  void onRowRead();

  /** The row just read cannot or must not be sent; {@code reason} is one of {@code RowRejects}. */
  void onRejected(String reason, String detail);

  /** A listener that ignores everything (benchmarks, tests). */
  RowListener NONE =
      new RowListener() {
        @Override
        public void onRowRead() {}

        @Override
        public void onRejected(String reason, String detail) {}
      };
}
