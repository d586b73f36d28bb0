package io.taxiplatform.streaming;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import io.taxiplatform.config.CassandraSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cassandra schema of docs/contracts.md, created idempotently ({@code IF NOT EXISTS}) and
 * versioned: each migration has an id ({@code <pipeline version>/<n>-<name>}) recorded in {@code
 * schema_migrations} when applied; a recorded migration is not applied again.
 *
 * <p>The DDL itself is CQL on the classpath ({@code src/main/resources/cql}: {@code bootstrap.cql},
 * {@code 001-window-tables.cql}), rendered by {@link CqlScript}.
 */
public final class CassandraSchema {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraSchema.class);
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

  /** The classpath folder of the DDL scripts ({@code src/main/resources/cql}). */
  static final String CQL_DIR = "cql/";

  /** The keyspace and {@code schema_migrations}, also run by {@link CassandraAccess}. */
  static final String BOOTSTRAP_RESOURCE = CQL_DIR + "bootstrap.cql";

  /** One schema change. */
  public record Migration(String id, String description, List<String> statements) {}

  private CassandraSchema() {}

  /** The keyspace and the migrations table (not versioned themselves: they hold the versions). */
  public static List<String> bootstrapStatements(String keyspace, String replication) {
    return CqlScript.render(
        BOOTSTRAP_RESOURCE, Map.of("keyspace", keyspace, "replication", replication));
  }

  /** The migrations of one pipeline version, in order. */
  public static List<Migration> migrations(
      String keyspace, String pipelineVersion, int ttlSeconds) {
    Map<String, String> values =
        Map.of(
            "keyspace",
            keyspace,
            "pipeline_version",
            pipelineVersion,
            "ttl_seconds",
            Integer.toString(ttlSeconds));
    return List.of(
        new Migration(
            pipelineVersion + "/001-window-tables",
            "zone, window-zone and borough window tables of pipeline " + pipelineVersion,
            CqlScript.render(CQL_DIR + "001-window-tables.cql", values)));
  }

  /**
   * Applies the bootstrap statements and every migration not yet recorded; returns the ids applied
   * now.
   *
   * <p>The job may log in as a role that may not create keyspaces (the access setup, {@link
   * CassandraAccess}, creates the keyspace and grants the role CREATE, ALTER, SELECT, MODIFY on
   * it): an existing keyspace is therefore not created again, and a missing one the role may not
   * create fails the start with a message naming the keyspace.
   *
   * @throws TripsTopic.StartupException when the keyspace does not exist and the role may not
   *     create it
   */
  public static List<String> apply(
      CqlSession session, CassandraSettings cassandra, String pipelineVersion) {
    String ks = cassandra.keyspace();
    List<String> bootstrap = bootstrapStatements(ks, cassandra.replication());
    if (keyspaceExists(session, ks)) {
      LOG.info("keyspace {} exists", ks);
    } else {
      try {
        execute(session, bootstrap.get(0));
      } catch (UnauthorizedException e) {
        throw new TripsTopic.StartupException(
            "the Cassandra keyspace "
                + ks
                + " does not exist and the role "
                + (cassandra.username() == null
                    ? "(no CASSANDRA_USERNAME)"
                    : "'" + cassandra.username() + "'")
                + " may not create it ("
                + e.getMessage()
                + "): run the Cassandra access setup "
                + CassandraAccess.class.getName()
                + " as the superuser first (it creates the keyspace and the job's "
                + "role and grants)");
      }
    }
    for (String ddl : bootstrap.subList(1, bootstrap.size())) {
      execute(session, ddl);
    }
    List<String> applied = new ArrayList<>();
    for (Migration m : migrations(ks, pipelineVersion, cassandra.ttlSeconds())) {
      Row done =
          session
              .execute(
                  SimpleStatement.newInstance(
                      "SELECT applied_at FROM " + ks + ".schema_migrations WHERE version = ?",
                      m.id()))
              .one();
      if (done != null) {
        LOG.info("schema migration {} already applied at {}", m.id(), done.getInstant(0));
        continue;
      }
      for (String ddl : m.statements()) {
        execute(session, ddl);
      }
      session.execute(
          SimpleStatement.newInstance(
              "INSERT INTO "
                  + ks
                  + ".schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
              m.id(),
              m.description(),
              Instant.now()));
      LOG.info("schema migration {} applied: {}", m.id(), m.description());
      applied.add(m.id());
    }
    return applied;
  }

  /** Whether {@code system_schema.keyspaces} lists the keyspace (readable by every role). */
  static boolean keyspaceExists(CqlSession session, String keyspace) {
    return session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                    keyspace.toLowerCase(java.util.Locale.ROOT)))
            .one()
        != null; // unquoted names are stored in lower case
  }

  static void execute(CqlSession session, String cql) {
    session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    if (!session.checkSchemaAgreement()) {
      LOG.warn("schema agreement not reached after: {}", cql);
    }
  }
}
