package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replay mode renders a batch/v1 Job that runs once to completion (never restarted forever), with
 * one pod, the replay options as env vars and a bounded spill emptyDir; synthetic mode stays a
 * Deployment. The Job's name follows its pod template, so `helm upgrade` never patches an immutable
 * template.
 */
class ReplayJobTest {

  static final Path REPLAY = ChartRenderer.chartDir().resolve("ci/replay-job-values.yaml");

  private static ChartRenderer.Rendered replay(Map<String, Object> sets) {
    return ChartRenderer.render("default", REPLAY, sets);
  }

  @Test
  void replayIsAJobThatCompletesOnce() {
    ChartRenderer.Rendered r = replay(Map.of());
    assertThat(r.ofKind("Deployment")).as("no producer Deployment in replay mode").isEmpty();
    Map<String, Object> job = r.one("Job", "producer");
    Job parsed = StrictKubernetes.parse(job, Job.class);
    assertThat(parsed.getSpec().getParallelism()).isEqualTo(1);
    assertThat(parsed.getSpec().getCompletions()).isEqualTo(1);
    assertThat(parsed.getSpec().getBackoffLimit())
        .as("producer.replay.backoffLimit of the scenario")
        .isEqualTo(3);
    assertThat(parsed.getSpec().getActiveDeadlineSeconds()).isEqualTo(21600L);
    assertThat(parsed.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("OnFailure");
    assertThat(parsed.getSpec().getSelector())
        .as("the Job controller generates the selector")
        .isNull();
    assertThat(name(job)).matches("taxi-taxi-platform-producer-replay-[0-9a-f]{8}");
  }

  @Test
  void defaultsBoundTheRetriesAndLeaveNoDeadline() {
    ChartRenderer.Rendered r =
        ChartRenderer.render(
            "default", Map.of("producer.mode", "replay", "producer.input", "/data/x.csv"));
    Map<String, Object> job = r.one("Job", "producer");
    assertThat(path(job, "spec", "backoffLimit")).isEqualTo(4);
    assertThat(path(job, "spec", "activeDeadlineSeconds")).isNull();
    PodSpecs.PodSpec pod =
        PodSpecs.of(r).stream()
            .filter(p -> p.owner().contains("-producer-replay-"))
            .findFirst()
            .orElseThrow();
    assertThat(pod.envValue("PRODUCER_ORDER")).isEqualTo("dropoff");
    assertThat(pod.envEntry("PRODUCER_PERIOD")).as("unset period").isNull();
    assertThat(pod.envValue("PRODUCER_RESUME")).isEqualTo("true");
  }

  @Test
  void replayOptionsAreTheProducersEnvVars() {
    PodSpecs.PodSpec pod =
        PodSpecs.of(replay(Map.of())).stream()
            .filter(p -> p.owner().contains("-producer-replay-"))
            .findFirst()
            .orElseThrow();
    assertThat(pod.envValue("PRODUCER_MODE")).isEqualTo("replay");
    assertThat(pod.envValue("PRODUCER_INPUT"))
        .isEqualTo("/data/tlc/yellow_tripdata_2025-01.parquet");
    assertThat(pod.envValue("PRODUCER_ORDER")).isEqualTo("dropoff");
    assertThat(pod.envValue("PRODUCER_PERIOD")).isEqualTo("2025-01");
    assertThat(pod.envValue("PRODUCER_RESUME")).isEqualTo("true");
    assertThat(pod.envValue("PRODUCER_SORT_CHUNK_ROWS")).isEqualTo("100000");
    assertThat(pod.envValue("PRODUCER_SPILL_DIR")).isEqualTo("/var/spill");
    assertThat(pod.envValue("PRODUCER_RATE")).isEqualTo("0");
    // the spill directory is a writable emptyDir with the configured size limit (read-only root)
    Map<String, Object> c = pod.containers().get(0);
    assertThat(path(c, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
    @SuppressWarnings("unchecked")
    Map<String, Object> mount =
        ((List<Map<String, Object>>) c.get("volumeMounts"))
            .stream()
                .filter(m -> "/var/spill".equals(m.get("mountPath")))
                .findFirst()
                .orElseThrow();
    assertThat(mount.get("readOnly")).isNotEqualTo(true);
    Map<String, Object> volume =
        pod.volumes().stream()
            .filter(v -> v.get("name").equals(mount.get("name")))
            .findFirst()
            .orElseThrow();
    assertThat(path(volume, "emptyDir", "sizeLimit")).isEqualTo("1Gi");
    // the TLC files come from the user's claim, read-only
    assertThat(pod.volumes())
        .anySatisfy(
            v -> assertThat(path(v, "persistentVolumeClaim", "claimName")).isEqualTo("tlc-files"));
  }

  @Test
  void syntheticModeStaysADeploymentWithoutReplayOptions() {
    ChartRenderer.Rendered r = ChartRenderer.render("default");
    assertThat(r.ofKind("Job"))
        .noneMatch(
            j -> "producer".equals(path(j, "metadata", "labels", "app.kubernetes.io/component")));
    PodSpecs.PodSpec pod =
        PodSpecs.of(r).stream()
            .filter(p -> p.owner().equals("Deployment/taxi-taxi-platform-producer"))
            .findFirst()
            .orElseThrow();
    for (String v :
        List.of(
            "PRODUCER_ORDER",
            "PRODUCER_PERIOD",
            "PRODUCER_RESUME",
            "PRODUCER_SPILL_DIR",
            "PRODUCER_SORT_CHUNK_ROWS")) {
      assertThat(pod.envEntry(v)).as(v).isNull();
    }
    assertThat(pod.volumes()).noneMatch(v -> "spill".equals(v.get("name")));
  }

  @Test
  void moreThanOneReplicaFailsNamingTheKey() {
    assertThatThrownBy(() -> replay(Map.of("producer.replicas", 2)))
        .hasMessageContaining("producer.replicas")
        .hasMessageContaining("replay");
    assertThat(ChartRenderer.render("default", Map.of("producer.replicas", 2)).ofKind("Deployment"))
        .as("synthetic mode may scale")
        .isNotEmpty();
  }

  @Test
  void theJobNameFollowsItsPodTemplate() {
    String base = name(replay(Map.of()).one("Job", "producer"));
    assertThat(name(replay(Map.of()).one("Job", "producer")))
        .as("same values, same Job: a finished replay is left alone")
        .isEqualTo(base);
    assertThat(
            name(
                replay(Map.of("producer.input", "/data/tlc/yellow_tripdata_2025-02.parquet"))
                    .one("Job", "producer")))
        .as("another file")
        .isNotEqualTo(base);
    assertThat(name(replay(Map.of("producer.order", "file")).one("Job", "producer")))
        .as("another order")
        .isNotEqualTo(base);
    assertThat(name(replay(Map.of("producer.rate", 500)).one("Job", "producer")))
        .as("another rate")
        .isNotEqualTo(base);
    assertThat(name(replay(Map.of("images.producer.tag", "0.2.0")).one("Job", "producer")))
        .as("another image")
        .isNotEqualTo(base);
    // what the producer does not read leaves the Job alone
    assertThat(
            name(
                replay(Map.of("streaming.serving", "v1", "monitoring.rules.lateRowsThreshold", 5))
                    .one("Job", "producer")))
        .isEqualTo(base);
  }

  @Test
  void replayVariablesAreValidatedBySchema() {
    assertThatThrownBy(() -> replay(Map.of("producer.order", "pickup")))
        .hasMessageContaining("order");
    assertThatThrownBy(() -> replay(Map.of("producer.period", "2025-1")))
        .hasMessageContaining("period");
  }
}
