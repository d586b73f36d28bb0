package io.taxiplatform.producer.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The {@code taxi-replay} record header of replayed events: which replay a record belongs to and
 * its place in the emitted order, so that a restarted replay can skip what the topic already holds
 * ({@link ResumeScanner}). Value (ASCII): {@code id=<replay id>;seq=<n>} and, in time mode {@code
 * now}, {@code ;shift=<seconds>}.
 *
 * @param replayId {@link #replayId}
 * @param seq position of the record in the emitted order, from 0
 * @param shiftSeconds the time-mode-now shift, or {@code null} in time mode original
 */
public record ReplayMarker(String replayId, long seq, Long shiftSeconds) {

  /** The header name. */
  public static final String HEADER = "taxi-replay";

  /** The header value. */
  public byte[] encode() {
    return new Encoder(replayId).encode(seq, shiftSeconds);
  }

  /**
   * The header values of one replay, written straight into bytes: a replay sends one per event, so
   * no String, no marker object per event. The same bytes as {@link ReplayMarker#encode}.
   */
  public static final class Encoder {
    private static final byte[] SHIFT = ";shift=".getBytes(StandardCharsets.US_ASCII);
    private final byte[] prefix; // id=<replay id>;seq=

    public Encoder(String replayId) {
      this.prefix = ("id=" + replayId + ";seq=").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code new ReplayMarker(replayId, seq, shiftSeconds).encode()}. */
    public byte[] encode(long seq, Long shiftSeconds) {
      int seqLength = decimalLength(seq);
      int length = prefix.length + seqLength;
      long shift = 0;
      int shiftLength = 0;
      if (shiftSeconds != null) {
        shift = shiftSeconds;
        shiftLength = decimalLength(shift);
        length += SHIFT.length + shiftLength;
      }
      byte[] out = new byte[length];
      System.arraycopy(prefix, 0, out, 0, prefix.length);
      putDecimal(out, prefix.length + seqLength, seq);
      if (shiftSeconds != null) {
        int at = prefix.length + seqLength;
        System.arraycopy(SHIFT, 0, out, at, SHIFT.length);
        putDecimal(out, at + SHIFT.length + shiftLength, shift);
      }
      return out;
    }

    /** The characters of {@code Long.toString(v)}. */
    static int decimalLength(long v) {
      if (v == Long.MIN_VALUE) {
        return 20;
      }
      int n = v < 0 ? 2 : 1;
      for (long a = Math.abs(v); a >= 10; a /= 10) {
        n++;
      }
      return n;
    }

    /** Writes {@code Long.toString(v)} to end just before {@code end}. */
    private static void putDecimal(byte[] out, int end, long v) {
      if (v == Long.MIN_VALUE) {
        byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, end - text.length, text.length);
        return;
      }
      boolean negative = v < 0;
      long a = Math.abs(v);
      int at = end;
      do {
        out[--at] = (byte) ('0' + (a % 10));
        a /= 10;
      } while (a != 0);
      if (negative) {
        out[--at] = '-';
      }
    }
  }

  /** Parses a header value; empty when it is not one of ours (or {@code null}). */
  public static Optional<ReplayMarker> decode(byte[] value) {
    if (value == null) {
      return Optional.empty();
    }
    String id = null;
    Long seq = null;
    Long shift = null;
    try {
      for (String part : new String(value, StandardCharsets.US_ASCII).split(";")) {
        int eq = part.indexOf('=');
        if (eq < 0) {
          return Optional.empty();
        }
        String k = part.substring(0, eq);
        String v = part.substring(eq + 1);
        switch (k) {
          case "id" -> id = v;
          case "seq" -> seq = Long.parseLong(v);
          case "shift" -> shift = Long.parseLong(v);
          default -> {
            // a later version's field: ignored
          }
        }
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return id == null || seq == null
        ? Optional.empty()
        : Optional.of(new ReplayMarker(id, seq, shift));
  }

  /**
   * The identity of a replay: the first 16 hex digits of SHA-256 over the ordered input file names
   * (not their directories) and sizes, the order, the time mode and the period options. Everything
   * that decides which events are sent, in which order and with which times -- except the wall
   * clock of time mode {@code now} (its shift travels in the header instead) -- and nothing else:
   * rate, speed, max events, chunk size and spill directory may change between a run and its
   * resumption.
   */
  public static String replayId(
      List<Path> inputs,
      String order,
      String timeMode,
      YearMonth period,
      Duration periodTolerance) {
    StringBuilder sb = new StringBuilder("taxi-replay/1\n");
    for (Path p : inputs) {
      long size;
      try {
        size = Files.size(p);
      } catch (IOException e) {
        throw new UncheckedIOException(p + ": " + e.getMessage(), e);
      }
      sb.append("file=").append(p.getFileName()).append(" size=").append(size).append('\n');
    }
    sb.append("order=").append(order).append('\n');
    sb.append("time-mode=").append(timeMode).append('\n');
    sb.append("period=").append(period == null ? "-" : period.toString()).append('\n');
    sb.append("period-tolerance=").append(periodTolerance).append('\n');
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
