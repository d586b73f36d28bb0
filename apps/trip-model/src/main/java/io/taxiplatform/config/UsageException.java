package io.taxiplatform.config;

/**
 * An unknown or invalid flag or environment variable; the message names it. Every app prints the
 * message and its usage and exits 2.
 */
public final class UsageException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
