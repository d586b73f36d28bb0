package io.taxiplatform.producer.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Unsynchronized buffered streams for the spill files. {@link java.io.DataOutputStream} and {@link
 * java.io.DataInputStream} write and read an int or a double as several single-byte calls; on the
 * JDK's {@code Buffered*Stream} each of those takes a lock (about 60 per event, twice), which cost
 * about as much as the rest of the sort. One thread owns each spill file, so no lock is needed.
 */
final class SpillStreams {

  private SpillStreams() {}

  /** A buffered output stream without locking. */
  static final class Output extends OutputStream {
    private final OutputStream out;
    private final byte[] buf;
    private int n;

    Output(OutputStream out, int size) {
      this.out = out;
      this.buf = new byte[size];
    }

    @Override
    public void write(int b) throws IOException {
      if (n == buf.length) {
        drain();
      }
      buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len >= buf.length) {
        drain();
        out.write(b, off, len);
        return;
      }
      if (len > buf.length - n) {
        drain();
      }
      System.arraycopy(b, off, buf, n, len);
      n += len;
    }

    private void drain() throws IOException {
      if (n > 0) {
        out.write(buf, 0, n);
        n = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      drain();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        out.close();
      }
    }
  }

  /** A buffered input stream without locking. */
  static final class Input extends InputStream {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;

    Input(InputStream in, int size) {
      this.in = in;
      this.buf = new byte[size];
    }

    private boolean fill() throws IOException {
      int r = in.read(buf, 0, buf.length);
      pos = 0;
      limit = Math.max(r, 0);
      return r > 0;
    }

    @Override
    public int read() throws IOException {
      if (pos == limit && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos == limit) {
        if (len >= buf.length) {
          return in.read(b, off, len);
        }
        if (!fill()) {
          return -1;
        }
      }
      int k = Math.min(len, limit - pos);
      System.arraycopy(buf, pos, b, off, k);
      pos += k;
      return k;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
