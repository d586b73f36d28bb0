package io.taxiplatform.streaming;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import io.taxiplatform.config.CassandraSettings;
import io.taxiplatform.config.Cli;
import io.taxiplatform.config.Secrets;
import io.taxiplatform.config.SparkDuration;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The Cassandra access setup (docs/contracts.md, "Cassandra access setup"): run once per
 * install/upgrade as the Cassandra superuser (a Helm hook Job in the streaming-job image), it
 * creates the job's keyspace and migrations table, and the login roles of the job (CREATE, ALTER,
 * SELECT, MODIFY on the keyspace), of Grafana and of the Helm test (SELECT on the keyspace), each
 * with the password of its environment variable (a changed password is applied: the Secret stays
 * the source of truth). Everything is idempotent.
 *
 * <p>Connection variables are the job's ({@code CASSANDRA_CONTACT_POINTS}, {@code
 * CASSANDRA_LOCAL_DC}, {@code CASSANDRA_USERNAME}/{@code CASSANDRA_PASSWORD} of the superuser,
 * {@code CASSANDRA_SSL_*}, {@code CASSANDRA_KEYSPACE}, {@code CASSANDRA_REPLICATION}). Connecting
 * is retried for {@code CASSANDRA_ACCESS_TIMEOUT} (default {@code 5m}): the cluster may still be
 * starting, and right after it started its superuser may not exist yet, so an authentication
 * failure is retried too (each attempt says so).
 *
 * <p>Exit 0 on success, 1 with one line on stderr on failure, 2 for a bad variable (named). A
 * password is never printed.
 */
public final class CassandraAccess {

  /** Role names the setup accepts (unquoted CQL identifiers in lower case). */
  static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  static final String DEFAULT_TIMEOUT = "5m";
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(3);

  private CassandraAccess() {}

  /** One login role and what it is granted on the keyspace. */
  record Role(String variable, String name, String password, List<String> permissions) {
    @Override
    public String toString() {
      return variable + "=" + name + " (" + String.join(", ", permissions) + ")";
    }
  }

  /** The parsed environment. */
  record Settings(CassandraSettings cassandra, List<Role> roles, Duration timeout) {}

  /** A CQL statement and how it is shown (passwords replaced). */
  record Statement(String cql, String shown) {}

  /**
   * The setup's variables, each declared once (name, default, description). The setup takes no
   * arguments: they are read from the environment only; the role passwords are {@link
   * Secrets#CASSANDRA_ROLES}.
   */
  @Command(
      name = "CassandraAccess",
      description = {
        "Creates the job's keyspace and the login roles of the job, Grafana and the Helm test, as",
        "the Cassandra superuser. No arguments: configuration comes from the environment."
      })
  public static final class Options {
    /** The secrets the setup reads (environment only). */
    public static final List<Secrets.Secret> SECRETS =
        List.of(
            Secrets.CASSANDRA_PASSWORD,
            Secrets.CASSANDRA_SSL_TRUSTSTORE_PASSWORD,
            Secrets.CASSANDRA_JOB_ROLE_PASSWORD,
            Secrets.CASSANDRA_READER_ROLE_PASSWORD,
            Secrets.CASSANDRA_TEST_ROLE_PASSWORD);

    @Mixin CassandraSettings.Options cassandra;

    @Mixin JobConfig.KeyspaceOptions keyspace;

    @Option(
        names = "--cassandra-job-role",
        paramLabel = "ROLE",
        defaultValue = "${env:CASSANDRA_JOB_ROLE:-}",
        description = "the job's login role: CREATE, ALTER, SELECT, MODIFY on the keyspace")
    String jobRole;

    @Option(
        names = "--cassandra-reader-role",
        paramLabel = "ROLE",
        defaultValue = "${env:CASSANDRA_READER_ROLE:-}",
        description = "Grafana's login role: SELECT on the keyspace")
    String readerRole;

    @Option(
        names = "--cassandra-test-role",
        paramLabel = "ROLE",
        defaultValue = "${env:CASSANDRA_TEST_ROLE:-}",
        description = "helm test's login role: SELECT on the keyspace")
    String testRole;

    @Option(
        names = "--cassandra-access-timeout",
        paramLabel = "DURATION",
        defaultValue = "${env:CASSANDRA_ACCESS_TIMEOUT:-" + DEFAULT_TIMEOUT + "}",
        description = "how long connecting is retried")
    String timeout;

