package io.taxiplatform.producer.replay;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Unsynchronized buffered streams for the spill files. {@link java.io.DataOutputStream} and {@link
 * java.io.DataInputStream} write and read an int or a double as several single-byte calls; on the
 * JDK's {@code Buffered*Stream} each of those takes a lock (about 60 per event, twice), which cost
 * about as much as the rest of the sort. One thread owns each spill file, so no lock is needed.
 *
 * <p>Both are also the {@link DataOutput} and {@link DataInput} themselves, with the same
 * big-endian bytes as {@link DataOutputStream} and {@link DataInputStream}: an int, a long or a
 * double is one store into (or load from) the buffer instead of four or eight single-byte calls
 * through the wrapper.
 */
final class SpillStreams {

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private SpillStreams() {}

  /**
   * A buffered output stream without locking (at least 8 bytes of buffer); or, without a stream
   * ({@link #inMemory}), a growing in-memory buffer (at most 2 GiB).
   */
  static final class Output extends OutputStream implements DataOutput {
    private final OutputStream out; // null: in memory
    private byte[] buf;
    private int n;

    Output(OutputStream out, int size) {
      this.out = out;
      this.buf = new byte[Math.max(size, 8)];
    }

    /** A buffer in memory that grows as written: read it with {@link #array} and {@link #size}. */
    static Output inMemory(int initialSize) {
      return new Output(null, initialSize);
    }

    /** The in-memory buffer (valid until the next write). */
    byte[] array() {
      return buf;
    }

    /** Bytes written to the in-memory buffer since the last {@link #reset}. */
    int size() {
      return n;
    }

    /** Empties the in-memory buffer (its capacity stays). */
    void reset() {
      n = 0;
    }

    /** Room for {@code k} more bytes in the buffer: drained to the stream, or grown in memory. */
    private void room(int k) throws IOException {
      if (buf.length - n >= k) {
        return;
      }
      if (out != null) {
        drain(); // k <= 8 <= buf.length here: write(byte[]) writes long arrays itself
        return;
      }
      long want = Math.max(2L * buf.length, (long) n + k);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IOException("in-memory buffer would exceed 2 GiB");
      }
      buf = java.util.Arrays.copyOf(buf, (int) want);
    }

    @Override
    public void writeInt(int v) throws IOException {
      room(4);
      INT.set(buf, n, v);
      n += 4;
    }

    @Override
    public void writeLong(long v) throws IOException {
      room(8);
      LONG.set(buf, n, v);
      n += 8;
    }

    @Override
    public void writeDouble(double v) throws IOException {
      writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeFloat(float v) throws IOException {
      writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeBoolean(boolean v) throws IOException {
      write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) throws IOException {
      write(v);
    }

    @Override
    public void writeShort(int v) throws IOException {
      write(v >>> 8);
      write(v);
    }

    @Override
    public void writeChar(int v) throws IOException {
      writeShort(v);
    }

    @Override
    public void writeBytes(String s) throws IOException {
      for (int i = 0; i < s.length(); i++) {
        write(s.charAt(i));
      }
    }

    @Override
    public void writeChars(String s) throws IOException {
      for (int i = 0; i < s.length(); i++) {
        writeChar(s.charAt(i));
      }
    }

    @Override
    public void writeUTF(String s) throws IOException {
      DataOutputStream d = new DataOutputStream(this); // modified UTF-8, as DataOutputStream
      d.writeUTF(s);
    }

    @Override
    public void write(int b) throws IOException {
      room(1);
      buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (out == null) {
        room(len);
        System.arraycopy(b, off, buf, n, len);
        n += len;
        return;
      }
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
      if (out != null && n > 0) {
        out.write(buf, 0, n);
        n = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      if (out != null) {
        drain();
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      if (out == null) {
        return;
      }
      try {
        flush();
      } finally {
        out.close();
      }
    }
  }

  /**
   * A buffered input stream without locking (at least 8 bytes of buffer); or ({@link #over}) a
   * reader of a window of a byte array in memory.
   */
  static final class Input extends InputStream implements DataInput {
    private final InputStream in; // null: a window of buf
    private final byte[] buf;
    private int pos;
    private int limit;

    Input(InputStream in, int size) {
      this.in = in;
      this.buf = new byte[Math.max(size, 8)];
    }

    private Input(byte[] data) {
      this.in = null;
      this.buf = data;
    }

    /** Reads {@code data} (not copied) from the window set by {@link #window}, empty at first. */
    static Input over(byte[] data) {
      return new Input(data);
    }

    /** The bytes {@code [from, to)} of the array of {@link #over} are what is read next. */
    void window(int from, int to) {
      pos = from;
      limit = to;
    }

    /** At least {@code k} (at most 8) bytes at {@code pos}, or {@link EOFException}. */
    private void need(int k) throws IOException {
      if (limit - pos >= k) {
        return;
      }
      if (in == null) {
        throw new EOFException();
      }
      int have = limit - pos;
      System.arraycopy(buf, pos, buf, 0, have);
      pos = 0;
      limit = have;
      while (limit < k) {
        int r = in.read(buf, limit, buf.length - limit);
        if (r <= 0) {
          throw new EOFException();
        }
        limit += r;
      }
    }

    @Override
    public int readInt() throws IOException {
      need(4);
      int v = (int) INT.get(buf, pos);
      pos += 4;
      return v;
    }

    @Override
    public long readLong() throws IOException {
      need(8);
      long v = (long) LONG.get(buf, pos);
      pos += 8;
      return v;
    }

    @Override
    public double readDouble() throws IOException {
      return Double.longBitsToDouble(readLong());
    }

    @Override
    public float readFloat() throws IOException {
      return Float.intBitsToFloat(readInt());
    }

    @Override
    public void readFully(byte[] b) throws IOException {
      readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int r = read(b, off, len);
        if (r < 0) {
          throw new EOFException();
        }
        off += r;
        len -= r;
      }
    }

    @Override
    public int skipBytes(int k) throws IOException {
      int skipped = 0;
      while (skipped < k && read() >= 0) {
        skipped++;
      }
      return skipped;
    }

    @Override
    public boolean readBoolean() throws IOException {
      return readUnsignedByte() != 0;
    }

    @Override
    public byte readByte() throws IOException {
      return (byte) readUnsignedByte();
    }

    @Override
    public int readUnsignedByte() throws IOException {
      int b = read();
      if (b < 0) {
        throw new EOFException();
      }
      return b;
    }

    @Override
    public short readShort() throws IOException {
      return (short) readUnsignedShort();
    }

    @Override
    public int readUnsignedShort() throws IOException {
      int hi = readUnsignedByte();
      return (hi << 8) | readUnsignedByte();
    }

    @Override
    public char readChar() throws IOException {
      return (char) readUnsignedShort();
    }

    /** Spill files hold no text lines (and {@link DataInputStream#readLine} is deprecated). */
    @Override
    public String readLine() {
      throw new UnsupportedOperationException("spill files hold no text lines");
    }

    @Override
    public String readUTF() throws IOException {
      return DataInputStream.readUTF(this);
    }

    private boolean fill() throws IOException {
      if (in == null) {
        return false;
      }
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
        if (in != null && len >= buf.length) {
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
      if (in != null) {
        in.close();
      }
    }
  }
}
