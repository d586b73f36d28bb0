package io.taxiplatform.streaming.fs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.local.LocalConfigKeys;

/**
 * Hadoop's checksummed local {@code AbstractFileSystem} ({@code file:} for {@code FileContext},
 * which Spark's checkpoint and state store files go through) over {@link
 * RawLocalFileSystemWithoutForks}: the job sets it as {@code fs.AbstractFileSystem.file.impl}. It
 * is Hadoop's {@code LocalFs} / {@code RawLocalFs} pair with another raw file system (theirs
 * hard-code {@code new RawLocalFileSystem()}).
 */
public class LocalFsWithoutForks extends ChecksumFs {

  /** The constructor {@code AbstractFileSystem.get} calls. */
  public LocalFsWithoutForks(URI uri, Configuration conf) throws IOException, URISyntaxException {
    super(new Raw(conf));
  }

  /** Hadoop's {@code RawLocalFs} with {@link RawLocalFileSystemWithoutForks}. */
  static final class Raw extends DelegateToFileSystem {

    Raw(Configuration conf) throws IOException, URISyntaxException {
      super(
          FsConstants.LOCAL_FS_URI,
          new RawLocalFileSystemWithoutForks(),
          conf,
          FsConstants.LOCAL_FS_URI.getScheme(),
          false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1; // no default port for file:///
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      // Different local file systems have different validation rules; as Hadoop's RawLocalFs.
      return true;
    }
  }
}
