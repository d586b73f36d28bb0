package io.taxiplatform.producer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpillStreamsTest {

  @Test
  void bytesRoundTripThroughSmallBuffersWhateverTheWriteSizes() throws Exception {
    Random r = new Random(3);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new SpillStreams.Output(sink, 16))) {
      for (int i = 0; i < 2000; i++) {
        int kind = r.nextInt(3);
        if (kind == 0) {
          int v = r.nextInt();
          out.writeInt(v);
          new DataOutputStream(expected).writeInt(v);
        } else if (kind == 1) {
          double d = r.nextGaussian();
          out.writeDouble(d);
          new DataOutputStream(expected).writeDouble(d);
        } else {
          byte[] b = new byte[r.nextInt(40)]; // below, at and above the buffer size
          r.nextBytes(b);
          out.write(b);
          expected.write(b);
        }
      }
    }
    assertThat(sink.toByteArray()).isEqualTo(expected.toByteArray());

    byte[] all = expected.toByteArray();
    byte[] back = new byte[all.length];
    try (DataInputStream in =
        new DataInputStream(new SpillStreams.Input(new ByteArrayInputStream(all), 16))) {
      int pos = 0;
      while (pos < all.length) {
        int len = Math.min(all.length - pos, r.nextInt(40));
        if (len == 1) {
          back[pos] = (byte) in.read();
        } else {
          in.readFully(back, pos, len);
        }
        pos += len;
      }
      assertThat(in.read()).isEqualTo(-1);
      org.assertj.core.api.Assertions.assertThatThrownBy(in::readInt)
          .isInstanceOf(EOFException.class);
    }
    assertThat(back).isEqualTo(all);
  }
}
