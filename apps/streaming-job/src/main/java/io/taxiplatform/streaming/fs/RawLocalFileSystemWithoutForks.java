package io.taxiplatform.streaming.fs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without its child processes. Without Hadoop's native library (which
 * Spark's distribution and this job's images do not ship), {@link RawLocalFileSystem} forks {@code
 * chmod} for every file it creates ({@link #setPermission}) and {@code readlink} for every link
 * status ({@link #getFileLinkStatus}), which {@code FileContext.rename} asks for several times:
 * measured, ten processes per checkpoint file written (a temp file, its {@code .crc}, the rename).
 * Every micro-batch writes an offsets file, a commit file and a state delta file per stateful
 * operator and shuffle partition, so a live batch spent a large part of its time forking.
 *
 * <p>Here both are done with {@code java.nio}: the same permission bits, and the same status of a
 * path that is not a symbolic link ({@link #getFileStatus}, as Hadoop's own fallback returns for
 * one). A symbolic link, and a file system without POSIX permissions, take Hadoop's own path.
 */
public class RawLocalFileSystemWithoutForks extends RawLocalFileSystem {

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    java.nio.file.Path path = pathToFile(p).toPath();
    try {
      Files.setPosixFilePermissions(path, posix(permission));
    } catch (UnsupportedOperationException e) {
      super.setPermission(p, permission);
    }
  }

  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    File file = pathToFile(f);
    if (!Files.isSymbolicLink(file.toPath())) {
      // Not a link (or absent: getFileStatus throws FileNotFoundException, as Hadoop does).
      return getFileStatus(f);
    }
    return super.getFileLinkStatus(f);
  }

  /** The POSIX permissions of {@code permission}'s user, group and other bits. */
  static Set<PosixFilePermission> posix(FsPermission permission) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    add(
        out,
        permission.getUserAction(),
        PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE);
    add(
        out,
        permission.getGroupAction(),
        PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE);
    add(
        out,
        permission.getOtherAction(),
        PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_EXECUTE);
    return out;
  }

  private static void add(
      Set<PosixFilePermission> out,
      FsAction action,
      PosixFilePermission read,
      PosixFilePermission write,
      PosixFilePermission execute) {
    if (action.implies(FsAction.READ)) {
      out.add(read);
    }
    if (action.implies(FsAction.WRITE)) {
      out.add(write);
    }
    if (action.implies(FsAction.EXECUTE)) {
      out.add(execute);
    }
  }
}
