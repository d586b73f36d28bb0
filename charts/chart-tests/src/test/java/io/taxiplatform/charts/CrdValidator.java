package io.taxiplatform.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Validates custom resources against the openAPIV3Schema of the upstream CRDs at the pinned
 * versions. CRDs come from the vendored subcharts' {@code crds/} (a user ran {@code helm dependency
 * build}) and from {@code ../shared/crds}; the vendored copy wins.
 *
 * <p>Structural schemas allow unknown fields to be pruned by the API server silently; to catch
 * misspelt fields here, every object schema that declares {@code properties} and neither {@code
 * additionalProperties} nor {@code x-kubernetes-preserve-unknown-fields} is closed ({@code
 * additionalProperties: false}).
 */
public final class CrdValidator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, JsonSchema> schemas = new HashMap<>();
  private final Map<String, String> sources = new HashMap<>();

  private CrdValidator() {}

  /** Loads the CRDs available here (vendored subcharts first, then ../shared/crds). */
  public static CrdValidator load() {
    CrdValidator v = new CrdValidator();
    Path charts = ChartRenderer.chartDir().resolve("charts");
    if (Files.isDirectory(charts)) {
      try (Stream<Path> files = Files.list(charts)) {
        for (Path p : files.sorted().toList()) {
          if (p.toString().endsWith(".tgz")) {
            for (Map.Entry<String, String> e : crdFilesInTgz(p).entrySet()) {
              v.addCrdYaml(e.getValue(), p.getFileName() + "!" + e.getKey());
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path shared = ChartRenderer.sharedDir().resolve("crds");
    if (Files.isDirectory(shared)) {
      try (Stream<Path> files = Files.list(shared)) {
        for (Path p : files.sorted().filter(f -> f.toString().endsWith(".yaml")).toList()) {
          v.addCrdYaml(Files.readString(p), "../shared/crds/" + p.getFileName());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return v;
  }

  /** Number of apiVersion/kind schemas loaded. */
  public int size() {
    return schemas.size();
  }

  /** Where the schema of an apiVersion/kind came from, if known. */
  public Optional<String> sourceOf(String apiVersion, String kind) {
    return Optional.ofNullable(sources.get(apiVersion + "/" + kind));
  }

  /** True when a schema for the object's apiVersion/kind is loaded. */
  public boolean knows(Map<String, Object> object) {
    return schemas.containsKey(object.get("apiVersion") + "/" + object.get("kind"));
  }

  /** Validation messages (empty = valid). Throws when no schema is known for the object. */
  public List<String> validate(Map<String, Object> object) {
    String key = object.get("apiVersion") + "/" + object.get("kind");
    JsonSchema schema = schemas.get(key);
    if (schema == null) {
      throw new IllegalArgumentException("no CRD schema for " + key);
    }
    JsonNode node = JSON.valueToTree(object);
    Set<ValidationMessage> messages = schema.validate(node);
    List<String> out = new ArrayList<>();
    for (ValidationMessage m : messages) {
      out.add(m.getMessage());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private void addCrdYaml(String yaml, String source) {
    ChartRenderer.Rendered docs = ChartRenderer.parse(yaml);
    for (Map<String, Object> crd : docs.objects()) {
      if (!"CustomResourceDefinition".equals(crd.get("kind"))) {
        continue;
      }
      Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
      String group = String.valueOf(spec.get("group"));
      String kind = String.valueOf(((Map<String, Object>) spec.get("names")).get("kind"));
      for (Map<String, Object> version : (List<Map<String, Object>>) spec.get("versions")) {
        Object schema = ChartRenderer.Rendered.path(version, "schema", "openAPIV3Schema");
        if (schema == null || Boolean.FALSE.equals(version.get("served"))) {
          continue;
        }
        String key = group + "/" + version.get("name") + "/" + kind;
        if (schemas.containsKey(key)) {
          continue; // vendored copy loaded first wins
        }
        ObjectNode node = JSON.valueToTree(schema);
        close(node);
        node.put("$schema", "http://json-schema.org/draft-04/schema#");
        schemas.put(key, JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(node));
        sources.put(key, source);
      }
    }
  }

  /** Closes object schemas recursively (see the class comment) and drops OpenAPI-only keywords. */
  static void close(JsonNode node) {
    if (node == null || !node.isObject()) {
      if (node != null && node.isArray()) {
        node.forEach(CrdValidator::close);
      }
      return;
    }
    ObjectNode o = (ObjectNode) node;
    boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (o.has("properties") && !o.has("additionalProperties") && !preserve) {
      o.put("additionalProperties", false);
    }
    // OpenAPI's nullable: a null value is allowed where nullable is true.
    if (o.path("nullable").asBoolean(false) && o.has("type") && o.get("type").isTextual()) {
      o.putArray("type").add(o.get("type").asText()).add("null");
    }
    // int-or-string fields carry no type in CRDs; make that explicit for the validator.
    if (o.path("x-kubernetes-int-or-string").asBoolean(false) && !o.has("type")) {
      o.putArray("type").add("integer").add("string");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if ("properties".equals(e.getKey()) || "patternProperties".equals(e.getKey())) {
        e.getValue().forEach(CrdValidator::close);
      } else if (!"enum".equals(e.getKey())
          && !"default".equals(e.getKey())
          && !"example".equals(e.getKey())) {
        close(e.getValue());
      }
    }
  }

  /** The crds/*.yaml files inside a packaged chart (including nested subcharts), by path. */
  static Map<String, String> crdFilesInTgz(Path tgz) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = new String(header, 0, 100, StandardCharsets.UTF_8).trim().replace("\0", "");
        if (name.isEmpty()) {
          break;
        }
        String prefix =
            new String(header, 345, 155, StandardCharsets.UTF_8).replace("\0", "").trim();
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
        String sizeField =
            new String(header, 124, 12, StandardCharsets.UTF_8).replace("\0", "").trim();
        long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
        byte[] data = in.readNBytes((int) size);
        long pad = (512 - size % 512) % 512;
        in.readNBytes((int) pad);
        if (name.contains("/crds/") && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.write(data);
          out.put(name, b.toString(StandardCharsets.UTF_8));
        } else if (name.endsWith(".tgz")) {
          Path nested = Files.createTempFile("nested-chart", ".tgz");
          try {
            Files.write(nested, data);
            out.putAll(crdFilesInTgz(nested));
          } finally {
            Files.deleteIfExists(nested);
          }
        }
      }
    }
    return out;
  }
}
