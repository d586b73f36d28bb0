package io.taxiplatform.producer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cassandra connection for the {@code check} and {@code smoke} modes (the {@code CASSANDRA_*}
 * variables of docs/contracts.md). The password is never printed.
 */
public record CassandraSettings(
    List<InetSocketAddress> contactPoints,
    String localDc,
    String username,
    String password,
    boolean sslEnabled,
    String truststorePath,
    String truststorePassword,
    String keyspace,
    String pipelineVersion) {

  static CassandraSettings fromEnv(Map<String, String> env) throws UsageException {
    List<InetSocketAddress> points = new ArrayList<>();
    for (String hp : env.getOrDefault("CASSANDRA_CONTACT_POINTS", "127.0.0.1:9042").split(",")) {
      String s = hp.trim();
      if (s.isEmpty()) {
        continue;
      }
      int colon = s.lastIndexOf(':');
      try {
        points.add(
            colon < 0
                ? InetSocketAddress.createUnresolved(s, 9042)
                : InetSocketAddress.createUnresolved(
                    s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
      } catch (IllegalArgumentException e) {
        throw new UsageException("CASSANDRA_CONTACT_POINTS: not host:port: " + s);
      }
    }
    if (points.isEmpty()) {
      throw new UsageException("CASSANDRA_CONTACT_POINTS is empty");
    }
    String version = env.getOrDefault("PIPELINE_VERSION", "v1");
    if (!version.matches("[a-z0-9_]+")) {
      throw new UsageException("PIPELINE_VERSION must match [a-z0-9_]+: " + version);
    }
    String keyspace = env.getOrDefault("CASSANDRA_KEYSPACE", "taxi");
    if (!keyspace.matches("[A-Za-z0-9_]+")) {
      throw new UsageException("CASSANDRA_KEYSPACE must match [A-Za-z0-9_]+: " + keyspace);
    }
    return new CassandraSettings(
        List.copyOf(points),
        env.getOrDefault("CASSANDRA_LOCAL_DC", "datacenter1"),
        Env.blankToNull(env.get("CASSANDRA_USERNAME")),
        Env.blankToNull(env.get("CASSANDRA_PASSWORD")),
        Boolean.parseBoolean(env.getOrDefault("CASSANDRA_SSL_ENABLED", "false")),
        Env.blankToNull(env.get("CASSANDRA_SSL_TRUSTSTORE_PATH")),
        Env.blankToNull(env.get("CASSANDRA_SSL_TRUSTSTORE_PASSWORD")),
        keyspace,
        version);
  }

  /** {@code zone_windows_<version>}. */
  public String zoneWindowsTable() {
    return "zone_windows_" + pipelineVersion;
  }

  @Override
  public String toString() {
    return "CassandraSettings[contactPoints="
        + contactPoints
        + ", localDc="
        + localDc
        + ", username="
        + username
        + ", password="
        + Env.mask(password)
        + ", sslEnabled="
        + sslEnabled
        + ", truststorePath="
        + truststorePath
        + ", truststorePassword="
        + Env.mask(truststorePassword)
        + ", keyspace="
        + keyspace
        + ", pipelineVersion="
        + pipelineVersion
        + "]";
  }
}
