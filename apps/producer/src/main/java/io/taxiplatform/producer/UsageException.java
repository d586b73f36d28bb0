package io.taxiplatform.producer;

/**
 * An unknown or invalid flag or environment variable: {@link ProducerMain} prints usage and exits
 * 2.
 */
public final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
