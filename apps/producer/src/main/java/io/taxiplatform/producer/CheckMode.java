package io.taxiplatform.producer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.PrintStream;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code check} mode (helm test): lists the Kafka topics (fails unless the trips topic exists) and
 * runs {@code SELECT release_version FROM system.local} on Cassandra. Exit 0, or 1 with the reason.
 */
final class CheckMode {

  private CheckMode() {}

  static int run(TripProducerConfig config, PrintStream out, PrintStream err) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.putAll(config.security().clientProperties());
    try (Admin admin = Admin.create(p)) {
      Set<String> topics = admin.listTopics().names().get(45, TimeUnit.SECONDS);
      if (!topics.contains(config.topic())) {
        err.println(
            "check FAILED: Kafka topic "
                + config.topic()
                + " does not exist (topics: "
                + topics
                + ")");
        return 1;
      }
      out.println("check: Kafka " + config.bootstrapServers() + " has topic " + config.topic());
    } catch (Exception e) {
      err.println("check FAILED: Kafka " + config.bootstrapServers() + ": " + e);
      return 1;
    }
    try (CqlSession session = CassandraSessions.open(config.cassandra())) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      out.println(
          "check: Cassandra "
              + config.cassandra().contactPoints()
              + " release_version "
              + (row == null ? "?" : row.getString("release_version")));
    } catch (Exception e) {
      err.println("check FAILED: Cassandra " + config.cassandra().contactPoints() + ": " + e);
      return 1;
    }
    out.println("check OK");
    return 0;
  }
}
