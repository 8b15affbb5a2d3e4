package dev.parapet.tools;

/** A command-line argument is missing or wrong; the launcher prints the usage and exits 2. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
