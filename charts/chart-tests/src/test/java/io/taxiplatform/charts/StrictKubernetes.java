package io.taxiplatform.charts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Map;
import java.util.Optional;

/**
 * Strict parsing of core Kubernetes kinds with the fabric8 7.x model: unknown properties fail and
 * the model's {@code @JsonAnySetter} (which would otherwise swallow misspelt fields into {@code
 * additionalProperties}) is disabled.
 */
public final class StrictKubernetes {

  /**
   * Core kinds by apiVersion/kind. Custom resources are validated by {@link CrdValidator} instead.
   */
  private static final Map<String, Class<?>> MODELS =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("v1/Pod", Pod.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("apps/v1/DaemonSet", DaemonSet.class),
          Map.entry("batch/v1/Job", Job.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class));

  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
          .configure(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, true)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                private static final long serialVersionUID = 1L;

                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE;
                }
              });

  private StrictKubernetes() {}

  /** The fabric8 model class of a core kind, or empty for custom resources and unknown kinds. */
  public static Optional<Class<?>> modelOf(Map<String, Object> object) {
    return Optional.ofNullable(MODELS.get(object.get("apiVersion") + "/" + object.get("kind")));
  }

  private static final java.util.Set<String> BUILT_IN_GROUPS =
      java.util.Set.of(
          "",
          "apps",
          "batch",
          "policy",
          "autoscaling",
          "networking.k8s.io",
          "rbac.authorization.k8s.io",
          "storage.k8s.io",
          "scheduling.k8s.io",
          "admissionregistration.k8s.io",
          "apiextensions.k8s.io",
          "coordination.k8s.io",
          "discovery.k8s.io",
          "certificates.k8s.io",
          "node.k8s.io",
          "apiregistration.k8s.io");

  /** True when apiVersion belongs to a built-in Kubernetes API group (not a custom resource). */
  public static boolean isBuiltInApi(Map<String, Object> object) {
    String apiVersion = String.valueOf(object.get("apiVersion"));
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    return BUILT_IN_GROUPS.contains(group);
  }

  /**
   * Parses an object into its model class strictly; throws IllegalArgumentException naming the
   * problem.
   */
  public static <T> T parse(Map<String, Object> object, Class<T> type) {
    try {
      return STRICT.convertValue(object, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          object.get("kind")
              + " "
              + ChartRenderer.Rendered.name(object)
              + " does not parse strictly: "
              + e.getMessage(),
          e);
    }
  }
}
