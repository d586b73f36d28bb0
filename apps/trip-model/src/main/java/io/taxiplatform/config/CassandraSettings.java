package io.taxiplatform.config;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * Cassandra connection settings, one set of rules for the producer's check and smoke modes, the
 * streaming job and the Cassandra access setup (the {@code CASSANDRA_*} variables of
 * docs/contracts.md). Passwords are never printed.
 *
 * @param contactPoints {@code host[:port],...} (port 9042 by default)
 * @param localDc the local datacenter
 * @param username login role, or {@code null}
 * @param password its password (secret), or {@code null}
 * @param sslEnabled TLS to Cassandra
 * @param truststorePath the cluster CA store, or {@code null}
 * @param truststorePassword its password (secret), or {@code null}
 * @param keyspace a CQL identifier
 * @param replication the CQL replication map used when the keyspace is created
 * @param ttlSeconds TTL of the rows the job writes
 */
public record CassandraSettings(
    String contactPoints,
    String localDc,
    String username,
    String password,
    boolean sslEnabled,
    String truststorePath,
    String truststorePassword,
    String keyspace,
    String replication,
    int ttlSeconds)
    implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,47}");

  /**
   * The non-secret {@code CASSANDRA_*} options, declared once (a picocli mixin); the passwords are
   * {@link Secrets#CASSANDRA}.
   */
  public static final class Options {
    @Option(
        names = "--cassandra-contact-points",
        paramLabel = "H:P[,H:P]",
        defaultValue = "${env:CASSANDRA_CONTACT_POINTS:-127.0.0.1:9042}",
        description = "comma-separated host:port (port 9042 by default)")
    String contactPoints;

    @Option(
        names = "--cassandra-local-dc",
        paramLabel = "DC",
        defaultValue = "${env:CASSANDRA_LOCAL_DC:-datacenter1}",
        description = "the local datacenter (k8ssandra: the datacenter name, dc1)")
    String localDc;

    @Option(
        names = "--cassandra-username",
        paramLabel = "ROLE",
        defaultValue = "${env:CASSANDRA_USERNAME:-}",
        description = "login role; its password: CASSANDRA_PASSWORD (both or neither)")
    String username;

    @Option(
        names = "--cassandra-ssl-enabled",
        paramLabel = "true|false",
        defaultValue = "${env:CASSANDRA_SSL_ENABLED:-false}",
        description = "TLS to Cassandra")
    String sslEnabled;

    @Option(
        names = "--cassandra-ssl-truststore-path",
        paramLabel = "FILE",
        defaultValue = "${env:CASSANDRA_SSL_TRUSTSTORE_PATH:-}",
        description =
            "the cluster CA (.p12/.pfx read as PKCS12, else JKS); the chain is checked, not the host"
                + " name")
    String truststorePath;

    @Option(
        names = "--cassandra-keyspace",
        paramLabel = "NAME",
        defaultValue = "${env:CASSANDRA_KEYSPACE:-taxi}",
        description = "the keyspace, a CQL identifier")
    String keyspace;

    /**
     * These options with the passwords of {@code env}, and the job's replication and TTL.
     *
     * @throws UsageException naming the variable
     */
    public CassandraSettings toSettings(
        Map<String, String> env, String replication, String ttlSeconds) {
      String ks = keyspace.trim();
      if (!IDENTIFIER.matcher(ks).matches()) {
        throw new UsageException("CASSANDRA_KEYSPACE must be a CQL identifier, got '" + ks + "'");
      }
      String repl = replication.trim();
      if (!repl.startsWith("{") || !repl.endsWith("}") || !repl.contains("'class'")) {
        throw new UsageException(
            "CASSANDRA_REPLICATION must be a CQL replication map like "
                + "{'class': 'SimpleStrategy', 'replication_factor': 1}, got '"
                + repl
                + "'");
      }
      long ttl;
      try {
        ttl = Long.parseLong(ttlSeconds.trim());
      } catch (NumberFormatException e) {
        throw new UsageException(
            "CASSANDRA_TTL_SECONDS must be an integer, got '" + ttlSeconds + "'");
      }
      if (ttl < 0 || ttl > 630_720_000L) {
        throw new UsageException(
            "CASSANDRA_TTL_SECONDS must be 0..630720000 (20 years), got " + ttl);
      }
      String ssl = sslEnabled.trim().toLowerCase(Locale.ROOT);
      if (!ssl.equals("true") && !ssl.equals("false")) {
        throw new UsageException(
            "CASSANDRA_SSL_ENABLED must be true or false, got '" + sslEnabled + "'");
      }
      String user = blankToNull(username);
      String pw = Secrets.read(env, Secrets.CASSANDRA_PASSWORD);
      if ((user == null) != (pw == null)) {
        throw new UsageException("set both CASSANDRA_USERNAME and CASSANDRA_PASSWORD, or neither");
      }
      CassandraSettings s =
          new CassandraSettings(
              contactPoints.trim(),
              localDc.trim(),
              user,
              pw,
              Boolean.parseBoolean(ssl),
              blankToNull(truststorePath),
              Secrets.read(env, Secrets.CASSANDRA_SSL_TRUSTSTORE_PASSWORD),
              ks,
              repl,
              (int) ttl);
      s.contactPointAddresses();
      return s;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.trim();
    }
  }

  /**
   * The contact points as unresolved addresses.
   *
   * @throws UsageException naming {@code CASSANDRA_CONTACT_POINTS} for an empty list or a bad port
   */
  public List<InetSocketAddress> contactPointAddresses() {
    return contactPointAddresses(contactPoints);
  }

  /**
   * {@code host[:port],...} (the connector's form; port 9042 by default) as unresolved addresses.
   *
   * @throws UsageException naming {@code CASSANDRA_CONTACT_POINTS} for an empty list or a bad port
   */
  public static List<InetSocketAddress> contactPointAddresses(String text) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      String host = p;
      int port = 9042;
      if (colon > 0 && p.indexOf(':') == colon) {
        host = p.substring(0, colon);
        try {
          port = Integer.parseInt(p.substring(colon + 1));
          out.add(InetSocketAddress.createUnresolved(host, port));
        } catch (IllegalArgumentException e) {
          throw new UsageException("CASSANDRA_CONTACT_POINTS: bad port in '" + p + "'");
        }
      } else {
        out.add(InetSocketAddress.createUnresolved(host, port));
      }
    }
    if (out.isEmpty()) {
      throw new UsageException("CASSANDRA_CONTACT_POINTS is empty");
    }
    return out;
  }

  /**
   * The connector's Spark properties ({@code spark.cassandra.connection.*}, {@code .auth.*}, {@code
   * .output.ttl}).
   */
  public Map<String, String> sparkProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("spark.cassandra.connection.host", contactPoints);
    p.put("spark.cassandra.connection.localDC", localDc);
    if (username != null) {
      p.put("spark.cassandra.auth.username", username);
      p.put("spark.cassandra.auth.password", password);
    }
    if (sslEnabled) {
      p.put("spark.cassandra.connection.ssl.enabled", "true");
      if (truststorePath != null) {
        p.put("spark.cassandra.connection.ssl.trustStore.path", truststorePath);
        p.put(
            "spark.cassandra.connection.ssl.trustStore.type",
            truststorePath.endsWith(".p12") || truststorePath.endsWith(".pfx") ? "PKCS12" : "JKS");
        if (truststorePassword != null) {
          p.put("spark.cassandra.connection.ssl.trustStore.password", truststorePassword);
        }
      }
    }
    p.put("spark.cassandra.output.ttl", Integer.toString(ttlSeconds));
    return p;
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
        + Secrets.mask(password)
        + ", ssl="
        + sslEnabled
        + ", truststore="
        + truststorePath
        + ", truststorePassword="
        + Secrets.mask(truststorePassword)
        + ", keyspace="
        + keyspace
        + ", replication="
        + replication
        + ", ttlSeconds="
        + ttlSeconds
        + "]";
  }
}
