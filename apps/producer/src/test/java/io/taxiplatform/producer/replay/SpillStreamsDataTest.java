package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SpillStreams as DataOutput/DataInput write and read the bytes of DataOutputStream and
 * DataInputStream (the spill format did not change), across buffer boundaries.
 */
class SpillStreamsDataTest {

  private interface Writes {
    void to(DataOutput out) throws IOException;
  }

  private static Writes randomWrites(long seed) {
    return out -> {
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < 5_000; i++) {
        switch (r.nextInt(7)) {
          case 0 -> out.writeInt(r.nextInt());
          case 1 -> out.writeLong(r.nextLong());
          case 2 -> out.writeDouble(r.nextDouble() * 1000 - 500);
          case 3 -> out.write(r.nextInt(256));
          case 4 -> {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            out.write(b);
          }
          case 5 -> out.writeShort(r.nextInt());
          default -> out.writeUTF("zone é " + r.nextInt(1000));
        }
      }
    };
  }

  @Test
  void writesTheBytesOfDataOutputStream() throws IOException {
    for (int size : new int[] {1, 8, 9, 13, 64, 1 << 16}) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      try (DataOutputStream d = new DataOutputStream(expected)) {
        randomWrites(size).to(d);
      }
      ByteArrayOutputStream actual = new ByteArrayOutputStream();
      try (SpillStreams.Output o = new SpillStreams.Output(actual, size)) {
        randomWrites(size).to(o);
      }
      assertThat(actual.toByteArray()).as("buffer %d", size).isEqualTo(expected.toByteArray());
    }
  }

  private static List<Object> readAll(DataInput in) throws IOException {
    List<Object> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(3);
    try {
      while (true) {
        switch (r.nextInt(6)) {
          case 0 -> out.add(in.readInt());
          case 1 -> out.add(in.readLong());
          case 2 -> out.add(Double.doubleToRawLongBits(in.readDouble()));
          case 3 -> out.add(in.readUnsignedByte());
          case 4 -> out.add((int) in.readShort());
          default -> {
            byte[] b = new byte[r.nextInt(30)];
            in.readFully(b);
            out.add(java.util.Arrays.toString(b));
          }
        }
      }
    } catch (EOFException end) {
      out.add("EOF");
    }
    return out;
  }

  @Test
  void readsWhatDataInputStreamReads() throws IOException {
    byte[] data = new byte[20_003];
    new SplittableRandom(11).nextBytes(data);
    List<Object> expected = readAll(new DataInputStream(new ByteArrayInputStream(data)));
    for (int size : new int[] {1, 8, 9, 13, 64, 1 << 16}) {
      List<Object> actual = readAll(new SpillStreams.Input(new ByteArrayInputStream(data), size));
      // DataInputStream consumes the bytes of a partial int/long at the end before its EOF; the
      // values read before the end are the same
      assertThat(actual).as("buffer %d", size).isEqualTo(expected);
    }
  }

  @Test
  void aTruncatedIntIsAnEndOfFile() {
    SpillStreams.Input in = new SpillStreams.Input(new ByteArrayInputStream(new byte[3]), 8);
    assertThatThrownBy(in::readInt).isInstanceOf(EOFException.class);
  }
}
