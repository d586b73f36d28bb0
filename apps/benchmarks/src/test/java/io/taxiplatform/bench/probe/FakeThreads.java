package io.taxiplatform.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake {@code /proc/<pid>/task} directory for the tests of the thread CPU readers, and real CPU
 * time on the calling thread for the tests that read the real one.
 */
public final class FakeThreads {

  private FakeThreads() {}

  /**
   * Writes thread {@code tid}'s {@code comm} and {@code stat} (user and system time in ticks) under
   * {@code taskDir}, replacing what it held. The name in parentheses may hold spaces and
   * parentheses: the readers count the fields from the last {@code )}.
   */
  public static void thread(Path taskDir, int tid, String comm, long utime, long stime)
      throws IOException {
    Path t = Files.createDirectories(taskDir.resolve(Integer.toString(tid)));
    Files.writeString(t.resolve("comm"), comm + "\n");
    Files.writeString(
        t.resolve("stat"),
        tid
            + " ("
            + comm
            + ") S 1 1 1 0 -1 4194368 100 0 0 0 "
            + utime
            + " "
            + stime
            + " 0 0 20 0 60 0 123 4000000 900 18446744073709551615\n");
  }

  /** Removes thread {@code tid}: it ended. */
  public static void end(Path taskDir, int tid) throws IOException {
    Path t = taskDir.resolve(Integer.toString(tid));
    Files.delete(t.resolve("comm"));
    Files.delete(t.resolve("stat"));
    Files.delete(t);
  }

  /**
   * Keeps the calling thread busy on its core for {@code millis} of wall time; returns what it
   * computed (positive), so that the loop cannot be removed as dead code.
   */
  public static double spin(long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    double x = 0;
    while (System.nanoTime() < end) {
      x += Math.sqrt(x + 1);
    }
    return x;
  }
}
