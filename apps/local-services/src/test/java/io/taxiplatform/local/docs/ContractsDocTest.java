package io.taxiplatform.local.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.config.Cli;
import io.taxiplatform.config.Secrets;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.LocalPipelineConfig;
import io.taxiplatform.producer.TripProducerConfig;
import io.taxiplatform.streaming.CassandraAccess;
import io.taxiplatform.streaming.JobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docs/contracts.md's environment tables against the apps' option declarations (picocli
 * {@code @Option}s and {@link Secrets}): every row names a declared variable with its declared flag
 * and default, and every declared variable has its row, so the docs and the code cannot drift.
 */
class ContractsDocTest {

  static final Path DOC = LocalPaths.repoRoot().resolve("docs/contracts.md");

  /** One app's declarations: variable -> {flag, default}; secrets have flag "—" and no default. */
  static Map<String, String[]> declared(Object options, List<Secrets.Secret> secrets) {
    Map<String, String[]> m = new LinkedHashMap<>();
    for (Cli.Declared d : Cli.declared(options)) {
      assertThat(d.variable()).as("%s declares a variable", d.flag()).isNotNull();
      assertThat(m.put(d.variable(), new String[] {d.flag(), d.defaultValue()}))
          .as("%s is declared once", d.variable())
          .isNull();
    }
    for (Secrets.Secret s : secrets) {
      assertThat(m.put(s.variable(), new String[] {"—", ""}))
          .as("secret %s is not also an option", s.variable())
          .isNull();
    }
    return m;
  }

  /** The rows of the table under {@code heading}: cells without backticks. */
  static List<List<String>> table(String heading) throws IOException {
    String doc = Files.readString(DOC);
    int start = doc.indexOf("\n" + heading + "\n");
    assertThat(start).as("docs/contracts.md has the heading '%s'", heading).isNotNegative();
    int end = doc.indexOf("\n#", start + 1);
    return rows(doc.substring(start, end < 0 ? doc.length() : end), heading);
  }

