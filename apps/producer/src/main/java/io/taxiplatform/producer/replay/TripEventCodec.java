package io.taxiplatform.producer.replay;

import io.taxiplatform.model.TripEvent;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Compact binary form of a {@link ReplayEvent} for the sort's spill files ({@link DataOutput},
 * big-endian). All 23 fields of {@link TripEvent} round-trip exactly, absent optional ones
 * included, whatever the values (a negative fare stays negative: nothing is validated or
 * re-parsed).
 *
 * <p>Layout: file index (int), row (long), a bit set of the null fields (int, bit {@code i} = field
 * {@code i} of the record is {@code null}), then every non-null field in record order: ints as int,
 * doubles as double (raw bits), instants as epoch second (long) + nano (int), strings as length
 * (int) + UTF-8 bytes. About 200 bytes per TLC row.
 */
public final class TripEventCodec {

  private static final int SOURCE = 2;
  private static final int VENDOR = 3;
  private static final int PASSENGERS = 6;
  private static final int RATECODE = 8;
  private static final int FLAG = 9;
  private static final int PAYMENT = 12;
  private static final int EXTRA = 14;
  private static final int MTA = 15;
  private static final int TOLLS = 17;
  private static final int IMPROVEMENT = 18;
  private static final int CONGESTION = 20;
  private static final int AIRPORT = 21;
  private static final int CBD = 22;

  private TripEventCodec() {}

  /** Writes one event. */
  public static void write(DataOutput out, ReplayEvent r) throws IOException {
    TripEvent e = r.event();
    int nulls =
        bit(SOURCE, e.source())
            | bit(VENDOR, e.vendorId())
            | bit(PASSENGERS, e.passengerCount())
            | bit(RATECODE, e.ratecodeId())
            | bit(FLAG, e.storeAndFwdFlag())
            | bit(PAYMENT, e.paymentType())
            | bit(EXTRA, e.extra())
            | bit(MTA, e.mtaTax())
            | bit(TOLLS, e.tollsAmount())
            | bit(IMPROVEMENT, e.improvementSurcharge())
            | bit(CONGESTION, e.congestionSurcharge())
            | bit(AIRPORT, e.airportFee())
            | bit(CBD, e.cbdCongestionFee());
    out.writeInt(r.fileIndex());
    out.writeLong(r.row());
    out.writeInt(nulls);
    out.writeInt(e.schemaVersion());
    writeString(out, e.tripId());
    if (e.source() != null) {
      writeString(out, e.source());
    }
    writeInt(out, e.vendorId());
    writeInstant(out, e.pickupTime());
    writeInstant(out, e.dropoffTime());
    writeInt(out, e.passengerCount());
    out.writeDouble(e.tripDistance());
    writeInt(out, e.ratecodeId());
    if (e.storeAndFwdFlag() != null) {
      writeString(out, e.storeAndFwdFlag());
    }
    out.writeInt(e.pickupZone());
    out.writeInt(e.dropoffZone());
    writeInt(out, e.paymentType());
    out.writeDouble(e.fareAmount());
    writeDouble(out, e.extra());
    writeDouble(out, e.mtaTax());
    out.writeDouble(e.tipAmount());
    writeDouble(out, e.tollsAmount());
    writeDouble(out, e.improvementSurcharge());
    out.writeDouble(e.totalAmount());
    writeDouble(out, e.congestionSurcharge());
    writeDouble(out, e.airportFee());
    writeDouble(out, e.cbdCongestionFee());
  }

  /**
   * Reads one event, or {@code null} at a clean end of input (no byte left).
   *
   * @throws EOFException when the input ends inside an event (a truncated file)
   */
  public static ReplayEvent read(DataInput in) throws IOException {
    int fileIndex;
    try {
      fileIndex = in.readInt();
    } catch (EOFException end) {
      return null;
    }
    long row = in.readLong();
    int nulls = in.readInt();
    int schemaVersion = in.readInt();
    String tripId = readString(in);
    String source = present(nulls, SOURCE) ? readString(in) : null;
    Integer vendor = present(nulls, VENDOR) ? in.readInt() : null;
    Instant pickup = readInstant(in);
    Instant dropoff = readInstant(in);
    Integer passengers = present(nulls, PASSENGERS) ? in.readInt() : null;
    double distance = in.readDouble();
    Integer ratecode = present(nulls, RATECODE) ? in.readInt() : null;
    String flag = present(nulls, FLAG) ? readString(in) : null;
    int pickupZone = in.readInt();
    int dropoffZone = in.readInt();
    Integer payment = present(nulls, PAYMENT) ? in.readInt() : null;
    double fare = in.readDouble();
    Double extra = present(nulls, EXTRA) ? in.readDouble() : null;
    Double mta = present(nulls, MTA) ? in.readDouble() : null;
    double tip = in.readDouble();
    Double tolls = present(nulls, TOLLS) ? in.readDouble() : null;
    Double improvement = present(nulls, IMPROVEMENT) ? in.readDouble() : null;
    double total = in.readDouble();
    Double congestion = present(nulls, CONGESTION) ? in.readDouble() : null;
    Double airport = present(nulls, AIRPORT) ? in.readDouble() : null;
    Double cbd = present(nulls, CBD) ? in.readDouble() : null;
    TripEvent e =
        new TripEvent(
            schemaVersion,
            tripId,
            source,
            vendor,
            pickup,
            dropoff,
            passengers,
            distance,
            ratecode,
            flag,
            pickupZone,
            dropoffZone,
            payment,
            fare,
            extra,
            mta,
            tip,
            tolls,
            improvement,
            total,
            congestion,
            airport,
            cbd);
    return new ReplayEvent(e, fileIndex, row);
  }

  private static int bit(int field, Object value) {
    return value == null ? 1 << field : 0;
  }

  private static boolean present(int nulls, int field) {
    return (nulls & (1 << field)) == 0;
  }

  private static void writeInt(DataOutput out, Integer v) throws IOException {
    if (v != null) {
      out.writeInt(v);
    }
  }

  private static void writeDouble(DataOutput out, Double v) throws IOException {
    if (v != null) {
      out.writeDouble(v);
    }
  }

  private static void writeInstant(DataOutput out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(DataInput in) throws IOException {
    long s = in.readLong();
    return Instant.ofEpochSecond(s, in.readInt());
  }

  private static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("corrupt spill file: string length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
