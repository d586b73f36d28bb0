package io.taxiplatform.config;

/** {@code --help} was given: the app prints its usage on stdout and exits 0. */
public final class HelpRequested extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public HelpRequested() {
    super("help", null, false, false);
  }
}
