package io.taxiplatform.producer.source;

/**
 * Why the producer could not turn an input row into a trip event. These are about the file, not the
 * trip: a row that parses into an event is sent even if the streaming job will dead-letter it (a
 * negative fare, a zone out of range...). The names are the {@code reason} label of {@code
 * taxi_producer_rows_rejected_total}.
 */
public final class RowRejects {

  /** A required column is empty or null (detail names the column). */
  public static final String MISSING_FIELD = "missing_field";

  /** A numeric column does not hold a number (or an integer column a whole number). */
  public static final String BAD_NUMBER = "bad_number";

  /** A timestamp column cannot be parsed. */
  public static final String UNPARSEABLE_TIMESTAMP = "unparseable_timestamp";

  /** A CSV line has a different number of fields than the header. */
  public static final String WRONG_COLUMN_COUNT = "wrong_column_count";

  /** A CSV line cannot be split into fields (unbalanced quotes). */
  public static final String MALFORMED_ROW = "malformed_row";

  /**
   * The row's dropoff lies outside its file's period (the month in the file name or {@code
   * --period}) by more than the tolerance: TLC files carry a few trips of other years
   * (docs/producer.md, "Period rule").
   */
  public static final String OUTSIDE_PERIOD = "outside_period";

  private RowRejects() {}
}