  /** The rows of a markdown table in {@code section}: cells without backticks, pipes unescaped. */
  static List<List<String>> rows(String section, String heading) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : section.split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells =
          line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("(?<!\\\\)\\|");
      List<String> row = new ArrayList<>();
      for (String c : cells) {
        String t = c.trim();
        t = t.startsWith("`") && t.endsWith("`") ? t.substring(1, t.length() - 1) : t;
        row.add(t.replace("\\|", "|"));
      }
      rows.add(row);
    }
    assertThat(rows).as("rows under '%s'", heading).isNotEmpty();
    return rows;
  }

  static final String SHARED = "### Shared by the producer and the streaming job";
  static final String PRODUCER = "### Producer (`io.taxiplatform.producer.ProducerMain`)";
  static final String JOB = "### Streaming job (`io.taxiplatform.streaming.StreamingJob`)";
  static final String ACCESS =
      "### Cassandra access setup (`io.taxiplatform.streaming.CassandraAccess`, in the"
          + " streaming-job image)";

  final Map<String, String[]> producer =
      declared(new TripProducerConfig.Options(), TripProducerConfig.SECRETS);
  final Map<String, String[]> job = declared(new JobConfig.Options(), JobConfig.SECRETS);
  final Map<String, String[]> access =
      declared(new CassandraAccess.Options(), CassandraAccess.Options.SECRETS);

  /** Checks one row's flag and default against an app's declaration. */
  static void check(
      String table, String app, Map<String, String[]> decl, String var, String flag, String dflt) {
    String row = "docs/contracts.md, table '" + table + "', row " + var;
    assertThat(decl).as("%s: %s declares no such variable", row, app).containsKey(var);
    String[] d = decl.get(var);
    if (flag != null) {
      assertThat(flag).as("%s: the %s flag", row, app).isEqualTo(d[0]);
    }
    assertThat(dflt).as("%s: the default (%s declares '%s')", row, app, d[1]).isEqualTo(d[1]);
  }

  @Test
  void theSharedTableNamesWhatBothAppsDeclareAlike() throws IOException {
    for (List<String> r : table(SHARED)) {
      assertThat(r)
          .as("row %s: variable | producer flag | job flag | default | meaning", r)
          .hasSize(5);
      check(SHARED, "the producer", producer, r.get(0), r.get(1), r.get(3));
      check(SHARED, "the job", job, r.get(0), r.get(2), r.get(3));
    }
  }

  @Test
  void theProducerTableIsTheProducersDeclarations() throws IOException {
    Set<String> documented = new LinkedHashSet<>();
    for (List<String> r : table(SHARED)) {
      documented.add(r.get(0));
    }
    for (List<String> r : table(PRODUCER)) {
      assertThat(r).as("row %s: variable | flag | default | meaning", r).hasSize(4);
      check(PRODUCER, "the producer", producer, r.get(0), r.get(1), r.get(2));
      assertThat(documented.add(r.get(0)))
          .as("%s is documented once for the producer", r.get(0))
          .isTrue();
    }
    assertThat(documented)
        .as("every producer variable has a row in '%s' or '%s'", SHARED, PRODUCER)
        .containsAll(producer.keySet());
  }

  @Test
  void theJobTableIsTheJobsDeclarations() throws IOException {
    Set<String> documented = new LinkedHashSet<>();
    for (List<String> r : table(SHARED)) {
      documented.add(r.get(0));
    }
    for (List<String> r : table(JOB)) {
      assertThat(r).as("row %s: variable | flag | default | meaning", r).hasSize(4);
      check(JOB, "the job", job, r.get(0), r.get(1), r.get(2));
      assertThat(documented.add(r.get(0)))
          .as("%s is documented once for the job", r.get(0))
          .isTrue();
    }
    assertThat(documented)
        .as("every job variable has a row in '%s' or '%s'", SHARED, JOB)
        .containsAll(job.keySet());
  }

  @Test
  void theAccessSetupTableIsItsDeclarations() throws IOException {
    Set<String> documented = new LinkedHashSet<>();
    for (List<String> r : table(ACCESS)) {
      assertThat(r).as("row %s: variable | default | meaning", r).hasSize(3);
      check(ACCESS, "the access setup", access, r.get(0), null, r.get(1));
      assertThat(documented.add(r.get(0))).as("%s is documented once", r.get(0)).isTrue();
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(access.keySet());
  }

  @Test
  void aWrongDefaultInTheDocFailsNamingTheRow() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> check(PRODUCER, "the producer", producer, "PRODUCER_RATE", "--rate", "5"))
        .hasMessageContaining("table '" + PRODUCER + "', row PRODUCER_RATE")
        .hasMessageContaining("the default");
  }

  @Test
  void theLocalModeTableIsLocalModesDeclarations() throws IOException {
    String doc = Files.readString(LocalPaths.repoRoot().resolve("docs/local-mode.md"));
    String header = "| flag | default | meaning |";
    int start = doc.indexOf(header);
    assertThat(start).as("docs/local-mode.md has the table '%s'", header).isNotNegative();
    int end = doc.indexOf("\n\n", start);
    Map<String, String> declared = new LinkedHashMap<>();
    for (Cli.Declared d : Cli.declared(new LocalPipelineConfig.Options())) {
      declared.put(d.label().isEmpty() ? d.flag() : d.flag() + " " + d.label(), d.defaultValue());
    }
    Set<String> documented = new LinkedHashSet<>();
    for (List<String> r : rows(doc.substring(start, end), "local mode")) {
      String row = "docs/local-mode.md, row " + r.get(0);
      assertThat(declared)
          .as("%s: LocalPipelineConfig.Options declares no such flag", row)
          .containsKey(r.get(0));
      assertThat(r.get(1))
          .as("%s: the default (declared '%s')", row, declared.get(r.get(0)))
          .isEqualTo(declared.get(r.get(0)));
      documented.add(r.get(0));
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(declared.keySet());
  }
}