    /** The role variables, in order, with their values and grants. */
    List<RoleOption> roles() {
      return List.of(
          new RoleOption(
              "CASSANDRA_JOB_ROLE",
              jobRole,
              Secrets.CASSANDRA_JOB_ROLE_PASSWORD,
              List.of("CREATE", "ALTER", "SELECT", "MODIFY")),
          new RoleOption(
              "CASSANDRA_READER_ROLE",
              readerRole,
              Secrets.CASSANDRA_READER_ROLE_PASSWORD,
              List.of("SELECT")),
          new RoleOption(
              "CASSANDRA_TEST_ROLE",
              testRole,
              Secrets.CASSANDRA_TEST_ROLE_PASSWORD,
              List.of("SELECT")));
    }
  }

  /** A role variable, its value, its password's secret and its grants. */
  record RoleOption(
      String variable, String value, Secrets.Secret password, List<String> permissions) {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs the setup; returns the exit code. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Settings settings;
    try {
      if (args.length > 0) {
        throw new IllegalArgumentException(
            "no arguments expected (configuration comes from the environment), got "
                + String.join(" ", args));
      }
      settings = parse(env);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    CassandraSettings c = settings.cassandra();
    out.println(
        "Cassandra access setup: "
            + c.contactPoints()
            + " (dc "
            + c.localDc()
            + ", tls "
            + c.sslEnabled()
            + ") as "
            + (c.username() == null ? "no user" : c.username())
            + "; keyspace "
            + c.keyspace()
            + "; roles "
            + settings.roles());
    try (CqlSession session = connect(settings, out)) {
      for (Statement s : statements(settings)) {
        CassandraSchema.execute(session, s.cql());
        out.println("  done: " + s.shown());
      }
    } catch (SetupException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println(
          "error: Cassandra access setup failed at " + c.contactPoints() + ": " + oneLine(e));
      return 1;
    }
    out.println("Cassandra access setup complete");
    return 0;
  }

  /**
   * Reads the environment.
   *
   * @throws IllegalArgumentException naming the variable
   */
  static Settings parse(Map<String, String> env) {
    Options o = Cli.parse(new Options(), env, new String[0]);
    CassandraSettings cassandra = o.keyspace.settings(o.cassandra, env);
    Duration timeout = SparkDuration.parse("CASSANDRA_ACCESS_TIMEOUT", o.timeout).duration();
    List<Role> roles = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (RoleOption role : o.roles()) {
      String nameVar = role.variable();
      String passwordVar = role.password().variable();
      String name = blankToNull(role.value());
      String password = Secrets.read(env, role.password());
      if (name == null && password == null) {
        continue;
      }
      if (name == null) {
        throw new IllegalArgumentException(
            passwordVar + " is set but " + nameVar + " is not: set both or neither");
      }
      if (password == null) {
        throw new IllegalArgumentException(
            nameVar + " is set but " + passwordVar + " is not: set both or neither");
      }
      // Trimmed, as every secret (Secrets.read): a Secret written with a trailing newline still
      // matches.
      name = name.trim();
      if (!ROLE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            nameVar + " must match [a-z_][a-z0-9_]*, got '" + name + "'");
      }
      if (name.equals(cassandra.username())) {
        throw new IllegalArgumentException(
            nameVar
                + " must not be the superuser CASSANDRA_USERNAME ('"
                + name
                + "'): the setup would change the superuser's own password");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(
            nameVar + " '" + name + "' is already the name of another role variable");
      }
      roles.add(new Role(nameVar, name, password, role.permissions()));
    }
    return new Settings(cassandra, List.copyOf(roles), timeout);
  }

  /**
   * The statements, in order: keyspace and migrations table, then per role create, password,
   * grants.
   */
  static List<Statement> statements(Settings settings) {
    String ks = settings.cassandra().keyspace();
    List<Statement> out = new ArrayList<>();
    for (String ddl : CassandraSchema.bootstrapStatements(ks, settings.cassandra().replication())) {
      out.add(new Statement(ddl, ddl));
    }
    for (Role r : settings.roles()) {
      String literal = cqlString(r.password());
      out.add(
          new Statement(
              "CREATE ROLE IF NOT EXISTS "
                  + r.name()
                  + " WITH LOGIN = true AND PASSWORD = "
                  + literal,
              "CREATE ROLE IF NOT EXISTS "
                  + r.name()
                  + " WITH LOGIN = true AND PASSWORD = '****'"));
      out.add(
          new Statement(
              "ALTER ROLE " + r.name() + " WITH LOGIN = true AND PASSWORD = " + literal,
              "ALTER ROLE "
                  + r.name()
                  + " WITH LOGIN = true AND PASSWORD = '****' (from "
                  + r.variable()
                  + "_PASSWORD)"));
      for (String permission : r.permissions()) {
        String grant = "GRANT " + permission + " ON KEYSPACE " + ks + " TO " + r.name();
        out.add(new Statement(grant, grant));
      }
    }
    return out;
  }

