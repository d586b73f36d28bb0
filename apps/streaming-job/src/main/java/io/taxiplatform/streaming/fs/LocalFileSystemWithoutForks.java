package io.taxiplatform.streaming.fs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Hadoop's checksummed local {@code FileSystem} ({@code file:}) over {@link
 * RawLocalFileSystemWithoutForks}: the job sets it as {@code fs.file.impl}.
 */
public class LocalFileSystemWithoutForks extends LocalFileSystem {

  public LocalFileSystemWithoutForks() {
    super(new RawLocalFileSystemWithoutForks());
  }
}
