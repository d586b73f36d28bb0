package io.taxiplatform.streaming.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's local file system writes checkpoint files as Hadoop's does (same files, permissions,
 * statuses), without starting a process per file.
 */
class LocalFsWithoutForksTest {

  static Configuration withoutForks() {
    Configuration c = new Configuration();
    c.set("fs.AbstractFileSystem.file.impl", LocalFsWithoutForks.class.getName());
    c.set("fs.file.impl", LocalFileSystemWithoutForks.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    return c;
  }

  /** What Spark's checkpoint manager does per file: a temp file, then a rename over the target. */
  static void writeCheckpointFiles(Configuration conf, java.nio.file.Path dir, int n)
      throws Exception {
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    Path base = new Path(dir.toUri());
    for (int i = 0; i < n; i++) {
      Path tmp = new Path(base, "." + i + ".tmp");
      try (FSDataOutputStream out =
          fc.create(tmp, EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE))) {
        out.write(("batch " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      fc.rename(tmp, new Path(base, Integer.toString(i)), Options.Rename.OVERWRITE);
    }
  }

  /** Processes the JVM started while {@code action} ran (JFR's jdk.ProcessStart events). */
  static long processesStartedBy(ThrowingRunnable action, java.nio.file.Path dump)
      throws Exception {
    try (Recording r = new Recording()) {
      r.enable("jdk.ProcessStart");
      r.start();
      action.run();
      r.stop();
      r.dump(dump);
    }
    return RecordingFile.readAllEvents(dump).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.ProcessStart"))
        .count();
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void checkpointFilesAreWrittenWithoutStartingProcesses(@TempDir java.nio.file.Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("hadoop"));
    Files.createDirectories(dir.resolve("ours"));
    long hadoops =
        processesStartedBy(
            () -> writeCheckpointFiles(new Configuration(), dir.resolve("hadoop"), 5),
            dir.resolve("hadoop.jfr"));
    Assumptions.assumeTrue(
        hadoops > 0,
        "Hadoop's native library is loaded here, so Hadoop's own local file system starts no processes either");
    long ours =
        processesStartedBy(
            () -> writeCheckpointFiles(withoutForks(), dir.resolve("ours"), 5),
            dir.resolve("ours.jfr"));
    assertThat(hadoops).as("Hadoop's: chmod and readlink per file").isGreaterThanOrEqualTo(5);
    assertThat(ours).isZero();
    // the same files, contents and permissions
    try (var h = Files.list(dir.resolve("hadoop"));
        var o = Files.list(dir.resolve("ours"))) {
      assertThat(o.map(p -> p.getFileName().toString()).sorted().toList())
          .isEqualTo(h.map(p -> p.getFileName().toString()).sorted().toList())
          .contains("0", ".0.crc", "4", ".4.crc");
    }
    for (String f : new String[] {"3", ".3.crc"}) {
      assertThat(Files.readAllBytes(dir.resolve("ours").resolve(f)))
          .isEqualTo(Files.readAllBytes(dir.resolve("hadoop").resolve(f)));
      assertThat(Files.getPosixFilePermissions(dir.resolve("ours").resolve(f)))
          .isEqualTo(Files.getPosixFilePermissions(dir.resolve("hadoop").resolve(f)));
    }
  }

  @Test
  void permissionsAndLinkStatusesAreHadoops(@TempDir java.nio.file.Path dir) throws Exception {
    FileSystem ours = FileSystem.get(dir.toUri(), withoutForks());
    assertThat(ours).isInstanceOf(LocalFileSystemWithoutForks.class);
    Path file = new Path(dir.resolve("f").toUri());
    try (FSDataOutputStream out = ours.create(file)) {
      out.write(1);
    }
    for (String mode : new String[] {"640", "755", "600", "444"}) {
      ours.setPermission(file, new FsPermission(mode));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("f"))))
          .isEqualTo(PosixFilePermissions.toString(PosixFilePermissions.fromString(unix(mode))));
    }

    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("f"));
    Configuration plain = new Configuration();
    plain.setBoolean("fs.file.impl.disable.cache", true);
    FileSystem hadoops = FileSystem.get(dir.toUri(), plain);
    assertThat(hadoops).isNotInstanceOf(LocalFileSystemWithoutForks.class);
    for (String name : new String[] {"link", "f", ""}) {
      Path p = new Path(dir.resolve(name).toUri());
      FileStatus expected = hadoops.getFileLinkStatus(p);
      FileStatus actual = ours.getFileLinkStatus(p);
      assertThat(actual.isSymlink()).as(name).isEqualTo(expected.isSymlink());
      assertThat(actual.isFile()).as(name).isEqualTo(expected.isFile());
      assertThat(actual.isDirectory()).as(name).isEqualTo(expected.isDirectory());
      assertThat(actual.getLen()).as(name).isEqualTo(expected.getLen());
      assertThat(actual.getPath()).as(name).isEqualTo(expected.getPath());
      assertThat(actual.getPermission()).as(name).isEqualTo(expected.getPermission());
      if (expected.isSymlink()) {
        assertThat(actual.getSymlink()).as(name).isEqualTo(expected.getSymlink());
      }
    }
    assertThat(ours.getFileLinkStatus(new Path(dir.resolve("f").toUri())).isFile()).isTrue();
    assertThatThrownBy(() -> ours.getFileLinkStatus(new Path(dir.resolve("absent").toUri())))
        .isInstanceOf(FileNotFoundException.class);
    assertThatThrownBy(() -> hadoops.getFileLinkStatus(new Path(dir.resolve("absent").toUri())))
        .isInstanceOf(FileNotFoundException.class);
  }

  private static String unix(String octal) {
    String[] rwx = {"---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx"};
    StringBuilder s = new StringBuilder();
    for (char c : octal.toCharArray()) {
      s.append(rwx[c - '0']);
    }
    return s.toString();
  }
}