  /** A CQL string literal ({@code '} doubled). */
  static String cqlString(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** Connects, retrying until {@link Settings#timeout()} passes. */
  private static CqlSession connect(Settings settings, PrintStream out) {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        CqlSession session = builder(settings.cassandra()).build();
        try {
          session.execute("SELECT release_version FROM system.local");
          return session;
        } catch (RuntimeException e) {
          session.close();
          throw e;
        }
      } catch (AllNodesFailedException | DriverTimeoutException | UnresolvedException e) {
        String why = describe(settings.cassandra(), e);
        if (System.nanoTime() >= deadline) {
          throw new SetupException(
              "cannot connect to Cassandra at "
                  + settings.cassandra().contactPoints()
                  + " within CASSANDRA_ACCESS_TIMEOUT ("
                  + settings.timeout().toSeconds()
                  + " s, "
                  + attempt
                  + " attempts): "
                  + why);
        }
        out.println("  Cassandra not ready (attempt " + attempt + "): " + why + "; retrying");
        try {
          Thread.sleep(
              Math.min(
                  RETRY_PAUSE.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new SetupException("interrupted while connecting to Cassandra");
        }
      }
    }
  }

  /** One line for a connection failure; an authentication failure says so and names the user. */
  static String describe(CassandraSettings c, RuntimeException e) {
    if (e instanceof AllNodesFailedException all) {
      for (List<Throwable> errors : all.getAllErrors().values()) {
        for (Throwable t : errors) {
          if (t instanceof AuthenticationException) {
            return "authentication failed for CASSANDRA_USERNAME '"
                + c.username()
                + "' (a wrong CASSANDRA_PASSWORD, "
                + "or the role does not exist yet): "
                + oneLine(t);
          }
        }
      }
    }
    return oneLine(e);
  }

  private static String oneLine(Throwable t) {
    String m = t.getClass().getSimpleName() + ": " + t.getMessage();
    return m.replaceAll("\\s+", " ");
  }

  private static CqlSessionBuilder builder(CassandraSettings c) {
    ProgrammaticDriverConfigLoaderBuilder config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30));
    if (c.sslEnabled()) {
      // The same trust as the job's connector (spark-cassandra-connector 3.5.1 sets the driver's
      // DefaultSslEngineFactory with hostname validation off): the certificate chain is checked
      // against the
      // truststore (the cluster CA); the host name is not.
      config
          .withString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, "DefaultSslEngineFactory")
          .withBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION, false);
      if (c.truststorePath() != null) {
        config.withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, c.truststorePath());
        if (c.truststorePassword() != null) {
          config.withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, c.truststorePassword());
        }
      }
    }
    CqlSessionBuilder b =
        CqlSession.builder().withConfigLoader(config.build()).withLocalDatacenter(c.localDc());
    for (InetSocketAddress a : contactPoints(c.contactPoints())) {
      if (a.isUnresolved()) {
        throw new UnresolvedException("cannot resolve the contact point " + a.getHostString());
      }
      b.addContactPoint(a);
    }
    if (c.username() != null) {
      b.withAuthCredentials(c.username(), c.password());
    }
    return b;
  }

  /**
   * {@code host[:port],...} (the connector's form; port 9042 by default), resolved now (an
   * unresolved one is retried).
   */
  static List<InetSocketAddress> contactPoints(String text) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (InetSocketAddress a : CassandraSettings.contactPointAddresses(text)) {
      out.add(new InetSocketAddress(a.getHostString(), a.getPort()));
    }
    return out;
  }

  /** The usage, generated from {@link Options} and {@link Options#SECRETS}: variables only. */
  static String usage() {
    return Cli.environmentUsage(new Options(), Options.SECRETS);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A failure with its one-line message. */
  static final class SetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SetupException(String message) {
      super(message);
    }
  }

  /** A contact point whose host does not resolve (yet): retried like an unreachable node. */
  static final class UnresolvedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnresolvedException(String message) {
      super(message);
    }
  }
}
