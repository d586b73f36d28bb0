package io.taxiplatform.charts;

import static io.taxiplatform.charts.ChartRenderer.Rendered.name;
import static io.taxiplatform.charts.ChartRenderer.Rendered.path;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod specs of a rendering: workload templates (Deployment, StatefulSet, DaemonSet, Job), bare
 * Pods (helm test), and the driver/executor of a SparkApplication, which the spark-operator turns
 * into pods (its fields are mapped to a pod-spec-like view: containers = the one Spark container).
 */
public final class PodSpecs {

  /** One pod spec: where it comes from, its spec map, and whether it is long-running. */
  public record PodSpec(
      String owner, Map<String, Object> spec, boolean longRunning, boolean spark) {

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> containers() {
      Object c = spec.get("containers");
      return c == null ? List.of() : (List<Map<String, Object>>) c;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> initContainers() {
      Object c = spec.get("initContainers");
      return c == null ? List.of() : (List<Map<String, Object>>) c;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> volumes() {
      Object c = spec.get("volumes");
      return c == null ? List.of() : (List<Map<String, Object>>) c;
    }

    /** The env entries of every container (init included). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> env() {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Map<String, Object> c : allContainers()) {
        Object env = c.get("env");
        if (env != null) {
          out.addAll((List<Map<String, Object>>) env);
        }
      }
      return out;
    }

    public List<Map<String, Object>> allContainers() {
      List<Map<String, Object>> all = new ArrayList<>(initContainers());
      all.addAll(containers());
      return all;
    }

    /** Value of an env var of the main containers (null if absent or from a reference). */
    public String envValue(String name) {
      for (Map<String, Object> e : env()) {
        if (name.equals(e.get("name"))) {
          return e.get("value") == null ? null : String.valueOf(e.get("value"));
        }
      }
      return null;
    }

    public Map<String, Object> envEntry(String name) {
      return env().stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }
  }

  private PodSpecs() {}

  @SuppressWarnings("unchecked")
  public static List<PodSpec> of(ChartRenderer.Rendered r) {
    List<PodSpec> out = new ArrayList<>();
    for (Map<String, Object> o : r.objects()) {
      String kind = String.valueOf(o.get("kind"));
      String owner = kind + "/" + name(o);
      switch (kind) {
        case "Deployment", "StatefulSet", "DaemonSet" ->
            out.add(
                new PodSpec(
                    owner, (Map<String, Object>) path(o, "spec", "template", "spec"), true, false));
        case "Job" ->
            out.add(
                new PodSpec(
                    owner,
                    (Map<String, Object>) path(o, "spec", "template", "spec"),
                    false,
                    false));
        case "Pod" ->
            out.add(new PodSpec(owner, (Map<String, Object>) o.get("spec"), false, false));
        case "SparkApplication" -> {
          Map<String, Object> spec = (Map<String, Object>) o.get("spec");
          for (String role : List.of("driver", "executor")) {
            out.add(new PodSpec(owner + "#" + role, sparkPod(spec, role), true, true));
          }
        }
        default -> {}
      }
    }
    return out;
  }

  /**
   * A pod-spec view of a SparkApplication role: one container with image, env, mounts and
   * resources.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> sparkPod(Map<String, Object> app, String role) {
    Map<String, Object> r = (Map<String, Object>) app.get(role);
    Map<String, Object> container = new java.util.LinkedHashMap<>();
    container.put("name", "spark-kubernetes-" + role);
    container.put("image", r.getOrDefault("image", app.get("image")));
    if (r.get("env") != null) {
      container.put("env", r.get("env"));
    }
    if (r.get("volumeMounts") != null) {
      container.put("volumeMounts", r.get("volumeMounts"));
    }
    if (r.get("securityContext") != null) {
      container.put("securityContext", r.get("securityContext"));
    }
    Map<String, Object> tmpl = (Map<String, Object>) path(r, "template", "spec");
    if (tmpl != null && tmpl.get("containers") instanceof List<?> tc && !tc.isEmpty()) {
      Map<String, Object> first = (Map<String, Object>) tc.get(0);
      for (String probe : List.of("livenessProbe", "readinessProbe")) {
        if (first.get(probe) != null) {
          container.put(probe, first.get(probe));
        }
      }
    }
    Map<String, Object> pod = new java.util.LinkedHashMap<>();
    pod.put("containers", List.of(container));
    if (r.get("initContainers") != null) {
      pod.put("initContainers", r.get("initContainers"));
    }
    if (app.get("volumes") != null) {
      pod.put("volumes", app.get("volumes"));
    }
    if (r.get("serviceAccount") != null) {
      pod.put("serviceAccountName", r.get("serviceAccount"));
    }
    if (r.get("podSecurityContext") != null) {
      pod.put("securityContext", r.get("podSecurityContext"));
    }
    // the role's pod template (Spark's base pod, spark.kubernetes.<role>.podTemplateFile)
    if (tmpl != null && tmpl.get("automountServiceAccountToken") != null) {
      pod.put("automountServiceAccountToken", tmpl.get("automountServiceAccountToken"));
    }
    pod.put("_spark", r);
    return pod;
  }
}
