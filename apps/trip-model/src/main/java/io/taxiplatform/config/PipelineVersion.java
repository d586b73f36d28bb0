package io.taxiplatform.config;

import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * A pipeline version ({@code PIPELINE_VERSION}, {@code [a-z0-9_]+}) and the names it gives: the
 * tables of docs/contracts.md ("Cassandra tables") and the checkpoint sub-directory. The producer's
 * smoke mode, the job and local mode name tables only through this.
 *
 * @param name the version, e.g. {@code v1}
 */
public record PipelineVersion(String name) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What a version may look like. */
  public static final Pattern FORM = Pattern.compile("[a-z0-9_]+");

  /**
   * @throws UsageException when {@code name} does not match {@link #FORM}
   */
  public PipelineVersion {
    if (name == null || !FORM.matcher(name).matches()) {
      throw new UsageException("PIPELINE_VERSION must match [a-z0-9_]+, got '" + name + "'");
    }
  }

  /** Table {@code zone_windows_<version>}. */
  public String zoneWindowsTable() {
    return "zone_windows_" + name;
  }

  /** Table {@code window_zones_<version>}. */
  public String windowZonesTable() {
    return "window_zones_" + name;
  }

  /** Table {@code borough_windows_<version>}. */
  public String boroughWindowsTable() {
    return "borough_windows_" + name;
  }

  @Override
  public String toString() {
    return name;
  }
}
