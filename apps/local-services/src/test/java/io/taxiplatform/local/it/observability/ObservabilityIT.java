package io.taxiplatform.local.it.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.local.CassandraNode;
import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.PrometheusScrape;
import io.taxiplatform.local.SharedData;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.StreamingJobProcess;
import io.taxiplatform.local.harness.Waits;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The chart's dashboards and alerts against the real pipeline: a real Kafka broker (KRaft), a real
 * Cassandra node, the streaming job in Spark local mode and the producer in its own JVM, all from
 * the build's artifacts.
 *
 * <ul>
 *   <li>every CQL query of the business dashboard
 *       (charts/taxi-platform/dashboards/taxi-business.json) runs, after the substitutions Grafana
 *       and the plugin make, against the tables the job wrote, returns rows, and returns the
 *       columns its panel needs in types the Cassandra plugin (hadesarchitect-cassandra-datasource
 *       3.3, pkg/cassandra/row.go) can read;
 *   <li>every app metric a dashboard or alert uses ({@code taxi_producer_*}, {@code taxi_stream_*})
 *       is exposed by the producer's or the job's real /metrics endpoint.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(6);
  private static final Pattern APP_METRIC =
      Pattern.compile("\\btaxi_(?:producer|stream)_[a-z0-9_]+");

  /** Column types the plugin's row normalisation accepts (gocql types it converts or passes). */
  private static final Set<DataType> PLUGIN_TYPES =
      Set.of(
          DataTypes.TINYINT,
          DataTypes.SMALLINT,
          DataTypes.INT,
          DataTypes.BIGINT,
          DataTypes.COUNTER,
          DataTypes.FLOAT,
          DataTypes.DOUBLE,
          DataTypes.TEXT,
          DataTypes.ASCII,
          DataTypes.BOOLEAN,
          DataTypes.TIMESTAMP,
          DataTypes.BLOB,
          DataTypes.INET,
          DataTypes.UUID,
          DataTypes.TIMEUUID,
          DataTypes.VARINT);

  /**
   * Types the plugin can turn into the series name (the first column; pkg/cassandra/session.go
   * toString).
   */
  private static final Set<DataType> ID_TYPES =
      Set.of(
          DataTypes.TEXT,
          DataTypes.ASCII,
          DataTypes.UUID,
          DataTypes.TIMEUUID,
          DataTypes.TINYINT,
          DataTypes.INT,
          DataTypes.BIGINT,
          DataTypes.COUNTER,
          DataTypes.FLOAT,
          DataTypes.DOUBLE,
          DataTypes.TIMESTAMP,
          DataTypes.BOOLEAN);

  private static final Set<DataType> NUMERIC_TYPES =
      Set.of(
          DataTypes.TINYINT,
          DataTypes.SMALLINT,
          DataTypes.INT,
          DataTypes.BIGINT,
          DataTypes.COUNTER,
          DataTypes.FLOAT,
          DataTypes.DOUBLE);

  private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  private final String keyspace = "obs_" + suffix;
  private final String version = "v1";
  private final String topic = "obs.trips." + suffix;
  private final String dlqTopic = topic + ".dlq";
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private KafkaNode kafka;
  private CassandraNode cassandra;
  private StreamingJobProcess job;
  private JvmProcess producer;
  private int jobMetricsPort;
  private int producerMetricsPort;

  @BeforeAll
  void startPipeline() throws Exception {
    Optional<Path> zones = SharedData.zoneLookup();
    Assumptions.assumeTrue(
        zones.isPresent(),
        "the TLC zone lookup is absent from ../shared/data ("
            + SharedData.ZONE_LOOKUP
            + "): the job needs it");
    kafka = SharedServices.kafka();
    cassandra = SharedServices.cassandra();
    kafka.createTopic(topic, 3);
    kafka.createTopic(dlqTopic, 1);

    Path work = LocalPaths.newWorkDir("observability-it");
    Map<String, String> env =
        StreamingJobProcess.environment(kafka, cassandra, work.resolve("checkpoints"), zones.get());
    env.put("TRIPS_TOPIC", topic);
    env.put("DEAD_LETTER_TOPIC", dlqTopic);
    env.put("CASSANDRA_KEYSPACE", keyspace);
    env.put("PIPELINE_VERSION", version);
    env.put("SHUFFLE_PARTITIONS", "2");
    jobMetricsPort = Integer.parseInt(env.get("METRICS_PORT"));
    job = StreamingJobProcess.start(env, work.resolve("job"));

    producerMetricsPort = FreePorts.next();
    Map<String, String> producerEnv = new LinkedHashMap<>();
    producerEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    producerEnv.put("TRIPS_TOPIC", topic);
    producerEnv.put("PRODUCER_MODE", "synthetic");
    producerEnv.put("PRODUCER_RATE", "200");
    producerEnv.put("PRODUCER_TIME_MODE", "now");
    producerEnv.put("PRODUCER_SEED", "42");
    producerEnv.put("METRICS_PORT", String.valueOf(producerMetricsPort));
    producer =
        JvmProcess.builder("producer", "io.taxiplatform.producer.ProducerMain")
            .classpath(System.getProperty("java.class.path"))
            .jvmArg("-Xmx256m")
            .env(producerEnv)
            .workDir(work.resolve("producer"))
            .start();

    // A few events the job must dead-letter, so that its dead-letter series exist.
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> bad = new KafkaProducer<>(props)) {
      for (int i = 0; i < 5; i++) {
        bad.send(new ProducerRecord<>(topic, "1", "{not json " + i)).get();
      }
    }

    CqlSession session = cassandra.session();
    awaitTrue(
        "rows in every table the business dashboard reads",
        () ->
            hasRows(session, "zone_windows_" + version)
                && hasRows(session, "borough_windows_" + version));
  }

  @AfterAll
  void stop() {
    if (producer != null) {
      producer.destroy(Duration.ofSeconds(5));
    }
    if (job != null) {
      job.close();
    }
  }

  @Test
  void everyCqlQueryOfTheBusinessDashboardReturnsWhatItsPanelNeeds() throws IOException {
    JsonNode dashboard = businessDashboard();
    CqlSession session = cassandra.session();
    Map<String, String> vars = new LinkedHashMap<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("textbox")) {
        vars.put(v.path("name").asText(), v.path("query").asText());
      } else if (v.path("type").asText().equals("custom")) {
        // the default Grafana opens with (the serving version)
        vars.put(v.path("name").asText(), v.path("current").path("value").asText());
      }
    }
    assertThat(vars).containsEntry("keyspace", keyspace).containsEntry("pipeline_version", version);
    // Query variables, run as Grafana runs them (their first column gives the values).
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        String cql = substitute(v.path("query").path("query").asText(), vars, null, null);
        List<String> values = new ArrayList<>();
        for (Row row : session.execute(cql)) {
          values.add(String.valueOf(row.getObject(0)));
        }
        assertThat(values)
            .as("values of variable " + v.path("name").asText() + " (" + cql + ")")
            .isNotEmpty();
        vars.put(v.path("name").asText(), String.join(",", values));
      }
    }

    int checked = 0;
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        if (!target.path("rawQuery").asBoolean(false)) {
          continue;
        }
        String where = panel.path("title").asText() + " / " + target.path("refId").asText();
        String timeFrom = panel.path("timeFrom").asText("1h");
        Instant to = Instant.now().plus(Duration.ofMinutes(5));
        Instant from = Instant.now().minus(parseGrafanaDuration(timeFrom));
        String cql = substitute(target.path("target").asText(), vars, from, to);
        ResultSet rs;
        try {
          rs = session.execute(cql);
        } catch (RuntimeException e) {
          fail(where + ": the query fails on Cassandra: " + e.getMessage() + "\n" + cql);
          return;
        }
        List<ColumnDefinition> columns = new ArrayList<>();
        rs.getColumnDefinitions().forEach(columns::add);
        List<Row> rows = rs.all();
        assertThat(rows).as(where + ": rows from the pipeline's output\n" + cql).isNotEmpty();
        checkColumns(where, panel, target, columns);
        checked++;
      }
    }
    assertThat(checked).as("CQL targets checked").isGreaterThan(10);
  }

  private static void checkColumns(
      String where, JsonNode panel, JsonNode target, List<ColumnDefinition> columns) {
    Map<String, DataType> types = new LinkedHashMap<>();
    for (ColumnDefinition c : columns) {
      types.put(c.getName().asInternal(), c.getType());
    }
    assertThat(types.values())
        .as(where + ": column types the plugin can read " + types)
        .allMatch(PLUGIN_TYPES::contains);
    assertThat(ID_TYPES)
        .as(where + ": the first column names the series")
        .contains(columns.get(0).getType());
    String type = panel.path("type").asText();
    if (type.equals("timeseries") || type.equals("stat")) {
      assertThat(types.values().stream().filter(DataTypes.TIMESTAMP::equals).count())
          .as(where + ": one timestamp column " + types)
          .isEqualTo(1);
      assertThat(
              types.entrySet().stream().skip(1).anyMatch(e -> NUMERIC_TYPES.contains(e.getValue())))
          .as(where + ": a numeric value column " + types)
          .isTrue();
    }
    // Fields the panel refers to by name must be there (and be numbers where they are reduced).
    JsonNode fields = panel.path("options").path("reduceOptions").path("fields");
    if (fields.isTextual() && !fields.asText().isEmpty()) {
      String name = fields.asText().replaceAll("^/\\^|\\$/$", "");
      assertThat(types).as(where + ": reduced field " + name).containsKey(name);
      assertThat(NUMERIC_TYPES)
          .as(where + ": reduced field " + name + " is numeric")
          .contains(types.get(name));
    }
    for (JsonNode t : panel.path("transformations")) {
      if (t.path("id").asText().equals("groupBy")) {
        t.path("options")
            .path("fields")
            .fieldNames()
            .forEachRemaining(
                f -> assertThat(types).as(where + ": groupBy field " + f).containsKey(f));
        t.path("options")
            .path("fields")
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getValue().path("operation").asText().equals("aggregate")) {
                    assertThat(NUMERIC_TYPES)
                        .as(where + ": aggregated field " + e.getKey())
                        .contains(types.get(e.getKey()));
                  }
                });
      }
      if (t.path("id").asText().equals("sortBy")) {
        for (JsonNode s : t.path("options").path("sort")) {
          String f = s.path("field").asText().replaceAll(" \\([a-z]+\\)$", "");
          assertThat(types).as(where + ": sort field " + f).containsKey(f);
        }
      }
    }
    Matcher alias =
        Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*\\}\\}").matcher(target.path("alias").asText(""));
    while (alias.find()) {
      assertThat(types).as(where + ": alias field " + alias.group(1)).containsKey(alias.group(1));
    }
  }

  @Test
  void everyAppMetricUsedByDashboardsAndAlertsIsExposed() throws Exception {
    Set<String> used = usedAppMetrics();
    assertThat(used).as("app metrics used by the chart").hasSizeGreaterThan(10);

    // The job's listener reports after its batches, and some gauges (watermark delay) only after
    // the
    // first watermark: scrape until every name is there or the pipeline timeout ends.
    AtomicReference<Optional<PrometheusScrape>> jobScrape = new AtomicReference<>();
    AtomicReference<Optional<PrometheusScrape>> producerScrape = new AtomicReference<>();
    Waits.await(
            "every app metric used by the chart exposed", PIPELINE_TIMEOUT, Duration.ofSeconds(2))
        .failFast(
            () -> {
              assertThat(job.isAlive())
                  .as(() -> "the streaming job runs; log tail:\n" + job.logTail(40))
                  .isTrue();
              assertThat(producer.isAlive())
                  .as(() -> "the producer runs; log tail:\n" + producer.logTail(20))
                  .isTrue();
            })
        .untilAsserted(
            () -> {
              jobScrape.set(scrape(jobMetricsPort));
              producerScrape.set(scrape(producerMetricsPort));
              Set<String> missing = new TreeSet<>();
              for (String name : used) {
                Optional<PrometheusScrape> scrape =
                    name.startsWith("taxi_producer_") ? producerScrape.get() : jobScrape.get();
                if (scrape.isEmpty() || !scrape.get().exposes(name)) {
                  missing.add(name);
                }
              }
              assertThat(missing)
                  .as(
                      "app metrics used by dashboards/alerts but not exposed by the real endpoints "
                          + "(docs/contracts.md: labelled counters start at 0 for every known label value)")
                  .isEmpty();
            });
    PrometheusScrape jobMetrics = jobScrape.get().orElseThrow();
    PrometheusScrape producerMetrics = producerScrape.get().orElseThrow();
    assertThat(producerMetrics.sum("taxi_producer_events_sent_total", Map.of()).orElse(0))
        .as("events sent")
        .isPositive();
    assertThat(jobMetrics.sum("taxi_stream_valid_trips_total", Map.of()).orElse(0))
        .as("valid trips counted by the job")
        .isPositive();
    assertThat(jobMetrics.sum("taxi_stream_dead_letters_total", Map.of()).orElse(0))
        .as("the malformed events were dead-lettered")
        .isGreaterThanOrEqualTo(5);
    // the de-duplication's state size, RocksDB's SST files (the job's default store): there once
    // its memtables have been flushed, within minDeltasForSnapshot (10) micro-batches
    Waits.await("the de-duplication's state size", PIPELINE_TIMEOUT, Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(
                        scrape(jobMetricsPort)
                            .orElseThrow()
                            .sum("taxi_stream_state_bytes", Map.of("operator", "dedupe"))
                            .orElse(0))
                    .as("taxi_stream_state_bytes{operator=dedupe}")
                    .isPositive());
  }

  /**
   * Names matching taxi_producer_* / taxi_stream_* in the dashboards and the alert rules of the
   * chart.
   */
  static Set<String> usedAppMetrics() throws IOException {
    Path chart = LocalPaths.repoRoot().resolve("charts/taxi-platform");
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(chart.resolve("dashboards"))) {
      s.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
    }
    files.add(chart.resolve("templates/monitoring/prometheusrule.yaml"));
    Set<String> names = new TreeSet<>();
    for (Path f : files) {
      Matcher m = APP_METRIC.matcher(Files.readString(f, StandardCharsets.UTF_8));
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  private Optional<PrometheusScrape> scrape(int port) {
    return PrometheusScrape.fetch(http, port, Duration.ofSeconds(5));
  }

  private JsonNode businessDashboard() throws IOException {
    // As the chart renders it (templates/grafana/dashboards.yaml replaces the placeholders).
    String raw =
        Files.readString(
            LocalPaths.repoRoot().resolve("charts/taxi-platform/dashboards/taxi-business.json"),
            StandardCharsets.UTF_8);
    // One pipeline version, serving: the chart's options list, the comma-separated versions, the
    // default.
    String options =
        "[{\"text\":\"" + version + "\",\"value\":\"" + version + "\",\"selected\":true}]";
    return JSON.readTree(
        raw.replace("@KEYSPACE@", keyspace)
            .replace("\"@PIPELINE_VERSION_OPTIONS@\"", options)
            .replace("@PIPELINE_VERSIONS@", version)
            .replace("@SERVING_VERSION@", version));
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  /**
   * What Grafana and the plugin do to a query: template variables (multi-value in the plugin's
   * 'csv' format, {@code ${var:singlequote}} quoted), then {@code $__timeFrom}/{@code $__timeTo} as
   * epoch milliseconds (plugin pkg/handler/data_query.go).
   */
  static String substitute(String cql, Map<String, String> vars, Instant from, Instant to) {
    String out = cql;
    if (from != null) {
      out =
          out.replace("$__timeFrom", String.valueOf(from.toEpochMilli()))
              .replace("$__timeTo", String.valueOf(to.toEpochMilli()));
    }
    List<String> names = new ArrayList<>(vars.keySet());
    names.sort((a, b) -> b.length() - a.length());
    for (String name : names) {
      String value = vars.get(name);
      String quoted =
          Stream.of(value.split(","))
              .map(v -> "'" + v.replace("'", "''") + "'")
              .collect(Collectors.joining(","));
      out =
          out.replace("${" + name + ":singlequote}", quoted)
              .replace("${" + name + "}", value)
              .replaceAll("\\$" + Pattern.quote(name) + "\\b", Matcher.quoteReplacement(value));
    }
    assertThat(out).as("every variable substituted").doesNotContain("$");
    return out;
  }

  static Duration parseGrafanaDuration(String text) {
    Matcher m = Pattern.compile("(\\d+)([mhd])").matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("unsupported Grafana duration " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private boolean hasRows(CqlSession session, String table) {
    try {
      return session.execute("SELECT * FROM " + keyspace + "." + table + " LIMIT 1").one() != null;
    } catch (RuntimeException e) {
      return false; // keyspace or table not created yet
    }
  }

  private void awaitTrue(String what, BooleanSupplier condition) {
    Waits.until(
        what,
        PIPELINE_TIMEOUT,
        Duration.ofSeconds(1),
        () -> condition.getAsBoolean() || failIfAProcessExited(what),
        () ->
            "no "
                + what
                + " within "
                + PIPELINE_TIMEOUT
                + "; job log tail:\n"
                + (job == null ? "" : job.logTail(60))
                + "\nproducer log tail:\n"
                + (producer == null ? "" : producer.logTail(30)));
  }

  /** Fails when the job or the producer exited; false otherwise. */
  private boolean failIfAProcessExited(String what) {
    if (job != null && !job.isAlive()) {
      fail(
          "the streaming job exited ("
              + job.exitCode()
              + ") while waiting for "
              + what
              + "; log tail:\n"
              + job.logTail(60));
    }
    if (producer != null && !producer.isAlive()) {
      fail(
          "the producer exited ("
              + producer.exitCode()
              + ") while waiting for "
              + what
              + "; log tail:\n"
              + producer.logTail(40));
    }
    return false;
  }
}
