package io.taxiplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The producer section's figures derived from the runs. */
class BenchMainTest {

  /** A synthetic run of {@code events} whose extra figures hold {@code key}, unless null. */
  private static ProducerBench.Run run(long events, String key, Object value) {
    return new ProducerBench.Run(
        "synthetic", 0, events, 100_000, 10.0, 10.0, value == null ? Map.of() : Map.of(key, value));
  }

  private static ProducerBench.Run run(long events, Map<String, Double> byThread) {
    return run(events, ProducerBench.CPU_BY_THREAD, byThread);
  }

  private static ProducerBench.Run brokerRun(long events, Double brokerSeconds) {
    return run(events, ProducerBench.BROKER_CPU, brokerSeconds);
  }

  private static Map<String, Double> groups(double main, double jit) {
    return Map.of(
        "main",
        main,
        "kafka_io",
        1.0,
        "replay",
        0.0,
        "jit",
        jit,
        "gc",
        0.1,
        "other",
        0.0,
        "untracked",
        0.5);
  }

  @Test
  void threadCpuIsTheMedianPerMillionEventsOfEachGroup() {
    Map<String, Double> m =
        BenchMain.medianThreadCpuPerMillion(
            List.of(
                run(1_000_000, groups(4.0, 3.0)),
                run(2_000_000, groups(6.0, 2.0)), // 3.0 and 1.0 per million
                run(500_000, groups(2.5, 2.5)))); // 5.0 and 5.0 per million
    assertThat(m.keySet())
        .containsExactly("main", "kafka_io", "replay", "jit", "gc", "other", "untracked");
    assertThat(m.get("main")).isCloseTo(4.0, within(1e-9)); // of 4, 3, 5
    assertThat(m.get("jit")).isCloseTo(3.0, within(1e-9)); // of 3, 1, 5
    assertThat(m.get("kafka_io")).isCloseTo(1.0, within(1e-9)); // of 1, 0.5, 2
  }

  @Test
  void aRunWithoutThreadCpuLeavesNoFigure() {
    assertThat(
            BenchMain.medianThreadCpuPerMillion(
                List.of(run(1_000_000, groups(4.0, 3.0)), run(1_000_000, null))))
        .isEmpty();
  }

  @Test
  void brokerCpuIsTheMedianPerMillionEvents() {
    assertThat(
            BenchMain.medianBrokerCpuPerMillion(
                List.of(
                    brokerRun(1_000_000, 4.0), // 4 per million
                    brokerRun(2_000_000, 5.0), // 2.5
                    brokerRun(500_000, 3.0)))) // 6
        .isCloseTo(4.0, within(1e-9));
  }

  @Test
  void aRunWithoutBrokerCpuLeavesNoFigure() {
    assertThat(
            BenchMain.medianBrokerCpuPerMillion(
                List.of(brokerRun(1_000_000, 4.0), brokerRun(1_000_000, null))))
        .isNaN();
    assertThat(BenchMain.medianBrokerCpuPerMillion(List.of())).isNaN();
  }

  private static StreamingBench.LatencyWindow window(int pass, Map<String, Double> cores) {
    return new StreamingBench.LatencyWindow(
        5000, pass, 0.5, 1.0, 1.5, 1.0, 100, 5000, 10, false, 1e6, 0.01, cores, 0, 0);
  }

  private static Map<String, Double> cores(double tasks, double rocksdb) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    for (String g : JvmThreadCpu.GROUPS) {
      m.put(g, 0.0);
    }
    m.put("tasks", tasks);
    m.put("rocksdb", rocksdb);
    m.put("total", tasks + rocksdb);
    return m;
  }

  @Test
  void theLatencyJobsCoresAreEachGroupsMedianOverThePassesThatReadThem() {
    Map<String, Double> m =
        BenchMain.medianCores(
            List.of(
                window(0, cores(0.6, 0.4)),
                window(1, Map.of()),
                window(2, cores(0.5, 0.6)),
                window(3, cores(0.7, 0.5))));
    assertThat(m.keySet()).containsExactlyElementsOf(JvmThreadCpu.GROUPS);
    assertThat(m.get("tasks")).isCloseTo(0.6, within(1e-9));
    assertThat(m.get("rocksdb")).isCloseTo(0.5, within(1e-9));
    assertThat(m.get("total")).isCloseTo(1.1, within(1e-9));
    assertThat(BenchMain.medianCores(List.of(window(0, Map.of())))).isEmpty();

    String table =
        BenchMain.jobCoresTable(new java.util.TreeMap<>(Map.of(5000, m, 1000, Map.of())));
    assertThat(table)
        .contains("| events/s | tasks | jit | gc | query_driver | rocksdb | other | total |")
        .contains("| 5,000 | 0.60 | 0.00 | 0.00 | 0.00 | 0.50 | 0.00 | 1.10 |")
        .contains("| 1,000 | - | - | - | - | - | - | - |");
    assertThat(table.indexOf("| 1,000 |")).isLessThan(table.indexOf("| 5,000 |"));
    assertThat(BenchMain.jobCoresTable(Map.of(1000, Map.of()))).contains("unavailable");
  }
}
