package io.taxiplatform.producer.source;

/**
 * A finite or endless sequence of input rows. Not thread-safe. I/O failures surface as {@link
 * java.io.UncheckedIOException}; a file that cannot be read at all (missing required column,
 * unsupported type) fails with {@link IllegalArgumentException} naming the file and the problem.
 */
public interface TripSource extends AutoCloseable {

  /** {@code true} while there is another row. */
  boolean hasNext();

  /** The next row. */
  SourceRecord next();

  /** For logs and trip ids: the file name or {@code synthetic}. */
  String name();

  @Override
  void close();
}
