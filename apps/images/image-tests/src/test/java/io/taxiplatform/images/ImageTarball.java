package io.taxiplatform.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A Docker image archive as {@code jib:buildTar} writes it ({@code docker load} / {@code podman
 * load} format): {@code manifest.json}, the container config JSON and one gzip-compressed tar per
 * layer.
 */
final class ImageTarball {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One regular file in a layer; {@code path} is absolute ({@code /app/libs/x.jar}). */
  record FileEntry(String path, long size, int mode, String layer) {}

  private final Path tarball;
  private final JsonNode manifest;
  private final JsonNode config;
  private final List<String> layers;
  private final Map<String, Long> layerSizes = new LinkedHashMap<>();
  private final Map<String, byte[]> layerBytes = new LinkedHashMap<>();
  private final Map<String, FileEntry> files = new LinkedHashMap<>();
  private final Map<String, FileEntry> directories = new LinkedHashMap<>();

  private ImageTarball(Path tarball) throws IOException {
    this.tarball = tarball;
    this.manifest =
        JSON.readTree(
            member("manifest.json")
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            tarball + " has no manifest.json: not an image archive")));
    JsonNode image = manifest.get(0);
    String configName = image.get("Config").asText();
    this.config =
        JSON.readTree(
            member(configName)
                .orElseThrow(
                    () -> new IllegalStateException(tarball + " lacks its config " + configName)));
    this.layers = new ArrayList<>();
    image.get("Layers").forEach(layer -> layers.add(layer.asText()));
    for (String layer : layers) {
      byte[] compressed =
          member(layer)
              .orElseThrow(() -> new IllegalStateException(tarball + " lacks layer " + layer));
      layerSizes.put(layer, (long) compressed.length);
      layerBytes.put(layer, compressed);
      try (TarArchiveInputStream in =
          new TarArchiveInputStream(
              new GZIPInputStream(new java.io.ByteArrayInputStream(compressed)))) {
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
          String path =
              "/"
                  + entry
                      .getName()
                      .replaceFirst("^\\./", "")
                      .replaceFirst("^/", "")
                      .replaceFirst("/$", "");
          FileEntry fileEntry = new FileEntry(path, entry.getSize(), entry.getMode(), layer);
          if (entry.isDirectory()) {
            directories.put(path, fileEntry);
          } else {
            files.put(path, fileEntry);
          }
        }
      }
    }
  }

  static ImageTarball read(Path tarball) {
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(
          "image tarball "
              + tarball
              + " is missing: build it first with "
              + "./mvnw -DskipTests package (from the repository root)");
    }
    try {
      return new ImageTarball(tarball);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image tarball " + tarball, e);
    }
  }

  Path path() {
    return tarball;
  }

  /** {@code RepoTags} of the archive (what {@code podman load} tags it as). */
  List<String> repoTags() {
    List<String> tags = new ArrayList<>();
    manifest.get(0).path("RepoTags").forEach(tag -> tags.add(tag.asText()));
    return tags;
  }

  /**
   * The {@code config} object of the image config: Entrypoint, Cmd, User, Env, ExposedPorts,
   * Labels, WorkingDir.
   */
  JsonNode containerConfig() {
    return config.path("config");
  }

  JsonNode imageConfig() {
    return config;
  }

  List<String> layers() {
    return List.copyOf(layers);
  }

  /** Compressed size of each layer, in layer order. */
  Map<String, Long> layerSizes() {
    return Map.copyOf(layerSizes);
  }

  /** Every regular file of every layer, by absolute path (Jib never writes whiteouts). */
  Map<String, FileEntry> files() {
    return Map.copyOf(files);
  }

  Map<String, FileEntry> directories() {
    return Map.copyOf(directories);
  }

  /** The files of the given layers only. */
  Map<String, FileEntry> filesOfLayers(List<String> wanted) {
    Map<String, FileEntry> result = new LinkedHashMap<>();
    files.forEach(
        (path, entry) -> {
          if (wanted.contains(entry.layer())) {
            result.put(path, entry);
          }
        });
    return result;
  }

  /** The content of a file in the image. */
  byte[] readFile(String path) {
    FileEntry entry = files.get(path);
    if (entry == null) {
      throw new IllegalArgumentException(path + " is not a file in " + tarball);
    }
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(
            new GZIPInputStream(new java.io.ByteArrayInputStream(layerBytes.get(entry.layer()))))) {
      TarArchiveEntry tarEntry;
      while ((tarEntry = in.getNextEntry()) != null) {
        String name = "/" + tarEntry.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
        if (name.equals(path)) {
          return in.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(path + " vanished from " + tarball);
  }

  /**
   * Writes every regular file whose absolute path matches into {@code dir} (same relative path);
   * one pass per layer.
   */
  void extract(Predicate<String> wanted, Path dir) {
    for (Map.Entry<String, byte[]> layer : layerBytes.entrySet()) {
      try (TarArchiveInputStream in =
          new TarArchiveInputStream(
              new GZIPInputStream(new java.io.ByteArrayInputStream(layer.getValue())))) {
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
          String name = "/" + entry.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
          if (!entry.isDirectory() && wanted.test(name)) {
            Path target = dir.resolve(name.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot extract layer " + layer.getKey() + " of " + tarball, e);
      }
    }
  }

  private Optional<byte[]> member(String name) throws IOException {
    try (InputStream raw = Files.newInputStream(tarball);
        TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
      TarArchiveEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        if (entry.getName().equals(name)) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          in.transferTo(out);
          return Optional.of(out.toByteArray());
        }
      }
    }
    return Optional.empty();
  }
}
