package io.taxiplatform.streaming;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.taxiplatform.model.ParseResult;
import io.taxiplatform.model.RejectReason;
import io.taxiplatform.model.Rejection;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import io.taxiplatform.model.TripMetrics;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Parses and validates Kafka records with the shared trip model ({@link TripEventJson#parse}): each
 * input record becomes exactly one output row, either a valid trip ({@code reason} null, trip
 * columns set) or a dead letter ({@code reason}, {@code detail} and {@code dead_letter} JSON set,
 * trip columns null; in particular its {@code dropoff_time} is null, so a rejected record can never
 * reach the watermark).
 *
 * <p>Input columns ({@link #INPUT_COLUMNS}): the Kafka source's {@code key, value, topic,
 * partition, offset, timestamp} plus {@code processing_time} (the micro-batch time, {@code
 * current_timestamp()}, also the dead letter's {@code rejected_at}).
 *
 * <p>{@code event_time_in_future} measures the skew from the record's Kafka timestamp (when it was
 * produced), capped at the micro-batch time ({@link #skewReference}): a record gets the same
 * verdict whenever it is read, live, after an outage, or replayed into a new pipeline version
 * months later. The cap keeps a producer that stamps its records in the future (CreateTime is the
 * producer's clock) from letting a far-future event through to the watermark.
 *
 * <p>In the job the parser writes the rejected records itself ({@link #writingDeadLetters}): they
 * go to the dead-letter topic from the task that parsed them ({@link DeadLetterWriter}) and only
 * the valid trips come out, so the topic is read and parsed once for both.
 */
public final class TripParser implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** The columns the parser reads, in this order. */
  public static final String[] INPUT_COLUMNS = {
    "key", "value", "topic", "partition", "offset", "timestamp", "processing_time"
  };

  /** Per-trip money and distance: exact decimals (cents, 0.01 mile). */
  public static final DecimalType AMOUNT = DataTypes.createDecimalType(18, 2);

  /** Largest absolute amount that fits {@link #AMOUNT}. */
  static final BigDecimal MAX_AMOUNT = new BigDecimal("9999999999999999.99");

  /** Output schema. */
  public static final StructType SCHEMA =
      new StructType()
          .add("key", DataTypes.BinaryType, true)
          .add("reason", DataTypes.StringType, true)
          .add("detail", DataTypes.StringType, true)
          .add("dead_letter", DataTypes.StringType, true)
          .add("trip_id", DataTypes.StringType, true)
          .add("pickup_zone", DataTypes.IntegerType, true)
          .add("dropoff_zone", DataTypes.IntegerType, true)
          .add("pickup_time", DataTypes.TimestampType, true)
          .add("dropoff_time", DataTypes.TimestampType, true)
          .add("trip_distance", AMOUNT, true)
          .add("fare_amount", AMOUNT, true)
          .add("total_amount", AMOUNT, true)
          .add("tip_pct", DataTypes.DoubleType, true)
          .add("duration_s", DataTypes.LongType, true)
          .add("ingest_time", DataTypes.TimestampType, true);

  private static final JsonFactory JSON = new JsonFactory();

  private final Duration maxSkew;
  private final DeadLetterWriter deadLetters;

  /** Every record becomes a row. */
  public TripParser(Duration maxSkew) {
    this(maxSkew, null);
  }

  /**
   * A parser that writes each rejected record to the dead-letter topic with {@code deadLetters} and
   * returns the valid trips only ({@code null}: every record becomes a row).
   */
  TripParser(Duration maxSkew, DeadLetterWriter deadLetters) {
    this.maxSkew = maxSkew;
    this.deadLetters = deadLetters;
  }

  /**
   * A parser that returns the valid trips and writes the rejected records to the dead-letter topic
   * with {@code deadLetters} (the job's parse step: {@link Aggregations#aggregationInput}).
   */
  static TripParser writingDeadLetters(Duration maxSkew, DeadLetterWriter deadLetters) {
    return new TripParser(maxSkew, java.util.Objects.requireNonNull(deadLetters));
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    if (deadLetters == null) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return input.hasNext();
        }

        @Override
        public Row next() {
          return parse(input.next());
        }
      };
    }
    DeadLetterWriter.Task task = deadLetters.task();
    return new Iterator<>() {
      private Row next;
      private boolean finished;

      @Override
      public boolean hasNext() {
        while (next == null && input.hasNext()) {
          Row row = parse(input.next());
          if (row.isNullAt(REASON)) {
            next = row;
          } else {
            task.send((byte[]) row.get(0), row.getString(REASON), row.getString(DEAD_LETTER));
          }
        }
        if (next == null && !finished) {
          // The task's input is read: its dead letters must be written before the task ends.
          finished = true;
          task.finish();
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
      }
    };
  }

  private static final int REASON = SCHEMA.fieldIndex("reason");
  private static final int DEAD_LETTER = SCHEMA.fieldIndex("dead_letter");

  /**
   * The time {@code event_time_in_future} measures from: the record's Kafka timestamp, or the
   * micro-batch time when that is earlier (or the record has none).
   */
  static Instant skewReference(Timestamp recordTimestamp, Instant batchTime) {
    if (recordTimestamp == null) {
      return batchTime;
    }
    Instant produced = recordTimestamp.toInstant();
    return produced.isBefore(batchTime) ? produced : batchTime;
  }

  /** One input row (see {@link #INPUT_COLUMNS}) to one output row ({@link #SCHEMA}). */
  public Row parse(Row in) {
    byte[] key = (byte[]) in.get(0);
    byte[] value = (byte[]) in.get(1);
    Timestamp ingest = in.getTimestamp(5);
    Timestamp processing = in.getTimestamp(6);
    Instant now = processing == null ? Instant.now() : processing.toInstant();
    ParseResult result = TripEventJson.parse(value, skewReference(ingest, now), maxSkew);
    if (result instanceof TripEvent trip) {
      BigDecimal total = cents(trip.totalAmount());
      if (total.abs().compareTo(MAX_AMOUNT) > 0) {
        result =
            new Rejection(
                RejectReason.INVALID_FIELD,
                "total_amount=" + trip.totalAmount() + " (outside the representable range)");
      } else {
        return row(
            key,
            null,
            null,
            null,
            trip.tripId(),
            trip.pickupZone(),
            trip.dropoffZone(),
            Timestamp.from(trip.pickupTime()),
            Timestamp.from(trip.dropoffTime()),
            cents(trip.tripDistance()),
            cents(trip.fareAmount()),
            total,
            TripMetrics.tipPercent(trip.tipAmount(), trip.fareAmount()),
            TripMetrics.durationSeconds(trip),
            ingest);
      }
    }
    Rejection rejection = (Rejection) result;
    String dlq =
        deadLetterJson(
            rejection,
            value,
            in.getString(2),
            in.isNullAt(3) ? null : in.getInt(3),
            in.isNullAt(4) ? null : in.getLong(4),
            ingest == null ? null : ingest.toInstant(),
            now);
    return row(
        key,
        rejection.reason().wireName(),
        rejection.detail(),
        dlq,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        ingest);
  }

  /**
   * {@link TripMetrics#roundCents} (also {@link TripMetrics#roundDistance}), without its decimal
   * string when the value already is a whole number of cents: when {@code c / 100.0 == amount} for
   * {@code c = round(amount * 100)}, the decimal {@code c / 100} rounds to {@code amount}, so its
   * shortest decimal form (what {@code BigDecimal.valueOf} reads) rounds half-up to {@code c / 100}
   * too. Any other value takes the exact path.
   */
  static BigDecimal cents(double amount) {
    if (Math.abs(amount) < 1e12) {
      long c = Math.round(amount * 100);
      if (c / 100.0 == amount) {
        return BigDecimal.valueOf(c, 2);
      }
    }
    return TripMetrics.roundCents(amount);
  }

  private static Row row(Object... values) {
    return new GenericRowWithSchema(values, SCHEMA);
  }

  /** The dead-letter record value of docs/contracts.md. */
  public static String deadLetterJson(
      Rejection rejection,
      byte[] original,
      String topic,
      Integer partition,
      Long offset,
      Instant sourceTimestamp,
      Instant rejectedAt) {
    StringWriter out = new StringWriter(256 + (original == null ? 0 : original.length * 2));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("reason", rejection.reason().wireName());
      g.writeStringField("detail", rejection.detail());
      if (original == null) {
        g.writeNullField("original");
      } else {
        g.writeStringField("original", originalText(original));
      }
      g.writeStringField("source_topic", topic);
      if (partition == null) {
        g.writeNullField("source_partition");
      } else {
        g.writeNumberField("source_partition", partition);
      }
      if (offset == null) {
        g.writeNullField("source_offset");
      } else {
        g.writeNumberField("source_offset", offset);
      }
      g.writeStringField(
          "source_timestamp", sourceTimestamp == null ? null : sourceTimestamp.toString());
      g.writeStringField("rejected_at", rejectedAt.toString());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The original value as UTF-8 text, or base64 when it is not valid UTF-8. */
  static String originalText(byte[] original) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(original))
          .toString();
    } catch (CharacterCodingException e) {
      return Base64.getEncoder().encodeToString(original);
    }
  }
}
