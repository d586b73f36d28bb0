package io.taxiplatform.producer;

/** Small helpers for reading environment variables and printing settings. */
final class Env {

  private Env() {}

  /** {@code null} for an absent or blank value. */
  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** {@code ****} for a set secret, {@code <unset>} otherwise. */
  static String mask(String secret) {
    return secret == null ? "<unset>" : "****";
  }
}
